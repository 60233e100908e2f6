// How long a holder lives, compared with the code that puts something into it: the second
// question of a registration leak. Something registered again and again piles up only in a holder
// that outlives the code doing it — a module global, a class, a process-wide registry
// (`logging.getLogger()`, a singleton) — not in an object made by the same call
// (`sess = Session(e)`) or owned by the registering object (`self.events = Emitter()`), which dies
// with it. A holder passed in is the caller's business: its lifetime is decided elsewhere.
import type { Node } from '../parser';
import { attributeNamedBy, identifiersNamed } from './find-names';
import { enclosingMethod, isSelf } from './methods';
import type { SemanticModel } from './semantic';
import { unparenthesized } from './usage';

export type HolderLifetime =
  /** Module globals, imports, classes and class attributes, process-wide registries and singletons. */
  | 'process'
  /** Passed in (a parameter, an attribute of one, `self.x` set from one): the caller decides. */
  | 'external'
  /** Made by the object itself (`self.bus = Bus()`), or the object itself: dies with it. */
  | 'owned'
  /** Made in this call (a constructor, a fresh result): dies with the call. */
  | 'call'
  /** Cannot tell. */
  | 'unknown';

export interface HolderInfo {
  lifetime: HolderLifetime;
  /** Why, as a clause: "`bus` is a module-level object", "`sess` is made in this call". */
  reason: string;
}

/** Process-wide registries by qualified name: what they return lives as long as the process. */
const PROCESS_REGISTRIES = new Set(['logging.getLogger', 'blinker.signal']);
const PROCESS_OBJECTS = new Set(['logging.root']);

/** Accessors of a singleton: `EventBus.instance()`, `get_instance()`, `default_bus()`, `get_event_bus()`. */
const SINGLETON_ACCESSOR =
  /^_?(get_?)?instance$|^_?(get_)?(default|shared|global)(_|$)|^_?get_(event_)?(bus|emitter|hub|dispatcher|broker|signals?)$/i;

/** Other accessors (`get_loop()`, `current_app()`, `getChild()`): the object comes from somewhere else. */
const ACCESSOR = /^_?(get|current|lookup|find|fetch)(_|$)|^_?get[A-Z]/;

function lastName(callee: Node | null): string {
  if (!callee) return '';
  if (callee.type === 'attribute') return callee.childForFieldName('attribute')?.text ?? '';
  return callee.type === 'identifier' ? callee.text : '';
}

function show(node: Node): string {
  return node.text.length <= 40 && !node.text.includes('\n') ? `\`${node.text}\`` : 'the object';
}

/**
 * How long the object `expr` evaluates to lives, as far as this module tells: module-level and
 * process-wide objects outlive everything; an object made in the same call, or by the object
 * itself, dies with it; a parameter's lifetime is its caller's.
 */
export function holderLifetime(model: SemanticModel, expr: Node, depth = 0): HolderInfo {
  const n = unparenthesized(expr);
  if (depth > 4) return unknown(n);
  const qualified = model.qualifiedName(n);
  if (qualified && PROCESS_OBJECTS.has(qualified))
    return { lifetime: 'process', reason: `${show(n)} lives as long as the process` };
  switch (n.type) {
    case 'await': {
      // `await context.new_page()`: what the awaited call makes, as for a plain call.
      const awaited = n.namedChildren[0];
      return awaited ? holderLifetime(model, awaited, depth + 1) : unknown(n);
    }
    case 'call':
      return callLifetime(model, n);
    case 'identifier':
      return nameLifetime(model, n, depth);
    case 'attribute':
      return attributeLifetime(model, n, depth);
    case 'subscript': {
      // An element lives at least as long as the container that keeps it.
      const value = n.childForFieldName('value');
      if (!value) return unknown(n);
      const container = holderLifetime(model, value, depth + 1);
      return { lifetime: container.lifetime, reason: `${show(n)} ${PHRASE[container.lifetime]}` };
    }
    case 'list':
    case 'dictionary':
    case 'set':
    case 'tuple':
    case 'list_comprehension':
    case 'dictionary_comprehension':
    case 'set_comprehension':
      return { lifetime: 'call', reason: `${show(n)} is a new container made in this call` };
    default:
      return unknown(n);
  }
}

