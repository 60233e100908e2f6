// LEAK007 dangling-task: asyncio keeps only weak references to tasks, so a task nobody holds can
// be garbage-collected mid-run; and the opposite mistake, a long-lived set of tasks that is never
// pruned, keeps every finished task (and its result or exception) forever.

import { runtimeSafeAnnotation } from '../fixes/annotations';
import { insertAt, replaceRange } from '../fixes/edits';
import { ensureModuleImport } from '../fixes/imports';
import { addModuleStatement } from '../fixes/module-statement';
import { freshName, insertStatementsAfter, insertStatementsBefore } from '../fixes/statements';
import { runInfoAt } from '../model/execution';
import { callNamedBy, identifiersNamed } from '../model/find-names';
import { enclosingMethod, isSelf } from '../model/methods';
import type { Binding, SemanticModel } from '../model/semantic';
import {
  keywordArgument,
  positionalArguments,
  unparenthesized,
  unparenthesizedParent,
  useOf,
} from '../model/usage';
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext, Severity, TextEdit } from '../types';

/** Functions that schedule a coroutine as a task and return it (qualified name → display name). */
const TASK_FACTORIES: Record<string, string> = {
  'asyncio.create_task': 'asyncio.create_task',
  'asyncio.ensure_future': 'asyncio.ensure_future',
  'asyncio.tasks.create_task': 'asyncio.create_task',
  'asyncio.tasks.ensure_future': 'asyncio.ensure_future',
};

/** Calls that return an event loop. */
const LOOP_FACTORIES = new Set([
  'asyncio.get_event_loop',
  'asyncio.get_running_loop',
  'asyncio.new_event_loop',
  'asyncio.events.get_event_loop',
  'asyncio.events.get_running_loop',
  'asyncio.events.new_event_loop',
  'uvloop.new_event_loop',
]);

/** Names that, by near-universal convention, hold an event loop (`loop`, `self._loop`, `event_loop`). */
const LOOP_NAME = /^_*(event_?|ev_?|io_?|main_?)?loop$/i;

/** Callback registrars that ignore what the callback returns. */
const RESULT_DISCARDING_REGISTRARS = new Set([
  'call_soon',
  'call_soon_threadsafe',
  'call_later',
  'call_at',
  'add_signal_handler',
  'add_done_callback',
  'add_reader',
  'add_writer',
]);

/** Methods of a task whose result is not the task (`create_task(c).add_done_callback(cb)` drops it). */
const TASK_METHODS_RETURNING_NONE = new Set(['add_done_callback', 'set_name', 'remove_done_callback']);

/** Methods that take elements out of a set/list/deque/dict. */
const REMOVERS = new Set([
  'discard',
  'remove',
  'pop',
  'popleft',
  'popitem',
  'clear',
  'difference_update',
  'intersection_update',
  'symmetric_difference_update',
]);

/** Consumers that only read a container passed to them (anything else may prune it). */
const READ_ONLY_CONSUMERS = new Set([
  'builtins.len',
  'builtins.list',
  'builtins.tuple',
  'builtins.set',
  'builtins.frozenset',
  'builtins.sorted',
  'builtins.reversed',
  'builtins.any',
  'builtins.all',
  'builtins.sum',
  'builtins.min',
  'builtins.max',
  'builtins.iter',
  'builtins.enumerate',
  'builtins.zip',
  'builtins.map',
  'builtins.filter',
  'builtins.print',
  'builtins.repr',
  'builtins.str',
  'builtins.bool',
  'builtins.isinstance',
  'asyncio.gather',
  'asyncio.wait',
  'asyncio.as_completed',
  'asyncio.wait_for',
  'asyncio.shield',
]);
const READ_ONLY_METHODS = new Set([
  'update',
  'extend',
  'union',
  'difference',
  'intersection',
  'issubset',
  'issuperset',
  'isdisjoint',
  'debug',
  'info',
  'warning',
  'error',
  'exception',
  'critical',
  'log',
  'format',
  'join',
]);

/** Containers that do not keep their elements alive or are bounded. */
const WEAK_CONTAINERS = new Set([
  'weakref.WeakSet',
  'weakref.WeakValueDictionary',
  'weakref.WeakKeyDictionary',
]);

