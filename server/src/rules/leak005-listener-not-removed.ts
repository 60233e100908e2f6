// LEAK005 listener-not-removed: an emitter (event bus, logger, signal, atexit) keeps every
// listener registered with it — and everything the listener references — until it is removed.
// A leak needs two facts: the registration runs again and again (model/execution.ts: a request,
// a job, a callback, a loop, objects made per call), and the holder outlives that code
// (model/holders.ts: a module global, a class, a process-wide logger or singleton — not an emitter
// made in the same call or owned by the same object). The severity says how many of the two facts
// this module can establish, and the message says which one it cannot.

import { appendToClassBody } from '../fixes/class-body';
import { replaceRange } from '../fixes/edits';
import { ensureModuleImport } from '../fixes/imports';
import { latestRegistrationFix, unregisterWhereRunFix } from '../fixes/latest-registration';
import {
  delToCloseFix,
  forwardedMethod,
  functionRemovalFixes,
  runWhenDoneFix,
} from '../fixes/listener-removal';
import { loggingHandlerFixes } from '../fixes/logging-handler';
import { insertStatementsAfter, insertStatementsBefore } from '../fixes/statements';
import { fileIndentUnit } from '../fixes/wrap-with';
import { knownOnRemover, replacesPerEvent } from '../model/emitters';
import { type RunInfo, runInfoOverTimeAt } from '../model/execution';
import { attributeNamedBy, callNamedBy, identifiersNamed } from '../model/find-names';
import { type HolderInfo, holderLifetime } from '../model/holders';
import { functionChain } from '../model/import-time';
import { isSetUpName } from '../model/lifetimes';
import { perModel } from '../model/memo';
import type { MethodContext } from '../model/methods';
import {
  basesOf,
  classOfMethod,
  enclosingMethod,
  instanceParameter,
  isSelf,
  methodsOf,
  nameOf,
} from '../model/methods';
import type { Binding, Scope, SemanticModel } from '../model/semantic';
import { textCalls } from '../model/text-calls';
import {
  contains,
  decoratorsOf,
  keywordArgument,
  positionalArguments,
  unparenthesized,
  unparenthesizedParent,
  useOf,
} from '../model/usage';
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext, Severity, TextEdit } from '../types';

type Family = 'listener' | 'logging' | 'signal' | 'atexit' | 'sqlalchemy';

interface Registration {
  call: Node;
  family: Family;
  /** How the registration is written, for messages (`bus.subscribe`, `atexit.register`). */
  display: string;
  /** Method or qualified function names that undo it. */
  removers: string[];
  /** The method name that undoes it, for the fix (`unsubscribe`) — method registrations only. */
  removerMethod?: string;
  /** The object registered with (`bus` in `bus.subscribe(f)`), for method registrations. */
  receiver?: Node;
  /** The listener expression(s) being registered. */
  listeners: Node[];
  /** The emitter's removal method is not known (`on()` of an unknown emitter): no removal is offered. */
  removerUnknown?: boolean;
}

/** Registration method → the methods that remove what it registered. */
const METHOD_PAIRS: Record<string, string[]> = {
  subscribe: ['unsubscribe', 'unsubscribe_all'],
  add_listener: ['remove_listener', 'remove_all_listeners'],
  add_event_listener: ['remove_event_listener'],
  add_event_handler: ['remove_event_handler'],
  addHandler: ['removeHandler'],
  addFilter: ['removeFilter'],
  connect: ['disconnect'],
  // pyee and Node-style emitters, python-telegram-bot, observer-pattern names.
  on: ['remove_listener', 'off', 'remove_all_listeners'],
  add_handler: ['remove_handler'],
  add_observer: ['remove_observer'],
  register_observer: ['unregister_observer', 'remove_observer'],
  add_subscriber: ['remove_subscriber'],
  register_listener: ['unregister_listener', 'remove_listener'],
  register_handler: ['unregister_handler', 'remove_handler'],
};

/** Registration functions (by qualified name) → the function that removes, and the listener's argument index. */
const FUNCTION_PAIRS: Record<string, { remover: string; family: Family; listenerIndex: number }> = {
  'atexit.register': { remover: 'atexit.unregister', family: 'atexit', listenerIndex: 0 },
  'sqlalchemy.event.listen': { remover: 'sqlalchemy.event.remove', family: 'sqlalchemy', listenerIndex: 2 },
};

const REGISTRATION_NAMES = [...Object.keys(METHOD_PAIRS), 'register', 'listen'];
const ALIAS_WORDS = /atexit|listen/;
/** Keyword arguments that name the listener in event-bus APIs. */
const LISTENER_KEYWORDS = ['handler', 'callback', 'listener', 'receiver', 'func', 'fn', 'cb', 'hdlr'];

/** Attribute/method names whose presence in a guard condition makes a registration idempotent. */
const GUARD_NAMES = new Set([
  'handlers',
  'hasHandlers',
  'filters',
  '_handlers',
  'listeners',
  '_listeners',
  'subscribers',
  '_subscribers',
]);

/** Cleanup methods, in the order a fix prefers them. `__del__` comes last: it runs only once nothing refers to the object. */
const CLEANUP_METHODS = [
  'close',
  'aclose',
  'shutdown',
  'stop',
  'quit',
  'dispose',
  'cleanup',
  'teardown',
  'tearDown',
  'disconnect',
  'unsubscribe',
  '__exit__',
  '__aexit__',
  '__del__',
];
/** Where a registration made in one method is naturally undone. */
const PAIRED_METHOD: Record<string, string[]> = {
  __enter__: ['__exit__'],
  __aenter__: ['__aexit__'],
  setUp: ['tearDown'],
  start: ['stop'],
  open: ['close'],
  connect: ['disconnect', 'close'],
};

/**
 * `stop()` in a class that also has `start()` undoes `start()`, and `start()` may run again after
 * it: a listener added in `__init__` and removed in `stop()` is gone on the next start. (`close()`
 * is taken as final even beside `open()`.)
 */
function undoesAnother(cleanup: string, registeringIn: string, methods: Map<string, Node>): boolean {
  if (cleanup === 'close') return false;
  return Object.entries(PAIRED_METHOD).some(
    ([setUp, undo]) => setUp !== registeringIn && undo.includes(cleanup) && methods.has(setUp),
  );
}

/**
 * The methods of `self` that the listener itself calls (`def on_quitting(): self.quit()`): a
 * removal placed in one of them would run while the emitter is dispatching to that listener.
 */
function calledByListeners(model: SemanticModel, reg: Registration, method: MethodContext): Set<string> {
  const names = new Set<string>();
  const methods = methodsOf(method.cls);
  for (const listener of reg.listeners) {
    let body: Node | undefined;
    const n = unparenthesized(listener);
    if (n.type === 'lambda') body = n;
    else if (n.type === 'identifier') {
      const binding = model.resolve(n);
      if (binding?.kind === 'function') body = binding.sites[0]?.parent ?? undefined;
    } else if (n.type === 'attribute' && isSelf(model, method, n.childForFieldName('object'))) {
      body = methods.get(n.childForFieldName('attribute')?.text ?? '');
    }
    for (const call of body?.descendantsOfType('call') ?? []) {
      const callee = call?.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('object')?.text === method.selfName)
        names.add(callee.childForFieldName('attribute')?.text ?? '');
    }
  }
  return names;
}

/** `session.close`, `session`: rooted in a local that `fn` itself binds (not a parameter or `self`). */
function madeIn(model: SemanticModel, node: Node, fn: Node): boolean {
  let root = node;
  while (root.type === 'attribute') root = root.childForFieldName('object') ?? root;
  if (root.type !== 'identifier') return false;
  const binding = model.resolve(root);
  return binding?.kind === 'assignment' && binding.scope.node.id === fn.id;
}

