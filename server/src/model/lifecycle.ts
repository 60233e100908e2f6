// The resource lifecycle analysis shared by LEAK004 (connections), LEAK006 (executors) and LEAK008
// (files): given the call that creates a resource inside a function, decide what happens to it.
//
//   released    `with`/`async with` (directly, via `contextlib.closing(...)`,
//               `ExitStack.enter_context`/`AsyncExitStack.enter_async_context`), or a release
//               call (close/aclose/dispose/shutdown/terminate…) in a `finally` that follows the
//               creation, or in an `except` handler plus on the normal path.
//   handed on   returned, stored on an attribute/global/container, passed to a call that may keep
//               it, captured by a closure, its release method registered as a callback
//               (`atexit.register(x.close)`, `weakref.finalize(o, x.close)`, `addCleanup`…).
//   leaked      none of that: never released, released only on the normal path, used once in a
//               chain (`open(p).read()`), passed inline to a call that neither keeps nor closes it
//               (`json.load(open(p))`), discarded, or a `with` that does not release it.
//
// A straight-line release (`f = open(p)` … `f.close()` with no `try`) is reported as the milder
// "normal path only" leak: an exception between the two skips the release. The one exception is a
// release with nothing between it and the creation that can raise (only `pass`, docstrings and
// assignments of names or literals), which is as good as `finally`.
//
// When in doubt the analysis answers `unknown` or `handed-on`, which the rules keep silent on: a
// false positive costs more trust than a missed leak.
import type { Node } from '../parser';
import {
  cannotRaise,
  catchesEverything,
  contains,
  enclosingLoop,
  inertBetween,
  isPresenceTest,
  lastInTryWithHandler,
  runsOnlyWhenDead,
  runsWheneverReached,
  statementNode,
} from './control-flow';
import { attributeLifecycle } from './owned-attributes';
import { parentOf } from './parents';
import type { Binding, Reference, Scope, SemanticModel } from './semantic';
import { testDouble } from './test-doubles';
import { unparenthesizedParent, useOf } from './usage';
import {
  argumentUse,
  attributeKeepsAlive,
  closureScope,
  ENTER_METHODS,
  EXIT_METHODS,
  escapes,
  flowOf,
  isAssignmentTarget,
  MAX_DEPTH,
  READ_TO_END,
} from './value-flow';

export { contains, enclosingLoop, statementNode } from './control-flow';
export { TEARDOWN_METHODS } from './owned-attributes';
export { flowOf, isNonRetainingCall } from './value-flow';

export interface ResourceKind {
  /** What the resource is, for messages: `connection`, `session`, `executor`, `file`… */
  noun: string;
  /** Releasing it, as a verb: `close`, `shut down`. */
  release: string;
  /** The same with the object: `close it`, `shut it down`. */
  releaseIt: string;
  /** The past participle: `closed`, `shut down`. */
  released: string;
  /** Methods that release it (`close`, `aclose`, `shutdown`…). */
  releaseMethods: ReadonlySet<string>;
  /**
   * Methods that release it when called in a loop, again until they report it done (a `Popen`'s
   * `poll()` reaps the child once it has exited: `while p.poll() is None: sleep(1)` waits for it).
   */
  loopReleaseMethods?: ReadonlySet<string>;
  /** Whether `with obj:` releases it (false for sqlite3/psycopg2 connections: transaction only). */
  withReleases: boolean;
  /** Methods whose result keeps no reference to the resource (`read`, `fetchall`, `get`…). */
  dataMethods: ReadonlySet<string>;
  /**
   * Whether its attributes and items are objects that keep it alive (`client.mydb`,
   * `client["db"]` of a MongoClient); a file's attributes (`f.name`) are plain data.
   */
  attributesKeepAlive?: boolean;
  /** A call that receives the resource inline and neither keeps nor closes it (`json.load(open(p))`). */
  isInlineConsumer?(model: SemanticModel, call: Node, keyword: string | undefined): boolean;
  /**
   * Attributes that are resources of their own held by this one (`proc.stdout`): when such an
   * attribute escapes, the resource is handed on. (Any attribute does when `attributesKeepAlive`.)
   */
  keepAliveAttributes?: ReadonlySet<string>;
  /**
   * Reading it to the end releases it (`urlopen()` responses close their socket, `fileinput`
   * closes its last file): iterating over it, or passing it to a reader that reads everything
   * (`json.load`, `shutil.copyfileobj`), counts as a release.
   */
  readToEndReleases?: boolean;
  /**
   * Methods that give back what the resource holds without closing it (an ORM session's
   * `commit()`/`rollback()` return its connection to the pool): one counts as a release when
   * nothing but releases uses the resource after it.
   */
  finishingMethods?: ReadonlySet<string>;
  /**
   * For a resource that holds nothing until used (an SQLAlchemy engine connects on the first
   * query): whether the use at `node` (a reference to it) may acquire something. A resource with
   * no such use is never a leak.
   */
  mayAcquire?(model: SemanticModel, node: Node): boolean;
  /**
   * Methods that return the resource itself (SQLAlchemy's `conn.execution_options(...)`): the
   * creation is followed through them (`with engine.connect().execution_options(...) as conn:`).
   */
  sameObjectMethods?: ReadonlySet<string>;
}