const BACKGROUND_SET = '_background_tasks';

function isLoopFactoryCall(model: SemanticModel, node: Node | undefined | null): boolean {
  if (!node) return false;
  const n = unparenthesized(node);
  return n.type === 'call' && LOOP_FACTORIES.has(model.calleeName(n) ?? '');
}

/** Whether `expr` is an event loop: a loop factory call, a name bound to one, or a loop-named variable/attribute. */
function isEventLoop(model: SemanticModel, expr: Node): boolean {
  const n = unparenthesized(expr);
  if (n.type === 'call') return isLoopFactoryCall(model, n);
  if (n.type === 'identifier') {
    const binding = model.resolve(n);
    if (binding?.kind === 'import') return false;
    if (binding?.sites.some((s) => isLoopFactoryCall(model, model.assignedValue(s)))) return true;
    return LOOP_NAME.test(n.text);
  }
  if (n.type === 'attribute') return LOOP_NAME.test(n.childForFieldName('attribute')?.text ?? '');
  return false;
}

/** If `call` creates a task, a short name for what it calls (`asyncio.create_task`, `loop.create_task`). */
function taskFactory(model: SemanticModel, call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const known = TASK_FACTORIES[model.calleeName(call) ?? ''];
  if (known) return known;
  if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'create_task') {
    const receiver = fn.childForFieldName('object');
    if (receiver && isEventLoop(model, receiver)) {
      const text = receiver.text.replace(/\s+/g, ' ');
      return text.length <= 40 ? `${text}.create_task` : 'create_task';
    }
  }
  return undefined;
}

/** Local names the file gives to `asyncio.create_task`/`ensure_future` (`from asyncio import create_task as spawn`). */
/** Whether `text` mentions `create_task` or `ensure_future` (two searches: faster than one alternation). */
function mentionsTaskFactory(text: string): boolean {
  return text.includes('create_task') || text.includes('ensure_future');
}

function factoryNames(model: SemanticModel): string[] {
  const names = new Set(['create_task', 'ensure_future']);
  model.moduleScope.ensureCollected();
  for (const b of model.moduleScope.bindings.values()) {
    if (b.kind === 'import' && b.qualifiedName && TASK_FACTORIES[b.qualifiedName]) names.add(b.name);
  }
  return [...names];
}

function enclosingFunctionName(model: SemanticModel, node: Node): string | undefined {
  return model.scopeOf(node).enclosingFunction?.name;
}

function isExpressionStatementOf(node: Node): Node | null {
  const { parent } = unparenthesizedParent(node);
  return parent?.type === 'expression_statement' ? parent : null;
}

function isEmptySetCall(model: SemanticModel, node: Node | undefined): boolean {
  return (
    node?.type === 'call' &&
    model.calleeName(node) === 'builtins.set' &&
    (node.childForFieldName('arguments')?.namedChildCount ?? 1) === 0
  );
}

