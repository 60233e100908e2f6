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
import type { Binding, Reference, Scope, SemanticModel } from './semantic';
import { type Use, unparenthesizedParent, useOf } from './usage';

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
}

export type ReleasePlace = 'finally' | 'except' | 'normal';

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
  | { kind: 'attribute-not-released'; target: Node; attribute: string; teardown: Node; className: string };

export type Lifecycle =
  | { state: 'out-of-scope' } // module level or class body: import-time singletons
  | { state: 'unknown' }
  | { state: 'released'; how: string; node: Node }
  | { state: 'handed-on'; how: string; node: Node }
  | { state: 'leaked'; creation: Creation; leak: Leak };

/** Functions that take a resource for the duration of the call only. */
const NON_RETAINING = new Set(
  [
    'builtins.print',
    'builtins.len',
    'builtins.isinstance',
    'builtins.repr',
    'builtins.str',
    'builtins.id',
    'builtins.type',
    'builtins.hasattr',
    'builtins.getattr',
    'builtins.callable',
    'builtins.bool',
    'builtins.hash',
    'builtins.next',
    'builtins.list',
    'builtins.tuple',
    'builtins.sorted',
    'builtins.set',
    'builtins.frozenset',
    'builtins.dict',
    'builtins.sum',
    'builtins.any',
    'builtins.all',
    'builtins.min',
    'builtins.max',
    'json.load',
    'json.dump',
    'pickle.load',
    'pickle.dump',
    'marshal.load',
    'marshal.dump',
    'tomllib.load',
    'plistlib.load',
    'plistlib.dump',
    'shutil.copyfileobj',
    'yaml.safe_load',
    'yaml.load',
    'yaml.full_load',
    'yaml.dump',
    'yaml.safe_dump',
    'pandas.read_sql',
    'pandas.read_sql_query',
    'pandas.read_sql_table',
    'pandas.read_csv',
    'pandas.read_json',
  ].map((s) => s),
);

/** Calls whose result wraps the resource: the resource escapes when the wrapper does. */
const WRAPPERS = new Set([
  'builtins.iter',
  'builtins.enumerate',
  'builtins.zip',
  'builtins.map',
  'builtins.filter',
  'builtins.reversed',
  'csv.reader',
  'csv.writer',
  'csv.DictReader',
  'csv.DictWriter',
  'io.TextIOWrapper',
  'io.BufferedReader',
  'io.BufferedWriter',
]);

/** Registering a bound release method hands the release to someone else. */
const MANAGING_METHODS = new Set(['enter_context', 'enter_async_context', 'push', 'push_async_exit']);
const ENTER_METHODS = new Set(['__enter__', '__aenter__']);
const EXIT_METHODS = new Set(['__exit__', '__aexit__']);

/** Methods that tear an object down: where an owner must release what it holds. */
export const TEARDOWN_METHODS = new Set([
  'close',
  'aclose',
  'shutdown',
  'stop',
  'terminate',
  'dispose',
  'cleanup',
  'teardown',
  'tearDown',
  'disconnect',
  'release',
  '__exit__',
  '__aexit__',
  '__del__',
]);