/**
 * Where a release runs: `finally`, a handler that catches everything (`except:`,
 * `except Exception:`), a handler for some exceptions only (`except ValueError:`), or the
 * normal path.
 */
export type ReleasePlace = 'finally' | 'except' | 'narrow-except' | 'normal';

export interface ReleaseSite {
  /** The release call (`conn.close()`). */
  call: Node;
  place: ReleasePlace;
}

/** The creation being analysed and the function it runs in. */
export interface Creation {
  /** The factory call. */
  call: Node;
  /** The value the code receives: the call, or `await call` for awaited factories. */
  value: Node;
  /** The function (or lambda) whose frame runs the creation. */
  owner: Scope;
  /** The value reaches its destination only on some paths (`x = open(p) if p else None`). */
  conditional: boolean;
}

/** A resource bound to a local name (`conn = sqlite3.connect(p)`). */
export interface NamedResource {
  name: string;
  binding: Binding;
  /** The identifier the creation binds. */
  site: Node;
  /** References that follow the creation (loads, stores, dels), in source order. */
  refs: Reference[];
  releases: ReleaseSite[];
  /** `with name:` items that do not release it (sqlite3). */
  withoutRelease: Node[];
  /** The resource is also reachable through another local name (`g = f`). */
  aliased: boolean;
}

export type Leak =
  | { kind: 'never-released'; named: NamedResource }
  | { kind: 'normal-path-only'; named: NamedResource }
  | { kind: 'released-after-yield'; named: NamedResource; yieldNode: Node }
  | { kind: 'yielded-never-released'; named: NamedResource; yieldNode: Node }
  | { kind: 'with-no-release'; withItem: Node; named?: NamedResource }
  | { kind: 'chained'; method: string; chainCall: Node }
  | { kind: 'iterated'; loop: Node }
  | { kind: 'consumed'; consumer: Node }
  | { kind: 'discarded'; statement: Node }
  | { kind: 'attribute-not-released'; target: Node; attribute: string; teardown: Node; className: string }
  /** Stored on `self` of objects made again and again, in a class with no method that could release it. */
  | { kind: 'owner-never-releases'; target: Node; attribute: string; className: string; made: string };

export type Lifecycle =
  | { state: 'out-of-scope' } // module level or class body: import-time singletons
  | { state: 'unknown' }
  | { state: 'released'; how: string; node: Node }
  | { state: 'handed-on'; how: string; node: Node }
  | { state: 'leaked'; creation: Creation; leak: Leak };

