// Quick fixes for resource leaks (LEAK004, LEAK006, LEAK008), built from the lifecycle analysis:
// - a named resource: `x = Factory(...)` becomes `with Factory(...) as x:` (or `async with`, or
//   `with contextlib.closing(...)` when the object's own context manager does not close it), the
//   statements that use `x` — or anything derived from it, like a cursor — are re-indented into
//   the block, and a now-redundant `x.close()` is dropped; a resource with no context manager at
//   all (an SQLAlchemy engine) gets `try:` … `finally: engine.dispose()` instead;
// - an inline resource (`open(p).read()`, `json.load(open(p))`): the statement moves into a
//   `with Factory(...) as f:` block and the inline creation becomes `f`;
// - `with sqlite3.connect(p) as conn:` becomes `with closing(sqlite3.connect(p)) as conn, conn:`,
//   which keeps the transaction and adds the close.
// Every builder returns undefined when the rewrite could change what the code does.
import {
  type Creation,
  contains,
  flowOf,
  isNonRetainingCall,
  type Leak,
  type NamedResource,
  type ResourceKind,
  releasedOnEveryPath,
  relevantReferences,
} from '../model/lifecycle';
import type { Scope, SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import { isAsyncFunction, useOf } from '../model/usage';
import { ITERATING_WRAPPERS, isPlainDataAttribute } from '../model/value-flow';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { insertAt, replaceRange } from './edits';
import { ensureMemberImport, ensureModuleImport } from './imports';
import { fallbackResourceFix, releaseCall } from './resource-fallbacks';
import { isAloneOnItsLines } from './statements';
import { indentUnitOf, type Replacement, wrapInTryFinally, wrapStatements } from './wrap-with';

export interface FixPolicy {
  /**
   * How the fix manages the resource: its own context manager (`with`), `contextlib.closing`
   * (sqlite3/psycopg2: their `with` is a transaction), `try`/`finally` with `finallyCall` (no
   * context manager), or no automatic fix.
   */
  manage: 'with' | 'closing' | 'try-finally' | 'none';
  /** Async resource: `async with`, `await x.aclose()`; needs an `async def`. */
  isAsync: boolean;
  /** For `try-finally`: the release call, e.g. `dispose()`. */
  finallyCall?: string;
  /** Release statements (`x.close()`) that the new block makes redundant. */
  redundant: ReadonlySet<string>;
  /** Name for an inline resource (`f`, `conn`, `pool`). */
  suggestedName: string;
  /**
   * Enter the factory call itself rather than the awaited value: `conn = await engine.connect()`
   * becomes `async with engine.connect() as conn:` (SQLAlchemy's async connections start in
   * `__aenter__`).
   */
  enterCall?: boolean;
  /** A veto for named resources whose wrapping would change timing (fire-and-forget futures). */
  vetoNamed?(model: SemanticModel, named: NamedResource, regionRefs: Node[]): boolean;
  /** A veto for inline resources. */
  vetoInline?(model: SemanticModel, creation: Creation, leak: Leak): boolean;
}

export interface FixContext {
  file: SourceFile;
  model: SemanticModel;
  /** The fix policy of a call when it makes a resource of the rule's own (any factory it knows). */
  policyOf?(call: Node): FixPolicy | undefined;
}

/** Statement types that may hold an inline resource moved into a `with` block. */
const WRAPPABLE_STATEMENTS = new Set(['expression_statement', 'return_statement', 'for_statement']);

/** Expressions evaluated lazily, conditionally or repeatedly: an inline resource inside cannot move out. */
const NOT_HOISTABLE = new Set([
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
  'conditional_expression',
]);

/**
 * The fix for a leak: the `with` (or `try`/`finally`) rewrite when it keeps what the code does,
 * else, given the resource's kind, a fallback (release a dropped resource at once, release an
 * attribute in the class's teardown, add a teardown); undefined when none is correct.
 */
export function resourceFix(
  ctx: FixContext,
  creation: Creation,
  leak: Leak,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
  kind?: ResourceKind,
): Fix | undefined {
  const fix = managedFix(ctx, creation, leak, policy, dataMethods);
  if (fix) return fix;
  if (policy.manage === 'none' && !creation.conditional) {
    // A configured factory: its context manager is unknown, but `closing` needs only `close()`.
    const assumed = managedFix(ctx, creation, leak, { ...policy, manage: 'closing' }, dataMethods);
    if (assumed)
      return { ...assumed, title: `${assumed.title}, assuming it has \`close()\``, applicability: 'unsafe' };
  }
  if (!kind) return undefined;
  if (leak.kind === 'never-released' || leak.kind === 'normal-path-only') {
    const guarded =
      releaseAfterGuardedCreation(ctx, creation, leak.named, policy, dataMethods, kind) ??
      releaseRebound(ctx, creation, leak.named, policy, kind) ??
      releaseBeforeRebinding(ctx, creation, leak.named, policy, kind) ??
      releaseFromFirstBinding(ctx, creation, leak.named, policy, kind) ??
      enterEachInExitStack(
        ctx,
        creation,
        leak.named,
        policy,
        new Set([...dataMethods, ...kind.releaseMethods]),
      );
    if (guarded) return guarded;
  }
  return (
    nonBlockingFix(ctx, creation, leak, policy, dataMethods, kind) ??
    fallbackResourceFix(ctx, creation, leak, policy, kind) ??
    waitForProcess(ctx, creation, leak, policy, dataMethods, kind)
  );
}

const PROCESS_STREAMS = new Set(['stdin', 'stdout', 'stderr']);

/**
 * A process the code never waits for (it polls it, kills it, reads its output), or waits for only
 * on some paths (`if strict and proc.wait():`): `with` around its uses reaps it at the end of the
 * block. Unsafe: the block then waits for the process to exit where the code did not (it may be
 * meant to outlive the function).
 */
function waitForProcess(
  ctx: FixContext,
  creation: Creation,
  leak: Leak,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
  kind: ResourceKind,
): Fix | undefined {
  const waitedSometimes = leak.kind === 'normal-path-only' && !releasedOnEveryPath(ctx.model, leak.named);
  if (
    (leak.kind !== 'never-released' && !waitedSometimes) ||
    !kind.releaseMethods.has('communicate') ||
    !policy.vetoNamed
  )
    return undefined;
  if (!waitedSometimes) {
    // Never waited for: only if its output is read here (else the streams go to DEVNULL) and its
    // pid is not kept for later.
    const uses = leak.named.refs.map((r) => useOf(r.node));
    if (!uses.some((u) => u.kind === 'attribute' && PROCESS_STREAMS.has(u.attribute))) return undefined;
    if (uses.some((u) => u.kind === 'attribute' && u.attribute === 'pid')) return undefined;
  }
  const fix = wrapNamed(ctx, creation, leak.named, { ...policy, vetoNamed: undefined }, dataMethods);
  return (
    fix && {
      ...fix,
      title: `${fix.title}: it waits for the process to exit at the end of the block`,
      applicability: 'unsafe',
    }
  );
}

/** Whether every `except` of `tryStatement` leaves the function (ends in `return` or `raise`). */
function handlersAllLeave(tryStatement: Node): boolean {
  let handlers = 0;
  for (const c of tryStatement.namedChildren) {
    if (!c) continue;
    if (c.type !== 'except_clause' && c.type !== 'except_group_clause') continue;
    handlers++;
    const body = c.namedChildren.find((n) => n?.type === 'block');
    const stmts = body?.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment') ?? [];
    const last = stmts[stmts.length - 1];
    if (last?.type !== 'return_statement' && last?.type !== 'raise_statement') return false;
  }
  return handlers > 0;
}

/**
 * `try: conn = connect(p)` / `except …: return …` and the uses after the `try` (the shape of a
 * creation that may fail): once the `try` is done the name is bound, so the statements after it,
 * up to the last use, go in `try:` … `finally: conn.close()`. A `with` cannot take the creation
 * out of its `try` without changing which errors the handlers catch.
 */
function releaseAfterGuardedCreation(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
  kind: ResourceKind,
): Fix | undefined {
  const { file, model } = ctx;
  if (named.aliased || policy.isAsync || creation.conditional) return undefined;
  const assignment = named.site.parent;
  const statement = assignment?.parent;
  const tryBody = statement?.parent;
  const tryStatement = tryBody?.parent;
  const block = tryStatement?.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== named.site.id)
    return undefined;
  if (statement?.type !== 'expression_statement' || tryBody?.type !== 'block') return undefined;
  if (tryStatement?.type !== 'try_statement' || block?.type !== 'block') return undefined;
  if (tryStatement.namedChildren.some((c) => c?.type === 'finally_clause' || c?.type === 'else_clause'))
    return undefined;
  // A handler that goes on leaves the name unbound: the uses after the `try` then raise
  // UnboundLocalError, and so does the `finally` — the same error, now with another as context.
  const applicability = handlersAllLeave(tryStatement) ? 'safe' : 'unsafe';
  const region = regionNodes(model, named, creation, dataMethods);
  if (!region) return undefined;
  let last: Node | undefined;
  for (const node of region) {
    if (contains(tryStatement, node)) continue;
    const top = statementIn(block, node);
    if (!top || top.startIndex < tryStatement.startIndex) return undefined;
    if (!last || top.startIndex > last.startIndex) last = top;
  }
  const first = nextStatement(tryStatement);
  if (!last || !first) return undefined;
  // A process is waited for, not released by a call in `finally`: `with proc:` around its uses
  // waits at the end, as the code already does (a process the code never waits for is left alone).
  if (kind.releaseMethods.has('communicate')) {
    if (policy.manage !== 'with' || policy.vetoNamed?.(model, named, region)) return undefined;
    const edit = wrapStatements({ file, first, last, mode: 'insert', header: `with ${named.name}:` });
    if (!edit) return undefined;
    return {
      title: `Wait for \`${named.name}\` with \`with ${named.name}:\` around its uses after the \`try\``,
      edits: [edit],
      applicability,
      isPreferred: true,
    };
  }
  const call = releaseCall(kind, policy);
  const finallyPolicy = { ...policy, finallyCall: call };
  const remove = redundantReleases(block, tryStatement, last, named.name, finallyPolicy, region);
  // The uses are one `try` with handlers and no `finally`: give it the `finally`.
  const clauses = first.type === 'try_statement' ? first.namedChildren.filter((c) => !!c) : [];
  const lastClause = clauses[clauses.length - 1];
  if (first.id === last.id && lastClause && !clauses.some((c) => c?.type === 'finally_clause')) {
    const indent = file.indentOf(first.startPosition.row);
    const unit = indentUnitOf(file, block, indent) ?? '    ';
    const text = `${file.eol}${indent}finally:${file.eol}${indent}${unit}${named.name}.${call}`;
    return {
      title: `Release \`${named.name}\` in a \`finally\` of the \`try\` that uses it`,
      edits: [insertAt(file, file.lineEnd(first.endPosition.row), text)],
      applicability,
      isPreferred: true,
    };
  }
  const edit = wrapInTryFinally(file, first, last, [`${named.name}.${call}`], remove);
  if (!edit) return undefined;
  return {
    title: `Release \`${named.name}\` in \`finally\` after its last use`,
    edits: [edit],
    applicability,
    isPreferred: true,
  };
}