const MAX_DEPTH = 3;

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
  const flow = flowOf(value);
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
        return leaked({ kind: 'discarded', statement: parent });
      }
      // `for line in open(p):`, `[l for l in open(p)]`: iterated once, never closed.
      if (
        (parent.type === 'for_statement' || parent.type === 'for_in_clause') &&
        isField(parent, 'right', flow.node)
      ) {
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

/** Climb through conditional expressions and `or`/`and` to where a value finally goes. */
export function flowOf(node: Node): { node: Node; use: Use; conditional: boolean } {
  let current = node;
  let conditional = false;
  for (let i = 0; i < 8; i++) {
    const use = useOf(current);
    if (use.kind !== 'other') return { node: current, use, conditional };
    const parent = use.node;
    const self = unparenthesizedParent(current).node;
    if (parent.type === 'conditional_expression' && parent.namedChildren[1]?.id !== self.id) {
      current = parent;
      conditional = true;
      continue;
    }
    if (parent.type === 'boolean_operator') {
      current = parent;
      conditional = true;
      continue;
    }
    return { node: current, use, conditional };
  }
  return { node: current, use: { kind: 'other', node: current }, conditional };
}

/**
 * Whether `resource.attribute`, taken without calling it, keeps the resource alive: any attribute of
 * a connection-like object (`client.mydb`), and a bound method of any (`setwriter(f.write)`).
 * A file's `f.name` is plain data.
 */
function attributeKeepsAlive(kind: ResourceKind, attribute: string): boolean {
  return !!kind.attributesKeepAlive || kind.dataMethods.has(attribute);
}

/** Whether `call` only uses its arguments while it runs (`json.load`, `print`, `len`…). */
export function isNonRetainingCall(model: SemanticModel, call: Node): boolean {
  return NON_RETAINING.has(model.calleeName(call) ?? '');
}

type ArgumentVerdict = 'managed' | 'releases' | 'handed-on' | 'neutral' | 'wrapped';

/**
 * What a call does with a resource passed to it as `arg`: manages it (`closing`, `enter_context`),
 * only uses it (`json.load`, or a function of this file that neither keeps nor releases its
 * parameter), releases it (a function of this file that closes its parameter), wraps it
 * (`csv.reader`), or may keep it (anything else: a constructor, an unknown function).
 */
function argumentUse(
  model: SemanticModel,
  call: Node,
  kind: ResourceKind,
  arg?: Node,
  keyword?: string,
  depth = 0,
): ArgumentVerdict {
  const callee = model.calleeName(call);
  if (callee === 'contextlib.closing' || callee === 'contextlib.aclosing') return 'managed';
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (method && MANAGING_METHODS.has(method)) return 'managed';
  if (callee && NON_RETAINING.has(callee)) return 'neutral';
  if (callee && WRAPPERS.has(callee)) return 'wrapped';
  if (!callee && arg && depth <= MAX_DEPTH) {
    const fate = parameterFate(model, call, arg, keyword, kind, depth);
    if (fate === 'uses') return 'neutral';
    if (fate === 'releases') return 'releases';
  }
  return 'handed-on';
}

type ParameterFate = 'escapes' | 'releases' | 'uses';

/**
 * What a function defined in this file does with the parameter that receives `arg`: keeps it
 * somewhere (escapes), releases it, or only uses it. Anything we cannot see — a decorated or
 * redefined function, `*args`, `**kwargs` — counts as escaping.
 */
function parameterFate(
  model: SemanticModel,
  call: Node,
  arg: Node,
  keyword: string | undefined,
  kind: ResourceKind,
  depth: number,
): ParameterFate {
  const target = calledFunction(model, call);
  if (!target) return 'escapes';
  const params = (target.def.childForFieldName('parameters')?.namedChildren ?? []).filter(
    (p): p is Node => !!p && p.type !== 'comment',
  );
  let param: Node | undefined;
  if (keyword) {
    param = params.find((p) => parameterName(p) === keyword);
  } else {
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    let index = 0;
    for (const a of args) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return 'escapes';
      if (a.type === 'keyword_argument') continue;
      if (contains(a, arg)) break;
      index++;
    }
    param = params[index + target.offset];
  }
  const name = param && parameterName(param);
  if (!param || !name) return 'escapes';
  const scope = model.scopeFor(target.def);
  const binding = scope.lookupLocal(name);
  if (binding?.kind !== 'parameter') return 'escapes';
  let releases = false;
  for (const ref of model.references(binding)) {
    if (binding.sites.some((site) => site.id === ref.node.id)) continue;
    if (ref.context === 'store') return 'escapes';
    if (ref.context !== 'load') continue;
    if (closureScope(ref.scope) !== scope) return 'escapes';
    const flow = flowOf(ref.node);
    const use = flow.use;
    switch (use.kind) {
      case 'method':
        if (kind.releaseMethods.has(use.method) || EXIT_METHODS.has(use.method)) releases = true;
        else if (!kind.dataMethods.has(use.method) && escapes(model, use.call, kind, depth + 1))
          return 'escapes';
        break;
      case 'with':
        if (kind.withReleases) releases = true;
        break;
      case 'argument': {
        const verdict = argumentUse(model, use.call, kind, flow.node, use.keyword, depth + 1);
        if (verdict === 'managed' || verdict === 'releases') releases = true;
        else if (verdict === 'handed-on') return 'escapes';
        else if (verdict === 'wrapped' && escapes(model, use.call, kind, depth + 1)) return 'escapes';
        break;
      }
      case 'attribute':
        if (kind.releaseMethods.has(use.attribute) && !isAssignmentTarget(use.node)) return 'escapes';
        if (attributeKeepsAlive(kind, use.attribute) && escapes(model, use.node, kind, depth + 1))
          return 'escapes';
        break;
      case 'subscript-load':
        if (kind.attributesKeepAlive && escapes(model, use.node, kind, depth + 1)) return 'escapes';
        break;
      case 'return':
      case 'yield':
      case 'stored-in':
      case 'assigned-to':
        return 'escapes';
      default:
        break;
    }
  }
  return releases ? 'releases' : 'uses';
}