/** A listener this call makes: built in the call (`lambda`, `Handler()`) or a local of `fn` (a closure). */
function madeHere(model: SemanticModel, listener: Node, fn: Node): boolean {
  const node = unparenthesized(listener);
  if (node.type === 'lambda' || node.type === 'call') return true;
  if (node.type !== 'identifier') return false;
  const binding = model.resolve(node);
  return (binding?.kind === 'assignment' || binding?.kind === 'function') && binding.scope.node.id === fn.id;
}

/** Methods that run once in an object's life (or once per start/stop cycle): set-up, not work. */
const SET_UP_METHODS = new Set(['__init__', '__post_init__', 'setup', 'attach', 'bind', 'install', 'enable']);

function runsOncePerObject(method: string): boolean {
  return SET_UP_METHODS.has(method) || !!PAIRED_METHOD[method] || isSetUpName(method);
}

function isFalse(node: Node | undefined): boolean {
  return node?.type === 'false';
}

/** The leftmost name of `a.b.c` / `a[0].b` / `a().b`, or the expression itself. */
function rootOf(node: Node): Node {
  let n = unparenthesized(node);
  for (;;) {
    if (n.type === 'attribute') n = unparenthesized(n.childForFieldName('object') ?? n);
    else if (n.type === 'subscript') n = unparenthesized(n.childForFieldName('value') ?? n);
    else return n;
  }
}

/** Whether the receiver of `addHandler`/`addFilter` is a process-wide logger (as opposed to a handler). */
function isSharedLogger(model: SemanticModel, receiver: Node): boolean {
  const n = unparenthesized(receiver);
  const isGetLogger = (v: Node | undefined | null) =>
    !!v && unparenthesized(v).type === 'call' && model.calleeName(unparenthesized(v)) === 'logging.getLogger';
  if (isGetLogger(n)) return true;
  if (model.qualifiedName(n) === 'logging.root') return true;
  let values: Node[] = [];
  if (n.type === 'identifier') {
    const binding = model.resolve(n);
    values = binding?.sites.map((s) => model.assignedValue(s)).filter((v): v is Node => !!v) ?? [];
  } else if (n.type === 'attribute') {
    values = attributeValues(model, n);
  }
  if (values.some(isGetLogger)) return true;
  // A logger built by hand (`logging.Logger(name)`) is not registered anywhere: it dies with its owner.
  if (values.length > 0 && values.every((v) => unparenthesized(v).type === 'call')) return false;
  const name = n.type === 'attribute' ? (n.childForFieldName('attribute')?.text ?? '') : n.text;
  return /log/i.test(name) && !/handler/i.test(name);
}

/** Values assigned to `self.attr` anywhere in the class of the method `attribute` is used in. */
function attributeValues(model: SemanticModel, attribute: Node): Node[] {
  const method = enclosingMethod(model, attribute);
  const name = attribute.childForFieldName('attribute')?.text;
  if (!method || !name || !isSelf(model, method, attribute.childForFieldName('object'))) return [];
  const values: Node[] = [];
  for (const id of identifiersNamed(model.file, [name], method.cls)) {
    const target = attributeNamedBy(id);
    const assignment = target?.parent;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.id === target?.id) {
      const value = assignment.childForFieldName('right');
      if (value) values.push(value);
    }
  }
  return values;
}

function registrationOf(model: SemanticModel, call: Node): Registration | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const method = fn.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
  // Method registrations need no name resolution; only `atexit.register`/`event.listen` (and aliases) do.
  const qualified = METHOD_PAIRS[method] ? undefined : model.calleeName(call);
  const known = qualified ? FUNCTION_PAIRS[qualified] : undefined;
  if (known) {
    const listener = positionalArguments(call)[known.listenerIndex];
    return {
      call,
      family: known.family,
      display: qualified ?? fn.text,
      removers: [known.remover],
      listeners: listener ? [listener] : [],
    };
  }
  if (fn.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  const removers = METHOD_PAIRS[method];
  if (!removers || !receiver) return undefined;
  const display = `${receiver.text.length <= 30 ? receiver.text : '…'}.${method}`;
  const base = { call, display, removers, removerMethod: removers[0], receiver };
  if (method === 'connect') {
    // Django and blinker signals hold receivers weakly by default; only `weak=False` keeps them.
    if (!isFalse(keywordArgument(call, 'weak'))) return undefined;
    // `dispatch_uid` makes repeated connects replace each other.
    if (keywordArgument(call, 'dispatch_uid')) return undefined;
    const receiverArg = keywordArgument(call, 'receiver') ?? positionalArguments(call)[0];
    return { ...base, family: 'signal', listeners: receiverArg ? [receiverArg] : [] };
  }
  if (method === 'addHandler' || method === 'addFilter') {
    if (!isSharedLogger(model, receiver)) return undefined;
    const arg = positionalArguments(call)[0];
    return { ...base, family: 'logging', listeners: arg ? [arg] : [] };
  }
  let removerMethod: string | undefined = removers[0];
  if (method === 'on') {
    // `on()` adds (pyee) or replaces (socketio, one handler per event): which, and how it is
    // undone, depends on the emitter.
    const values = valuesOf(model, receiver);
    if (replacesPerEvent(model, receiver, values)) return undefined;
    // A project's own remover counts only beside its own `on()`: an emitter class of the project
    // (a view named `unsubscribe` says nothing about a browser page's `on()`).
    const ownOn = definesHere(model, 'on');
    removerMethod = knownOnRemover(model, values, (name) => ownOn && definesHere(model, name));
  }
  const listeners = [...positionalArguments(call)];
  for (const k of LISTENER_KEYWORDS) {
    const v = keywordArgument(call, k);
    if (v) listeners.push(v);
  }
  return {
    ...base,
    family: 'listener',
    listeners,
    ...(removerMethod ? { removerMethod } : { removerUnknown: true }),
  };
}

/** The values assigned to a name, or to `self.attr` in its class. */
function valuesOf(model: SemanticModel, node: Node): Node[] {
  const n = unparenthesized(node);
  if (n.type === 'attribute') return attributeValues(model, n);
  if (n.type !== 'identifier') return [];
  return (
    model
      .resolve(n)
      ?.sites.map((s) => model.assignedValue(s))
      .filter((v): v is Node => !!v) ?? []
  );
}

/** Whether this file or (when known) the project defines a function or method `name`. */
function definesHere(model: SemanticModel, name: string): boolean {
  return new RegExp(`\\bdef\\s+${name}\\s*\\(`).test(model.file.text) || !!model.file.project?.defines(name);
}

/**
 * Whether a listener is a new object on each run of the enclosing code (a lambda, a nested
 * function, a bound method of `self` or of a local, a freshly constructed object), as opposed to
 * a module-level function or object that is registered again and again as the same object.
 */
function isFresh(model: SemanticModel, expr: Node): boolean {
  const n = unparenthesized(expr);
  switch (n.type) {
    case 'lambda':
    case 'call':
      return true;
    case 'identifier': {
      const binding = model.resolve(n);
      if (!binding || binding.scope === model.moduleScope || binding.scope.kind === 'class') return false;
      if (binding.kind === 'function') return true;
      if (binding.kind === 'parameter') return false; // the caller's object: its lifetime is the caller's business
      return binding.sites.some((s) => {
        const v = model.assignedValue(s);
        return !!v && (unparenthesized(v).type === 'call' || unparenthesized(v).type === 'lambda');
      });
    }
    case 'attribute': {
      const root = rootOf(n);
      if (root.type === 'call') return true;
      if (root.type !== 'identifier') return false;
      const binding = model.resolve(root);
      return (
        !!binding &&
        binding.scope !== model.moduleScope &&
        binding.scope.kind !== 'class' &&
        binding.kind !== 'import'
      );
    }
    default:
      return false;
  }
}