/** Analyse the resource created by `call`. */
export function analyzeLifecycle(model: SemanticModel, call: Node, kind: ResourceKind): Lifecycle {
  const scope = model.scopeOf(call);
  if (!scope.isRuntime) return { state: 'out-of-scope' };
  const double = testDouble(model, call);
  if (double) return { state: 'handed-on', how: double, node: call };
  let owner: Scope = scope;
  while (owner.kind === 'comprehension' && owner.parent) owner = owner.parent;
  let value = call;
  const awaited = unparenthesizedParent(call);
  if (awaited.parent?.type === 'await') value = awaited.parent;
  let flow = flowOf(value);
  for (let i = 0; i < 4 && flow.use.kind === 'method' && kind.sameObjectMethods?.has(flow.use.method); i++) {
    value = flow.use.call;
    flow = flowOf(value);
  }
  const creation: Creation = { call, value, owner, conditional: flow.conditional };
  const leaked = (leak: Leak): Lifecycle => ({ state: 'leaked', creation, leak });
  const use = flow.use;
  switch (use.kind) {
    case 'with':
      if (kind.withReleases) return { state: 'released', how: 'with', node: use.node };
      return withoutRelease(model, creation, use.node, kind);
    case 'return':
      return { state: 'handed-on', how: 'returned', node: use.node };
    case 'yield':
      return { state: 'handed-on', how: 'yielded', node: use.node };
    case 'stored-in':
      return { state: 'handed-on', how: 'stored in a container', node: use.node };
    case 'await':
      return { state: 'unknown' };
    case 'argument': {
      const verdict = argumentUse(model, use.call, kind, flow.node, use.keyword);
      if (verdict === 'managed') return { state: 'released', how: 'context manager', node: use.call };
      if (verdict === 'releases') return { state: 'released', how: 'released by a helper', node: use.call };
      if (readsToEnd(model, kind, use.call, verdict))
        return { state: 'released', how: 'read to the end', node: use.call };
      if (kind.isInlineConsumer?.(model, use.call, use.keyword))
        return leaked({ kind: 'consumed', consumer: use.call });
      if (verdict === 'neutral') return leaked({ kind: 'consumed', consumer: use.call });
      if (verdict === 'wrapped' && !escapes(model, use.call, kind, 0))
        return leaked({ kind: 'consumed', consumer: use.call });
      return { state: 'handed-on', how: 'passed to a call', node: use.call };
    }
    case 'method': {
      if (kind.releaseMethods.has(use.method) || EXIT_METHODS.has(use.method))
        return { state: 'released', how: 'released at once', node: use.call };
      if (ENTER_METHODS.has(use.method))
        return { state: 'handed-on', how: 'entered by hand', node: use.call };
      if (!kind.dataMethods.has(use.method) && escapes(model, use.call, kind, 0)) {
        return { state: 'handed-on', how: 'derived value escapes', node: use.call };
      }
      return leaked({ kind: 'chained', method: use.method, chainCall: use.call });
    }
    case 'assigned-to':
      return assignedTo(model, creation, use.target, kind);
    case 'other': {
      const parent = use.node;
      if (parent.type === 'expression_statement') {
        // `try: open(p)` / `except OSError:` probes whether it can be opened.
        if (lastInTryWithHandler(parent)) return { state: 'handed-on', how: 'probe', node: parent };
        // An engine nobody uses never connects.
        if (kind.mayAcquire) return { state: 'released', how: 'never acquires anything', node: parent };
        return leaked({ kind: 'discarded', statement: parent });
      }
      // `for line in open(p):`, `[l for l in open(p)]`: iterated once, never closed.
      if (
        (parent.type === 'for_statement' || parent.type === 'for_in_clause') &&
        isField(parent, 'right', flow.node)
      ) {
        if (kind.readToEndReleases) return { state: 'released', how: 'read to the end', node: parent };
        return leaked({ kind: 'iterated', loop: parent });
      }
      if (parent.type === 'named_expression') {
        const name = parent.childForFieldName('name');
        if (name) return assignedTo(model, creation, name, kind);
      }
      return { state: 'unknown' };
    }
    default:
      return { state: 'unknown' };
  }
}

/** `with sqlite3.connect(p) as conn:` — the with manages a transaction only. */
function withoutRelease(
  model: SemanticModel,
  creation: Creation,
  withItem: Node,
  kind: ResourceKind,
): Lifecycle {
  const leaked = (named?: NamedResource): Lifecycle => ({
    state: 'leaked',
    creation,
    leak: { kind: 'with-no-release', withItem, named },
  });
  const pattern = withItem.childForFieldName('value');
  const alias =
    pattern?.type === 'as_pattern' ? pattern.childForFieldName('alias')?.namedChildren[0] : undefined;
  if (!alias) return leaked();
  if (alias.type !== 'identifier') return { state: 'unknown' };
  const binding = model.resolve(alias);
  if (!binding || binding.scope !== creation.owner)
    return { state: 'handed-on', how: 'bound to a non-local name', node: alias };
  const result = namedLifecycle(model, creation, binding, alias, kind);
  if (result.state !== 'leaked') return result;
  if (result.leak.kind === 'never-released' || result.leak.kind === 'with-no-release') {
    return leaked(result.leak.named);
  }
  return result;
}

/** The value is assigned: to a local name, `self.attr`, a global, a subscript… */
function assignedTo(model: SemanticModel, creation: Creation, target: Node, kind: ResourceKind): Lifecycle {
  if (target.type === 'identifier') {
    // `a = b = open(p)`: the outer assignment also receives it.
    const assignment = target.parent;
    if (assignment?.type === 'assignment' && assignment.parent?.type === 'assignment') {
      return { state: 'handed-on', how: 'assigned to several targets', node: assignment };
    }
    const binding = model.resolve(target);
    if (!binding || binding.scope !== creation.owner) {
      return { state: 'handed-on', how: 'stored in a global', node: target };
    }
    return namedLifecycle(model, creation, binding, target, kind);
  }
  if (target.type === 'attribute') return attributeLifecycle(model, creation, target, kind);
  if (target.type === 'subscript') return { state: 'handed-on', how: 'stored in a container', node: target };
  return { state: 'unknown' };
}

interface Gathered {
  managed?: Node;
  handedOn?: { how: string; node: Node };
  releases: ReleaseSite[];
  withoutRelease: Node[];
  yields: Node[];
  aliased: boolean;
}