/** `name = None` directly in `block`, before `before`. */
function initialisedToNone(block: Node, name: string, before: Node): boolean {
  return block.namedChildren.some((s) => {
    if (!s || s.startIndex >= before.startIndex || s.type !== 'expression_statement') return false;
    const a = s.namedChildren[0];
    return (
      a?.type === 'assignment' &&
      a.childForFieldName('left')?.text === name &&
      a.childForFieldName('right')?.type === 'none'
    );
  });
}

/**
 * `zf = None` … a loop that closes `zf` and opens a new one … `if zf is not None: zf.close()`:
 * a resource rebound as the code goes (a rotating writer). The statements from the one that
 * makes it to its last use go in `try`/`finally: if zf is not None: zf.close()`, so an exception
 * midway closes the current one too; a close that already follows is then a no-op.
 */
function releaseRebound(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const { file } = ctx;
  if (policy.isAsync || kind.releaseMethods.has('communicate') || named.aliased) return undefined;
  for (let block = creation.call.parent; block; block = block.parent) {
    if (block.type === 'function_definition' || block.type === 'lambda') return undefined;
    if (block.type !== 'block') continue;
    const first = statementIn(block, creation.call);
    if (!first || first.id === named.site.parent?.parent?.id) continue;
    if (!initialisedToNone(block, named.name, first)) continue;
    // Rebound in a loop: the shape this is for (a writer rotated as the loop goes).
    const inLoop = (n: Node | null): boolean =>
      !!n &&
      n.id !== block.id &&
      (n.type === 'for_statement' || n.type === 'while_statement' || inLoop(n.parent));
    if (!inLoop(creation.call.parent)) return undefined;
    let last = first;
    for (const ref of named.refs) {
      const top = statementIn(block, ref.node);
      if (!top || top.startIndex < first.startIndex) return undefined;
      if (top.startIndex > last.startIndex) last = top;
    }
    const call = releaseCall(kind, policy);
    const unit = indentUnitOf(file, block, file.indentOf(first.startPosition.row)) ?? '    ';
    const edit = wrapInTryFinally(file, first, last, [
      `if ${named.name} is not None:`,
      `${unit}${named.name}.${call}`,
    ]);
    if (!edit) return undefined;
    return {
      title: `Release \`${named.name}\` in \`finally\`, whichever one it holds: \`if ${named.name} is not None: ${named.name}.${call}\``,
      edits: [edit],
      applicability: 'safe',
      isPreferred: true,
    };
  }
  return undefined;
}

/**
 * `f = open(a)`, then `if second: f = open(b)`, then `return f.read()`: the name is rebound to
 * another resource of the same kind partway. The first is closed just before each rebinding (in
 * CPython it is freed right there anyway), and the statements after the creation, up to the last
 * use, go in `try`/`finally: f.close()`, which closes whichever the name holds. Safe.
 */