/** Whether a listener references the instance (`self.on_event`, a lambda or closure using `self`). */
function holdsSelf(model: SemanticModel, method: MethodContext | undefined, expr: Node): boolean {
  if (!method) return false;
  const refs = model.references(method.self);
  const n = unparenthesized(expr);
  if (refs.some((r) => contains(n, r.node))) return true;
  if (n.type === 'identifier') {
    const binding = model.resolve(n);
    if (binding?.kind === 'function') {
      const def = binding.sites[0]?.parent;
      return !!def && refs.some((r) => contains(def, r.node));
    }
  }
  return false;
}

/** The innermost function definition around `node`, looking through lambdas. */
function enclosingDef(node: Node): Node | null {
  let p = node.parent;
  while (p && p.type !== 'function_definition') {
    if (p.type === 'class_definition') return null;
    p = p.parent;
  }
  return p;
}

/** Whether a module-level name is a run-once flag (assigned inside some function via `global`). */
function isRunOnceFlag(model: SemanticModel, name: Node): boolean {
  const binding = model.resolve(name);
  if (!binding || binding.scope !== model.moduleScope) return false;
  return model.references(binding).some((r) => r.context === 'store' && r.scope.isRuntime);
}

/** Attribute names the function itself assigns (`finalize._registered = True`): run-once flags on objects. */
function attributesAssignedIn(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const a of fn.descendantsOfType('assignment')) {
    const left = a?.childForFieldName('left');
    if (left?.type === 'attribute') names.add(left.childForFieldName('attribute')?.text ?? '');
  }
  return names;
}

function conditionIsGuard(model: SemanticModel, condition: Node, fn: Node): boolean {
  const stack: Node[] = [condition];
  let assigned: Set<string> | undefined;
  while (stack.length) {
    const n = stack.pop() as Node;
    if (n.type === 'identifier') {
      if (GUARD_NAMES.has(n.text)) return true;
      if (isRunOnceFlag(model, n)) return true;
      if (attributeNamedBy(n)) {
        assigned ??= attributesAssignedIn(fn);
        if (assigned.has(n.text)) return true;
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/** Code under `if 0:` / `if False:` never runs. */
function isDeadCode(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      const condition = p.childForFieldName('condition');
      const consequence = p.childForFieldName('consequence');
      const dead = condition?.type === 'false' || condition?.text === '0' || condition?.type === 'none';
      if (dead && consequence && contains(consequence, node)) return true;
    }
  }
  return false;
}

function endsWithExit(block: Node | null): boolean {
  return !!block?.namedChildren.some((s) => s?.type === 'return_statement' || s?.type === 'raise_statement');
}

/**
 * Registration made idempotent by a guard: `if not logger.handlers:`, `if handler not in
 * logger.handlers`, or a run-once flag (`if _configured: return` … `_configured = True`).
 */
function isGuarded(model: SemanticModel, call: Node, fn: Node): boolean {
  for (let p = call.parent; p && p.id !== fn.id; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const condition = p.childForFieldName('condition');
      if (condition && conditionIsGuard(model, condition, fn)) return true;
    }
  }
  const body = fn.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    if (!stmt || stmt.startIndex >= call.startIndex) break;
    if (stmt.type === 'if_statement' && endsWithExit(stmt.childForFieldName('consequence'))) {
      const condition = stmt.childForFieldName('condition');
      if (condition && conditionIsGuard(model, condition, fn)) return true;
    }
  }
  return false;
}

/**
 * Calls or references (`stack.callback(bus.unsubscribe, h)`) to something that undoes the
 * registration. For a registration in a class, removals in that class or outside any class count
 * (a different class's `unsubscribe` undoes something else).
 */
function counterparts(model: SemanticModel, reg: Registration, cls: Node | null): Node[] {
  const names = reg.removers.map((r) => r.split('.').pop() as string);
  const found: Node[] = [];
  for (const id of identifiersNamed(model.file, names)) {
    const attribute = attributeNamedBy(id);
    if (reg.family === 'atexit' || reg.family === 'sqlalchemy') {
      if (!reg.removers.includes(model.qualifiedName(attribute ?? id) ?? '')) continue;
    } else if (!attribute) {
      continue;
    }
    const owner = ancestorClass(id);
    if (cls && owner && owner.id !== cls.id) continue;
    found.push(id);
  }
  if (reg.family === 'logging') found.push(...handlerListResets(model, cls));
  return found;
}

/** `logger.handlers.clear()`, `logger.handlers = []`, `del logger.handlers[:]`: every handler removed at once. */
function handlerListResets(model: SemanticModel, cls: Node | null): Node[] {
  return identifiersNamed(model.file, ['handlers', 'filters']).filter((id) => {
    const attribute = attributeNamedBy(id);
    if (!attribute) return false;
    const owner = ancestorClass(id);
    if (cls && owner && owner.id !== cls.id) return false;
    const use = useOf(attribute);
    return (
      (use.kind === 'method' &&
        (use.method === 'clear' || use.method === 'remove' || use.method === 'pop')) ||
      use.kind === 'rebind' ||
      use.kind === 'subscript-store' ||
      use.kind === 'subscript-del' ||
      use.kind === 'del'
    );
  });
}

function ancestorClass(node: Node): Node | null {
  let p = node.parent;
  while (p && p.type !== 'class_definition') p = p.parent;
  return p;
}

/** Whether the registration's result is kept (an unsubscribe handle, a subscription object). */
function resultIsKept(model: SemanticModel, call: Node): boolean {
  const use = useOf(call);
  if (use.kind === 'other' && use.node.type === 'expression_statement') return false;
  // The body of a callback lambda: what it returns goes to the emitter calling it, which drops it.
  const up = unparenthesizedParent(call).parent;
  if (up?.type === 'lambda' && up.childForFieldName('body')?.id === unparenthesizedParent(call).node.id)
    return false;
  if (use.kind === 'assigned-to' && use.target.type === 'identifier') {
    const binding = model.resolve(use.target);
    if (binding && binding.scope !== model.moduleScope) {
      return model.references(binding).some((r) => r.context === 'load');
    }
  }
  return true;
}

/** "for every `Widget` instance" / "on every call of `get_logger()`" / "in a lambda". */
function describeWhen(fn: Node): string {
  if (fn.type === 'lambda') return 'in a lambda (a callback)';
  const cls = classOfMethod(fn);
  const name = nameOf(fn);
  if (cls && name === '__init__') return `for every \`${nameOf(cls)}\` instance`;
  if (cls) return `on every call of \`${nameOf(cls)}.${name}()\``;
  for (let outer = enclosingDef(fn); outer; outer = enclosingDef(outer))
    if (classOfMethod(outer)) return `on every call of \`${name}()\` (a closure in a method)`;
  return `on every call of \`${name}()\``;
}

function consequence(reg: Registration): string {
  switch (reg.family) {
    case 'logging':
      // A filter holds no stream: it runs on every record, and keeps what it references.
      return methodOf(reg.call) === 'addFilter'
        ? 'filters pile up on the process-wide logger (each one run on every record, and kept alive with what it references)'
        : 'handlers pile up on the process-wide logger (each one repeating every record and holding its stream open)';
    case 'atexit':
      return 'the interpreter keeps every registered callable, and the objects it references, until exit';
    default:
      return 'the emitter keeps every listener, and the objects it references, alive';
  }
}

function removerDisplay(reg: Registration): string {
  return reg.removers[0].split('.').slice(-2).join('.');
}