/** Everything that happens to the resource through the local `binding`, bound at `site`. */
function namedLifecycle(
  model: SemanticModel,
  creation: Creation,
  binding: Binding,
  site: Node,
  kind: ResourceKind,
): Lifecycle {
  const refs = relevantReferences(model, binding, site, creation.owner);
  const gathered: Gathered = { releases: [], withoutRelease: [], yields: [], aliased: false };
  gather(model, refs, binding, kind, gathered, 0, new Set([binding]));
  const named: NamedResource = {
    name: binding.name,
    binding,
    site,
    refs,
    releases: gathered.releases,
    withoutRelease: gathered.withoutRelease,
    aliased: gathered.aliased,
  };
  const leaked = (leak: Leak): Lifecycle => ({ state: 'leaked', creation, leak });
  if (gathered.managed) return { state: 'released', how: 'context manager', node: gathered.managed };
  // `try: zf = ZipFile(p)` / `except BadZipFile: …` with `zf` never used: a probe expected to fail.
  if (refs.length === 0 && lastInTryWithHandler(statementNode(site)))
    return { state: 'handed-on', how: 'probe', node: site };
  // A release in the same handler as the creation (`except IOError: fp = open(p, "w"); fp.close()`)
  // runs on that handler's own normal path.
  for (const release of gathered.releases)
    if (release.place === 'except' || release.place === 'narrow-except')
      release.place = placeOf(release.call, binding, statementNode(site));
  const finallyRelease = gathered.releases.find((r) => r.place === 'finally');
  if (finallyRelease) return { state: 'released', how: 'finally', node: finallyRelease.call };
  const normal = gathered.releases.filter((r) => r.place === 'normal');
  const except = gathered.releases.filter((r) => r.place === 'except');
  if (normal.length > 0 && except.length > 0)
    return { state: 'released', how: 'every path', node: normal[0].call };
  // `p.communicate(); return p`: what is returned has been released already (a finished process,
  // a closed file): the caller gets nothing to release, so judge the releases here.
  // (A release in a branch that raises, `if bad: zf.close(); raise …`, leaves the returned one open.)
  const handedOn = gathered.handedOn;
  const returnedReleased =
    handedOn?.how === 'returned' &&
    normal.some((r) => {
      const block = statementNode(r.call).parent;
      return !!block && contains(block, handedOn.node) && r.call.endIndex <= handedOn.node.startIndex;
    });
  if (handedOn && !returnedReleased) return { state: 'handed-on', ...handedOn };
  if (gathered.yields.length > 0) {
    const yieldNode = gathered.yields[0];
    // pytest resumes a fixture for its teardown whatever the test did: the release runs.
    if (gathered.releases.length > 0 && isPytestFixture(creation.owner.node))
      return { state: 'released', how: 'fixture teardown', node: gathered.releases[0].call };
    if (gathered.releases.length > 0) return leaked({ kind: 'released-after-yield', named, yieldNode });
    if (isSingleYieldGenerator(model, creation.owner, yieldNode)) {
      return leaked({ kind: 'yielded-never-released', named, yieldNode });
    }
    return { state: 'handed-on', how: 'yielded', node: yieldNode };
  }
  // An engine that never connects holds no connection.
  if (
    kind.mayAcquire &&
    !gathered.aliased &&
    !refs.some((r) => r.context === 'load' && kind.mayAcquire?.(model, r.node))
  )
    return { state: 'released', how: 'never acquires anything', node: site };
  if (gathered.releases.length > 0) {
    if (nothingRaisesBefore(site, normal))
      return { state: 'released', how: 'straight line', node: normal[0].call };
    return leaked({ kind: 'normal-path-only', named });
  }
  if (gathered.withoutRelease.length > 0) return leaked({ kind: 'never-released', named });
  return leaked({ kind: 'never-released', named });
}

/**
 * References of `binding` that can see the value bound at `site`: those after it, up to the next
 * store that always runs after it, plus earlier ones in a loop around it (the next iteration).
 */
