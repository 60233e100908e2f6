// What one access to a long-lived container does to it: grows it, evicts from it, checks its
// size, only reads it, or hands it on. Also whether the access would still work if the container
// became a `cachetools.TTLCache` or a `collections.deque` (what the quick fixes need to know).
import type { Node } from '../parser';
import { CLASS_NAME, isBoundedParameter, isConfiguredValue } from './bounded';
import { isClassConstantKey } from './class-constants';
import { closedSetGuarding } from './membership';
import type { Scope, SemanticModel } from './semantic';

export { CLASS_NAME } from './bounded';

import { positionalArguments, unparenthesizedParent, useOf } from './usage';

export type ContainerKind = 'dict' | 'defaultdict' | 'ordereddict' | 'list' | 'set' | 'deque';

export const DICT_KINDS: ReadonlySet<ContainerKind> = new Set(['dict', 'defaultdict', 'ordereddict']);

/** One place where the container is reached: its name, or `self.x` / `cls.x` / `Class.x`. */
export interface Access {
  /** The expression that evaluates to the container (an identifier or an attribute). */
  node: Node;
  scope: Scope;
  /** Reached through a local alias (`c = _cache`). */
  viaAlias?: boolean;
}

export type EffectKind =
  | 'grow' // adds elements (list/set/deque) or keys (dicts)
  | 'nested-grow' // grows a container held inside: d[k].append(x), d.setdefault("k", []).append(x)
  | 'evict' // removes: pop, clear, del c[k], slice assignment, rebinding
  | 'bound' // len(c) compared with something: a size check
  | 'reset' // d["k"] = […] replaces a nested container
  | 'fill-check' // `if not c:` — the lazy "fill once" idiom
  | 'escape' // returned, yielded, stored elsewhere: someone else may evict it
  | 'read';

export interface Effect {
  kind: EffectKind;
  access: Access;
  /** The node to point at (the call, the assignment…). */
  site: Node;
  /** What was done, for messages: `.append()`, `[key] = …`. */
  what: string;
  /** The use still works when the dict becomes a `cachetools.TTLCache`. */
  ttlOk: boolean;
  /** The use still works when the list becomes a `collections.deque`. */
  dequeOk: boolean;
}

const LIST_GROW = new Set(['append', 'extend', 'insert', '__iadd__']);
const DEQUE_GROW = new Set(['append', 'appendleft', 'extend', 'extendleft', 'insert', '__iadd__']);
const SET_GROW = new Set(['add', 'update', '__ior__']);
const DICT_GROW = new Set(['setdefault', 'update', '__setitem__', '__ior__']);
const NESTED_GROW = new Set([
  'append',
  'appendleft',
  'extend',
  'extendleft',
  'insert',
  'add',
  'update',
  '__setitem__',
]);
const EVICT = new Set([
  'pop',
  'popitem',
  'popleft',
  'clear',
  'remove',
  'discard',
  '__delitem__',
  'difference_update',
  'intersection_update',
  'symmetric_difference_update',
]);
const DICT_TTL_METHODS = new Set([
  'get',
  'setdefault',
  'update',
  'pop',
  'popitem',
  'clear',
  'keys',
  'values',
  'items',
]);
const LIST_DEQUE_METHODS = new Set([
  'append',
  'extend',
  'insert',
  'count',
  'index',
  'remove',
  'reverse',
  'copy',
  'clear',
]);

/** Functions that only read their argument and accept any iterable / mapping. */
const READ_ONLY_CALLEES = new Set(
  'len list tuple set frozenset sorted sum any all min max enumerate reversed iter zip map filter print repr str bool dict'
    .split(' ')
    .map((n) => `builtins.${n}`)
    .concat([
      'copy.copy',
      'copy.deepcopy',
      'pprint.pprint',
      'pprint.pformat',
      'random.choice',
      'random.sample',
    ]),
);
const GROW_CALLEES = new Set([
  'heapq.heappush',
  'bisect.insort',
  'bisect.insort_left',
  'bisect.insort_right',
]);
const EVICT_CALLEES = new Set(['heapq.heappop', 'heapq.heapreplace', 'heapq.heappushpop']);