export const rule: Rule = {
  code: 'LEAK005',
  name: 'listener-not-removed',
  defaultSeverity: 'warning',
  summary:
    'A listener, logging handler, signal receiver or atexit callback registered again and again on something that outlives that code, and never removed.',
  docs: {
    whatItDoes: `
      Flags \`subscribe\`, \`add_listener\`, \`on\`, \`add_event_listener\`, \`add_event_handler\`,
      \`add_handler\` and observer-style \`add_observer\`/\`register_listener\`, logging
      \`addHandler\`/\`addFilter\` on a shared logger, Django/blinker \`signal.connect(..., weak=False)\`,
      \`atexit.register\` and \`sqlalchemy.event.listen\` when they register a new listener object (a
      bound method, lambda, closure or freshly built handler; for \`atexit\`, also the same function
      with new arguments) and nothing in the module undoes it (\`unsubscribe\`, \`remove_listener\`,
      \`removeHandler\`, \`disconnect\`, \`atexit.unregister\`, \`event.remove\`). A leak needs two facts:

      **The registration runs again and again.** A route handler, view or request hook, a task or
      event handler, a callback or lambda, a function-scoped fixture or per-test set-up, a loop,
      \`__init__\` of a class made in such code, or a helper called from any of these. Module-level
      code and start-up code (\`main()\`, \`setup_logging()\`, \`AppConfig.ready()\`, app factories,
      Celery bootsteps, management commands, data migrations, tests themselves, session fixtures,
      Django's \`contribute_to_class\` run once per model field), and helpers called only from there
      (also through a lambda handed to a call that runs it once: \`lazy_related_operation\`,
      \`loop.call_soon\`, \`executor.submit\`, \`transaction.on_commit\`), register a bounded number
      of listeners: silent. This is the
      engine's shared answer to "when does this code run" (the same one LEAK001/LEAK002 use).

      **The holder outlives that code.** Module globals and imported objects (a module-level bus or
      engine, \`post_save\`), classes and class attributes, \`logging.getLogger(...)\`, \`atexit\`,
      singletons (\`Bus.instance()\`). An emitter made in the same call (\`sess = Session(engine)\`, a
      per-test \`MetaData\` or \`Table\`, the observable a call returns, the result a promise hands to
      its callback), or made and owned by the registering object (\`self.events = Emitter()\`), dies
      with it: silent.

      Also silent: \`@receiver\` decorators, \`connect()\` with the default \`weak=True\` or a
      \`dispatch_uid\`, emitters of this module whose \`subscribe\`/\`connect\` keeps weak references
      (\`WeakMethod\`, \`WeakSet\`), DDL attached to table creation (\`event.listen(table,
      "after_create", DDL(...))\`), registrations guarded by \`if not logger.handlers:\` (in the helper
      or at every call of it) or a run-once flag, and registrations whose handle is kept
      (\`unsub = bus.subscribe(f)\`).

      **Severity is confidence.** \`warning\`: both facts are known from this module, e.g. a route
      handler adds a handler to \`logging.getLogger(...)\`. \`information\`: one fact cannot be known
      statically and the message names it: how often a function nobody here calls runs ("how often
      \`get_logger()\` is called is decided by its callers in other modules"), how many objects of a
      class made in this module by code whose callers are elsewhere exist, or whether an emitter passed
      in outlives the code. \`hint\`: neither fact is known; nothing in the module makes the objects of
      the class whose \`__init__\` registers (nothing shows that more than one exists); or the code is
      harmless in practice (a \`make_*\`/\`create_*\` factory or an \`autodiscover*()\` call, usually
      made once at start-up). A \`for\` loop in a function whose callers are elsewhere is not taken as
      repetition (it walks what one call was given), and a method that runs the event loop (\`run_forever()\`,
      Tornado's \`IOLoop.current().start()\`) runs once. Every message ends with the reason ("it runs on every request:
      \`get_order()\` is a route handler").
    `,
    whyIsThisBad: `
      An emitter holds strong references to its listeners for as long as it lives, and loggers,
      signals, module-level buses and \`atexit\` live as long as the process. A bound method or closure
      keeps its object alive too, so every object that subscribes in \`__init__\` and never
      unsubscribes is never freed, and every request that adds a logging handler adds one more handler
      that writes every record again (and holds its file open). Memory grows with traffic until the
      process is restarted.

      **Fixes.** The removal added to the class's cleanup method is **safe** for the standard library,
      Django, blinker and SQLAlchemy APIs and **unsafe** for a project's own bus (its removal signature
      is a guess). A logging handler added by a plain function gets two **unsafe** fixes: the handler
      named and removed in \`finally\` around the rest of the function (when it logs through it and
      does not hand the logger out), or the call guarded so that it attaches a handler of its class
      once: \`if not any(type(h) is logging.StreamHandler for h in logger.handlers):\` (a logger
      configured elsewhere with such a handler then gets no second one; a \`NullHandler\` a library
      added, or a test runner's capture handler, does not stop it), \`if not logger.handlers:\` when
      the handler's class is not known. Also **unsafe**: a listener registered by a
      function that goes on to use the emitter or the listener's own object is removed in
      \`finally\` (never in a set-up step — \`__init__\`, \`start()\`, \`register()\`,
      \`setup_*()\` — whose listener is meant to stay); a function whose last act is the registration
      returns a function that removes it (not a view or a decorated route or property, whose result a
      framework reads, not \`__init__\` or another special method, and not when a caller in the module
      uses its result); a cleanup a per-call function leaves to \`atexit\` (\`atexit.register(session.close)\`)
      runs when the function is done instead — in place of the registration, or in \`finally\`
      around what follows it (earlier than at exit, and also when the rest raises); a removal added
      to a clean-up method is offered only for a registration made in a set-up method (\`__init__\`,
      \`start\`, \`open\`, \`connect\`…): one made in a method run again and again is removed in
      \`finally\` when that method is done, and an \`atexit\` registration of something the function
      did not make (\`self.pool.close\`) gets no fix (unregistering it would also drop the one made at
      start-up) — unless the code releases that object itself first (\`self.pool.close()\`, then a new
      pool and \`atexit.register(self.pool.close)\`): the old registration is then unregistered where
      the code closes it, **safe** for \`close\`, \`shutdown\`, \`stop\`, \`terminate\`, \`dispose\` and
      \`cleanup\` (the exit would only run it a second time); a listener the call makes (a closure, a
      lambda, \`make_receiver(...)\`) that nothing can remove where it is keeps only the latest
      registration: it goes in a slot, and the one the slot holds from the previous call is removed
      first (\`atexit.unregister\`, \`disconnect\`) — per object when the registration names \`self\`
      (\`sender=self\`), else per process (a module-level name); **unsafe**: what an earlier call
      registered no longer runs; a removal found only in \`__del__\` moves to a \`close()\`; a class keeps a receiver
      passed as a parameter (\`self._emitter\`), turns a lambda that only forwards to a method into
      that bound method, keeps a listener held in a local (\`self._handler\`), and removes the
      listener in its cleanup method (a function defined in the set-up method is kept on the object
      for it; \`stop()\` does not count as the cleanup of \`__init__\` in a class that also has
      \`start()\`, which may run again after it), a new \`close()\` — whose title says that nothing
      calls it yet, and which is not the preferred fix — or, registered in \`start()\` of a subclass,
      a \`stop()\` that then calls the base class's. The removal of a bare \`on()\` is offered only
      when it is known: pyee's \`remove_listener()\`, or a removal method the project defines
      (\`remove_listener\`, \`off\`…); socketio's \`on(event, handler)\` keeps one handler per event
      name, so registering again replaces it and is not reported.
    `,
    example: [
      'import logging',
      'from fastapi import FastAPI',
      '',
      'app = FastAPI()',
      'audit = logging.getLogger("audit")',
      '',
      '@app.get("/orders/{order_id}")',
      'def get_order(order_id: int):',
      '    audit.addHandler(logging.FileHandler(f"orders-{order_id}.log"))  # warning: one more per request',
      '    ...',
      '',
      'def get_logger(name):',
      '    logger = logging.getLogger(name)',
      '    logger.addHandler(logging.StreamHandler())  # information: its callers decide how often',
      '    return logger',
      '',
      'class Widget:',
      '    def __init__(self, bus):',
      '        self.bus = bus',
      '        self.bus.subscribe("changed", self.on_changed)  # hint: the bus keeps every Widget alive',
      '',
      '    def on_changed(self, event):',
      '        ...',
    ].join('\n'),
    useInstead: [
      'import logging',
      'from fastapi import FastAPI',
      '',
      'app = FastAPI()',
      'audit = logging.getLogger("audit")',
      '',
      '@app.get("/orders/{order_id}")',
      'def get_order(order_id: int):',
      '    audit.info("order viewed", extra={"order_id": order_id})',
      '    ...',
      '',
      'def get_logger(name):',
      '    logger = logging.getLogger(name)',
      '    if not any(type(h) is logging.StreamHandler for h in logger.handlers):',
      '        logger.addHandler(logging.StreamHandler())',
      '    return logger',
      '',
      'class Widget:',
      '    def __init__(self, bus):',
      '        self.bus = bus',
      '        self.bus.subscribe("changed", self.on_changed)',
      '',
      '    def on_changed(self, event):',
      '        ...',
      '',
      '    def close(self):',
      '        self.bus.unsubscribe("changed", self.on_changed)',
    ].join('\n'),
    references: [
      'https://docs.python.org/3/howto/logging-cookbook.html#using-loggers-in-multiple-modules',
      'https://docs.djangoproject.com/en/stable/topics/signals/#connecting-receiver-functions',
      'https://docs.python.org/3/library/atexit.html',
    ],
  },
  fixable: true,
  // Registrations are calls of one of the names (or, after an `atexit` or `listen` import, of
  // its local alias): without one of them called, nothing is followed.
  mayFire(text) {
    if (ALIAS_WORDS.test(text)) return true;
    const { called, commentBetween } = textCalls(text);
    return commentBetween || REGISTRATION_NAMES.some((name) => called.has(name));
  },
  check(ctx) {
    const { file, model } = ctx;
    const names = new Set(REGISTRATION_NAMES);
    // `from atexit import register as at_exit`: the local names of the registration functions.
    if (ALIAS_WORDS.test(file.text)) {
      model.moduleScope.ensureCollected();
      for (const b of model.moduleScope.bindings.values()) {
        if (b.kind === 'import' && b.qualifiedName && FUNCTION_PAIRS[b.qualifiedName]) names.add(b.name);
      }
    }
    const seen = new Set<number>();
    for (const id of identifiersNamed(file, [...names])) {
      const call = callNamedBy(id);
      if (!call || seen.has(call.id)) continue;
      seen.add(call.id);
      const reg = registrationOf(model, call);
      if (reg) checkRegistration(ctx, reg);
    }
  },
};

