// Fixes for the resource leaks (LEAK004, LEAK006, LEAK008) that no `with` block can fix:
// - a resource made and dropped in one statement (`sqlite3.connect(path)`, `ThreadPoolExecutor(4)`):
//   release it in the same statement (`sqlite3.connect(path).close()`). CPython frees the dropped
//   object at once anyway, so a close is the same behaviour said out loud — safe; a `Popen` is
//   waited for (`.communicate()`), which blocks until the process exits — unsafe;
// - a resource kept on `self` that the class's teardown method forgets: release it there
//   (unsafe: code that still uses the attribute after the teardown would now fail);
// - a resource kept on `self` by objects of a class with no teardown at all: add `close()` (or
//   `shutdown()`) and the context-manager protocol that calls it, so callers can use
//   `with Owner(...) as owner:` (unsafe: a new `close`/`__exit__` is seen by duck typing);
// - a resource from a factory the user configured (its context manager unknown): close it
//   through `contextlib.closing`, which only needs a `close()` method (unsafe: assumes one).
import {
  type Creation,
  contains,
  type Leak,
  type NamedResource,
  type ResourceKind,
} from '../model/lifecycle';
import { isAsyncFunction } from '../model/usage';
import type { Node } from '../parser';
import type { Fix } from '../types';
import { appendToClassBody, bodyStatements, definedName } from './class-body';
import { insertAt, replaceRange } from './edits';
import type { FixContext, FixPolicy } from './resource-fixes';
import { insertStatementsAfter, isAloneOnItsLines } from './statements';
import { fileIndentUnit } from './wrap-with';

/** The call that releases a resource of this kind, without receiver: `close()`, `shutdown()`… */
export function releaseCall(kind: ResourceKind, policy: FixPolicy): string {
  if (policy.manage === 'try-finally' && policy.finallyCall) return policy.finallyCall;
  const methods = kind.releaseMethods;
  // `subprocess.Popen`: communicate() reads the pipes while waiting (wait() can deadlock on a full pipe).
  if (methods.has('communicate')) return 'communicate()';
  if (methods.has('shutdown') && !methods.has('close')) return 'shutdown()';
  // A multiprocessing pool: what its own `with` does.
  if (methods.has('terminate') && policy.redundant.has('terminate')) return 'terminate()';
  return 'close()';
}

/** Whether releasing means waiting for something to finish (a process), which a caller can notice. */
function releaseWaits(kind: ResourceKind): boolean {
  return kind.releaseMethods.has('communicate');
}

export function fallbackResourceFix(
  ctx: FixContext,
  creation: Creation,
  leak: Leak,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  // An async resource needs `await …close()` (or `aclose()`) in an async function: not done here.
  if (policy.isAsync) return undefined;
  switch (leak.kind) {
    case 'discarded':
      return releaseDiscarded(ctx, creation, leak.statement, policy, kind);
    case 'attribute-not-released':
      return releaseInTeardown(ctx, leak.target, leak.attribute, leak.teardown, policy, kind);
    case 'owner-never-releases':
      return addTeardown(ctx, creation, leak.attribute, leak.className, policy, kind);
    case 'never-released':
    case 'normal-path-only':
      return (
        releaseInExistingFinally(ctx, creation, leak.named, policy, kind) ??
        fixInvertedNoneGuard(ctx, creation, leak.named, kind)
      );
    default:
      return undefined;
  }
}

/**
 * `try: f = open(p); …` / `finally: print(f.name)`: the `finally` already uses the name without a
 * guard, so releasing it there (after that use) adds no new way to fail. Every use is inside the
 * `try` statement. Safe.
 */