/** What each lifetime says about an object, for reasons: "`x` lives as long as the process". */
const PHRASE: Record<HolderLifetime, string> = {
  process: 'lives as long as the process',
  external: 'comes from elsewhere: its provider decides how long it lives',
  owned: 'belongs to the object itself',
  call: 'is made in this call',
  unknown: 'cannot be traced here',
};

function unknown(n: Node): HolderInfo {
  return { lifetime: 'unknown', reason: `how long ${show(n)} lives cannot be told here` };
}

function callLifetime(model: SemanticModel, call: Node): HolderInfo {
  const qualified = model.calleeName(call);
  if (qualified && PROCESS_REGISTRIES.has(qualified))
    return { lifetime: 'process', reason: `\`${qualified}()\` returns a process-wide object` };
  const method = lastName(call.childForFieldName('function'));
  if (SINGLETON_ACCESSOR.test(method))
    return { lifetime: 'process', reason: `${show(call)} returns a process-wide singleton` };
  if (ACCESSOR.test(method))
    return {
      lifetime: 'external',
      reason: `${show(call)} hands out an object whose lifetime is decided elsewhere`,
    };
  return { lifetime: 'call', reason: `${show(call)} makes a new object in this call` };
}

function nameLifetime(model: SemanticModel, id: Node, depth: number): HolderInfo {
  const binding = model.resolve(id);
  const name = `\`${id.text}\``;
  if (!binding) return { lifetime: 'process', reason: `${name} is a module-level name` };
  if (binding.scope === model.moduleScope)
    return { lifetime: 'process', reason: `${name} is a module-level object` };
  if (binding.scope.kind === 'class') return { lifetime: 'process', reason: `${name} is a class attribute` };
  switch (binding.kind) {
    case 'parameter': {
      const method = enclosingMethod(model, id);
      if (method && isSelf(model, method, id))
        return { lifetime: 'owned', reason: `${name} is the object itself` };
      if (id.text === 'cls') return { lifetime: 'process', reason: `${name} is a class` };
      const source = callbackSource(model, binding.sites[0], binding.scope.node, depth);
      if (source)
        return {
          lifetime: 'call',
          reason: `${name} is what ${show(source)} hands to this callback, made in this call`,
        };
      return { lifetime: 'external', reason: `${name} is passed in: its caller decides how long it lives` };
    }
    case 'import':
    case 'class':
      return { lifetime: 'process', reason: `${name} is imported or a class` };
    case 'function':
      return { lifetime: 'call', reason: `${name} is a function made in this call` };
    case 'with':
      return { lifetime: 'call', reason: `${name} is made for this \`with\` block` };
    case 'assignment': {
      const values = binding.sites.map((s) => model.assignedValue(s));
      if (values.length === 0 || values.some((v) => !v)) return unknown(id);
      const infos = (values as Node[]).map((v) => holderLifetime(model, v, depth + 1));
      const first = infos[0];
      if (!infos.every((i) => i.lifetime === first.lifetime)) return unknown(id);
      return { lifetime: first.lifetime, reason: `${name} ${PHRASE[first.lifetime]}` };
    }
    default:
      return unknown(id);
  }
}