/** `sqlalchemy.DDL(...)` (or `DDL(...).execute_if(...)`, or a name bound to one): a schema statement, not a listener. */
function isDdl(model: SemanticModel, expr: Node, depth = 0): boolean {
  let n = unparenthesized(expr);
  if (n.type === 'identifier' && depth < 2) {
    const binding = model.resolve(n);
    const values = binding?.sites.map((s) => model.assignedValue(s)) ?? [];
    return values.length > 0 && values.every((v) => !!v && isDdl(model, v, depth + 1));
  }
  while (n.type === 'call') {
    const callee = n.childForFieldName('function');
    if (!callee) return false;
    const name = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.text;
    if (name && /^(DDL|DDLElement|Create[A-Z]\w*|Drop[A-Z]\w*)$/.test(name)) return true;
    if (callee.type !== 'attribute') return false;
    n = unparenthesized(callee.childForFieldName('object') ?? callee);
  }
  return false;
}

/** Whether a method body keeps what it is given weakly (`weakref.WeakMethod`, a `WeakSet`, `make_weak_ref`). */
const WEAK_CODE = /\bweakref\b|\bWeak(Method|Set|KeyDictionary|ValueDictionary)\b|\b\w*weak\w*\s*\(/i;

/**
 * Registration methods that the emitters of this module implement with weak references (an
 * options object whose `subscribe` stores `WeakMethod`s): a listener registered there dies with
 * its object. A method counts when every class here that defines it keeps its listeners weakly.
 */
const weakMethodsOf = perModel((model: SemanticModel): Set<string> => {
  const weak = new Set<string>();
  const strong = new Set<string>();
  if (!WEAK_CODE.test(model.file.text)) return weak;
  for (const cls of model.file.root.descendantsOfType('class_definition')) {
    if (!cls) continue;
    const methods = methodsOf(cls);
    for (const [name, def] of methods) {
      if (!METHOD_PAIRS[name]) continue;
      if (WEAK_CODE.test(def.text) || storesInWeakAttribute(cls, def)) weak.add(name);
      else strong.add(name);
    }
  }
  for (const name of strong) weak.delete(name);
  return weak;
});

/** `self._subs.add(fn)` in the method, where the class sets `self._subs = weakref.WeakSet()`. */
function storesInWeakAttribute(cls: Node, def: Node): boolean {
  const used = new Set<string>();
  for (const a of def.descendantsOfType('attribute')) {
    const obj = a?.childForFieldName('object');
    if (obj?.type === 'identifier' && obj.text === 'self')
      used.add(a?.childForFieldName('attribute')?.text ?? '');
  }
  for (const assignment of cls.descendantsOfType('assignment')) {
    const left = assignment?.childForFieldName('left');
    const right = assignment?.childForFieldName('right');
    if (left?.type !== 'attribute' || !right) continue;
    if (used.has(left.childForFieldName('attribute')?.text ?? '') && WEAK_CODE.test(right.text)) return true;
  }
  return false;
}

/** What keeps the registered listener: the emitter, the logger, the interpreter (`atexit`), the event target. */
function holderOf(model: SemanticModel, reg: Registration): { lifetime: HolderInfo; display: string } {
  if (reg.family === 'atexit')
    return {
      lifetime: { lifetime: 'process', reason: 'the interpreter keeps it until exit' },
      display: 'atexit',
    };
  const target = reg.family === 'sqlalchemy' ? positionalArguments(reg.call)[0] : reg.receiver;
  if (!target)
    return { lifetime: { lifetime: 'unknown', reason: 'the target is not named' }, display: 'the target' };
  const display = target.text.length <= 30 && !target.text.includes('\n') ? target.text : 'the target';
  const lifetime = holderLifetime(model, target);
  // Loggers come from `logging.getLogger()` (the rule only looks at shared loggers): process-wide
  // unless made right here.
  if (reg.family === 'logging' && (lifetime.lifetime === 'external' || lifetime.lifetime === 'unknown'))
    return { lifetime: { lifetime: 'process', reason: 'loggers live as long as the process' }, display };
  return { lifetime, display };
}

/**
 * How sure the finding is, and the sentence that says what is not known. Two facts make a leak:
 * the registration runs again and again, and the holder outlives that code. Both known: warning.
 * One unknowable here (callers in other modules, a holder passed in): information. Both, a
 * factory usually called once, or objects made only by other modules (nothing shows that more
 * than one is made): hint.
 */
function confidence(
  run: RunInfo,
  holder: { lifetime: HolderInfo; display: string },
  fnName: string,
): { severity: Severity; why: string } {
  const clauses: string[] = [];
  let unknowns = 0;
  if (run.frequency === 'repeated') {
    clauses.push(run.reason);
  } else {
    unknowns++;
    clauses.push(
      run.fromName === 'registration'
        ? `how often \`${fnName}()\` is called is decided by its callers in other modules`
        : run.reason,
    );
  }
  if (holder.lifetime.lifetime !== 'process') {
    unknowns++;
    clauses.push(
      `whether \`${holder.display}\` outlives that code is decided elsewhere (${holder.lifetime.reason})`,
    );
  }
  const severity: Severity =
    run.fromName === 'factory' || unknowns >= 2 || (run.frequency !== 'repeated' && run.fromInstances)
      ? 'hint'
      : unknowns === 1
        ? 'information'
        : 'warning';
  return { severity, why: clauses.join('; ') };
}

function checkRegistration(ctx: RuleContext, reg: Registration): void {
  const { file, model } = ctx;
  const { call } = reg;
  const scope = model.scopeOf(call);
  if (!scope.isRuntime || isDeadCode(call)) return;
  const fnScope = functionChain(scope)[0];
  if (!fnScope) return;
  const fn = fnScope.node;
  // A new listener object each time piles up; registering the same function again is usually a
  // no-op. `atexit` keeps one entry per call, with its arguments: new arguments pile up too.
  if (!reg.listeners.some((l) => isFresh(model, l)) && !(reg.family === 'atexit' && hasArguments(call)))
    return;
  if (reg.family === 'sqlalchemy' && reg.listeners.some((l) => isDdl(model, l))) return;
  if (reg.family === 'listener' && resultIsKept(model, call)) return;
  if (reg.family === 'listener' && weakMethodsOf(model).has(reg.receiver ? methodOf(call) : '')) return;
  // The project's own emitter (in another module) keeps its listeners weakly.
  if (reg.family === 'listener' && reg.receiver && model.file.project?.holdsWeakly(methodOf(call))) return;
  // Registration counts only in code that runs again and again (or whose callers are elsewhere).
  const run = runInfoOverTimeAt(model, call);
  const byName = run.frequency === 'import-time' && run.fromName === 'registration';
  if (run.frequency !== 'repeated' && run.frequency !== 'unknown' && !byName) return;
  if (isGuarded(model, call, fn) || everyCallGuarded(model, fnScope)) return;
  // What the listener is registered with must outlive that code: one made in the same call, or
  // owned by the registering object, dies with it.
  const holder = holderOf(model, reg);
  if (holder.lifetime.lifetime === 'call' || holder.lifetime.lifetime === 'owned') return;
  const method = enclosingMethod(model, call);
  const selfHolding = reg.listeners.some((l) => holdsSelf(model, method, l));
  const undone = counterparts(model, reg, ancestorClass(call));
  const remover = removerDisplay(reg);
  const when = describeWhen(fn);
  const what =
    reg.family !== 'logging'
      ? 'registers a listener'
      : methodOf(call) === 'addFilter'
        ? 'adds a filter'
        : 'adds a handler';
  const { severity, why } = confidence(run, holder, fnScope.name ?? '');
  if (undone.length > 0) {
    // Removal only in `__del__` never happens while the emitter keeps `self` alive through the listener.
    const onlyInDel = undone.every((n) => enclosingDef(n)?.childForFieldName('name')?.text === '__del__');
    if (!(onlyInDel && selfHolding)) return;
    const cls = ancestorClass(call);
    const del = enclosingDef(undone[0]);
    ctx.report({
      fixes: () => {
        const fix = cls && del ? delToCloseFix(file, cls, del) : undefined;
        return fix ? [fix] : [];
      },
      range: file.rangeOf(call),
      message: `\`${reg.display}()\` ${what} ${when} and removes it only in \`__del__\`, which never runs while the emitter keeps the object alive through that listener — ${why}`,
      severity,
      related: undone.map((n) => ({ range: file.rangeOf(n), message: `\`${remover}\` in \`__del__\`` })),
    });
    return;
  }
  const ownFixes = (): Fix[] => {
    const fix = method
      ? (removalFix(ctx, reg, method, selfHolding) ?? storedRemovalFix(ctx, reg, method))
      : undefined;
    if (fix) return [fix];
    // A plain function has no cleanup method: attach once, or remove the handler when it is done.
    if (!method && reg.family === 'logging' && reg.receiver && reg.listeners[0]) {
      const logging = loggingHandlerFixes(file, model, {
        call,
        receiver: reg.receiver,
        method: methodOf(call),
        handler: reg.listeners[0],
        fn,
      });
      if (logging.length > 0) return logging;
    }
    // Remove it when the function is done, or hand the removal back to the callers.
    // The callable among what is passed (an event name is passed too: `on("modified", f)`).
    const callables = reg.listeners.filter((l) => l.type !== 'string' && l.type !== 'concatenated_string');
    const listener = callables[0];
    if (!listener || callables.length !== 1 || enclosingDef(call)?.id !== fn.id) return [];
    // `from atexit import register as at_exit`: the removal goes through the module.
    const callee = call.childForFieldName('function');
    const viaImport = reg.family === 'atexit' && callee?.type === 'identifier';
    const atexit = viaImport
      ? ensureModuleImport(file, model, 'atexit', topLevelStatement(call).startIndex)
      : undefined;
    const removals = functionRemovalFixes(file, model, {
      call,
      fn,
      listener,
      removal: (text) =>
        atexit ? `${atexit.name}.unregister(${text})` : removalCall(reg, new Map([[listener.id, text]])),
      removalEdits: atexit?.edits,
      setUp: runsOncePerObject(fnScope.name ?? ''),
    });
    if (reg.family !== 'atexit') return removals;
    // What a per-call function defers to the exit is cleanup of something it made
    // (`session.close`, `shutil.rmtree, tmp`): run it when it is done. Anything else (`self.pool.close`) is not its own to run or to unregister — an
    // unregister would also drop the registration made once elsewhere (equal callables).
    const passed = (call.childForFieldName('arguments')?.namedChildren ?? []).filter(
      (a): a is Node => !!a && a.type !== 'comment',
    );
    if (!passed.some((a) => madeIn(model, a, fn))) return [];
    const runNow = runWhenDoneFix(file, call, fn);
    return runNow
      ? [{ ...runNow, isPreferred: true }, ...removals.map((f) => ({ ...f, isPreferred: false }))]
      : removals;
  };
  // Nothing can remove it where it is: keep the latest registration only.
  const fixes = (): Fix[] => {
    const own = ownFixes();
    if (own.length > 0) return own;
    const listeners = reg.listeners.filter((l) => l.type !== 'string' && l.type !== 'concatenated_string');
    const listener = listeners[0];
    if (!listener || listeners.length !== 1 || enclosingDef(call)?.id !== fn.id) return [];
    const removal = (slot: string) => removalCall(reg, new Map([[listener.id, slot]]));
    const whereRun =
      reg.family === 'atexit'
        ? unregisterWhereRunFix(file, call, listener, removal(listener.text))
        : undefined;
    if (whereRun) return [whereRun];
    // Only what this call makes: an unregister of anything else would drop a registration made
    // elsewhere too (equal callables). A registration tied to the object (`sender=self`) is kept
    // per object, any other per process.
    if (!madeHere(model, listener, fn)) return [];
    const selfName = method?.method.id === fn.id ? method.selfName : undefined;
    const tiedToSelf =
      !!selfName &&
      [reg.receiver, ...(call.childForFieldName('arguments')?.namedChildren ?? [])].some(
        (a) => !!a && a.id !== listener.id && identifiersNamed(file, [selfName], a).length > 0,
      );
    const latest = latestRegistrationFix({
      file,
      call,
      listener,
      fn,
      method: tiedToSelf ? method : undefined,
      namedAfter: reg.receiver ?? listener,
      suffix: reg.family === 'atexit' ? 'at_exit' : 'listener',
      removal,
    });
    return latest ? [latest] : [];
  };
  const where = ancestorClass(call) ? 'this class or module' : 'this module';
  ctx.report({
    range: file.rangeOf(call),
    message: `\`${reg.display}()\` ${what} ${when} and nothing removes it (no \`${remover}\` in ${where}): ${consequence(reg)} — ${why}`,
    severity,
    fixes,
  });
}

/** `atexit.register(func, *args, **kwargs)` with arguments besides the function. */
function hasArguments(call: Node): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  return args.filter((a) => a && a.type !== 'comment').length > 1;
}