function releaseBeforeRebinding(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const { file } = ctx;
  if (policy.isAsync || named.aliased || creation.conditional || kind.releaseMethods.has('communicate'))
    return undefined;
  const statement = named.site.parent?.parent;
  const block = statement?.parent;
  if (named.site.parent?.type !== 'assignment' || statement?.type !== 'expression_statement')
    return undefined;
  if (block?.type !== 'block') return undefined;
  const stores = named.refs.filter((r) => r.context === 'store');
  if (stores.length === 0 || named.refs.some((r) => r.context === 'del' || r.context === 'augmented'))
    return undefined;
  const call = releaseCall(kind, policy);
  const closes: Replacement[] = [];
  let last: Node | undefined;
  for (const ref of named.refs) {
    const top = statementIn(block, ref.node);
    if (!top || top.startIndex <= statement.startIndex) return undefined;
    if (!last || top.startIndex > last.startIndex) last = top;
    if (ref.context !== 'store') continue;
    // `f = Factory(...)` alone on its line, the same factory: close the one held first.
    const assignment = ref.node.parent;
    const rebinding = assignment?.parent;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== ref.node.id)
      return undefined;
    const value = assignment.childForFieldName('right');
    const factory = (n: Node | null | undefined) =>
      n?.type === 'call' && n.childForFieldName('function')?.text;
    if (!value || factory(value) !== factory(creation.call) || rebinding?.type !== 'expression_statement')
      return undefined;
    if (!isAloneOnItsLines(file, rebinding)) return undefined;
    // Inside the wrapped run, so written as part of it: the line after gets the added indentation.
    const indent = file.indentOf(rebinding.startPosition.row);
    const unit = indentUnitOf(file, block, file.indentOf(statement.startPosition.row)) ?? '    ';
    closes.push({
      start: rebinding.startIndex,
      end: rebinding.startIndex,
      text: `${named.name}.${call}${file.eol}${indent}${unit}`,
    });
  }
  const first = nextStatement(statement);
  if (!first || !last) return undefined;
  const wrap = wrapStatements({
    file,
    first,
    last,
    mode: 'insert',
    header: 'try:',
    replacements: closes,
    trailer: [
      { depth: 0, text: 'finally:' },
      { depth: 1, text: `${named.name}.${call}` },
    ],
  });
  if (!wrap) return undefined;
  return {
    title: `Release \`${named.name}\` before it is rebound and in \`finally\``,
    edits: [wrap],
    applicability: 'safe',
    isPreferred: true,
  };
}

/**
 * The resource a name is rebound to (`f = open(b)` after `f = open(a)`): the fix of the first
 * binding covers it too (its `finally` closes whichever the name holds), so it is offered here.
 */
function releaseFromFirstBinding(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  kind: ResourceKind,
): Fix | undefined {
  const firstSite = named.binding.sites[0];
  if (!firstSite || firstSite.id === named.site.id || named.binding.scope !== creation.owner)
    return undefined;
  const value = ctx.model.assignedValue(firstSite);
  if (
    value?.type !== 'call' ||
    value.childForFieldName('function')?.text !== creation.call.childForFieldName('function')?.text
  )
    return undefined;
  const refs = ctx.model
    .references(named.binding)
    .filter((r) => r.node.startIndex > firstSite.startIndex && r.node.id !== firstSite.id);
  return releaseBeforeRebinding(
    ctx,
    { ...creation, call: value, value, conditional: false },
    { ...named, site: firstSite, refs },
    policy,
    kind,
  );
}

/**
 * `if unix: s = socket.socket(AF_UNIX)` / `else: s = socket.socket(AF_INET)`, then the uses: a
 * name bound to a resource in several branches (of an `if`, of a `try` and its handler) or to a
 * resource in one branch and to something else in another (`else: f = sys.stdout`,
 * `else: log = None`). No single `with` fits, but a `contextlib.ExitStack` does: the statements
 * from the first binding to the last use go in `with ExitStack() as stack:`, and each creation
 * becomes `stack.enter_context(...)`, so whichever resources were made are closed at the end of
 * the block, on every path; what the other branches bind is left alone. Safe: the uses are all in
 * the block and a close the code already makes is repeated harmlessly by the resource's exit.
 */
function enterEachInExitStack(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  /** Methods whose result holds nothing of the resource (its release methods too: `wait()`'s code). */
  dataMethods: ReadonlySet<string>,
): Fix | undefined {
  const { file, model } = ctx;
  const { binding } = named;
  if (policy.isAsync || named.aliased || creation.conditional || binding.kind !== 'assignment')
    return undefined;
  if (binding.scope !== creation.owner || creation.owner.node.type !== 'function_definition')
    return undefined;
  const refs = model
    .references(binding)
    .slice()
    .sort((a, b) => a.node.startIndex - b.node.startIndex);
  // `f: IO[str]` declares without binding: it may stay before the block.
  const declaration = (n: Node) =>
    n.parent?.type === 'assignment' &&
    n.parent.childForFieldName('left')?.id === n.id &&
    !n.parent.childForFieldName('right');
  const live = refs.filter((r) => !declaration(r.node));
  const stores = live.filter((r) => r.context === 'store');
  if (live.some((r) => r.scope !== creation.owner || r.context === 'del' || r.context === 'augmented'))
    return undefined;
  if (stores.length < 2 || live[0]?.context !== 'store') return undefined;
  if (refs.some((r) => declaration(r.node) && r.node.startIndex > live[0].node.startIndex)) return undefined;
  // Each binding: a resource of the rule's own to enter, or a value with none in it to leave alone.
  const entered: { value: Node; policy: FixPolicy }[] = [];
  for (const store of stores) {
    const assignment = store.node.parent;
    const value = assignment?.childForFieldName('right');
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== store.node.id)
      return undefined;
    if (assignment.parent?.type !== 'expression_statement' || !value) return undefined;
    const own =
      value.id === creation.value.id ? policy : value.type === 'call' ? ctx.policyOf?.(value) : undefined;
    if (own) {
      if (own.isAsync || (own.manage !== 'with' && own.manage !== 'closing') || own.enterCall)
        return undefined;
      entered.push({ value, policy: own });
    } else if (value.descendantsOfType('call').some((c) => !!c && !!ctx.policyOf?.(c))) {
      return undefined;
    }
  }
  if (!entered.some((e) => e.value.id === creation.value.id)) return undefined;
  // What must stay inside the block: every use, and what is derived from one (`r = s.makefile()`).
  const loads = live.filter((r) => r.context === 'load');
  // A `finally` that already releases it (wrongly guarded): the fix of that guard is the one meant.
  if (loads.some((r) => inFinally(r.node, creation.owner.node))) return undefined;
  const region = regionNodes(model, { ...named, site: live[0].node, refs: loads }, creation, dataMethods);
  if (!region || policy.vetoNamed?.(model, named, region)) return undefined;
  const nodes = [...stores.map((s) => s.node), ...region];
  let block: Node | null = named.site.parent;
  for (; block && block.id !== creation.owner.node.id; block = block.parent) {
    const b = block;
    if (b.type === 'block' && nodes.every((n) => statementIn(b, n))) break;
  }
  if (block?.type !== 'block') return undefined;
  let run = runOf(block, stores[0].node, nodes);
  if (!run) return undefined;
  // In a loop, a use that finds the name unbound by this pass sees the last pass's resource,
  // which a block inside the loop would have closed: unless the first statement binds it (or
  // leaves) on every path, the block goes around the outermost loop instead, which keeps every
  // resource the loop makes open until it ends (unsafe: more of them open at once).
  let outside = false;
  const loop = outermostLoopIn(block, creation.owner.node);
  if (loop && !bindsOrLeaves(run.first, named.name)) {
    if (loop.parent?.type !== 'block') return undefined;
    run = runOf(loop.parent, stores[0].node, nodes);
    outside = true;
  }
  if (!run) return undefined;
  const { first, last } = run;
  const before = topLevelStatement(creation.call).startIndex;
  const exitStack = ensureMemberImport(file, model, 'contextlib', 'ExitStack', before);
  if (shadowedLocally(creation.owner, exitStack.name.split('.')[0])) return undefined;
  const importEdits = [...exitStack.edits];
  const stack = freshName(model, creation.owner, 'stack');
  const replacements: Replacement[] = [];
  for (const e of entered) {
    let valueText = file.text.slice(e.value.startIndex, e.value.endIndex);
    if (e.policy.manage === 'closing') {
      const closing = closingName(ctx, creation);
      if (!closing) return undefined;
      if (!importEdits.some((i) => closing.edits.some((c) => c.newText === i.newText)))
        importEdits.push(...closing.edits);
      valueText = `${closing.name}(${valueText})`;
    }
    replacements.push({
      start: e.value.startIndex,
      end: e.value.endIndex,
      text: `${stack}.enter_context(${valueText})`,
    });
  }
  const edit = wrapStatements({
    file,
    first,
    last,
    mode: 'insert',
    header: `with ${exitStack.name}() as ${stack}:`,
    replacements,
  });
  if (!edit) return undefined;
  const where = outside
    ? 'around the loop (each one stays open until the loop ends)'
    : 'that ends after its last use';
  return {
    title: `Enter each \`${named.name}\` it makes in a \`with ExitStack()\` ${where}`,
    edits: [...importEdits, edit],
    applicability: outside ? 'unsafe' : 'safe',
    isPreferred: true,
  };
}