export function growMethodsOf(kind: ContainerKind): ReadonlySet<string> {
  switch (kind) {
    case 'list':
      return LIST_GROW;
    case 'deque':
      return DEQUE_GROW;
    case 'set':
      return SET_GROW;
    default:
      return DICT_GROW;
  }
}

function argumentNodes(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return [];
  return args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
}

function isConstantLiteral(node: Node): boolean {
  switch (node.type) {
    case 'string':
      return !node.namedChildren.some((c) => c?.type === 'interpolation');
    case 'concatenated_string':
      return node.namedChildren.every((c) => !c || isConstantLiteral(c));
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      return !!arg && isConstantLiteral(arg);
    }
    case 'tuple':
    case 'parenthesized_expression':
      return node.namedChildren.every((c) => !c || c.type === 'comment' || isConstantLiteral(c));
  }
  return false;
}

/**
 * A key that cannot vary, so writes under it cannot grow a dict without bound: a literal; a
 * module-level name bound once to a literal (`KEY = "x"`); a loop variable over a literal
 * collection (`for name in ("a", "b")`, or a module-level tuple of literals); a configured value
 * (a constant, a setting, an environment variable, an enum member); a parameter of a private
 * function (`_encode(alphabet, s)`) that every call in the module passes such a value.
 */
export function isConstantKey(model: SemanticModel, node: Node, depth = 0): boolean {
  if (
    isConstantLiteral(node) ||
    isClassValued(model, node) ||
    isClassConstantKey(model, node, isConstantLiteral)
  )
    return true;
  // `OPENID_CONFIG_URL`, `settings.CACHE_URL`, `config.get("url") or ""`: one per configured value.
  if (isConfiguredValue(model, node, isConstantLiteral)) return true;
  // `if name in hook_names: d[name] = …` with `hook_names` filled at import: one of its members.
  if ((node.type === 'identifier' || node.type === 'attribute') && closedSetGuarding(model, node))
    return true;
  if (node.type === 'tuple')
    return node.namedChildren.every((c) => !c || c.type === 'comment' || isConstantKey(model, c, depth));
  if (isNameOfConstant(model, node, depth)) return true;
  if (node.type !== 'identifier' || depth > 2) return false;
  const binding = model.resolve(node);
  if (binding?.sites.length !== 1) return false;
  const site = binding.sites[0];
  switch (binding.kind) {
    case 'assignment': {
      const value = model.assignedValue(site);
      if (!value) return false;
      // `username = config["username"]` in a function: a local holding one configured value.
      // `class_id = id(klass)`: a local holding a class's identity.
      if (binding.scope !== model.moduleScope)
        return (
          isConfiguredValue(model, value, isConstantLiteral) ||
          isClassValued(model, value) ||
          isConstantTableLookup(model, value)
        );
      return isConstantLiteral(value);
    }
    case 'loop': {
      const loop = site.parent;
      if (loop?.type !== 'for_statement' || loop.childForFieldName('left')?.id !== site.id) return false;
      return (
        isClassSequence(loop.childForFieldName('right')) ||
        isConstantCollection(model, loop.childForFieldName('right'), depth)
      );
    }
    case 'parameter':
      // A parameter of an enclosing function (`def lock(namespace): def wrapper(): d[namespace]`)
      // is fixed for each closure: keys grow with the closures made, usually by decoration.
      if (binding.scope !== model.scopeOf(node).enclosingFunction && binding.scope.kind === 'function')
        return true;
      // `region: Region` (an enum of the module), `flag: bool`, `kind: Literal[...]`, `model_class`.
      if (isBoundedParameter(model, site.parent?.type === 'parameters' ? site : (site.parent ?? site)))
        return true;
      return constantParameter(model, site, depth);
  }
  return false;
}

/** Attributes that name a class or function rather than hold data: `__name__`, `__module__`, `__qualname__`. */
const NAME_ATTRIBUTES = new Set(['__name__', '__module__', '__qualname__']);

/**
 * `cls.__name__` of a constant, or an f-string made only of such parts
 * (`f"{c.__module__}.{c.__name__}"` for a class `c` of an MRO): as closed as what it names.
 */