/** The module-level strong-reference set the fixes share: an existing one (a previous fix's) or a new name. */
function backgroundSet(model: SemanticModel, at: Node): { name: string; exists: boolean } {
  for (let i = 1; ; i++) {
    const name = i === 1 ? BACKGROUND_SET : `${BACKGROUND_SET}_${i}`;
    const binding = model.moduleScope.lookupLocal(name);
    const visible = model.resolve(at, name);
    if (!binding && !visible) return { name, exists: false };
    if (
      binding &&
      visible === binding &&
      binding.kind === 'assignment' &&
      binding.sites.length === 1 &&
      isEmptySetCall(model, model.assignedValue(binding.sites[0])) &&
      // At module level the set must exist before the code that uses it runs.
      (model.scopeOf(at).isRuntime || binding.sites[0].startIndex < at.startIndex)
    ) {
      return { name, exists: true };
    }
  }
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

/** The shared strong-reference set for a fix at `call`: its name and the edits creating it (once per module). */
function backgroundSetFor(ctx: RuleContext, call: Node): { name: string; edits: TextEdit[] } {
  const { file, model } = ctx;
  const set = backgroundSet(model, call);
  if (set.exists) return { name: set.name, edits: [] };
  const before = topLevelStatement(call).startIndex;
  const asyncio = ensureModuleImport(file, model, 'asyncio', before);
  return {
    name: set.name,
    edits: addModuleStatement(
      file,
      backgroundSetStatement(model, set.name, asyncio.name),
      before,
      asyncio.edits,
    ),
  };
}

/** `_background_tasks: set[asyncio.Task] = set()`, its annotation quoted where Python 3.8 would evaluate it. */
function backgroundSetStatement(model: SemanticModel, name: string, asyncioName: string): string {
  return `${name}: ${runtimeSafeAnnotation(model, `set[${asyncioName}.Task]`)} = set()`;
}

function keepReferenceStatements(set: string, task: string): string[] {
  return [`${set}.add(${task})`, `${task}.add_done_callback(${set}.discard)`];
}

function scopeNodeFor(model: SemanticModel, node: Node): Node {
  return model.scopeOf(node).enclosingFunction?.node ?? model.file.root;
}

const KEEP_REFERENCE = 'Keep a reference: add the task to a module-level set until it is done';

/** `asyncio.create_task(c)` → `task = asyncio.create_task(c)`, then add it to the set. */
function discardedTaskFix(ctx: RuleContext, call: Node, stmt: Node): Fix {
  const { file, model } = ctx;
  const name = freshName(model, call, scopeNodeFor(model, call), ['task']);
  const set = backgroundSetFor(ctx, call);
  return {
    title: KEEP_REFERENCE,
    applicability: 'safe',
    isPreferred: true,
    edits: [
      ...set.edits,
      insertAt(file, stmt.startIndex, `${name} = `),
      insertStatementsAfter(file, stmt, keepReferenceStatements(set.name, name)),
    ],
  };
}

/** `asyncio.create_task(c).add_done_callback(cb)` → name the task, keep it, then register `cb` on it. */
function chainedTaskFix(ctx: RuleContext, call: Node, stmt: Node): Fix {
  const { file, model } = ctx;
  const name = freshName(model, call, scopeNodeFor(model, call), ['task']);
  const set = backgroundSetFor(ctx, call);
  const taskNode = unparenthesizedParent(call).node;
  return {
    title: KEEP_REFERENCE,
    applicability: 'safe',
    isPreferred: true,
    edits: [
      ...set.edits,
      insertStatementsBefore(file, stmt, [
        `${name} = ${call.text}`,
        ...keepReferenceStatements(set.name, name),
      ]),
      replaceRange(file, taskNode.startIndex, taskNode.endIndex, name),
    ],
  };
}

/** `t = asyncio.create_task(c)` with `t` unused → keep `t` in the set. */
function unusedNameFix(ctx: RuleContext, call: Node, name: string): Fix | undefined {
  const assignment = unparenthesizedParent(call).parent;
  const stmt = assignment?.parent;
  if (assignment?.type !== 'assignment' || stmt?.type !== 'expression_statement') return undefined;
  if (assignment.childForFieldName('left')?.type !== 'identifier') return undefined;
  const set = backgroundSetFor(ctx, call);
  return {
    title: `Keep a reference: add \`${name}\` to a module-level set until it is done`,
    applicability: 'safe',
    isPreferred: true,
    edits: [...set.edits, insertStatementsAfter(ctx.file, stmt, keepReferenceStatements(set.name, name))],
  };
}

const KEEP_TASK_HELPER = '_keep_task';

/**
 * A task made in an expression (a lambda handed to `add_signal_handler`): it passes through a
 * module function that keeps it in the set until done and returns it, so the expression's value
 * is the same task. Safe.
 */
function keepTaskHelperFix(ctx: RuleContext, call: Node): Fix | undefined {
  const { file, model } = ctx;
  const existing = model.moduleScope.lookupLocal(KEEP_TASK_HELPER);
  const edits: TextEdit[] = [];
  if (!existing) {
    if (model.resolve(call, KEEP_TASK_HELPER)) return undefined;
    const set = backgroundSet(model, call);
    const before = topLevelStatement(call).startIndex;
    const asyncio = ensureModuleImport(file, model, 'asyncio', before);
    const eol = file.eol;
    const helper = [
      ...(set.exists ? [] : [backgroundSetStatement(model, set.name, asyncio.name), '', '']),
      `def ${KEEP_TASK_HELPER}(task):`,
      '    """Keep a strong reference to the task until it is done (the loop holds it weakly)."""',
      ...keepReferenceStatements(set.name, 'task').map((l) => `    ${l}`),
      '    return task',
    ].join(eol);
    edits.push(...addModuleStatement(file, `${eol}${helper}${eol}`, before, asyncio.edits));
  } else if (existing.kind !== 'function') {
    return undefined;
  }
  const task = unparenthesizedParent(call).node;
  edits.push(insertAt(file, task.startIndex, `${KEEP_TASK_HELPER}(`), insertAt(file, task.endIndex, ')'));
  return {
    title: `Keep a reference: pass the task through \`${KEEP_TASK_HELPER}()\`, which adds it to a module-level set until it is done`,
    applicability: 'safe',
    isPreferred: true,
    edits,
  };
}

const WEAK_REFERENCE_WHY =
  'the event loop keeps only a weak reference to tasks, so it can be garbage-collected before it finishes ' +
  '(whether what it awaits keeps it alive meanwhile cannot be known here)';

/** Inside `with self.assertRaises(...)` / `pytest.raises(...)`: the call is expected to fail. */
function expectedToRaise(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return false;
    if (p.type !== 'with_statement') continue;
    for (const item of p.descendantsOfType('with_item')) {
      const value = item?.childForFieldName('value');
      const call = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
      const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      if (name && /^(assertRaises|assertRaisesRegex|raises)$/.test(name)) return true;
    }
  }
  return false;
}