/**
 * The function a call runs, when it is defined once in this file and not decorated: `helper(x)`
 * for a module or nested function, `self.helper(x)` for a method of the enclosing class (then
 * `offset` skips `self`).
 */
function calledFunction(model: SemanticModel, call: Node): { def: Node; offset: number } | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') {
    const binding = model.resolve(fn);
    if (binding?.kind !== 'function' || binding.sites.length !== 1 || binding.scope.kind === 'class')
      return undefined;
    const def = binding.sites[0].parent;
    if (def?.type !== 'function_definition' || def.parent?.type === 'decorated_definition') return undefined;
    return { def, offset: 0 };
  }
  if (fn?.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  const methodName = fn.childForFieldName('attribute')?.text;
  const method = model.scopeOf(call).enclosingFunction;
  const cls = method?.enclosingClass;
  if (receiver?.type !== 'identifier' || !method || !cls || !methodName) return undefined;
  if (receiver.text !== firstParameter(method.node)) return undefined;
  const members = cls.node.childForFieldName('body')?.namedChildren ?? [];
  const named = (d: Node | null | undefined) => d?.childForFieldName('name')?.text === methodName;
  const defs = members.filter((c): c is Node => c?.type === 'function_definition' && named(c));
  const decorated = members.some(
    (c) => c?.type === 'decorated_definition' && named(c.childForFieldName('definition')),
  );
  if (defs.length !== 1 || decorated) return undefined;
  return { def: defs[0], offset: 1 };
}

function parameterName(param: Node): string | undefined {
  if (param.type === 'identifier') return param.text;
  if (param.type === 'default_parameter' || param.type === 'typed_default_parameter')
    return param.childForFieldName('name')?.text;
  if (param.type === 'typed_parameter')
    return param.namedChildren.find((c) => c?.type === 'identifier')?.text;
  return undefined;
}

/** Whether the value at `node` (derived from a resource) leaves the function. */
function escapes(model: SemanticModel, node: Node, kind: ResourceKind, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  const { use } = flowOf(node);
  switch (use.kind) {
    case 'return':
    case 'yield':
    case 'stored-in':
      return true;
    case 'assigned-to': {
      const target = use.target;
      if (target.type !== 'identifier') return true;
      const binding = model.resolve(target);
      if (!binding || binding.scope.kind === 'module' || binding.scope !== model.scopeOf(target)) return true;
      for (const ref of model.references(binding)) {
        if (ref.node.id === target.id || ref.context !== 'load') continue;
        if (closureScope(ref.scope) !== closureScope(binding.scope)) return true;
        if (escapes(model, ref.node, kind, depth + 1)) return true;
      }
      return false;
    }
    case 'argument': {
      const verdict = argumentUse(model, use.call, kind, flowOf(node).node, use.keyword, depth + 1);
      if (verdict === 'neutral' || verdict === 'managed' || verdict === 'releases') return false;
      if (verdict === 'wrapped') return escapes(model, use.call, kind, depth + 1);
      return true;
    }
    case 'method':
      if (kind.dataMethods.has(use.method) || kind.releaseMethods.has(use.method)) return false;
      return escapes(model, use.call, kind, depth + 1);
    case 'attribute':
      return attributeKeepsAlive(kind, use.attribute) && escapes(model, use.node, kind, depth + 1);
    case 'subscript-load':
      return !!kind.attributesKeepAlive && escapes(model, use.node, kind, depth + 1);
    default:
      return false;
  }
}