export function relevantReferences(
  model: SemanticModel,
  binding: Binding,
  site: Node,
  owner: Scope,
): Reference[] {
  const siteStatement = statementNode(site);
  const creatingPart =
    siteStatement.type === 'with_statement'
      ? (siteStatement.namedChildren.find((c) => c?.type === 'with_clause') ?? siteStatement)
      : siteStatement;
  const loop = enclosingLoop(site, owner.node);
  const result: Reference[] = [];
  let killedAt = Number.POSITIVE_INFINITY;
  const all = model
    .references(binding)
    .slice()
    .sort((a, b) => a.node.startIndex - b.node.startIndex);
  // `for …: s = None` / `s = make()`: the store that starts each iteration ends the last value;
  // earlier uses in the loop from that store on see the new value, not this one. (None such:
  // every earlier use in the loop sees this value, in the next iteration.)
  let loopStart = Number.POSITIVE_INFINITY;
  for (const ref of all) {
    if (!loop || ref.node.startIndex >= site.startIndex || ref.context !== 'store') continue;
    if (contains(loop, ref.node) && dominates(ref.node, site)) loopStart = ref.node.startIndex;
  }
  for (const ref of all) {
    if (ref.node.id === site.id) continue;
    const start = ref.node.startIndex;
    if (start >= killedAt) break;
    if (start < site.startIndex && start >= loopStart && loop && contains(loop, ref.node)) continue;
    if (start < site.startIndex) {
      // A nested function defined earlier runs later, when called: its uses count (`def drain():
      // executor.shutdown()` above `executor = ThreadPoolExecutor()`).
      if ((loop && contains(loop, ref.node)) || closureScope(ref.scope) !== closureScope(owner))
        result.push(ref);
      continue;
    }
    // Within the creating expression itself (`conn = conn or connect()`): not a later use. (For
    // `with make() as r:` only the header: the body is where the uses are.)
    if (contains(creatingPart, ref.node) && ref.context === 'load') continue;
    // `if xml: f = open(a) …` / `else: f = open(b) …`: the other branch never sees this value.
    if (inOtherBranch(site, ref.node, owner.node)) continue;
    if (ref.context === 'store' && dominates(ref.node, site)) {
      killedAt = start;
      continue;
    }
    result.push(ref);
  }
  return result;
}

/**
 * `node` is in another branch (`elif`/`else`) of an `if` whose branch holds `site`, and no loop
 * within `limit` repeats that `if` (a later iteration could take the other branch).
 */
function inOtherBranch(site: Node, node: Node, limit: Node): boolean {
  for (let p = parentOf(site); p && p.id !== limit.id; p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return false;
    if (p.type !== 'if_statement' || !contains(p, node)) continue;
    const siteBranch = branchOf(p, site);
    const nodeBranch = branchOf(p, node);
    if (!siteBranch || !nodeBranch || siteBranch.id === nodeBranch.id) return false;
    return !enclosingLoop(p, limit);
  }
  return false;
}

/** The consequence block, `elif` or `else` clause of `ifStatement` that holds `node`. */
function branchOf(ifStatement: Node, node: Node): Node | undefined {
  for (const child of ifStatement.namedChildren) {
    if (!child || !contains(child, node)) continue;
    const isBranch =
      child.type === 'elif_clause' ||
      child.type === 'else_clause' ||
      child.id === ifStatement.childForFieldName('consequence')?.id;
    return isBranch ? child : undefined;
  }
  return undefined;
}

/** A store at `store` always runs after `site` when its statement's block encloses `site`. */
function dominates(store: Node, site: Node): boolean {
  const block = statementNode(store).parent;
  return !!block && contains(block, site);
}