function attributeLifetime(model: SemanticModel, attr: Node, depth: number): HolderInfo {
  const object = attr.childForFieldName('object');
  const attrName = attr.childForFieldName('attribute')?.text ?? '';
  if (!object) return unknown(attr);
  const obj = unparenthesized(object);
  const method = enclosingMethod(model, attr);
  if (method && isSelf(model, method, obj)) {
    // `self.x`: what the class assigns to it. Made by the object → owned; passed in → external.
    const assigned = selfAttributeValues(model, method.cls, attrName);
    if (assigned.some((a) => a.classLevel))
      return { lifetime: 'process', reason: `${show(attr)} is a class attribute, shared by every instance` };
    if (assigned.length === 0)
      return {
        lifetime: 'external',
        reason: `${show(attr)} is set outside this class: who owns it is decided elsewhere`,
      };
    const infos = assigned.map((a) => holderLifetime(model, a.value, depth + 1));
    const kinds = new Set(infos.map((i) => i.lifetime));
    if (kinds.size === 1) {
      const only = infos[0];
      if (only.lifetime === 'call' || only.lifetime === 'owned')
        return { lifetime: 'owned', reason: `${show(attr)} is made by the object itself` };
      if (only.lifetime === 'external')
        return {
          lifetime: 'external',
          reason: `${show(attr)} is passed in: its caller decides how long it lives`,
        };
      return { lifetime: only.lifetime, reason: `${show(attr)} ${PHRASE[only.lifetime]}` };
    }
    if (kinds.has('process'))
      return { lifetime: 'process', reason: `${show(attr)} may hold a process-wide object` };
    return {
      lifetime: 'external',
      reason: `${show(attr)} is set in several ways: who owns it is decided elsewhere`,
    };
  }
  // `a.b.c`: as long as its root lives (a module's signal, an attribute of a parameter).
  const root = holderLifetime(model, obj, depth + 1);
  switch (root.lifetime) {
    case 'process':
      return { lifetime: 'process', reason: `${show(attr)} belongs to a module-level object` };
    case 'external':
      return {
        lifetime: 'external',
        reason: `${show(attr)} comes from ${show(obj)}, passed in: its caller decides how long it lives`,
      };
    default:
      return { lifetime: root.lifetime, reason: `${show(attr)} ${PHRASE[root.lifetime]}` };
  }
}

/** Values assigned to `self.<name>` in the methods of `cls`, and to `<name>` in its body. */
function selfAttributeValues(
  model: SemanticModel,
  cls: Node,
  name: string,
): { value: Node; classLevel: boolean }[] {
  const values: { value: Node; classLevel: boolean }[] = [];
  for (const id of identifiersNamed(model.file, [name], cls)) {
    const attribute = attributeNamedBy(id);
    let target: Node | null = null;
    if (attribute) {
      const method = enclosingMethod(model, attribute);
      if (method?.cls.id === cls.id && isSelf(model, method, attribute.childForFieldName('object')))
        target = attribute;
    } else if (model.scopeOf(id).node.id === cls.id) {
      target = id;
    }
    const assignment = target?.parent;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== target?.id)
      continue;
    const value = assignment.childForFieldName('right');
    // `self.x = None` (a reset in `close()`) says nothing about what `x` holds.
    if (value && value.type !== 'none') values.push({ value, classLevel: target?.id === id.id });
  }
  return values;
}

/**
 * For a parameter of a nested function that is only handed to methods of objects made in the
 * enclosing call (`promise.then(on_result)`, `future.add_done_callback(done)`), or called directly
 * with such an object: where its value comes from. What that object passes on is made in this
 * call too.
 */
function callbackSource(model: SemanticModel, param: Node, def: Node, depth: number): Node | undefined {
  if (def.type !== 'function_definition' || depth > 2) return undefined;
  const index = (def.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p) => p && p.type !== 'comment')
    .findIndex((p) => p?.id === param.id || p?.namedChildren.some((c) => c?.id === param.id));
  const nameNode = def.childForFieldName('name');
  const binding = nameNode ? model.resolve(nameNode) : undefined;
  if (index < 0 || binding?.kind !== 'function' || binding.scope.kind !== 'function') return undefined;
  const uses = model.references(binding).filter((r) => r.context === 'load');
  let source: Node | undefined;
  for (const use of uses) {
    const direct = use.node.parent?.type === 'call' ? use.node.parent : undefined;
    if (direct?.childForFieldName('function')?.id === use.node.id) {
      const arg = direct
        .childForFieldName('arguments')
        ?.namedChildren.filter((a) => a && a.type !== 'comment')[index];
      if (
        !arg ||
        arg.type === 'keyword_argument' ||
        holderLifetime(model, arg, depth + 1).lifetime !== 'call'
      )
        return undefined;
      source ??= arg;
      continue;
    }
    const arg = use.node.parent?.type === 'keyword_argument' ? use.node.parent : use.node;
    const call = arg.parent?.type === 'argument_list' ? arg.parent.parent : undefined;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
    if (!receiver || holderLifetime(model, receiver, depth + 1).lifetime !== 'call') return undefined;
    source = receiver;
  }
  return source;
}