/** Comprehensions run in their function's frame: treat them as the same scope for captures. */
function closureScope(scope: Scope): Scope {
  let s = scope;
  while (s.kind === 'comprehension' && s.parent) s = s.parent;
  return s;
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
  const finallyRelease = gathered.releases.find((r) => r.place === 'finally');
  if (finallyRelease) return { state: 'released', how: 'finally', node: finallyRelease.call };
  const normal = gathered.releases.filter((r) => r.place === 'normal');
  const except = gathered.releases.filter((r) => r.place === 'except');
  if (normal.length > 0 && except.length > 0)
    return { state: 'released', how: 'every path', node: normal[0].call };
  if (gathered.handedOn) return { state: 'handed-on', ...gathered.handedOn };
  if (gathered.yields.length > 0) {
    const yieldNode = gathered.yields[0];
    if (gathered.releases.length > 0) return leaked({ kind: 'released-after-yield', named, yieldNode });
    if (isSingleYieldGenerator(model, creation.owner, yieldNode)) {
      return leaked({ kind: 'yielded-never-released', named, yieldNode });
    }
    return { state: 'handed-on', how: 'yielded', node: yieldNode };
  }
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
  for (const ref of all) {
    if (ref.node.id === site.id) continue;
    const start = ref.node.startIndex;
    if (start >= killedAt) break;
    if (start < site.startIndex) {
      if (loop && contains(loop, ref.node)) result.push(ref);
      continue;
    }
    // Within the creating expression itself (`conn = conn or connect()`): not a later use. (For
    // `with make() as r:` only the header: the body is where the uses are.)
    if (contains(creatingPart, ref.node) && ref.context === 'load') continue;
    if (ref.context === 'store' && dominates(ref.node, site)) {
      killedAt = start;
      continue;
    }
    result.push(ref);
  }
  return result;
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
        if (kind.releaseMethods.has(use.method))
          out.releases.push({ call: use.call, place: placeOf(use.call, binding) });
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
        else if (verdict === 'releases')
          out.releases.push({ call: use.call, place: placeOf(use.call, binding) });
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
      default:
        break;
    }
  }
}

/** Whether `node` (parentheses aside) is the `field` child of `parent`. */
function isField(parent: Node, field: string, node: Node): boolean {
  const child = parent.childForFieldName(field);
  return !!child && child.id === unparenthesizedParent(node).node.id;
}

