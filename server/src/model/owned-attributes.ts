// Resources stored on `self` (`self._pool = ThreadPoolExecutor()`): the owning object decides
// their lifetime, so they are reported only when the class has a teardown method that forgets
// them and nothing in the file releases, hands out or replaces the attribute.
import type { Node } from '../parser';
import { identifiersNamed } from './find-names';
import type { Creation, Lifecycle, ResourceKind } from './lifecycle';
import { lifetimeOf } from './lifetimes';
import type { Scope, SemanticModel } from './semantic';
import { argumentUse, EXIT_METHODS, firstParameter, flowOf, isAssignmentTarget } from './value-flow';

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

/**
 * `self.attr = Factory()` in a method. The owner decides its lifetime, so we stay silent unless
 * the class has a teardown method (close/__exit__/stop…) and nothing in the file ever releases,
 * hands out or replaces `.attr`: then the teardown forgot it.
 */
export function attributeLifecycle(
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
    if (name && TEARDOWN_METHODS.has(name.text) && !returnsAValue(def)) teardowns.push(def);
  }
  if (teardowns.length === 0)
    return ownerWithoutTeardown(model, creation, target, attribute, kind, cls) ?? handedOn;
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

/**
 * A `stop()` or `close()` that returns what it computes (`return self._post("stop")`) is a
 * command or a query (stop the remote bot, close a ticket), not the object's own teardown, which
 * returns nothing. `__exit__` returns whether to swallow the exception, so dunders stay teardowns.
 */
function returnsAValue(def: Node): boolean {
  if (def.childForFieldName('name')?.text.startsWith('__')) return false;
  const body = def.childForFieldName('body');
  if (!body) return false;
  const returns = body.descendantsOfType('return_statement').filter((r): r is Node => {
    if (!r) return false;
    // Only this function's own returns, not those of functions nested in it.
    for (let p = r.parent; p; p = p.parent) {
      if (p.id === def.id) return true;
      if (p.type === 'function_definition' || p.type === 'lambda') return false;
    }
    return false;
  });
  return returns.some((r) => {
    let value = r.namedChildren.find((c) => c?.type !== 'comment');
    if (value?.type === 'await') value = value.namedChildren[0];
    if (!value || value.type === 'none') return false;
    // `return self._session.close()`: handing on what the release returns is still a teardown.
    const callee = value.type === 'call' ? value.childForFieldName('function') : null;
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    return !method || !TEARDOWN_METHODS.has(method);
  });
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

/**
 * `self._fh = open(p)` in a class with no close/`__exit__`/`__del__` at all: the object is the
 * only owner and has no way to release what it holds. That leaks only if such objects are made
 * again and again, which this module must show (a route handler makes one per request); and
 * nothing else in the file may touch the attribute (closing it from outside, handing it on).
 */
function ownerWithoutTeardown(
  model: SemanticModel,
  creation: Creation,
  target: Node,
  attribute: string,
  kind: ResourceKind,
  cls: Scope,
): Lifecycle | undefined {
  // Base classes may hold the teardown (or a context-manager protocol) elsewhere.
  if ((cls.node.childForFieldName('superclasses')?.namedChildren ?? []).some((b) => b && b.text !== 'object'))
    return undefined;
  const lifetime = lifetimeOf(model, cls.node);
  if (lifetime.kind !== 'per-call') return undefined;
  for (const access of attributeAccesses(model, attribute)) {
    if (access.id === target.id) continue;
    if (attributeAccessVerdict(model, access, kind) !== 'neutral') return undefined;
  }
  return {
    state: 'leaked',
    creation,
    leak: {
      kind: 'owner-never-releases',
      target,
      attribute,
      className: cls.name ?? '',
      made: lifetime.reason,
    },
  };
}

/**
 * Whether `self.<name>` is set only from outside the object: nothing binds it on itself (no
 * `self.<name> = …` in a method, no `<name> = …` in a class body, no `def <name>`, no `setattr`
 * with it); at most a creator sets it on the object it makes (`protocol.factory = self`). Such an
 * attribute names an object handed over (a Twisted protocol's `factory`, an account the framework
 * attaches): it was not made by the object and outlives it.
 */
export function setFromOutside(model: SemanticModel, name: string): boolean {
  const file = model.file;
  for (const id of identifiersNamed(file, [name])) {
    const parent = id.parent;
    if (!parent) continue;
    // `x.name = …`, `name = …` (a class-level or local binding), `def name(…)`, `name: T = …`.
    if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) {
      // `protocol.factory = self` in the creator hands the object over; `self.factory = …` binds it.
      if (boundBy(parent) && boundThroughSelf(parent)) return false;
      continue;
    }
    if (parent.type === 'function_definition' || parent.type === 'class_definition') return false;
    if (boundBy(id)) return false;
  }
  // `setattr(self, "name", …)`.
  return !new RegExp(`setattr\\s*\\([^)]*["']${name}["']`).test(file.text);
}

/** A target of an assignment, also inside a tuple or list of targets, or of a `for`/`with … as`. */
function boundBy(target: Node): boolean {
  let n = target;
  while (
    n.parent &&
    ['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(
      n.parent.type,
    )
  )
    n = n.parent;
  if (isAssignmentTarget(n)) return true;
  const p = n.parent;
  if (p?.type === 'for_statement' && p.childForFieldName('left')?.id === n.id) return true;
  return p?.type === 'as_pattern_target' || p?.type === 'as_pattern';
}

/** `self.x` (the first parameter of the method around it) rather than `other.x`. */
function boundThroughSelf(attribute: Node): boolean {
  const object = attribute.childForFieldName('object');
  if (object?.type !== 'identifier') return true;
  let fn = attribute.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return true;
  return firstParameter(fn) === object.text || object.text === 'self' || object.text === 'cls';
}