function isNameOfConstant(model: SemanticModel, node: Node, depth: number): boolean {
  if (node.type === 'identifier') {
    // `path = f"{c.__module__}.{c.__name__}"`: a local bound once to such a name.
    const binding = depth <= 2 ? model.resolve(node) : undefined;
    if (binding?.kind !== 'assignment' || binding.sites.length !== 1 || binding.scope === model.moduleScope)
      return false;
    const value = model.assignedValue(binding.sites[0]);
    return !!value && isNameOfConstant(model, value, depth + 1);
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    return (
      NAME_ATTRIBUTES.has(node.childForFieldName('attribute')?.text ?? '') &&
      !!object &&
      isConstantKey(model, object, depth)
    );
  }
  if (node.type !== 'string') return false;
  const parts = node.namedChildren.filter((c) => c?.type === 'interpolation');
  return (
    parts.length > 0 &&
    parts.every((p) => {
      const expr = p?.namedChildren.find(
        (c) => !!c && c.type !== 'format_specifier' && c.type !== 'type_conversion',
      );
      return !!expr && isConstantKey(model, expr, depth);
    })
  );
}

/** `type(self).__mro__`, `cls.mro()`, `Base.__subclasses__()`: classes, a closed set. */
function isClassSequence(node: Node | null): boolean {
  if (!node) return false;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text === '__mro__';
  const callee = node.type === 'call' ? node.childForFieldName('function') : undefined;
  const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  return method === 'mro' || method === '__subclasses__' || callee?.text === 'inspect.getmro';
}

/**
 * `TABLE.get(symbol)` / `TABLE[symbol]` with `TABLE` a module-level dict literal of literal values
 * (`DANGEROUS = {"USDC": 36, "USDT": 37}`): one of that table's values, a closed set.
 */
function isConstantTableLookup(model: SemanticModel, node: Node): boolean {
  let table: Node | null | undefined;
  if (node.type === 'subscript') table = node.childForFieldName('value');
  else if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get')
      table = fn.childForFieldName('object');
  }
  if (table?.type !== 'identifier') return false;
  const binding = model.resolve(table);
  if (binding?.kind !== 'assignment' || binding.scope !== model.moduleScope || binding.sites.length !== 1)
    return false;
  const value = model.assignedValue(binding.sites[0]);
  if (value?.type !== 'dictionary') return false;
  return value.namedChildren.every(
    (pair) =>
      !pair ||
      pair.type === 'comment' ||
      (pair.type === 'pair' && isConstantLiteral(pair.childForFieldName('value') ?? pair)),
  );
}

function isConstantCollection(model: SemanticModel, node: Node | null, depth: number): boolean {
  if (!node) return false;
  if (node.type === 'tuple' || node.type === 'list' || node.type === 'set') {
    return node.namedChildren.every((c) => !c || c.type === 'comment' || isConstantKey(model, c, depth + 1));
  }
  if (node.type === 'identifier') {
    const binding = model.resolve(node);
    if (!binding || binding.kind !== 'assignment' || binding.sites.length !== 1) return false;
    const value = model.assignedValue(binding.sites[0]);
    if (!value) return false;
    // `pairs = self.config.get("pairs", [])`: the items of a configured list.
    if (isConfiguredValue(model, value, isConstantLiteral)) return true;
    return (
      binding.scope === model.moduleScope &&
      ['tuple', 'list', 'set'].includes(value.type) &&
      isConstantCollection(model, value, depth)
    );
  }
  // `for tf in settings.TIMEFRAMES`, `for p in config.get("pairs", [])`: configured items.
  return isConfiguredValue(model, node, isConstantLiteral);
}

/**
 * A key that is a class: `type(x)`, `x.__class__`, or a name that holds a class by convention,
 * or a class's identity (`id(klass)`, `hash(cls)`). Classes come from a closed set (the ones
 * defined in code), so keys of this kind do not grow with traffic: a registry or a per-class
 * cache is bounded by the number of classes.
 */