function releaseInExistingFinally(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const { file } = ctx;
  const statement = named.site.parent?.parent;
  const tryStatement = statement?.parent?.parent;
  if (statement?.type !== 'expression_statement' || tryStatement?.type !== 'try_statement') return undefined;
  if (statement.parent?.id !== tryStatement.childForFieldName('body')?.id) return undefined;
  if (kind.releaseMethods.has('communicate') || named.aliased || creation.conditional) return undefined;
  const finallyClause = tryStatement.namedChildren.find((c) => c?.type === 'finally_clause');
  const finallyBody = finallyClause?.namedChildren.find((c) => c?.type === 'block');
  if (
    !finallyBody ||
    !named.refs.every((r) => r.node.startIndex > statement.startIndex && contains(tryStatement, r.node))
  )
    return undefined;
  const stmts = finallyBody.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const usesName = (s: Node) =>
    s.type === 'expression_statement' &&
    named.refs.some((r) => contains(s, r.node) && !insideNested(r.node, s));
  const lastUse = [...stmts].reverse().find(usesName);
  const last = stmts[stmts.length - 1];
  if (
    !lastUse ||
    !last ||
    !isAloneOnItsLines(file, last) ||
    last.startPosition.row === finallyClause?.startPosition.row
  )
    return undefined;
  const call = releaseCall(kind, policy);
  return {
    title: `Release \`${named.name}\` in the \`finally\` that already uses it: \`${named.name}.${call}\``,
    edits: [insertStatementsAfter(file, last, [`${named.name}.${call}`])],
    applicability: 'safe',
    isPreferred: true,
  };
}

/** Whether `node` sits in a lambda, comprehension or conditional inside `stmt` (evaluated maybe not). */
function insideNested(node: Node, stmt: Node): boolean {
  for (let p = node.parent; p && p.id !== stmt.id; p = p.parent)
    if (['lambda', 'conditional_expression', 'boolean_operator', 'generator_expression'].includes(p.type))
      return true;
  return false;
}

/**
 * `if f is None: f.close()`: the guard is the wrong way round (it closes only when there is
 * nothing to close, and raises AttributeError then). It becomes `is not None`. Unsafe: when the
 * creation failed, the original error now propagates instead of that AttributeError.
 */
function fixInvertedNoneGuard(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  kind: ResourceKind,
): Fix | undefined {
  const fn = creation.owner.node;
  for (const ifStatement of fn.descendantsOfType('if_statement')) {
    const condition = ifStatement?.childForFieldName('condition');
    const consequence = ifStatement?.childForFieldName('consequence');
    if (!ifStatement || condition?.type !== 'comparison_operator' || !consequence) continue;
    const [left, right] = condition.namedChildren;
    const operators = condition.children.filter((c) => !!c && !c.isNamed).map((c) => c?.type);
    if (left?.text !== named.name || right?.type !== 'none' || operators.join(' ') !== 'is') continue;
    const releases = consequence.descendantsOfType('call').some((c) => {
      const callee = c?.childForFieldName('function');
      return (
        callee?.type === 'attribute' &&
        callee.childForFieldName('object')?.text === named.name &&
        kind.releaseMethods.has(callee.childForFieldName('attribute')?.text ?? '')
      );
    });
    if (!releases) continue;
    return {
      title: `Release \`${named.name}\` when it is set: \`if ${named.name} is not None:\``,
      edits: [replaceRange(ctx.file, condition.startIndex, condition.endIndex, `${named.name} is not None`)],
      applicability: 'unsafe',
      isPreferred: true,
    };
  }
  return undefined;
}

function releaseDiscarded(
  ctx: FixContext,
  creation: Creation,
  statement: Node,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const value = creation.value;
  if (value.type !== 'call' || statement.type !== 'expression_statement') return undefined;
  if (statement.namedChildren[0]?.id !== value.id) return undefined;
  const call = releaseCall(kind, policy);
  const waits = releaseWaits(kind);
  return {
    title: `${waits ? 'Wait for' : 'Release'} it at once: \`.${call}\``,
    edits: [insertAt(ctx.file, value.endIndex, `.${call}`)],
    // Unless it waits, this is what CPython does when the statement drops the last reference.
    applicability: waits ? 'unsafe' : 'safe',
    isPreferred: true,
  };
}

/** The statements of a function's body, docstring excluded. */
function bodyOf(fn: Node): { block: Node; statements: Node[] } | undefined {
  const block = fn.childForFieldName('body');
  if (block?.type !== 'block') return undefined;
  const statements = block.namedChildren.filter((s): s is Node => !!s && s.type !== 'comment');
  return { block, statements };
}