function gather(
  model: SemanticModel,
  refs: Reference[],
  binding: Binding,
  kind: ResourceKind,
  out: Gathered,
  depth: number,
  seen: Set<Binding>,
): void {
  for (const ref of refs) {
    if (ref.context === 'del') {
      // `del f`: the author drops the last reference on purpose (CPython closes it there).
      out.handedOn ??= { how: 'deleted', node: ref.node };
      continue;
    }
    if (ref.context !== 'load') continue;
    if (closureScope(ref.scope) !== closureScope(binding.scope)) {
      out.handedOn ??= { how: 'captured by a nested function', node: ref.node };
      continue;
    }
    const flow = flowOf(ref.node);
    const use = flow.use;
    switch (use.kind) {
      case 'method':
        if (kind.releaseMethods.has(use.method)) addRelease(out, use.call, binding);
        else if (kind.loopReleaseMethods?.has(use.method) && inLoopOf(use.call, binding.scope.node))
          addRelease(out, use.call, binding);
        else if (kind.finishingMethods?.has(use.method) && lastUse(ref, refs, kind))
          addRelease(out, use.call, binding);
        else if (ENTER_METHODS.has(use.method) || EXIT_METHODS.has(use.method)) out.managed ??= use.call;
        else if (!kind.dataMethods.has(use.method) && escapes(model, use.call, kind, depth + 1))
          out.handedOn ??= { how: 'derived value escapes', node: use.call };
        break;
      case 'attribute':
        // `atexit.register(conn.close)`, `self.addCleanup(f.close)`, `cb = pool.shutdown`.
        if (kind.releaseMethods.has(use.attribute) && !isAssignmentTarget(use.node))
          out.handedOn ??= { how: 'release registered as a callback', node: use.node };
        else if (
          attributeKeepsAlive(kind, use.attribute) &&
          !isAssignmentTarget(use.node) &&
          !pipedIntoChild(use.node) &&
          escapes(model, use.node, kind, depth + 1)
        )
          out.handedOn ??= { how: 'an attribute that keeps it alive escapes', node: use.node };
        break;
      case 'subscript-load':
        if (kind.attributesKeepAlive && escapes(model, use.node, kind, depth + 1))
          out.handedOn ??= { how: 'an item that keeps it alive escapes', node: use.node };
        break;
      case 'with':
        if (kind.withReleases) out.managed ??= use.node;
        else out.withoutRelease.push(use.node);
        break;
      case 'argument': {
        const verdict = argumentUse(model, use.call, kind, flow.node, use.keyword);
        if (verdict === 'managed') out.managed ??= use.call;
        else if (verdict === 'releases' || readsToEnd(model, kind, use.call, verdict))
          addRelease(out, use.call, binding);
        else if (kind.isInlineConsumer?.(model, use.call, use.keyword)) break;
        else if (verdict === 'handed-on') out.handedOn ??= { how: 'passed to a call', node: use.call };
        else if (verdict === 'wrapped' && escapes(model, use.call, kind, depth + 1))
          out.handedOn ??= { how: 'wrapped and handed on', node: use.call };
        break;
      }
      case 'return':
        out.handedOn ??= { how: 'returned', node: use.node };
        break;
      case 'yield':
        out.yields.push(use.node);
        break;
      case 'stored-in':
        out.handedOn ??= { how: 'stored in a container', node: use.node };
        break;
      case 'assigned-to': {
        const target = use.target;
        const alias = target.type === 'identifier' ? model.resolve(target) : undefined;
        if (!alias || alias.scope !== binding.scope || target.parent?.parent?.type === 'assignment') {
          out.handedOn ??= { how: 'stored', node: use.node };
          break;
        }
        if (seen.has(alias)) break;
        if (depth >= MAX_DEPTH) {
          out.handedOn ??= { how: 'aliased', node: use.node };
          break;
        }
        seen.add(alias);
        out.aliased = true;
        const aliasRefs = relevantReferences(model, alias, target, closureScope(binding.scope));
        gather(model, aliasRefs, alias, kind, out, depth + 1, seen);
        break;
      }
      case 'other':
        // `for line in response:` reads it to the end.
        if (
          kind.readToEndReleases &&
          (use.node.type === 'for_statement' || use.node.type === 'for_in_clause') &&
          isField(use.node, 'right', flow.node)
        )
          addRelease(out, use.node, binding);
        break;
      default:
        break;
    }
  }
}

/** A call that reads the whole resource (`json.load(resp)`), for kinds that reading to the end releases. */
function readsToEnd(model: SemanticModel, kind: ResourceKind, call: Node, verdict: string): boolean {
  return !!kind.readToEndReleases && verdict === 'neutral' && READ_TO_END.has(model.calleeName(call) ?? '');
}

/**
 * `Popen(..., stdin=first.stdout)`: a pipe end given to another child process (the shell
 * pipeline idiom). The child gets a copy of the descriptor; the first process itself is not
 * handed on, and still has to be waited for.
 */
function pipedIntoChild(attribute: Node): boolean {
  const { parent } = unparenthesizedParent(attribute);
  if (parent?.type !== 'keyword_argument') return false;
  const keyword = parent.childForFieldName('name')?.text ?? '';
  return keyword === 'stdin' || keyword === 'stdout' || keyword === 'stderr';
}

/** Whether `node` sits in the body or condition of a loop inside `within` (the binding's scope). */
function inLoopOf(node: Node, within: Node): boolean {
  for (let p = node.parent; p && p.id !== within.id; p = p.parent) {
    if (p.type === 'while_statement' || p.type === 'for_statement') return true;
    if (p.type === 'function_definition' || p.type === 'lambda') return false;
  }
  return false;
}

/** Whether nothing but releases (or finishing calls) uses the resource after `ref`. */
function lastUse(ref: Reference, refs: Reference[], kind: ResourceKind): boolean {
  return refs.every((r) => {
    // (A use before it in a loop around both runs again on the next turn, but the last turn
    // still ends with it.)
    if (r === ref || r.context !== 'load' || r.node.startIndex < ref.node.startIndex) return true;
    const use = useOf(r.node);
    return (
      use.kind === 'method' &&
      (kind.releaseMethods.has(use.method) || !!kind.finishingMethods?.has(use.method))
    );
  });
}