export function isClassValued(model: SemanticModel, node: Node): boolean {
  if (node.type === 'call') {
    const args = positionalArguments(node);
    if (args.length !== 1) return false;
    const callee = model.calleeName(node);
    if (callee === 'builtins.id' || callee === 'builtins.hash') return isClassValued(model, args[0]);
    return callee === 'builtins.type';
  }
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text === '__class__';
  return node.type === 'identifier' && CLASS_NAME.test(node.text);
}

/** A parameter of a private function whose every call in the module passes a constant for it. */
function constantParameter(model: SemanticModel, paramName: Node, depth: number): boolean {
  const param = paramName.parent?.type === 'parameters' ? paramName : paramName.parent;
  const fn = param?.parent?.parent;
  if (!param || fn?.type !== 'function_definition') return false;
  const fnName = fn.childForFieldName('name')?.text ?? '';
  if (!fnName.startsWith('_') || fnName.endsWith('__')) return false;
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter(
    (p): p is Node =>
      !!p && p.type !== 'comment' && p.type !== 'keyword_separator' && p.type !== 'positional_separator',
  );
  const index = params.findIndex((p) => p.id === param.id);
  const raw = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const rawIndex = raw.findIndex((p) => p?.id === param.id);
  const keywordOnly = raw
    .slice(0, rawIndex)
    .some((p) => p?.type === 'list_splat_pattern' || p?.type === 'keyword_separator');
  const fnBinding = model.scopeOf(fn).lookupLocal(fnName);
  if (index < 0 || fnBinding?.kind !== 'function') return false;
  const defaultValue = param.childForFieldName('value');
  const refs = model.references(fnBinding).filter((r) => r.context === 'load');
  return (
    refs.length > 0 &&
    refs.every((r) => {
      const { node: callee, parent: call } = unparenthesizedParent(r.node);
      if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id) return false;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      if (args.some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat')) return false;
      const keyword = args.find(
        (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === paramName.text,
      );
      const positional = keywordOnly ? undefined : positionalArguments(call)[index];
      const passed = keyword?.childForFieldName('value') ?? positional ?? defaultValue;
      return !!passed && isConstantKey(model, passed, depth + 1);
    })
  );
}

/** The keys of a subscript (`d[a, b]` has two `subscript` children). */
function subscriptKeys(subscript: Node): Node[] {
  return subscript.childrenForFieldName('subscript').filter((n): n is Node => !!n && n.type !== 'comment');
}

function hasSlice(subscript: Node): boolean {
  return subscriptKeys(subscript).some((k) => k.type === 'slice');
}

function constantKeyed(model: SemanticModel, subscript: Node): boolean {
  const keys = subscriptKeys(subscript);
  return keys.length > 0 && keys.every((k) => isConstantKey(model, k));
}

/** `d.update(a=1)` / `d.update({"a": 1})`: only constant keys. */
function constantUpdate(model: SemanticModel, call: Node): boolean {
  const args = argumentNodes(call);
  return args.every((a) => {
    if (a.type === 'keyword_argument') return true;
    if (a.type === 'dictionary')
      return a.namedChildren.every((p) => {
        if (!p || p.type === 'comment') return true;
        const key = p.type === 'pair' ? p.childForFieldName('key') : null;
        return !!key && isConstantKey(model, key);
      });
    return false;
  });
}

function isInComparison(node: Node): Node | undefined {
  const { parent } = unparenthesizedParent(node);
  return parent?.type === 'comparison_operator' ? parent : undefined;
}

function comparisonOperators(cmp: Node): string[] {
  return cmp.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text);
}

function isTruthinessTest(node: Node): boolean {
  const { node: expr, parent } = unparenthesizedParent(node);
  if (!parent) return false;
  switch (parent.type) {
    case 'not_operator':
    case 'boolean_operator':
      return true;
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      return parent.childForFieldName('condition')?.id === expr.id;
    case 'conditional_expression':
      return parent.namedChildren[1]?.id === expr.id;
  }
  return false;
}

/**
 * The "fill it once" guard: `if not c:` (then fill), or `if c: return …` before filling. A
 * function that guards its writes like this fills the container once, not per call.
 */