function isDocstring(node: Node): boolean {
  return node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string';
}

/** Whether `self.attr = …` runs on every construction: a statement directly in `__init__`'s body. */
function setInInit(target: Node): boolean {
  const statement = target.parent?.parent;
  const block = statement?.parent;
  const fn = block?.parent;
  return (
    target.parent?.type === 'assignment' &&
    statement?.type === 'expression_statement' &&
    block?.type === 'block' &&
    fn?.type === 'function_definition' &&
    fn.childForFieldName('name')?.text === '__init__'
  );
}

function releaseInTeardown(
  ctx: FixContext,
  target: Node,
  attribute: string,
  teardown: Node,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const { file } = ctx;
  const body = bodyOf(teardown);
  const selfName = teardown.childForFieldName('parameters')?.namedChildren[0]?.text;
  if (!body || body.statements.length === 0 || !selfName || /\W/.test(selfName)) return undefined;
  if (isAsyncFunction(teardown) !== policy.isAsync) return undefined;
  const first = body.statements[0];
  if (first.startPosition.row === teardown.startPosition.row) return undefined; // `def close(self): pass`
  const call = releaseCall(kind, policy);
  const unit = fileIndentUnit(file);
  const access = `${selfName}.${attribute}`;
  // Set in __init__: always there. Set elsewhere (`start()`): the teardown may run before it.
  const lines = setInInit(target)
    ? [`${access}.${call}`]
    : [`if getattr(${selfName}, "${attribute}", None) is not None:`, `${unit}${access}.${call}`];
  const indent = file.indentOf(first.startPosition.row);
  const eol = file.eol;
  // At the end of the teardown, unless it may return early: then first (after its docstring).
  const returns = teardown
    .descendantsOfType('return_statement')
    .some((r) => !!r && enclosingDef(r)?.id === teardown.id);
  const last = body.statements[body.statements.length - 1];
  const edit = returns
    ? isDocstring(first)
      ? insertAt(file, file.lineEnd(first.endPosition.row), lines.map((l) => `${eol}${indent}${l}`).join(''))
      : insertAt(
          file,
          file.lineStart(first.startPosition.row),
          lines.map((l) => `${indent}${l}${eol}`).join(''),
        )
    : insertAt(file, file.lineEnd(last.endPosition.row), lines.map((l) => `${eol}${indent}${l}`).join(''));
  const method = teardown.childForFieldName('name')?.text ?? 'teardown';
  return {
    title: `Release \`${access}\` in \`${method}()\`: \`${access}.${call}\``,
    edits: [edit],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

function enclosingDef(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent)
    if (p.type === 'function_definition' || p.type === 'lambda') return p;
  return undefined;
}

/** `def close(self)`, or `shutdown(self)` for an executor, plus `__enter__`/`__exit__` calling it. */
function addTeardown(
  ctx: FixContext,
  creation: Creation,
  attribute: string,
  className: string,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const { file } = ctx;
  const cls = creation.owner.enclosingClass?.node;
  const body = cls?.childForFieldName('body');
  if (!cls || body?.type !== 'block') return undefined;
  const call = releaseCall(kind, policy);
  const method = call === 'shutdown()' ? 'shutdown' : 'close';
  const defined = new Set(bodyStatements(cls).map(definedName));
  if (defined.has(method) || defined.has('__enter__') || defined.has('__exit__')) return undefined;
  const unit = fileIndentUnit(file);
  const lines = [
    `def ${method}(self):`,
    `${unit}self.${attribute}.${call}`,
    '',
    'def __enter__(self):',
    `${unit}return self`,
    '',
    'def __exit__(self, *exc_info):',
    `${unit}self.${method}()`,
  ];
  const added = appendToClassBody(file, cls, lines);
  if (!added) return undefined;
  return {
    title: `Add \`${className}.${method}()\` (and \`with\` support) releasing \`self.${attribute}\``,
    edits: [added],
    applicability: 'unsafe',
    isPreferred: true,
  };
}