/** Record a release, unless it only runs when there is nothing to release (`if f is None: f.close()`). */
function addRelease(out: Gathered, call: Node, binding: Binding): void {
  if (runsOnlyWhenDead(call, binding.name, binding.scope.node)) return;
  out.releases.push({ call, place: placeOf(call, binding) });
}

/** Whether `node` (parentheses aside) is the `field` child of `parent`. */
function isField(parent: Node, field: string, node: Node): boolean {
  const child = parent.childForFieldName(field);
  return !!child && child.id === unparenthesizedParent(node).node.id;
}

/**
 * Where a release call runs: in a `finally`, an `except` handler, or on the normal path — of the
 * whole function, or, with `from`, of the innermost block that also holds that statement (the
 * creation): handlers around both do not make the release exceptional.
 */
function placeOf(call: Node, binding: Binding, from?: Node): ReleasePlace {
  const limit = binding.scope.node;
  let p = call.parent;
  let place: ReleasePlace = 'normal';
  while (p && p.id !== limit.id) {
    if (from && contains(p, from)) break;
    if (p.type === 'finally_clause') return 'finally';
    if (p.type === 'except_clause' || p.type === 'except_group_clause')
      place = catchesEverything(p) ? 'except' : 'narrow-except';
    p = p.parent;
  }
  return place;
}

/**
 * The release follows the creation with nothing in between that can raise (pass, docstrings,
 * assignments of names, literals or attributes): no exception can skip it. The path may leave a
 * `try` body for its `else:` (`try: f = open(p)` / `except OSError: …` / `else: f.close()`).
 */
function nothingRaisesBefore(site: Node, releases: ReleaseSite[]): boolean {
  const creation = statementNode(site);
  // `with make() as r:` binds before its body runs: the body is between creation and release.
  if (creation.type !== 'expression_statement') return false;
  for (const release of releases) {
    const target = statementNode(release.call);
    if (target.parent?.id === creation.parent?.id) {
      if (inertBetween(creation.nextNamedSibling, target)) return true;
      continue;
    }
    // `try:` body ending with the creation, release at the top of its `else:`.
    const tryStatement = creation.parent?.parent;
    const elseBlock = target.parent;
    if (
      tryStatement?.type === 'try_statement' &&
      creation.parent?.id === tryStatement.childForFieldName('body')?.id &&
      elseBlock?.parent?.type === 'else_clause' &&
      elseBlock.parent.parent?.id === tryStatement.id &&
      inertBetween(creation.nextNamedSibling, null) &&
      inertBetween(elseBlock.namedChildren[0] ?? null, target)
    ) {
      return true;
    }
    if (releasedAfterSwallowingTry(creation, target, release.call)) return true;
    if (releasedFirstInTry(creation, target) || releasedAfterBreak(creation, target)) return true;
  }
  return false;
}

/** `@pytest.fixture` / `@pytest_asyncio.fixture(scope=…)` / `@fixture`: a generator pytest runs to its end. */
function isPytestFixture(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return (decorated?.namedChildren ?? []).some((d) => {
    if (d?.type !== 'decorator') return false;
    const expr = d.namedChildren[0];
    const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
    return !!target && /^(pytest\.|pytest_asyncio\.)?fixture$/.test(target.text);
  });
}

/**
 * `tmp = NamedTemporaryFile(…)` / `try: tmp.close()`: the release is the first statement of a
 * `try` that follows the creation (nothing that can raise between): it always runs.
 */
function releasedFirstInTry(creation: Node, target: Node): boolean {
  const body = target.parent;
  const tryStatement = body?.parent;
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== body?.id)
    return false;
  if (tryStatement.parent?.id !== creation.parent?.id || tryStatement.startIndex < creation.endIndex)
    return false;
  return (
    inertBetween(creation.nextNamedSibling, tryStatement) &&
    inertBetween(body?.namedChildren[0] ?? null, target)
  );
}

/**
 * `for exe in names: try: p = Popen(…); break` / `except OSError: continue` and then
 * `p.communicate()` right after the loop: once made, `break` leads straight to the release.
 */
function releasedAfterBreak(creation: Node, target: Node): boolean {
  let next = creation.nextNamedSibling;
  while (next && next.type !== 'break_statement' && cannotRaise(next)) next = next.nextNamedSibling;
  if (next?.type !== 'break_statement') return false;
  const tryStatement = creation.parent?.parent;
  if (
    tryStatement?.type !== 'try_statement' ||
    tryStatement.childForFieldName('body')?.id !== creation.parent?.id
  )
    return false;
  if (tryStatement.namedChildren.some((c) => c?.type === 'finally_clause')) return false;
  const loop = tryStatement.parent?.parent;
  if (
    (loop?.type !== 'for_statement' && loop?.type !== 'while_statement') ||
    loop.parent?.id !== target.parent?.id
  )
    return false;
  return target.startIndex > loop.endIndex && inertBetween(loop.nextNamedSibling, target);
}