/**
 * A helper whose every call in this module is guarded (`if not logger.handlers:
 * _add_handler(logger)`): the guard at the call site makes it idempotent.
 */
function everyCallGuarded(model: SemanticModel, fn: Scope): boolean {
  if (fn.kind !== 'function' || !fn.name || fn.parent?.kind === 'class') return false;
  const binding = fn.parent?.lookupLocal(fn.name);
  if (binding?.kind !== 'function') return false;
  const uses = model.references(binding).filter((r) => r.context === 'load');
  return (
    uses.length > 0 &&
    uses.every((r) => {
      const call = callNamedBy(r.node);
      const caller = call ? functionChain(model.scopeOf(call))[0] : undefined;
      return !!call && !!caller && isGuarded(model, call, caller.node);
    })
  );
}

/** The method name of `obj.method(...)`. */
function methodOf(call: Node): string {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
}

/**
 * Whether every name in `expr` can be evaluated in another method of the class: `self`
 * (the same instance parameter), module-level names, imports and builtins — no locals, no calls
 * (a call would build a different object than the one registered).
 */
function reachableFromSelf(model: SemanticModel, method: MethodContext, expr: Node): boolean {
  const stack: Node[] = [expr];
  while (stack.length) {
    const n = stack.pop() as Node;
    switch (n.type) {
      case 'call':
      case 'lambda':
      case 'await':
      case 'named_expression':
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        return false;
      case 'identifier': {
        const parent = n.parent;
        if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) continue;
        if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) continue;
        if (isSelf(model, method, n)) continue;
        const binding = model.resolve(n);
        if (binding && binding.scope !== model.moduleScope) return false;
        continue;
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return true;
}

/** The removal call's argument text: the registration's arguments, minus `weak=`. */
function removalArguments(reg: Registration): string | undefined {
  const args = reg.call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const parts: string[] = [];
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'weak') continue;
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
    parts.push(a.text);
  }
  return parts.join(', ');
}