/** The statements of `block` from the one holding `start` to the last one holding any of `nodes`. */
function runOf(block: Node, start: Node, nodes: Node[]): { first: Node; last: Node } | undefined {
  const first = statementIn(block, start);
  if (!first) return undefined;
  let last = first;
  for (const node of nodes) {
    const top = statementIn(block, node);
    if (!top || top.startIndex < first.startIndex) return undefined;
    if (top.startIndex > last.startIndex) last = top;
  }
  return { first, last };
}

/** Whether `node` is in a `finally` clause inside `top`. */
function inFinally(node: Node, top: Node): boolean {
  for (let n: Node | null = node; n && n.id !== top.id; n = n.parent)
    if (n.type === 'finally_clause') return true;
  return false;
}

/** The outermost `for`/`while` between `node` and the function `top` (exclusive). */
function outermostLoopIn(node: Node, top: Node): Node | undefined {
  let loop: Node | undefined;
  for (let n: Node | null = node; n && n.id !== top.id; n = n.parent)
    if (n.type === 'for_statement' || n.type === 'while_statement') loop = n;
  return loop;
}

/**
 * Whether every path through `statement` binds `name` (a plain assignment) or leaves (`return`,
 * `raise`, `break`, `continue`): an `if` with an `else` whose branches all do, a `try` whose body
 * and handlers all do.
 */
function bindsOrLeaves(statement: Node, name: string): boolean {
  const blockDoes = (block: Node | null | undefined): boolean =>
    !!block && block.namedChildren.some((s) => !!s && bindsOrLeaves(s, name));
  switch (statement.type) {
    case 'expression_statement': {
      const a = statement.namedChildren[0];
      return (
        a?.type === 'assignment' &&
        a.childForFieldName('left')?.text === name &&
        !!a.childForFieldName('right')
      );
    }
    case 'return_statement':
    case 'raise_statement':
    case 'break_statement':
    case 'continue_statement':
      return true;
    case 'if_statement': {
      const alternatives = statement.namedChildren.filter(
        (c): c is Node => c?.type === 'elif_clause' || c?.type === 'else_clause',
      );
      if (!alternatives.some((c) => c.type === 'else_clause')) return false;
      return (
        blockDoes(statement.childForFieldName('consequence')) &&
        alternatives.every((c) =>
          blockDoes(c.childForFieldName('consequence') ?? c.childForFieldName('body')),
        )
      );
    }
    case 'try_statement': {
      const handlers = statement.namedChildren.filter(
        (c): c is Node => c?.type === 'except_clause' || c?.type === 'except_group_clause',
      );
      return (
        blockDoes(statement.childForFieldName('body')) &&
        handlers.every((h) => blockDoes(h.namedChildren.find((n) => n?.type === 'block')))
      );
    }
    case 'with_statement':
      return blockDoes(statement.childForFieldName('body'));
    default:
      return false;
  }
}

/**
 * An executor or pool whose `with` would change timing (work handed back unfinished, a
 * `shutdown(wait=False)`): release it in `finally` without waiting — `shutdown(wait=False)` lets
 * the submitted work finish, a pool's `close()` lets its queued tasks run — which keeps what the
 * code does. An inline one (`loop.run_in_executor(ThreadPoolExecutor(), fn)`) gets a name first.
 */
function nonBlockingFix(
  ctx: FixContext,
  creation: Creation,
  leak: Leak,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
  kind: ResourceKind,
): Fix | undefined {
  const release = nonBlockingRelease(kind);
  if (!release || policy.isAsync || creation.conditional) return undefined;
  const finallyPolicy: FixPolicy = {
    ...policy,
    manage: 'try-finally',
    finallyCall: release,
    redundant: new Set([release.slice(0, release.indexOf('('))]),
    vetoNamed: undefined,
  };
  if (leak.kind === 'never-released' || leak.kind === 'normal-path-only') {
    const fix = wrapNamed(ctx, creation, leak.named, finallyPolicy, dataMethods);
    return fix && { ...fix, title: `${fix.title}: \`${leak.named.name}.${release}\`` };
  }
  if (leak.kind === 'consumed' || leak.kind === 'chained')
    return hoistWithFinally(ctx, creation, finallyPolicy, release);
  return undefined;
}

/** `shutdown(wait=False)` for a `concurrent.futures` executor, `close()` for a multiprocessing pool. */
function nonBlockingRelease(kind: ResourceKind): string | undefined {
  if (kind.releaseMethods.has('shutdown') && !kind.releaseMethods.has('close')) return 'shutdown(wait=False)';
  if (kind.releaseMethods.has('terminate')) return 'close()';
  return undefined;
}