function checkCreation(ctx: RuleContext, call: Node, factory: string, pileUpSeen: Set<number>): void {
  const { file, model } = ctx;
  if (expectedToRaise(call)) return;
  const use = useOf(call);
  const range = file.rangeOf(call);
  switch (use.kind) {
    case 'other': {
      if (use.node.type === 'expression_statement') {
        ctx.report({
          range,
          message: `The task from \`${factory}()\` is discarded: ${WEAK_REFERENCE_WHY}`,
          fixes: () => [discardedTaskFix(ctx, call, use.node)],
        });
      } else if (use.node.type === 'lambda') {
        const registrar = discardingRegistrar(model, use.node);
        if (registrar) {
          ctx.report({
            range,
            message: `The task from \`${factory}()\` is returned to \`${registrar}()\`, which ignores callback results: ${WEAK_REFERENCE_WHY}`,
            fixes: () => {
              const fix = keepTaskHelperFix(ctx, call);
              return fix ? [fix] : [];
            },
          });
        }
      }
      return;
    }
    case 'method': {
      // `asyncio.create_task(c).add_done_callback(cb)`: the statement keeps nothing.
      const stmt = isExpressionStatementOf(use.call);
      if (TASK_METHODS_RETURNING_NONE.has(use.method) && stmt) {
        ctx.report({
          range,
          message: `The task from \`${factory}()\` is not stored (only \`.${use.method}()\` is called on it): ${WEAK_REFERENCE_WHY}`,
          fixes: () => [chainedTaskFix(ctx, call, stmt)],
        });
      }
      return;
    }
    case 'assigned-to': {
      const target = use.target;
      if (target.type !== 'identifier') return;
      const binding = model.resolve(target);
      if (!binding || (binding.scope.kind !== 'function' && binding.scope.kind !== 'lambda')) return;
      // `nonlocal t; t = create_task(c)`: the enclosing function's variable keeps it.
      if (binding.scope !== frameOf(model, call)) return;
      // `task = other = create_task(c)`: any of the names may keep it.
      const others = otherTargets(model, use.node);
      if (!others) return;
      const refs = model.references(binding);
      const used = (b: Binding) =>
        model.references(b).some((r) => r.context === 'load' || r.context === 'augmented');
      if (others.some((b) => b.scope !== binding.scope || used(b))) return;
      if (!used(binding)) {
        const fn = enclosingFunctionName(model, call);
        const when = fn ? `once \`${fn}()\` returns` : 'once the function returns';
        const fixes = () => {
          const fix = unusedNameFix(ctx, call, target.text);
          return fix ? [fix] : [];
        };
        ctx.report({
          range,
          message: `\`${target.text}\` holds the task from \`${factory}()\` but is never used: ${when}, nothing references the task and it can be garbage-collected before it finishes`,
          fixes,
        });
        return;
      }
      for (const ref of refs) {
        if (ref.context !== 'load') continue;
        const refUse = useOf(ref.node);
        if (refUse.kind === 'argument') checkPileUp(ctx, refUse.call, ref.node, pileUpSeen);
      }
      return;
    }
    case 'argument':
      checkPileUp(ctx, use.call, call, pileUpSeen);
      return;
    default:
      return;
  }
}