/** The first statement of a method's body that is not its docstring or a leading `if …: return` guard. */
function insertionPoint(def: Node): Node | undefined {
  const body = def.childForFieldName('body');
  const statements = (body?.namedChildren ?? []).filter((s): s is Node => !!s && s.type !== 'comment');
  let i = 0;
  if (statements[0]?.type === 'expression_statement' && statements[0].namedChildren[0]?.type === 'string')
    i++;
  while (
    statements[i]?.type === 'if_statement' &&
    endsWithExit(statements[i].childForFieldName('consequence'))
  ) {
    const ifStmt = statements[i];
    if (
      ifStmt.childForFieldName('alternative') ||
      ifStmt.namedChildren.some((c) => c?.type === 'elif_clause' || c?.type === 'else_clause')
    )
      break;
    i++;
  }
  return statements[i];
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

/**
 * The call that removes what `reg` registered, with some argument nodes written differently
 * (`substitutes`: node id → text). Undefined when the receiver would not give the same object
 * again or the API's removal is not known.
 */
function removalCall(reg: Registration, substitutes: Map<number, string>): string | undefined {
  const args = reg.call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const text = (n: Node) => substitutes.get(n.id) ?? n.text;
  const fn = reg.call.childForFieldName('function');
  if (reg.removerUnknown) return undefined;
  if (reg.receiver && reg.removerMethod) {
    const receiver = substitutes.get(reg.receiver.id) ?? reg.receiver.text;
    if (!substitutes.has(reg.receiver.id) && reg.receiver.descendantsOfType('call').length > 0)
      return undefined;
    const parts: string[] = [];
    for (const a of args.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'weak') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
      const value = a.type === 'keyword_argument' ? a.childForFieldName('value') : null;
      parts.push(
        value && substitutes.has(value.id) ? `${a.childForFieldName('name')?.text}=${text(value)}` : text(a),
      );
    }
    return `${receiver}.${reg.removerMethod}(${parts.join(', ')})`;
  }
  if (fn?.type === 'attribute' && reg.family === 'atexit') {
    const module = fn.childForFieldName('object')?.text ?? '';
    return `${module}.unregister(${reg.listeners.map(text).join(', ')})`;
  }
  return undefined;
}

/**
 * A class whose cleanup cannot name what was registered, or that has no cleanup method: keep a
 * receiver passed as a parameter on the object, turn a lambda that only forwards to a method of
 * `self` into that bound method, and remove the listener in the cleanup method (or a new
 * `close()`). Unsafe: the removal runs only when the owner calls it.
 */