/** `return use(Factory())` → `name = Factory()`, `try: return use(name)`, `finally: name.release`. */
function hoistWithFinally(
  ctx: FixContext,
  creation: Creation,
  policy: FixPolicy,
  release: string,
): Fix | undefined {
  const { file, model } = ctx;
  const value = creation.value;
  const hoisted = hoistTarget(value);
  if (!hoisted || hoisted.reordered || creation.owner.kind !== 'function') return undefined;
  const statement = hoisted.statement;
  const name = freshName(model, creation.owner, policy.suggestedName);
  let replaced = value;
  while (replaced.parent?.type === 'parenthesized_expression' && replaced.parent.namedChildCount === 1)
    replaced = replaced.parent;
  const indent = file.indentOf(statement.startPosition.row);
  const edit = wrapStatements({
    file,
    first: statement,
    last: statement,
    mode: 'insert',
    header: `${name} = ${file.text.slice(value.startIndex, value.endIndex)}${file.eol}${indent}try:`,
    replacements: [{ start: replaced.startIndex, end: replaced.endIndex, text: name }],
    trailer: [
      { depth: 0, text: 'finally:' },
      { depth: 1, text: `${name}.${release}` },
    ],
  });
  if (!edit) return undefined;
  return {
    title: `Name it \`${name}\` and release it in \`finally\`: \`${name}.${release}\``,
    edits: [edit],
    applicability: 'safe',
    isPreferred: true,
  };
}

function managedFix(
  ctx: FixContext,
  creation: Creation,
  leak: Leak,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
): Fix | undefined {
  if (
    creation.conditional &&
    policy.manage === 'with' &&
    (leak.kind === 'never-released' || leak.kind === 'normal-path-only')
  )
    return wrapConditional(ctx, creation, leak.named, policy, dataMethods);
  if (policy.manage === 'none' || creation.conditional) return undefined;
  switch (leak.kind) {
    case 'never-released':
    case 'normal-path-only':
    case 'released-after-yield':
    case 'yielded-never-released':
      return wrapNamed(ctx, creation, leak.named, policy, dataMethods);
    case 'with-no-release':
      return leak.named
        ? closeWithItem(ctx, creation, leak.withItem, leak.named, policy, dataMethods)
        : undefined;
    case 'chained':
    case 'consumed':
    case 'iterated':
      if (policy.vetoInline?.(ctx.model, creation, leak)) return undefined;
      if (inlineOutlives(leak, dataMethods, ctx.model)) return undefined;
      return wrapInline(ctx, creation, policy);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Named resources

function wrapNamed(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
  /** What to enter instead of the value as written (`open(p) if p else nullcontext(sys.stdin)`). */
  entered?: { text: string; edits: TextEdit[] },
): Fix | undefined {
  const { file, model } = ctx;
  if (named.aliased) return undefined;
  const assignment = named.site.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== named.site.id)
    return undefined;
  const right = assignment.childForFieldName('right');
  if (!right || !sameExpression(right, creation.value)) return undefined;
  const statement = assignment.parent;
  const block = statement?.parent;
  if (statement?.type !== 'expression_statement' || block?.type !== 'block') return undefined;
  const fn = creation.owner.node;
  if (policy.isAsync && !isAsyncFunction(fn)) return undefined;

  // Everything that must stay inside the block: uses of the name and of values derived from it,
  // but for a second close in a handler of the `try` around it (closing twice is harmless).
  const region = regionNodes(model, named, creation, dataMethods)?.filter(
    (node) => policy.isAsync || !closedAgainInHandler(node, statement),
  );
  if (!region) return undefined;
  let last = statement;
  for (const node of region) {
    const top = statementIn(block, node);
    if (!top || top.startIndex < statement.startIndex) return undefined;
    if (top.startIndex > last.startIndex) last = top;
  }
  last = overOtherResources(ctx, block, statement, last, creation.owner);
  if (policy.vetoNamed?.(model, named, region)) return undefined;
  const remove = redundantReleases(block, statement, last, named.name, policy, region);
  const value = policy.enterCall ? unawaited(creation.value) : creation.value;
  const valueText = entered?.text ?? file.text.slice(value.startIndex, value.endIndex);
  const importEdits: TextEdit[] = [...(entered?.edits ?? [])];
  if (policy.manage === 'try-finally') {
    const firstBody = nextStatement(statement);
    if (!firstBody || firstBody.startIndex > last.startIndex || !policy.finallyCall) return undefined;
    const awaitPrefix = policy.isAsync ? 'await ' : '';
    const edit = wrapInTryFinally(
      file,
      firstBody,
      last,
      [`${awaitPrefix}${named.name}.${policy.finallyCall}`],
      remove,
    );
    if (!edit) return undefined;
    return {
      title: `Release \`${named.name}\` in \`finally\``,
      edits: [edit],
      applicability: 'safe',
      isPreferred: true,
    };
  }
  const managed = managedExpression(ctx, creation, policy, valueText, importEdits);
  if (!managed) return undefined;
  const keyword = policy.isAsync ? 'async with' : 'with';
  const edit = wrapStatements({
    file,
    first: statement,
    last,
    mode: 'replace-first',
    header: `${keyword} ${managed} as ${named.name}:`,
    remove,
  });
  if (!edit) return undefined;
  const how = policy.manage === 'closing' ? `${keyword} closing(...)` : keyword;
  return {
    title: `Wrap \`${named.name}\` in \`${how}\``,
    edits: [...importEdits, edit],
    applicability: 'safe',
    isPreferred: true,
  };
}

/**
 * `si = open(a)`, `so = open(b)`, `use(si)`, `use(so)`: a block for `si` ending at its last use
 * would take `so`'s creation in and leave `so`'s uses after it, where no block can reach both.
 * The block goes on to the last use of every resource made inside it (of the rule's own), which
 * then gets a block of its own inside this one. Only closes `si` later.
 */
function overOtherResources(ctx: FixContext, block: Node, first: Node, last: Node, owner: Scope): Node {
  let end = last;
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of block.namedChildren) {
      if (!s || s.startIndex <= first.startIndex || s.startIndex > end.startIndex) continue;
      const assignment = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
      const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
      const value = assignment?.childForFieldName('right');
      if (target?.type !== 'identifier' || value?.type !== 'call' || !ctx.policyOf?.(value)) continue;
      const binding = ctx.model.resolve(target);
      if (binding?.scope !== owner) continue;
      for (const ref of ctx.model.references(binding)) {
        const top = statementIn(block, ref.node);
        if (top && top.startIndex > end.startIndex) {
          end = top;
          changed = true;
        }
      }
    }
  }
  return end;
}

/**
 * `f = open(p) if p != "-" else sys.stdin`: `with (open(p) if p != "-" else nullcontext(sys.stdin))
 * as f:` — the file is closed, the other value is entered as is and left open, as before.
 */