function isEmptinessGuard(node: Node): boolean {
  const { node: expr, parent } = unparenthesizedParent(node);
  if (parent?.type === 'not_operator') return true;
  if (parent?.type === 'if_statement' && parent.childForFieldName('condition')?.id === expr.id) {
    const first = parent.childForFieldName('consequence')?.namedChildren.find((c) => c?.type !== 'comment');
    return first?.type === 'return_statement';
  }
  return false;
}

function isEmptyDisplay(node: Node | null | undefined): boolean {
  return (
    !!node &&
    (node.type === 'dictionary' || node.type === 'list' || node.type === 'set' || node.type === 'tuple') &&
    node.namedChildCount === 0
  );
}

/** Classify what one access does to the container. `depth` limits alias following. */
export function effectsOf(model: SemanticModel, access: Access, kind: ContainerKind, depth = 0): Effect[] {
  const node = access.node;
  const base = { access, ttlOk: true, dequeOk: true };
  const mk = (k: EffectKind, site: Node, what: string, ttlOk = true, dequeOk = true): Effect[] => [
    { ...base, kind: k, site, what, ttlOk, dequeOk },
  ];
  const isDict = DICT_KINDS.has(kind);
  const use = useOf(node);
  switch (use.kind) {
    case 'method': {
      const m = use.method;
      if (EVICT.has(m)) {
        const args = positionalArguments(use.call);
        // deque.pop() takes no index.
        return mk('evict', use.call, `.${m}()`, true, !(m === 'pop' && args.length > 0));
      }
      const ttlOk = DICT_TTL_METHODS.has(m);
      const dequeOk = LIST_DEQUE_METHODS.has(m);
      if (isDict && m === 'setdefault') {
        const [key] = positionalArguments(use.call);
        if (key && isConstantKey(model, key))
          return nestedEffects(model, use.call, access, '.setdefault(…)', true);
        return mk('grow', use.call, '.setdefault()', ttlOk, dequeOk);
      }
      // `d.get(k).pop()`, `d.get(k, ()).clear()`: shrinks an entry, like `d[k].pop()`.
      if (isDict && m === 'get') {
        const inner = nestedEffects(model, use.call, access, '.get(…)', true);
        if (inner[0]?.kind === 'evict') return inner;
      }
      if (isDict && m === 'update' && constantUpdate(model, use.call))
        return mk('read', use.call, '.update()', ttlOk, dequeOk);
      if (growMethodsOf(kind).has(m)) return mk('grow', use.call, `.${m}()`, ttlOk, dequeOk);
      return mk('read', use.call, `.${m}()`, ttlOk, dequeOk);
    }
    case 'attribute': {
      // A bound method handed out (`atexit.register(_cache.clear)`, `finalize(o, _c.pop, k)`).
      const m = use.attribute;
      if (EVICT.has(m)) return mk('evict', use.node, `.${m}`, false, false);
      if (growMethodsOf(kind).has(m) && access.scope.isRuntime)
        return mk('grow', use.node, `.${m}`, false, false);
      return mk('read', use.node, `.${m}`, false, false);
    }
    case 'subscript-store': {
      const sub = use.node;
      const stmt = unparenthesizedParent(sub).parent;
      const site = stmt ?? sub;
      if (hasSlice(sub)) return mk('evict', site, '[…:…] = …', true, false);
      if (!isDict) return mk('read', site, '[i] = …');
      const augmented = stmt?.type === 'augmented_assignment';
      if (constantKeyed(model, sub)) return mk('reset', site, '[key] = …');
      // `d[k] += 1` needs the key to exist, except in a defaultdict (which inserts it).
      if (augmented && kind !== 'defaultdict') return mk('read', site, '[key] += …');
      return mk('grow', site, '[key] = …');
    }
    case 'subscript-del':
      return mk('evict', use.node, 'del […]', true, !hasSlice(use.node));
    case 'subscript-load': {
      const sub = use.node;
      const slice = hasSlice(sub);
      const effects: Effect[] = [];
      // A defaultdict inserts every key it is asked for.
      if (kind === 'defaultdict' && !constantKeyed(model, sub) && access.scope.isRuntime)
        effects.push(...mk('grow', sub, '[key]'));
      const nested = nestedEffects(model, sub, access, '[…]', isDict);
      if (nested[0].kind !== 'read') effects.push(...nested);
      if (effects.length === 0) return mk('read', sub, '[…]', true, !slice);
      return effects.map((e) => ({ ...e, dequeOk: !slice }));
    }
    case 'augmented': {
      const op = use.operator;
      if (op === '+=' && (kind === 'list' || kind === 'deque')) return mk('grow', use.node, '+=');
      if (op === '|=' && (kind === 'set' || isDict)) return mk('grow', use.node, '|=', false, false);
      if ((op === '-=' || op === '&=' || op === '^=') && kind === 'set') return mk('evict', use.node, op);
      if (op === '*=' && kind === 'list') return mk('evict', use.node, op); // `x *= 0` truncates
      return mk('read', use.node, op, false, false);
    }
    case 'rebind':
      // `global c; c = {}` in a function starts over; a module-level store is the creation.
      if (access.scope.isRuntime || access.node.type === 'attribute')
        return mk('evict', use.node, 'rebinding', false, false);
      return mk('read', use.node, 'definition');
    case 'del':
      return mk('evict', use.node, 'del', false, false);
    case 'argument': {
      const callee = model.calleeName(use.call);
      if (callee === 'builtins.len') {
        const cmp = isInComparison(use.call);
        if (cmp) return mk('bound', cmp, 'len() check');
        return mk('read', use.call, 'len()');
      }
      if (callee && GROW_CALLEES.has(callee)) return mk('grow', use.call, `${callee}()`, false, false);
      if (callee && EVICT_CALLEES.has(callee)) return mk('evict', use.call, `${callee}()`, false, false);
      if (callee && READ_ONLY_CALLEES.has(callee)) return mk('read', use.call, `${callee}()`);
      if (isStringJoin(use.call)) return mk('read', use.call, 'join()');
      if (depth < 2 && evictedByLocalFunction(model, use.call, node, kind, depth))
        return mk('evict', use.call, 'helper');
      return mk('read', use.call, 'argument', false, false);
    }
    case 'assigned-to': {
      const target = use.target;
      if (target.type === 'identifier' && depth < 2) {
        const alias = model.resolve(target);
        if (
          alias &&
          alias.kind === 'assignment' &&
          alias.sites.length === 1 &&
          alias.sites[0].id === target.id
        ) {
          const effects: Effect[] = [];
          for (const ref of model.references(alias)) {
            if (ref.node.id === target.id) continue;
            for (const e of effectsOf(
              model,
              { node: ref.node, scope: ref.scope, viaAlias: true },
              kind,
              depth + 1,
            ))
              effects.push({ ...e, ttlOk: false, dequeOk: false });
          }
          return effects.length ? effects : mk('read', use.node, 'alias', false, false);
        }
      }
      return mk('escape', use.node, 'assigned elsewhere', false, false);
    }
    case 'return':
    case 'stored-in':
      return mk('escape', use.node, use.kind, false, false);
    case 'yield': {
      // `yield from c` iterates; `yield c` hands the container out.
      if (use.node.children.some((c) => c?.type === 'from')) return mk('read', use.node, 'yield from');
      return mk('escape', use.node, 'yield', false, false);
    }
    case 'other': {
      const { node: expr, parent } = unparenthesizedParent(node);
      if (!parent) break;
      if (
        (parent.type === 'for_statement' || parent.type === 'for_in_clause') &&
        parent.childForFieldName('right')?.id === expr.id
      )
        return mk('read', parent, 'iteration');
      if (parent.type === 'comparison_operator') {
        const ops = comparisonOperators(parent);
        if (ops.every((o) => o === 'in' || o === 'not in' || o === 'not')) return mk('read', parent, 'in');
        // `c == {}` asks "still empty?"; other comparisons only read (but a deque != a list).
        const emptyTest =
          (ops.includes('==') || ops.includes('!=')) && parent.namedChildren.some((c) => isEmptyDisplay(c));
        return mk(emptyTest ? 'fill-check' : 'read', parent, 'comparison', true, false);
      }
      if (isEmptinessGuard(node)) return mk('fill-check', parent, 'truth test');
      if (isTruthinessTest(node)) return mk('read', parent, 'truth test');
      if (parent.type === 'list_splat' || parent.type === 'dictionary_splat')
        return mk('read', parent, 'unpacking', true, parent.type === 'list_splat');
      if (parent.type === 'expression_statement') return mk('read', parent, 'expression');
      return mk('read', parent, parent.type, false, false);
    }
  }
  return mk('read', node, use.kind, false, false);
}