/** The function (or lambda) frame that runs `node`: comprehensions run in their function's frame. */
function frameOf(model: SemanticModel, node: Node) {
  let scope = model.scopeOf(node);
  while (scope.kind === 'comprehension' && scope.parent) scope = scope.parent;
  return scope;
}

/**
 * For `a = b = value`, the bindings of the other targets of the chain around the assignment
 * `inner`; undefined when one of them is not a plain name (`self.t = t = …` keeps it).
 */
function otherTargets(model: SemanticModel, inner: Node): Binding[] | undefined {
  const result: Binding[] = [];
  for (let a = inner.parent; a?.type === 'assignment'; a = a.parent) {
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') return undefined;
    const binding = model.resolve(left);
    if (!binding) return undefined;
    result.push(binding);
  }
  return result;
}

/** For a lambda passed to `loop.call_soon(...)` and friends: that registrar's name. */
function discardingRegistrar(model: SemanticModel, lambda: Node): string | undefined {
  const use = useOf(lambda);
  if (use.kind !== 'argument') return undefined;
  const fn = use.call.childForFieldName('function');
  if (model.calleeName(use.call) === 'signal.signal') return 'signal.signal';
  if (fn?.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (RESULT_DISCARDING_REGISTRARS.has(method)) return method;
  }
  return undefined;
}

interface Container {
  /** `self._tasks` or `_tasks`, as written. */
  text: string;
  /** Each use of the container in its lifetime's reach (module references or `x.attr` in the class). */
  uses: Node[];
  /** Expressions assigned to it (to spot weak or bounded containers). */
  values: Node[];
  /** Where it is created, for related information. */
  definition?: Node;
  owner: 'module' | 'object';
}

function moduleContainer(model: SemanticModel, receiver: Node): Container | undefined {
  const binding: Binding | undefined = model.resolve(receiver);
  if (!binding || binding.scope !== model.moduleScope || binding.kind !== 'assignment') return undefined;
  const refs = model.references(binding);
  const values = binding.sites.map((s) => model.assignedValue(s)).filter((v): v is Node => !!v);
  const uses: Node[] = [];
  for (const r of refs) {
    // A rebinding at run time (`_tasks = set()` in a function) empties it: count it as a use.
    if (r.context === 'store' && !r.scope.isRuntime) continue;
    uses.push(r.node);
  }
  return { text: receiver.text, uses, values, definition: binding.sites[0], owner: 'module' };
}

function objectContainer(model: SemanticModel, receiver: Node): Container | undefined {
  const method = enclosingMethod(model, receiver);
  const object = receiver.childForFieldName('object');
  const attr = receiver.childForFieldName('attribute')?.text;
  if (!method || !attr || !isSelf(model, method, object)) return undefined;
  const uses: Node[] = [];
  const values: Node[] = [];
  let definition: Node | undefined;
  for (const id of identifiersNamed(model.file, [attr], method.cls)) {
    const node = id.parent;
    if (node?.type !== 'attribute' || node.childForFieldName('attribute')?.id !== id.id) continue;
    if (node.childForFieldName('object')?.type !== 'identifier') continue;
    const use = useOf(node);
    if (use.kind === 'rebind') {
      const value = use.node.childForFieldName('right');
      if (value) values.push(value);
      const fn = model.scopeOf(node).enclosingFunction?.name;
      if (fn === '__init__' || fn === undefined) {
        definition ??= node;
        continue;
      }
    }
    uses.push(node);
  }
  // Class-level `_tasks = set()` shared by the instances.
  const classLevel = model.scopeFor(method.cls).lookupLocal(attr);
  for (const site of classLevel?.sites ?? []) {
    const value = model.assignedValue(site);
    if (value) values.push(value);
    definition ??= site;
  }
  return { text: receiver.text, uses, values, definition, owner: 'object' };
}