function wrapConditional(
  ctx: FixContext,
  creation: Creation,
  named: NamedResource,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
): Fix | undefined {
  const { file, model } = ctx;
  const right =
    named.site.parent?.type === 'assignment' ? named.site.parent.childForFieldName('right') : null;
  if (right?.type !== 'conditional_expression' || policy.isAsync) return undefined;
  const [whenTrue, condition, whenFalse] = right.namedChildren;
  if (!whenTrue || !condition || !whenFalse) return undefined;
  const made = sameExpression(whenTrue, creation.value)
    ? whenTrue
    : sameExpression(whenFalse, creation.value)
      ? whenFalse
      : undefined;
  const other = made === whenTrue ? whenFalse : whenTrue;
  if (!made || other.descendantsOfType('call').length > 0 || other.text.includes('\n')) return undefined;
  const nullcontext = ensureMemberImport(
    file,
    model,
    'contextlib',
    'nullcontext',
    topLevelStatement(creation.call).startIndex,
  );
  if (shadowedLocally(creation.owner, nullcontext.name.split('.')[0])) return undefined;
  const wrapped = `${nullcontext.name}(${other.text})`;
  const text =
    made === whenTrue
      ? `(${made.text} if ${condition.text} else ${wrapped})`
      : `(${wrapped} if ${condition.text} else ${made.text})`;
  return wrapNamed(ctx, { ...creation, value: right, conditional: false }, named, policy, dataMethods, {
    text,
    edits: nullcontext.edits,
  });
}

/** `await x` → `x`. */
function unawaited(value: Node): Node {
  return value.type === 'await' ? (value.namedChildren[0] ?? value) : value;
}

/** `(x)` and `x` are the same expression. */
function sameExpression(a: Node, b: Node): boolean {
  let n: Node | null = a;
  while (n?.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChildren[0];
  return n?.id === b.id;
}

function nextStatement(statement: Node): Node | undefined {
  let s = statement.nextNamedSibling;
  while (s && s.type === 'comment') s = s.nextNamedSibling;
  return s ?? undefined;
}

/**
 * The nodes that must stay inside the new block: every later reference of the name, and of names
 * assigned from expressions that use it (`cur = conn.cursor()`, `reader = csv.reader(f)`).
 * Undefined when the name is rebound or deleted there, or used before its creation in a loop.
 */
function regionNodes(
  model: SemanticModel,
  named: NamedResource,
  creation: Creation,
  dataMethods: ReadonlySet<string>,
): Node[] | undefined {
  const nodes: Node[] = [];
  const queue: { refs: NamedResource['refs']; depth: number }[] = [{ refs: named.refs, depth: 0 }];
  const seen = new Set([named.binding]);
  while (queue.length > 0) {
    const item = queue.shift();
    if (!item) break;
    for (const ref of item.refs) {
      if (ref.node.startIndex < named.site.startIndex) return undefined;
      if (ref.context !== 'load') return undefined;
      nodes.push(ref.node);
      for (const target of derivedTargets(model, ref.node, dataMethods)) {
        const binding = model.resolve(target);
        if (!binding || binding.scope !== creation.owner || seen.has(binding)) continue;
        if (item.depth >= 4) return undefined;
        seen.add(binding);
        queue.push({
          refs: relevantReferences(model, binding, target, creation.owner),
          depth: item.depth + 1,
        });
      }
    }
  }
  return nodes;
}

/**
 * Names bound by the statement that uses `node` in its value: `cur = conn.cursor()`,
 * `with conn.cursor() as cur`. A value produced by a data method (`rows = conn.execute(q).fetchall()`)
 * keeps no reference to the resource and is not followed.
 */
function derivedTargets(model: SemanticModel, node: Node, dataMethods: ReadonlySet<string>): Node[] {
  let current = node;
  for (let i = 0; i < 16; i++) {
    const use = useOf(current);
    if (use.kind === 'argument' && isNonRetainingCall(model, use.call)) return [];
    if (use.kind === 'method') {
      if (dataMethods.has(use.method)) return [];
      current = use.call;
    } else if (use.kind === 'attribute' && i === 0 && isPlainDataAttribute(use.attribute)) {
      // `status = resp.status`: a plain value, nothing of the resource goes with it.
      return [];
    } else if (use.kind === 'attribute' || use.kind === 'subscript-load') {
      current = use.node;
    } else {
      break;
    }
  }
  const result: Node[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      const right = p.childForFieldName('right');
      if (right && contains(right, node)) collectIdentifiers(p.childForFieldName('left'), result);
    } else if (p.type === 'named_expression') {
      const value = p.childForFieldName('value');
      if (value && contains(value, node)) collectIdentifiers(p.childForFieldName('name'), result);
    } else if (p.type === 'with_item') {
      const value = p.childForFieldName('value');
      if (value?.type === 'as_pattern') collectIdentifiers(value.childForFieldName('alias'), result);
    }
    if (p.type === 'block' || p.type === 'module' || p.type === 'function_definition' || p.type === 'lambda')
      break;
  }
  return result;
}

function collectIdentifiers(node: Node | null, out: Node[]): void {
  if (!node) return;
  if (node.type === 'identifier') {
    out.push(node);
    return;
  }
  if (node.type === 'attribute' || node.type === 'subscript') return;
  for (const c of node.namedChildren) collectIdentifiers(c, out);
}

/**
 * `conn.close()` (a statement of its own) in an `except` handler of a `try` whose body holds
 * `statement`: `try: conn = socket(); …; conn.close()` / `except OSError: conn.close()`. Once the
 * `with` has closed the resource, the handler's `close()` finds it closed, which `close()` of a
 * file, socket, response or DB-API connection accepts.
 */
function closedAgainInHandler(node: Node, statement: Node): boolean {
  const closeStatement = closeOf(node) ?? guardedCloseOf(node);
  if (!closeStatement) return false;
  for (let p = closeStatement.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return false;
    if (p.type !== 'except_clause') continue;
    const body = p.parent?.type === 'try_statement' ? p.parent.childForFieldName('body') : null;
    if (body && contains(body, statement)) return true;
  }
  return false;
}

/** The statement `node.close()` when `node` is its receiver. */
function closeOf(node: Node): Node | undefined {
  const method = node.parent;
  const call = method?.parent;
  if (method?.type !== 'attribute' || method.childForFieldName('object')?.id !== node.id) return undefined;
  if (method.childForFieldName('attribute')?.text !== 'close' || call?.type !== 'call') return undefined;
  if (call.childForFieldName('arguments')?.namedChildCount !== 0) return undefined;
  return call.parent?.type === 'expression_statement' ? call.parent : undefined;
}

/** `if conn: conn.close()` when `node` is the tested name: the `if`. */
function guardedCloseOf(node: Node): Node | undefined {
  const ifStatement = node.parent;
  if (ifStatement?.type !== 'if_statement' || ifStatement.childForFieldName('condition')?.id !== node.id)
    return undefined;
  const body = ifStatement
    .childForFieldName('consequence')
    ?.namedChildren.filter((c) => c?.type !== 'comment');
  if (ifStatement.namedChildCount !== 2 || body?.length !== 1) return undefined;
  const close = body[0]?.namedChildren[0]?.childForFieldName('function')?.childForFieldName('object');
  return close?.text === node.text && closeOf(close) ? ifStatement : undefined;
}