function isAssignmentTarget(node: Node): boolean {
  const { node: self, parent } = unparenthesizedParent(node);
  return (
    (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') &&
    parent.childForFieldName('left')?.id === self.id
  );
}

/** Where a release call runs: in a `finally`, an `except` handler, or on the normal path. */
function placeOf(call: Node, binding: Binding): ReleasePlace {
  const limit = binding.scope.node;
  let p = call.parent;
  let place: ReleasePlace = 'normal';
  while (p && p.id !== limit.id) {
    if (p.type === 'finally_clause') return 'finally';
    if (p.type === 'except_clause' || p.type === 'except_group_clause') place = 'except';
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
  }
  return false;
}

/** Every statement from `from` up to (excluding) `to` — or to the end of the block — cannot raise. */
function inertBetween(from: Node | null, to: Node | null): boolean {
  for (let s = from; s && s.id !== to?.id; s = s.nextNamedSibling) if (!cannotRaise(s)) return false;
  return true;
}

const INERT = new Set(['identifier', 'string', 'integer', 'float', 'true', 'false', 'none', 'comment']);

function cannotRaise(statement: Node): boolean {
  if (statement.type === 'pass_statement' || statement.type === 'comment') return true;
  if (statement.type !== 'expression_statement') return false;
  const expr = statement.namedChildren[0];
  if (!expr) return true;
  if (expr.type === 'string') return true;
  if (expr.type === 'assignment') {
    const left = expr.childForFieldName('left');
    const right = expr.childForFieldName('right');
    if (left?.type !== 'identifier' || !right || expr.childForFieldName('type')) return false;
    return INERT.has(right.type) || isPlainAttribute(right);
  }
  return false;
}

/** `f.name`, `self.x.y`: reading a plain attribute. */
function isPlainAttribute(node: Node): boolean {
  let n: Node | null = node;
  for (let i = 0; n?.type === 'attribute' && i < 3; i++) n = n.childForFieldName('object');
  return n?.type === 'identifier' && n.id !== node.id;
}

// ---------------------------------------------------------------------------------------------
// Test code: creations expected to fail, and mocked factories

const TEST_HINT = /assertRaises|raises|assertWarns|patch/;

const EXPECT_FAILURE = new Set([
  'assertRaises',
  'assertRaisesRegex',
  'assertRaisesRegexp',
  'raises',
  'assertWarns',
  'assertWarnsRegex',
]);

/**
 * `with self.assertRaises(E): open(p)` — the creation is the statement expected to raise; and
 * `with patch("builtins.open", …): open(p)` / `@patch("m.open")` — the factory is a mock.
 */
function testDouble(model: SemanticModel, call: Node): string | undefined {
  // Climbing every ancestor costs (tree-sitter finds a parent from the root): only in test-like files.
  if (!TEST_HINT.test(model.file.text)) return undefined;
  const factoryName = lastCalleeName(call);
  const statement = statementNode(call);
  for (let p = call.parent; p && p.type !== 'module'; p = p.parent) {
    if (p.type === 'with_statement') {
      const body = p.childForFieldName('body');
      const items = p.namedChildren.find((c) => c?.type === 'with_clause')?.namedChildren ?? [];
      for (const item of items) {
        const value = item?.childForFieldName('value');
        const ctxCall = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
        if (ctxCall?.type !== 'call') continue;
        const name = lastCalleeName(ctxCall);
        if (EXPECT_FAILURE.has(name) && body && endsBlock(statement, body)) return 'expected to raise';
        if (isPatchOf(ctxCall, factoryName)) return 'mocked';
      }
    }
    if (p.type === 'function_definition' && p.parent?.type === 'decorated_definition') {
      for (const d of p.parent.namedChildren) {
        if (d?.type !== 'decorator') continue;
        const expr = d.namedChildren[0];
        if (expr?.type === 'call' && isPatchOf(expr, factoryName)) return 'mocked';
      }
    }
  }
  return undefined;
}

function lastCalleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return fn.text;
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  return '';
}

/** `patch("builtins.open", …)`, `mock.patch.object(io, "open")`: a patch whose target names `factory`. */
function isPatchOf(call: Node, factory: string): boolean {
  if (!factory) return false;
  const fn = call.childForFieldName('function');
  if (!fn || !/(^|\.)patch(\.object|\.dict)?$/.test(fn.text)) return false;
  const args = call.childForFieldName('arguments');
  if (!args) return false;
  for (const str of args.descendantsOfType('string')) {
    if (str && new RegExp(`(^|[^\\w])${factory}(['"]|$)`).test(str.text)) return true;
  }
  return false;
}

/** Whether `statement` is the last thing `block` runs (possibly nested in compound statements). */
function endsBlock(statement: Node, block: Node): boolean {
  let current = statement;
  for (let i = 0; i < 32; i++) {
    const parent = current.parent;
    if (parent?.type !== 'block') return false;
    if (!inertBetween(current.nextNamedSibling, null)) return false;
    if (parent.id === block.id) return true;
    current = statementNode(parent);
  }
  return false;
}