/** Whether some use of the container takes tasks out of it (or hands it to code that might). */
function isPruned(model: SemanticModel, container: Container): boolean {
  for (const node of container.uses) {
    const use = useOf(node);
    switch (use.kind) {
      case 'method':
        if (REMOVERS.has(use.method)) return true;
        break;
      case 'attribute':
        // `task.add_done_callback(tasks.discard)`
        if (REMOVERS.has(use.attribute)) return true;
        break;
      case 'augmented':
        if (use.operator === '-=' || use.operator === '&=' || use.operator === '^=') return true;
        break;
      case 'subscript-del':
      case 'del':
      case 'rebind':
      case 'return':
      case 'yield':
      case 'assigned-to':
        return true;
      case 'argument': {
        const fn = use.call.childForFieldName('function');
        const method = fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
        if (!READ_ONLY_CONSUMERS.has(model.calleeName(use.call) ?? '') && !READ_ONLY_METHODS.has(method))
          return true;
        break;
      }
      default:
        break;
    }
  }
  return false;
}

function isWeakOrBounded(model: SemanticModel, container: Container): boolean {
  return container.values.some((v) => {
    const value = unparenthesized(v);
    if (value.type !== 'call') return false;
    const name = model.calleeName(value) ?? '';
    if (WEAK_CONTAINERS.has(name)) return true;
    return name === 'collections.deque' && !!keywordArgument(value, 'maxlen');
  });
}

/** Tasks added to a long-lived set/list that nothing ever prunes: finished tasks pile up. */
function checkPileUp(ctx: RuleContext, addCall: Node, task: Node, seen: Set<number>): void {
  const { file, model } = ctx;
  const fn = addCall.childForFieldName('function');
  if (fn?.type !== 'attribute') return;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  if (method !== 'add' && method !== 'append' && method !== 'appendleft') return;
  if (positionalArguments(addCall)[0]?.id !== unparenthesizedParent(task).node.id) return;
  const receiverNode = fn.childForFieldName('object');
  if (!receiverNode || seen.has(addCall.id)) return;
  seen.add(addCall.id);
  const receiver = unparenthesized(receiverNode);
  const container =
    receiver.type === 'identifier'
      ? moduleContainer(model, receiver)
      : receiver.type === 'attribute'
        ? objectContainer(model, receiver)
        : undefined;
  if (!container || isPruned(model, container) || isWeakOrBounded(model, container)) return;
  const remover = method === 'add' ? 'discard' : 'remove';
  const lifetime = container.owner === 'module' ? 'the process' : 'the object';
  const fixes = () => {
    const fix = pileUpFix(ctx, addCall, task, container.text, remover);
    return fix ? [fix] : [];
  };
  // A module-level set lives as long as the process; an object's as long as the object, which
  // this module may not show. Code that runs once adds once.
  let message = `Tasks are added to \`${container.text}\` and never removed (no \`${remover}\`, \`clear\` or reassignment): finished tasks and their results pile up for the lifetime of ${lifetime}`;
  let severity: Severity = container.owner === 'module' ? 'warning' : 'information';
  const run = runInfoAt(model, addCall);
  if (run.frequency === 'one-shot' || run.frequency === 'import-time') {
    severity = 'hint';
    message = `${message} (${run.reason})`;
  }
  ctx.report({
    range: file.rangeOf(addCall),
    severity,
    message,
    related: container.definition
      ? [{ range: file.rangeOf(container.definition), message: `\`${container.text}\` is created here` }]
      : [],
    fixes,
  });
}

function pileUpFix(
  ctx: RuleContext,
  addCall: Node,
  task: Node,
  container: string,
  remover: string,
): Fix | undefined {
  const { file, model } = ctx;
  const stmt = isExpressionStatementOf(addCall);
  if (stmt?.namedChildCount !== 1) return undefined;
  const title = `Remove each task from \`${container}\` when it is done`;
  if (task.type === 'identifier') {
    return {
      title,
      applicability: 'safe',
      isPreferred: true,
      edits: [insertStatementsAfter(file, stmt, [`${task.text}.add_done_callback(${container}.${remover})`])],
    };
  }
  const name = freshName(model, addCall, scopeNodeFor(model, addCall), ['task']);
  const taskNode = unparenthesizedParent(task).node;
  return {
    title,
    applicability: 'safe',
    isPreferred: true,
    edits: [
      insertStatementsBefore(file, stmt, [`${name} = ${task.text}`]),
      replaceRange(file, taskNode.startIndex, taskNode.endIndex, name),
      insertStatementsAfter(file, stmt, [`${name}.add_done_callback(${container}.${remover})`]),
    ],
  };
}