/** The statement directly in `block` that contains `node`, if any. */
function statementIn(block: Node, node: Node): Node | undefined {
  let current = node;
  while (current.parent && current.parent.id !== block.id) current = current.parent;
  return current.parent?.id === block.id ? current : undefined;
}

/**
 * `x.close()` / `await x.aclose()` statements directly in the wrapped run that nothing in the run
 * uses the resource after: the end of the block does the same there. (A close followed by more
 * uses — `con.close()` then `cur.execute()` expecting an error — stays where it is.)
 */
function redundantReleases(
  block: Node,
  first: Node,
  last: Node,
  name: string,
  policy: FixPolicy,
  region: Node[],
): Node[] {
  const result: Node[] = [];
  for (const s of block.namedChildren) {
    if (!s || s.startIndex <= first.startIndex || s.startIndex > last.startIndex) continue;
    if (s.type !== 'expression_statement' || s.namedChildCount !== 1) continue;
    let expr = s.namedChildren[0];
    if (expr?.type === 'await') expr = expr.namedChildren[0];
    if (expr?.type !== 'call') continue;
    const fn = expr.childForFieldName('function');
    const receiver = fn?.childForFieldName('object');
    const method = fn?.childForFieldName('attribute')?.text;
    if (fn?.type !== 'attribute' || receiver?.type !== 'identifier' || receiver.text !== name || !method)
      continue;
    if (!policy.redundant.has(method)) continue;
    const args = expr.childForFieldName('arguments');
    const argText = args?.text.replace(/\s+/g, '') ?? '()';
    const releasedAs = `${method}${argText}`;
    const same = policy.finallyCall?.replace(/\s+/g, '') === releasedAs;
    if (argText !== '()' && argText !== '(wait=True)' && argText !== '(True)' && !same) continue;
    if (region.some((n) => n.startIndex >= s.endIndex)) continue;
    result.push(s);
  }
  return result;
}

/** The expression to put after `with`: the value itself or `closing(value)` (adding the import). */
function managedExpression(
  ctx: FixContext,
  creation: Creation,
  policy: FixPolicy,
  valueText: string,
  importEdits: TextEdit[],
): string | undefined {
  if (policy.manage === 'with') return valueText;
  if (policy.manage !== 'closing') return undefined;
  const closing = closingName(ctx, creation);
  if (!closing) return undefined;
  importEdits.push(...closing.edits);
  return `${closing.name}(${valueText})`;
}

function closingName(ctx: FixContext, creation: Creation): { name: string; edits: TextEdit[] } | undefined {
  const { file, model } = ctx;
  const before = topLevelStatement(creation.call).startIndex;
  const member = ensureMemberImport(file, model, 'contextlib', 'closing', before);
  const root = member.name.split('.')[0];
  if (!shadowedLocally(creation.owner, root)) return member;
  const module = ensureModuleImport(file, model, 'contextlib', before);
  if (shadowedLocally(creation.owner, module.name.split('.')[0])) return undefined;
  return { name: `${module.name}.closing`, edits: module.edits };
}