function isStringJoin(call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'join') return false;
  const obj = fn.childForFieldName('object');
  return obj?.type === 'string' || obj?.type === 'concatenated_string';
}

/**
 * `d[k].append(x)` / `d.setdefault("k", []).append(x)`: growth inside an element. `holder` is the
 * expression that yields the element.
 */
function nestedEffects(
  model: SemanticModel,
  holder: Node,
  access: Access,
  what: string,
  innerIsMapping: boolean,
): Effect[] {
  const base = { access, ttlOk: true, dequeOk: true };
  const use = useOf(holder);
  if (use.kind === 'method') {
    if (NESTED_GROW.has(use.method))
      return [{ ...base, kind: 'nested-grow', site: use.call, what: `${what}.${use.method}()` }];
    if (EVICT.has(use.method))
      return [{ ...base, kind: 'evict', site: use.call, what: `${what}.${use.method}()` }];
  }
  if (use.kind === 'subscript-store') {
    // `d[a][b] = v` grows the inner dict; `grid[i][j] = v` on lists of lists only replaces.
    const stmt = unparenthesizedParent(use.node).parent ?? use.node;
    // `d[pair][timeframe] = v` with both keys configured: a fixed set of slots, replaced.
    const fixedSlot =
      holder.type === 'subscript' && constantKeyed(model, holder) && constantKeyed(model, use.node);
    const kind: EffectKind = hasSlice(use.node)
      ? 'evict'
      : innerIsMapping && !fixedSlot
        ? 'nested-grow'
        : 'read';
    return [{ ...base, kind, site: stmt, what: `${what}[…] = …` }];
  }
  if (use.kind === 'subscript-del')
    return [{ ...base, kind: 'evict', site: use.node, what: `del ${what}[…]` }];
  // `del d[a][b][c]`, `d[a][b].pop(c)`: an eviction further down the same tree of dicts.
  let deeper: ReturnType<typeof useOf> = use;
  for (let level = 0; deeper.kind === 'subscript-load' && level < 3; level++) {
    const inner = useOf(deeper.node);
    if (inner.kind === 'subscript-del')
      return [{ ...base, kind: 'evict', site: inner.node, what: `del ${what}[…][…]` }];
    if (inner.kind === 'method' && EVICT.has(inner.method))
      return [{ ...base, kind: 'evict', site: inner.call, what: `${what}[…].${inner.method}()` }];
    deeper = inner;
  }
  return [{ ...base, kind: 'read', site: holder, what }];
}

/** `_evict(_cache)` where `_evict` is a function of this module that evicts from its parameter. */
function evictedByLocalFunction(
  model: SemanticModel,
  call: Node,
  arg: Node,
  kind: ContainerKind,
  depth: number,
): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'identifier') return false;
  const binding = model.resolve(fn);
  const def = binding?.kind === 'function' ? binding.sites[binding.sites.length - 1]?.parent : undefined;
  if (def?.type !== 'function_definition') return false;
  const { node: argExpr, parent } = unparenthesizedParent(arg);
  let paramName: string | undefined;
  const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter(
    (p): p is Node => !!p && p.type !== 'comment',
  );
  if (parent?.type === 'keyword_argument') paramName = parent.childForFieldName('name')?.text;
  else {
    const index = positionalArguments(call).findIndex((a) => a.id === argExpr.id);
    const p = params[index];
    if (!p) return false;
    paramName = p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? undefined);
  }
  if (!paramName) return false;
  const param = model.scopeFor(def).lookupLocal(paramName);
  if (!param) return false;
  return model
    .references(param)
    .some((r) =>
      effectsOf(model, { node: r.node, scope: r.scope }, kind, depth + 1).some(
        (e) => e.kind === 'evict' || e.kind === 'bound',
      ),
    );
}
