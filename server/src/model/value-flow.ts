// Where a resource value goes once created: through conditionals (`flowOf`), into calls (which
// keep it, release it, or only use it — functions of the same file are looked into), and whether
// something derived from it (a cursor, a bound method) leaves the function (`escapes`).
import type { Node } from '../parser';
import { contains } from './control-flow';
import type { ResourceKind } from './lifecycle';
import type { Scope, SemanticModel } from './semantic';
import { type Use, unparenthesizedParent, useOf } from './usage';

/** Functions that take a resource for the duration of the call only. */
const NON_RETAINING = new Set([
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
  'builtins.int',
  'builtins.float',
  // Regular expressions read a string or bytes (`re.search(b"STARTTLS", conn.ehlo_resp)`).
  're.search',
  're.match',
  're.fullmatch',
  're.findall',
  're.finditer',
  're.sub',
  're.subn',
  're.split',
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
  'tokenize.detect_encoding',
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
]);

/** Functions that read a file-like argument to its end (`json.load(resp)` calls `resp.read()`). */
export const READ_TO_END: ReadonlySet<string> = new Set([
  'json.load',
  'pickle.load',
  'marshal.load',
  'tomllib.load',
  'plistlib.load',
  'yaml.safe_load',
  'yaml.load',
  'yaml.full_load',
  'shutil.copyfileobj',
  'builtins.list',
  'builtins.tuple',
  'builtins.sorted',
  'builtins.set',
  'builtins.frozenset',
]);

/**
 * Calls whose result reads or writes through the resource (`csv.reader(f)`, `enumerate(f)`): the
 * "wrap in `with`" fix keeps such a wrapper inside the block.
 */
export const ITERATING_WRAPPERS: ReadonlySet<string> = new Set([
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
]);

/** Calls whose result wraps the resource: the resource escapes when the wrapper does. */
const WRAPPERS = new Set([...ITERATING_WRAPPERS, 'io.BufferedReader', 'io.BufferedWriter']);

/** Registering a bound release method hands the release to someone else. */
const MANAGING_METHODS = new Set(['enter_context', 'enter_async_context', 'push', 'push_async_exit']);

export const ENTER_METHODS = new Set(['__enter__', '__aenter__']);

export const EXIT_METHODS = new Set(['__exit__', '__aexit__']);

export const MAX_DEPTH = 6;

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

/** Attributes that are plain values (a row id, a count, a status): reading one keeps nothing alive. */
const PLAIN_DATA_ATTRIBUTES = new Set([
  'lastrowid',
  'rowcount',
  'description',
  'arraysize',
  'closed',
  'name',
  'mode',
  'encoding',
  'status',
  'status_code',
  'reason',
  'ok',
  'text',
  'content',
  'inserted_id',
  'inserted_ids',
  'deleted_count',
  'modified_count',
  'matched_count',
  'acknowledged',
]);

export function isPlainDataAttribute(attribute: string): boolean {
  return PLAIN_DATA_ATTRIBUTES.has(attribute);
}

/**
 * Whether `resource.attribute`, taken without calling it, keeps the resource alive: any attribute of
 * a connection-like object (`client.mydb`), and a bound method of any (`setwriter(f.write)`).
 * A file's `f.name` is plain data.
 */
export function attributeKeepsAlive(kind: ResourceKind, attribute: string): boolean {
  if (PLAIN_DATA_ATTRIBUTES.has(attribute)) return false;
  return (
    !!kind.attributesKeepAlive ||
    !!kind.keepAliveAttributes?.has(attribute) ||
    kind.dataMethods.has(attribute)
  );
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
export function argumentUse(
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
 * `offset` skips `self`). With `decoratedHelpers`, a decorated module or nested function counts
 * too (`@retry def fetch(url)`: what a call passes still reaches its parameters).
 */
export function calledFunction(
  model: SemanticModel,
  call: Node,
  decoratedHelpers = false,
): { def: Node; offset: number } | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') {
    const binding = model.resolve(fn);
    if (binding?.kind !== 'function' || binding.sites.length !== 1 || binding.scope.kind === 'class')
      return undefined;
    const def = binding.sites[0].parent;
    if (def?.type !== 'function_definition') return undefined;
    if (!decoratedHelpers && def.parent?.type === 'decorated_definition') return undefined;
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
export function escapes(model: SemanticModel, node: Node, kind: ResourceKind, depth: number): boolean {
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
export function closureScope(scope: Scope): Scope {
  let s = scope;
  while (s.kind === 'comprehension' && s.parent) s = s.parent;
  return s;
}

export function isAssignmentTarget(node: Node): boolean {
  const { node: self, parent } = unparenthesizedParent(node);
  return (
    (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') &&
    parent.childForFieldName('left')?.id === self.id
  );
}

export function firstParameter(fn: Node): string | undefined {
  const params = fn.childForFieldName('parameters');
  const first = params?.namedChildren.find((p) => p && p.type !== 'comment');
  if (!first) return undefined;
  if (first.type === 'identifier') return first.text;
  if (first.type === 'typed_parameter')
    return first.namedChildren.find((c) => c?.type === 'identifier')?.text;
  return undefined;
}