/** Whether `name` is bound in a function/class scope between `scope` and the module. */
function shadowedLocally(scope: Scope, name: string): boolean {
  for (let s: Scope | undefined = scope; s && s.kind !== 'module'; s = s.parent) {
    if (s.lookupLocal(name)) return true;
  }
  return false;
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

// ---------------------------------------------------------------------------------------------
// Inline resources

/** Whether `node`, a value that holds the resource, outlives its statement (`cur = connect().cursor()`). */
function outlivesStatement(
  node: Node,
  dataMethods: ReadonlySet<string>,
  model: SemanticModel,
  depth = 0,
): boolean {
  if (depth > 4) return true;
  const { use } = flowOf(node);
  switch (use.kind) {
    case 'assigned-to':
    case 'return':
    case 'yield':
    case 'stored-in':
      return true;
    case 'method':
      if (dataMethods.has(use.method)) return false;
      return outlivesStatement(use.call, dataMethods, model, depth + 1);
    case 'argument':
      if (ITERATING_WRAPPERS.has(model.calleeName(use.call) ?? ''))
        return outlivesStatement(use.call, dataMethods, model, depth + 1);
      return false;
    default:
      return false;
  }
}

/** Whether what an inline leak produces can still reach the resource after the statement. */
function inlineOutlives(leak: Leak, dataMethods: ReadonlySet<string>, model: SemanticModel): boolean {
  if (leak.kind === 'chained')
    return !dataMethods.has(leak.method) && outlivesStatement(leak.chainCall, dataMethods, model);
  if (leak.kind === 'consumed') {
    return (
      ITERATING_WRAPPERS.has(model.calleeName(leak.consumer) ?? '') &&
      outlivesStatement(leak.consumer, dataMethods, model)
    );
  }
  // A loop runs within its statement; a generator expression is refused by `hoistTarget`.
  return leak.kind !== 'iterated';
}

function wrapInline(ctx: FixContext, creation: Creation, policy: FixPolicy): Fix | undefined {
  const { file, model } = ctx;
  if (policy.manage !== 'with' && policy.manage !== 'closing') return undefined;
  const value = creation.value;
  const hoisted = hoistTarget(value);
  if (!hoisted) return undefined;
  const { statement, reordered } = hoisted;
  const fn = creation.owner.node;
  if (policy.isAsync && !isAsyncFunction(fn)) return undefined;
  if (creation.owner.kind !== 'function') return undefined;
  const name = freshName(model, creation.owner, policy.suggestedName);
  const entered = policy.enterCall ? unawaited(value) : value;
  const valueText = oneLine(file.text.slice(entered.startIndex, entered.endIndex));
  const importEdits: TextEdit[] = [];
  const managed = managedExpression(ctx, creation, policy, valueText, importEdits);
  if (!managed) return undefined;
  const keyword = policy.isAsync ? 'async with' : 'with';
  // `(open(p)).read()` → `f.read()`: replace the parentheses too.
  let replaced = value;
  while (replaced.parent?.type === 'parenthesized_expression' && replaced.parent.namedChildCount === 1)
    replaced = replaced.parent;
  const edit = wrapStatements({
    file,
    first: statement,
    last: statement,
    mode: 'insert',
    header: `${keyword} ${managed} as ${name}:`,
    replacements: [{ start: replaced.startIndex, end: replaced.endIndex, text: name }],
  });
  if (!edit) return undefined;
  const shown = policy.manage === 'closing' ? 'closing(…)' : '…';
  return {
    // Calls written before the resource now run after it is made (a file opened before
    // `data.dict()` is computed is created even when that raises): unsafe.
    title: `Use \`${keyword} ${shown} as ${name}:\`${reordered ? `, made before ${reordered} runs` : ''}`,
    edits: [...importEdits, edit],
    applicability: reordered ? 'unsafe' : 'safe',
    isPreferred: true,
  };
}

/** A call written over several lines, on one line for a `with` header (unless a string spans lines). */
function oneLine(text: string): string {
  // A comment inside would swallow the code joined after it; a string could span lines.
  if (!text.includes('\n') || /\\|'''|"""|#/.test(text)) return text;
  return text
    .replace(/([([{])\s*\n\s*/g, '$1')
    .replace(/\s*\n\s*([)\]}])/g, '$1')
    .replace(/\s*\n\s*/g, ' ');
}

/**
 * The statement an inline resource can be hoisted out of into a `with` header: a simple statement
 * (or a `for` whose iterable holds it) where the resource is evaluated exactly once, and nothing
 * with side effects is evaluated before it.
 */
function hoistTarget(value: Node): { statement: Node; reordered?: string } | undefined {
  let statement: Node = value;
  while (statement.parent && statement.parent.type !== 'block' && statement.parent.type !== 'module')
    statement = statement.parent;
  if (statement.parent?.type !== 'block' || !WRAPPABLE_STATEMENTS.has(statement.type)) return undefined;
  for (let p = value.parent; p && p.id !== statement.id; p = p.parent) {
    if (NOT_HOISTABLE.has(p.type) && !inFirstIterable(p, value)) return undefined;
    if (p.type === 'boolean_operator') {
      const left = p.childForFieldName('left');
      if (!left || !contains(left, value)) return undefined;
    }
  }
  let evaluated: Node | null = statement;
  if (statement.type === 'for_statement') {
    evaluated = statement.childForFieldName('right');
    if (!evaluated || !contains(evaluated, value)) return undefined;
  } else if (statement.type === 'expression_statement') {
    const expr = statement.namedChildren[0];
    if (expr?.type === 'assignment') evaluated = expr.childForFieldName('right');
  }
  if (!evaluated) return undefined;
  // Calls and awaits evaluated before the resource would now run after it. (A comprehension's
  // element and conditions come first in the text but run after its first iterable.)
  const comprehensions: Node[] = [];
  for (let p = value.parent; p && p.id !== statement.id; p = p.parent)
    if (inFirstIterable(p, value)) comprehensions.push(p);
  let reordered: string | undefined;
  for (const n of evaluated.descendantsOfType(['call', 'await'])) {
    if (!n?.isNamed || n.endIndex > value.startIndex) continue;
    if (comprehensions.some((c) => contains(c, n) && !contains(firstIterable(c) ?? c, n))) continue;
    // An await (or something spanning lines) cannot be named in a title; refuse those.
    if (n.type === 'await' || n.text.includes('\n') || n.text.length > 40) return undefined;
    reordered ??= `\`${n.text}\``;
  }
  return { statement, reordered };
}

/**
 * The first iterable of a list, set or dict comprehension is evaluated once, eagerly, before the
 * comprehension runs: it can move out. (A generator expression runs later, so it cannot.)
 */
function inFirstIterable(comprehension: Node, value: Node): boolean {
  const iterable = firstIterable(comprehension);
  if (!iterable || !contains(iterable, value)) return false;
  // A generator expression's first iterable is evaluated when it is created, but what it yields
  // later: only a value read to the end there (`open(p).readlines()`) may move out.
  if (comprehension.type !== 'generator_expression') return true;
  let chain: Node | null = value;
  while (chain?.parent?.type === 'parenthesized_expression') chain = chain.parent;
  return chain?.parent?.type === 'attribute' && unparenthesizedAt(iterable).type === 'call';
}

function unparenthesizedAt(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren[0]) n = n.namedChildren[0];
  return n;
}

function firstIterable(comprehension: Node): Node | undefined {
  if (
    !['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'].includes(
      comprehension.type,
    )
  )
    return undefined;
  const first = comprehension.namedChildren.find((c) => c?.type === 'for_in_clause');
  return first?.childForFieldName('right') ?? undefined;
}

/** A name not used anywhere in the function nor visible from it: `f`, `f2`, … */
export function freshName(_model: SemanticModel, owner: Scope, base: string): string {
  const text = owner.node.text;
  for (let i = 1; i < 100; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (new RegExp(`(?<![\\p{L}\\p{N}_])${name}(?![\\p{L}\\p{N}_])`, 'u').test(text)) continue;
    let visible = false;
    for (let s: Scope | undefined = owner; s; s = s.parent) if (s.lookupLocal(name)) visible = true;
    if (visible || BUILTIN_NAMES.has(name)) continue;
    return name;
  }
  return `${base}_${owner.node.startIndex}`;
}

const BUILTIN_NAMES = new Set([
  'open',
  'file',
  'id',
  'input',
  'iter',
  'map',
  'next',
  'type',
  'len',
  'list',
  'dict',
  'set',
]);

// ---------------------------------------------------------------------------------------------
// `with sqlite3.connect(p) as conn:` → `with closing(sqlite3.connect(p)) as conn, conn:`

function closeWithItem(
  ctx: FixContext,
  creation: Creation,
  withItem: Node,
  named: NamedResource,
  policy: FixPolicy,
  dataMethods: ReadonlySet<string>,
): Fix | undefined {
  if (policy.manage !== 'closing') return undefined;
  const pattern = withItem.childForFieldName('value');
  if (pattern?.type !== 'as_pattern' || !sameExpression(pattern.namedChildren[0] as Node, creation.value))
    return undefined;
  const withStatement = withItem.parent?.parent;
  const body = withStatement?.childForFieldName('body');
  if (withStatement?.type !== 'with_statement' || !body) return undefined;
  const importEdits: TextEdit[] = [];
  const valueText = ctx.file.text.slice(creation.value.startIndex, creation.value.endIndex);
  const managed = managedExpression(ctx, creation, policy, valueText, importEdits);
  if (!managed) return undefined;
  // Used after the `with` too: an outer `with closing(...)` around it and those uses, the inner
  // `with conn:` keeping the transaction.
  if (named.refs.some((r) => !contains(body, r.node))) {
    const block = withStatement.parent;
    const region = regionNodes(ctx.model, named, creation, dataMethods);
    if (block?.type !== 'block' || !region) return undefined;
    let last = withStatement;
    for (const node of region) {
      const top = statementIn(block, node);
      if (!top || top.startIndex < withStatement.startIndex) return undefined;
      if (top.startIndex > last.startIndex) last = top;
    }
    const edit = wrapStatements({
      file: ctx.file,
      first: withStatement,
      last,
      mode: 'insert',
      header: `with ${managed} as ${named.name}:`,
      replacements: [{ start: pattern.startIndex, end: pattern.endIndex, text: named.name }],
    });
    if (!edit) return undefined;
    return {
      title: `Close \`${named.name}\` with \`contextlib.closing\` around its uses (keeping the transaction)`,
      edits: [...importEdits, edit],
      applicability: 'safe',
      isPreferred: true,
    };
  }
  const edit = replaceRange(
    ctx.file,
    pattern.startIndex,
    pattern.endIndex,
    `${managed} as ${named.name}, ${named.name}`,
  );
  return {
    title: `Close \`${named.name}\` with \`contextlib.closing\` (keeping the transaction)`,
    edits: [...importEdits, edit],
    applicability: 'safe',
    isPreferred: true,
  };
}