/**
 * `try: s = socket(); s.bind(a)` / `except Exception: pass` / `if s: s.close()`: the catch-all
 * handler swallows whatever the rest of the body raises, so the release after the `try` always
 * runs (guarded by a test of the name when the creation itself may have failed).
 */
function releasedAfterSwallowingTry(creation: Node, target: Node, releaseCall: Node): boolean {
  const body = creation.parent;
  const tryStatement = body?.parent;
  const block = tryStatement?.parent;
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== body?.id)
    return false;
  if (!block || !cannotRaise(tryStatement)) return false;
  // The `try` may end an `if` branch (`if socket.has_ipv6: try: …`), the release follow the `if`.
  let done: Node = tryStatement;
  for (let depth = 0; depth < 4; depth++) {
    const outer = parentOf(done);
    if (!outer) return false;
    let top: Node | null = target;
    while (top && parentOf(top)?.id !== outer.id) top = parentOf(top);
    if (top && top.startIndex >= done.endIndex) {
      if (!inertBetween(done.nextNamedSibling, top)) return false;
      if (top.id === target.id) return true;
      const name = releaseCall.childForFieldName('function')?.childForFieldName('object');
      return top.type === 'if_statement' && !!name && testsName(top, name.text, target);
    }
    if (!inertBetween(done.nextNamedSibling, null)) return false;
    const branch = outer.type === 'block' ? parentOf(outer) : undefined;
    const ifStatement = branch?.type === 'if_statement' ? branch : branch ? parentOf(branch) : undefined;
    if (ifStatement?.type !== 'if_statement') return false;
    done = ifStatement;
  }
  return false;
}

/** `if r:` / `if r is not None:` whose body starts with `statement` and has no `else`. */
function testsName(ifStatement: Node, name: string, statement: Node): boolean {
  const condition = ifStatement.childForFieldName('condition');
  const consequence = ifStatement.childForFieldName('consequence');
  if (!condition || consequence?.namedChildren[0]?.id !== statement.id) return false;
  if (ifStatement.namedChildren.some((c) => c?.type === 'elif_clause' || c?.type === 'else_clause'))
    return false;
  return condition.text === name || condition.text.replace(/\s+/g, ' ') === `${name} is not None`;
}

/** A generator with one `yield`, outside any loop: the `@contextmanager` / FastAPI dependency shape. */
function isSingleYieldGenerator(model: SemanticModel, owner: Scope, yieldNode: Node): boolean {
  if (owner.kind !== 'function') return false;
  const yields = owner.node
    .descendantsOfType('yield')
    .filter((y): y is Node => !!y && y.isNamed && model.scopeOf(y) === owner);
  if (yields.length !== 1 || yields[0].id !== yieldNode.id) return false;
  return !enclosingLoop(yieldNode, owner.node);
}

/** `load_users()`, `Repo.load()`, `a lambda`: how messages name the function a leak happens in. */
export function describeFunction(scope: Scope): string {
  let s: Scope | undefined = scope;
  while (s && s.kind !== 'function' && s.kind !== 'lambda') s = s.parent;
  if (!s) return 'module level';
  if (s.kind === 'lambda') return 'a lambda';
  const cls = s.enclosingClass?.name;
  return cls ? `\`${cls}.${s.name}()\`` : `\`${s.name}()\``;
}

/**
 * A test in front of a release that is there only to skip a resource that is not there, or not
 * this one: `if f:`, `if f is not sys.stdin:`, or a flag this function sets itself (`pre_opened`,
 * set in the branch that borrows the file instead). A test of anything else (a parameter, an
 * attribute, the resource's state) makes the release conditional.
 */
function isReleaseGuard(model: SemanticModel, named: NamedResource, condition: Node): boolean {
  if (isPresenceTest(condition, named.name)) return true;
  const text = condition.text.replace(/\s+/g, ' ');
  if (text.startsWith(`${named.name} is not `) || text.startsWith(`${named.name} != `)) return true;
  return condition.descendantsOfType('identifier').some((id) => {
    const parent = id && parentOf(id);
    if (
      !id ||
      id.text === named.name ||
      (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id)
    )
      return false;
    const b = model.resolve(id);
    return !!b && b.kind === 'assignment' && b.scope === named.binding.scope;
  });
}

/** Whether one of the releases of `named` runs whenever the code after its creation runs to the end (exceptions aside). */
export function releasedOnEveryPath(model: SemanticModel, named: NamedResource): boolean {
  return named.releases.some((r) =>
    runsWheneverReached(r.call, named.site, (c) => isReleaseGuard(model, named, c)),
  );
}