export const rule: Rule = {
  code: 'LEAK007',
  name: 'dangling-task',
  defaultSeverity: 'information',
  summary:
    'An asyncio task whose reference is dropped (it can be garbage-collected mid-run), or a long-lived set of tasks that is never pruned.',
  docs: {
    whatItDoes:
      'Flags `asyncio.create_task()`, `asyncio.ensure_future()` and `loop.create_task()` calls whose task is discarded, ' +
      'bound to a local name that is never used, or returned from a callback whose result is ignored ' +
      '(`loop.call_soon(lambda: asyncio.create_task(...))`). Also flags tasks added to a module-level or `self.` ' +
      'set/list that nothing ever removes them from. Awaited, returned, gathered and stored tasks, ' +
      '`TaskGroup.create_task()`, anyio/trio nurseries and the set + `add_done_callback(tasks.discard)` idiom are fine, ' +
      'and so is a task bound to several names (`task = latest = asyncio.create_task(c)`) or to a `global`/`nonlocal` name.\n\n' +
      'Severity says how sure the finding is: `information` for a dropped task (whether something else keeps it ' +
      'referenced while it waits is not known here) and for a set on `self` that is never pruned (it grows as long as ' +
      'the object lives); `warning` for a module-level set that is never pruned (it grows as long as the process ' +
      'runs); `hint` when the tasks are added by code that runs once (`main()`, `if __name__ == "__main__":`, ' +
      'start-up hooks), where nothing piles up.',
    whyIsThisBad:
      'The event loop holds tasks only through weak references while they wait: a task that nothing else references ' +
      'can be garbage-collected before it finishes, silently cancelling its work ("Task was destroyed but it is ' +
      'pending!"). The usual cure, a set of background tasks, becomes a leak of its own when finished tasks are never ' +
      'removed: every task, with its result or exception and traceback, stays in memory for the life of the process.\n\n' +
      '**Fixes and their safety.** **Safe**: the task is added to a module-level set and removes itself when done ' +
      '(`add_done_callback(set.discard)`); a task made inside a lambda handed to `call_soon`, `add_signal_handler` and ' +
      "the like passes through a module function `_keep_task()` that does the same and returns it. The set's " +
      'annotation is quoted (`"set[asyncio.Task]"`) unless the module already evaluates builtin generics such as ' +
      '`list[int]` in a signature or uses `from __future__ import annotations`: unquoted, it would raise `TypeError` ' +
      'at import on Python 3.8.',
    example: [
      'import asyncio',
      '',
      'running = set()',
      '',
      'async def handle(request):',
      '    asyncio.create_task(audit(request))  # may vanish mid-run',
      '    running.add(asyncio.create_task(notify(request)))  # never removed',
    ].join('\n'),
    useInstead: [
      'import asyncio',
      '',
      '_background_tasks: "set[asyncio.Task]" = set()',
      '',
      'async def handle(request):',
      '    task = asyncio.create_task(audit(request))',
      '    _background_tasks.add(task)',
      '    task.add_done_callback(_background_tasks.discard)',
    ].join('\n'),
    references: [
      'https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task',
      'https://docs.astral.sh/ruff/rules/asyncio-dangling-task/',
    ],
  },
  fixable: true,
  // Every task factory the rule follows is `create_task`, `ensure_future` or an alias of one,
  // and an alias is imported by that name.
  mayFire: mentionsTaskFactory,
  check(ctx) {
    const { file, model } = ctx;
    if (!mentionsTaskFactory(file.text)) return;
    const seenCalls = new Set<number>();
    const pileUpSeen = new Set<number>();
    for (const id of identifiersNamed(file, factoryNames(model))) {
      const call = callNamedBy(id);
      if (!call || seenCalls.has(call.id)) continue;
      seenCalls.add(call.id);
      const factory = taskFactory(model, call);
      if (factory) checkCreation(ctx, call, factory, pileUpSeen);
    }
  },
};