function storedRemovalFix(ctx: RuleContext, reg: Registration, method: MethodContext): Fix | undefined {
  const { file, model } = ctx;
  if (classOfMethod(method.method) === null || enclosingDef(reg.call)?.id !== method.method.id)
    return undefined;
  if (!runsOncePerObject(nameOf(method.method))) return undefined;
  const stmt = unparenthesizedParent(reg.call).parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'block') return undefined;
  // Registered on every run of the method (directly in its body), or maybe not (in an `if`).
  const always = stmt.parent.parent?.id === method.method.id;
  const self = method.selfName;
  const clsText = method.cls.text;
  const substitutes = new Map<number, string>();
  const edits: TextEdit[] = [];
  const stored: string[] = [];
  const free = (attribute: string) => !new RegExp(`\\b${attribute}\\b`).test(clsText);
  const receiver = reg.receiver;
  if (receiver && !reachableFromSelf(model, method, receiver)) {
    const binding = receiver.type === 'identifier' ? model.resolve(receiver) : undefined;
    const attribute = `_${receiver.text}`;
    const sameLogger = binding && loggerCallOf(model, binding);
    if (sameLogger) {
      // `logger = logging.getLogger()`: asking again gives the same logger.
      substitutes.set(receiver.id, sameLogger);
    } else if (isNamedLoggerCall(model, receiver)) {
      // `logging.getLogger("app").addFilter(…)`: so does the call as written.
      substitutes.set(receiver.id, receiver.text);
    } else {
      if (binding?.kind !== 'parameter' || !always || !free(attribute)) return undefined;
      edits.push(insertStatementsBefore(file, stmt, [`${self}.${attribute} = ${receiver.text}`]));
      substitutes.set(receiver.id, `${self}.${attribute}`);
    }
  }
  for (const listener of reg.listeners) {
    if (reachableFromSelf(model, method, listener)) continue;
    const bound = forwardedMethod(listener, self);
    if (bound) {
      edits.push(replaceRange(file, listener.startIndex, listener.endIndex, bound));
      substitutes.set(listener.id, bound);
      continue;
    }
    // Made in the call (`addFilter(BotFilter())`, `on("console", lambda m: …)`): kept on the
    // object first, so that the removal passes the same one.
    // Only where the method runs once per object (`__init__`, `start`…): a method run again and
    // again would keep the last listener only, and the removal would miss the others.
    if ((listener.type === 'call' || listener.type === 'lambda') && !listener.text.includes('\n')) {
      const attribute = freshListenerAttribute(reg, listener);
      if (!free(attribute)) return undefined;
      edits.push(insertStatementsBefore(file, stmt, [`${self}.${attribute} = ${listener.text}`]));
      edits.push(replaceRange(file, listener.startIndex, listener.endIndex, `${self}.${attribute}`));
      substitutes.set(listener.id, `${self}.${attribute}`);
      if (!always) stored.push(attribute);
      continue;
    }
    // A local (`handler = QueueHandler(q)`, or a function defined in the method): kept on the
    // object once registered.
    const attribute = `_${listener.text.replace(/^_+/, '')}`;
    const kind = listener.type === 'identifier' ? model.resolve(listener)?.kind : undefined;
    if ((kind !== 'assignment' && kind !== 'function') || !free(attribute)) return undefined;
    edits.push(insertStatementsAfter(file, stmt, [`${self}.${attribute} = ${listener.text}`]));
    substitutes.set(listener.id, `${self}.${attribute}`);
    stored.push(attribute);
  }
  const others = (reg.call.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (a): a is Node => !!a && a.type !== 'comment' && !reg.listeners.some((l) => l.id === a.id),
  );
  if (!others.every((a) => reachableFromSelf(model, method, a))) return undefined;
  const removal = removalCall(reg, substitutes);
  // An emitter reached through nothing of ours (a module function) is still removable for
  // `atexit`, whose `unregister` takes the same bound method.
  if (!removal || removal.includes('\n') || (edits.length === 0 && !reg.receiver && reg.family !== 'atexit'))
    return undefined;
  const unit = fileIndentUnit(file);
  // A listener kept only when the registration ran: the removal checks it is there.
  const removalLines =
    stored.length > 0
      ? [`if getattr(${self}, "${stored[0]}", None) is not None:`, `${unit}${removal}`]
      : [removal];
  const methods = methodsOf(method.cls);
  const registeringIn = nameOf(method.method);
  const dispatching = calledByListeners(model, reg, method);
  const targetName = [...(PAIRED_METHOD[registeringIn] ?? []), ...CLEANUP_METHODS].find(
    (name) =>
      name !== registeringIn &&
      name !== '__del__' &&
      methods.has(name) &&
      !undoesAnother(name, registeringIn, methods) &&
      !dispatching.has(name),
  );
  const target = targetName ? methods.get(targetName) : undefined;
  // No cleanup method here, but a base class has the pair of this one (`start` → `stop`): extend it.
  const inherited = !target && basesOf(method.cls).length > 0 ? PAIRED_METHOD[registeringIn]?.[0] : undefined;
  if (target) {
    const anchor = insertionPoint(target);
    if (!anchor || anchor.startPosition.row === target.startPosition.row) return undefined;
    if (instanceParameter(target)?.text !== self) return undefined;
    edits.push(insertStatementsBefore(file, anchor, removalLines));
  } else {
    const name = inherited ?? 'close';
    // A method of that name left out above (the listener calls it) is not replaced by a new one.
    if (methods.has(name)) return undefined;
    const added = appendToClassBody(file, method.cls, [
      inherited ? `def ${name}(${self}, *args, **kwargs):` : `def ${name}(${self}):`,
      ...removalLines.map((l) => `${unit}${l}`),
      ...(inherited ? [`${unit}return super().${name}(*args, **kwargs)`] : []),
    ]);
    if (!added) return undefined;
    edits.push(added);
  }
  const where = targetName ?? inherited ?? 'close';
  // A new `close()` is called by nothing yet: it removes the listener only once the owner calls it.
  const unwired = !target && !inherited;
  return {
    title: unwired
      ? `Add \`close()\` that calls \`${removal}\` — nothing calls it yet: call it where the object is done with`
      : `Call \`${removal}\` in \`${where}()\`${target ? '' : ' (overriding the base class)'}`,
    edits,
    applicability: 'unsafe',
    isPreferred: !unwired,
  };
}

/** `logging.getLogger("name")` (or with no name) written out: every call gives the same logger. */
function isNamedLoggerCall(model: SemanticModel, node: Node): boolean {
  if (node.type !== 'call' || model.calleeName(node) !== 'logging.getLogger' || node.text.includes('\n'))
    return false;
  const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (a) => a && a.type !== 'comment',
  );
  return args.every((a) => a?.type === 'string');
}

/** `_bot_filter` for `BotFilter()`, `_console_listener` for `on("console", lambda m: …)`. */
function freshListenerAttribute(reg: Registration, listener: Node): string {
  if (listener.type === 'call') {
    const callee = listener.childForFieldName('function');
    const name = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text ?? '';
    const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    if (/^[a-z_][a-z0-9_]*$/.test(snake)) return `_${snake.replace(/^_+/, '')}`;
  }
  const event = reg.call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'string');
  const word = event?.text
    .replace(/^[a-z]*["']|["']$/gi, '')
    .replace(/\W+/g, '_')
    .toLowerCase();
  return word && /^[a-z_][a-z0-9_]*$/.test(word) ? `_${word}_listener` : '_listener';
}

/** `logging.getLogger()` / `logging.getLogger("name")` that `binding` is bound to (only), as written. */
function loggerCallOf(model: SemanticModel, binding: Binding): string | undefined {
  if (binding.kind !== 'assignment' || binding.sites.length !== 1) return undefined;
  const value = model.assignedValue(binding.sites[0]);
  return value && isNamedLoggerCall(model, value) ? value.text : undefined;
}

/** Add the matching removal to the class's existing cleanup method, when the registration can be repeated there. */
function removalFix(
  ctx: RuleContext,
  reg: Registration,
  method: MethodContext,
  selfHolding: boolean,
): Fix | undefined {
  const { file, model } = ctx;
  if (classOfMethod(method.method) === null) return undefined;
  const methods = methodsOf(method.cls);
  const registeringIn = nameOf(method.method);
  // A removal at clean-up caps nothing when the registering method runs again and again.
  if (!runsOncePerObject(registeringIn) || reg.removerUnknown) return undefined;
  const candidates = [...(PAIRED_METHOD[registeringIn] ?? []), ...CLEANUP_METHODS].filter(
    // `__del__` cannot run while the listener itself keeps the object alive.
    (name) =>
      name !== registeringIn &&
      !(name === '__del__' && selfHolding) &&
      !undoesAnother(name, registeringIn, methods) &&
      !calledByListeners(model, reg, method).has(name),
  );
  const targetName = candidates.find((name) => methods.has(name));
  const target = targetName ? methods.get(targetName) : undefined;
  if (!target || instanceParameter(target)?.text !== method.selfName) return undefined;
  // The registering call must sit directly in the method (not in a closure that runs later).
  if (enclosingDef(reg.call)?.id !== method.method.id) return undefined;
  const parts = [reg.receiver, ...reg.listeners].filter((n): n is Node => !!n);
  if (!parts.every((p) => reachableFromSelf(model, method, p))) return undefined;
  const args = removalArguments(reg);
  if (args === undefined) return undefined;
  let removal: string;
  const fn = reg.call.childForFieldName('function');
  if (reg.receiver && reg.removerMethod) {
    removal = `${reg.receiver.text}.${reg.removerMethod}(${args})`;
  } else if (fn?.type === 'attribute' && (reg.family === 'atexit' || reg.family === 'sqlalchemy')) {
    // `atexit.unregister(func)` takes the function only; `event.remove(target, name, fn)` the positionals.
    const module = fn.childForFieldName('object')?.text ?? '';
    const removerName = reg.removers[0].split('.').pop() as string;
    const removalArgs =
      reg.family === 'atexit'
        ? reg.listeners.map((l) => l.text)
        : positionalArguments(reg.call).map((a) => a.text);
    if (removalArgs.length === 0) return undefined;
    removal = `${module}.${removerName}(${removalArgs.join(', ')})`;
  } else {
    return undefined;
  }
  if (removal.includes('\n')) return undefined;
  const anchor = insertionPoint(target);
  if (!anchor || anchor.startPosition.row === target.startPosition.row) return undefined;
  const known = reg.family !== 'listener';
  return {
    title: `Call \`${removal}\` in \`${targetName}()\``,
    // The stdlib/Django/blinker APIs are known; a third-party bus's removal signature is a guess.
    applicability: known ? 'safe' : 'unsafe',
    isPreferred: known,
    edits: [insertStatementsBefore(file, anchor, [removal])],
  };
}