/** A statement at the end of a `try:` body that has `except` handlers. */
function lastInTryWithHandler(statement: Node): boolean {
  const block = statement.parent;
  const tryStatement = block?.parent;
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block?.id)
    return false;
  if (
    !tryStatement.namedChildren.some((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause')
  )
    return false;
  return inertBetween(statement.nextNamedSibling, null);
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

// ---------------------------------------------------------------------------------------------
// Resources stored on `self`

/**
 * `self.attr = Factory()` in a method. The owner decides its lifetime, so we stay silent unless
 * the class has a teardown method (close/__exit__/stop…) and nothing in the file ever releases,
 * hands out or replaces `.attr`: then the teardown forgot it.
 */
function attributeLifecycle(
  model: SemanticModel,
  creation: Creation,
  target: Node,
  kind: ResourceKind,
): Lifecycle {
  const handedOn: Lifecycle = { state: 'handed-on', how: 'stored on an attribute', node: target };
  const receiver = target.childForFieldName('object');
  const attribute = target.childForFieldName('attribute')?.text;
  const method = creation.owner;
  const cls = method.enclosingClass;
  if (!attribute || receiver?.type !== 'identifier' || method.kind !== 'function' || !cls) return handedOn;
  const selfName = firstParameter(method.node);
  if (receiver.text !== selfName) return handedOn;
  const body = cls.node.childForFieldName('body');
  const teardowns: Node[] = [];
  for (const child of body?.namedChildren ?? []) {
    const def = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (def?.type !== 'function_definition') continue;
    const name = def.childForFieldName('name');
    if (name && TEARDOWN_METHODS.has(name.text)) teardowns.push(def);
  }
  if (teardowns.length === 0) return handedOn;
  // A teardown delegating to a base class may release it there.
  for (const t of teardowns) if (/\bsuper\s*\(/.test(t.text)) return handedOn;
  for (const access of attributeAccesses(model, attribute)) {
    if (access.id === target.id) continue;
    const verdict = attributeAccessVerdict(model, access, kind);
    if (verdict !== 'neutral') return { state: 'handed-on', how: `attribute ${verdict}`, node: access };
  }
  const teardown = teardowns[0];
  return {
    state: 'leaked',
    creation,
    leak: { kind: 'attribute-not-released', target, attribute, teardown, className: cls.name ?? '' },
  };
}

function firstParameter(fn: Node): string | undefined {
  const params = fn.childForFieldName('parameters');
  const first = params?.namedChildren.find((p) => p && p.type !== 'comment');
  if (!first) return undefined;
  if (first.type === 'identifier') return first.text;
  if (first.type === 'typed_parameter')
    return first.namedChildren.find((c) => c?.type === 'identifier')?.text;
  return undefined;
}

/** Every `x.attribute` in the file, whatever `x` is. */
function attributeAccesses(model: SemanticModel, attribute: string): Node[] {
  const text = model.file.text;
  const escaped = attribute.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const finder = new RegExp(`\\.\\s*${escaped}(?![\\p{L}\\p{N}_])`, 'gu');
  const result: Node[] = [];
  for (let m = finder.exec(text); m; m = finder.exec(text)) {
    const at = m.index + m[0].length - attribute.length;
    const id = model.file.root.descendantForIndex(at, at + attribute.length);
    const attr = id?.parent;
    if (
      id?.type === 'identifier' &&
      attr?.type === 'attribute' &&
      attr.childForFieldName('attribute')?.id === id.id
    ) {
      result.push(attr);
    }
  }
  return result;
}

function attributeAccessVerdict(model: SemanticModel, access: Node, kind: ResourceKind): 'neutral' | string {
  if (isAssignmentTarget(access)) return 'reassigned';
  const { use } = flowOf(access);
  switch (use.kind) {
    case 'method':
      if (kind.releaseMethods.has(use.method) || EXIT_METHODS.has(use.method)) return 'released';
      return 'neutral';
    case 'attribute':
      return kind.releaseMethods.has(use.attribute) ? 'release registered' : 'neutral';
    case 'with':
      return 'entered';
    case 'argument': {
      const verdict = argumentUse(model, use.call, kind, flowOf(access).node, use.keyword);
      if (verdict === 'releases') return 'released';
      return verdict === 'neutral' ? 'neutral' : 'passed on';
    }
    case 'return':
    case 'yield':
    case 'assigned-to':
    case 'stored-in':
    case 'del':
      return use.kind;
    default:
      return 'neutral';
  }
}

// ---------------------------------------------------------------------------------------------
// Tree helpers

/** The statement (direct child of a block or module) containing `node`. */
export function statementNode(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module')
    current = current.parent;
  return current;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** The innermost `for`/`while` around `node` within `limit` (not crossing into nested functions). */
export function enclosingLoop(node: Node, limit: Node): Node | undefined {
  let p = node.parent;
  while (p && p.id !== limit.id) {
    if (p.type === 'for_statement' || p.type === 'while_statement') return p;
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return undefined;
    p = p.parent;
  }
  return undefined;
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
