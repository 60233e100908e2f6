// LEAK003 circular-reference: strong reference cycles through `self` — an object that refers to
// itself, a parent and child that refer to each other, a callback stored on the object that
// captures it. CPython frees such objects only when its cyclic garbage collector runs, so this is
// a leak *risk* (memory held longer, finalizers late, GC pauses), not a certain leak.

import { replaceRange } from '../fixes/edits';
import { ensureModuleImport } from '../fixes/imports';
import { declaresSelfMethod, selfMethodFix } from '../fixes/self-method';
import { attrDictFix, proxySelfFix, selfPropertyFix, weakrefSlotEdit } from '../fixes/self-reference';
import { weakPropertyFix } from '../fixes/weak-property';
import { weakBoundMethodFix, weakSelfClosureFix, weakSelfContainerFix } from '../fixes/weak-self';
import { attributeNamedBy, identifiersNamed, wordOffsets } from '../model/find-names';
import { isMappedClass, isSetUpStep, isUndoStep, lifetimeOf } from '../model/lifetimes';
import { perModel } from '../model/memo';
import {
  basesOf,
  classDefinitionOf,
  classOfMethod,
  enclosingMethod,
  instanceParameter,
  isSelf,
  isStaticOrClassMethod,
  type MethodContext,
  methodsOf,
  nameOf,
} from '../model/methods';
import { setFromOutside } from '../model/owned-attributes';
import { parentOf } from '../model/parents';
import type { Binding, SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import {
  contains,
  decoratorsOf,
  inFinally,
  positionalArguments,
  unparenthesized,
  unparenthesizedParent,
  useOf,
} from '../model/usage';
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext, Severity, TextEdit } from '../types';

/** Methods that put their argument into a container: `xs.append(v)`, `s.add(v)`, `xs.insert(i, v)`. */
const CONTAINER_INSERTS: Record<string, number> = {
  append: 0,
  add: 0,
  appendleft: 0,
  insert: 1,
  setdefault: 1,
};

/** Attribute names that, by convention, point from a child back to its owner. */
const BACK_REFERENCE_NAMES = /^_*(parent|owner|master|container|manager|root|controller|outer|host|context)$/;

/** Container removals that show the code breaks links explicitly. */
const LINK_BREAKERS = new Set(['remove', 'discard', 'pop', 'popitem', 'clear']);

/** Builtin bases whose subclasses cannot be weakly referenced. */
const NO_WEAKREF_BASES = new Set(['int', 'bytes', 'tuple', 'bool', 'NamedTuple', 'typing.NamedTuple']);

const CYCLE_COST =
  'these objects are freed only by the cyclic garbage collector, not as soon as the last outside reference goes away';

/** One place where a method stores a reference into an object. */
interface Store {
  /** The assignment or insert call (reported). */
  node: Node;
  /** The object that receives the reference (`self`, `child`, `self.children`, `parent.children`). */
  holder: Node;
  /** The name at the root of `holder` (`self`, `child`, `parent`). */
  root: Node;
  /** The attribute the reference is stored under: `parent` in `c.parent = v`, `children` in `self.children.append(v)`. */
  slot: string;
  /** Stored in a container (append/add/subscript) rather than as an attribute. */
  container: boolean;
  value: Node;
  method: MethodContext;
  /** For attribute stores, the assigned value node (the fix replaces it). */
  assignedValue?: Node;
  /** Where the reference lives, for messages: `self.children`, `child.parent`. */
  label: string;
}

function rootOf(node: Node): Node {
  let n = unparenthesized(node);
  for (;;) {
    if (n.type === 'attribute') n = unparenthesized(n.childForFieldName('object') ?? n);
    else if (n.type === 'subscript') n = unparenthesized(n.childForFieldName('value') ?? n);
    else return n;
  }
}

/** The value finally stored by `a.x = b.y = v` (tree-sitter nests chained assignments on the right). */
function finalValue(assignment: Node): Node | null {
  let right = assignment.childForFieldName('right');
  while (right?.type === 'assignment') right = right.childForFieldName('right');
  return right ? unparenthesized(right) : null;
}

function isWeakrefCall(model: SemanticModel, node: Node | null | undefined): boolean {
  if (!node) return false;
  const n = unparenthesized(node);
  if (n.type === 'conditional_expression') return n.namedChildren.some((c) => !!c && isWeakrefCall(model, c));
  if (n.type !== 'call') return false;
  const name = model.calleeName(n) ?? '';
  if (name.startsWith('weakref.') || name.startsWith('_weakref.') || name.startsWith('_weakrefset.'))
    return true;
  // A project's own weak container (`util.WeakSequence()`, `WeakList()`): named for what it does.
  const callee = n.childForFieldName('function');
  const last = callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee;
  return last?.type === 'identifier' && /^Weak[A-Z]/.test(last.text);
}

/** Whether `node` sits inside a `weakref.ref(...)`/`proxy(...)` call (within `limit`). */
function insideWeakrefCall(model: SemanticModel, node: Node, limit: Node): boolean {
  for (let p = parentOf(node); p && p.id !== limit.id; p = parentOf(p)) {
    if (p.type === 'call' && isWeakrefCall(model, p)) return true;
  }
  return false;
}

/**
 * Where the value `expr` gets stored: `a.x = expr`, `a.x[k] = expr`, `a.xs.append(expr)`, also
 * through literals (`a.xs = [expr]`) and chained assignments (`a.x = b.y = expr`).
 */
function storesOf(expr: Node, method: MethodContext): Store[] {
  return storeSites(expr).map((site) => ({ ...site, method }));
}

type StoreSite = Omit<Store, 'method'>;

function storeSites(expr: Node, value: Node = expr, container = false): StoreSite[] {
  const use = useOf(expr);
  const stores: StoreSite[] = [];
  switch (use.kind) {
    case 'assigned-to': {
      for (
        let assignment: Node | null = use.node;
        assignment?.type === 'assignment';
        assignment = assignment.parent
      ) {
        const target = assignment.childForFieldName('left');
        if (target) {
          const store = storeInto(target, assignment, value, container);
          if (store) stores.push(store);
        }
        // `a.x = b.y = v`: the outer assignment's right side is this one.
        if (
          assignment.parent?.type !== 'assignment' ||
          assignment.parent.childForFieldName('right')?.id !== assignment.id
        )
          break;
      }
      break;
    }
    case 'argument': {
      const fn = use.call.childForFieldName('function');
      const method_ = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const index = method_ !== undefined ? CONTAINER_INSERTS[method_] : undefined;
      const holderExpr = fn?.childForFieldName('object');
      if (
        use.keyword === undefined &&
        index !== undefined &&
        holderExpr &&
        positionalArguments(use.call)[index]?.id === unparenthesizedNode(expr).id
      ) {
        const holder = unparenthesized(holderExpr);
        const slot = holder.type === 'attribute' ? (holder.childForFieldName('attribute')?.text ?? '') : '';
        stores.push({
          node: use.call,
          holder,
          root: rootOf(holder),
          slot,
          container: true,
          value,
          label: holder.text,
        });
      }
      break;
    }
    case 'stored-in': {
      // `[v]`, `(v,)`, `{k: v}`: whatever holds the literal holds `v`.
      const literal = use.node.type === 'pair' ? use.node.parent : use.node;
      if (literal && ['list', 'tuple', 'set', 'dictionary'].includes(literal.type)) {
        stores.push(...storeSites(literal, value, true));
      }
      break;
    }
    default:
      break;
  }
  return stores;
}

function unparenthesizedNode(node: Node): Node {
  let n = node;
  for (let p = parentOf(n); p?.type === 'parenthesized_expression'; p = parentOf(n)) n = p;
  return n;
}

function storeInto(target: Node, assignment: Node, value: Node, container: boolean): StoreSite | undefined {
  if (target.type === 'attribute') {
    const holderExpr = target.childForFieldName('object');
    if (!holderExpr) return undefined;
    const holder = unparenthesized(holderExpr);
    const slot = target.childForFieldName('attribute')?.text ?? '';
    const assignedValue = container ? undefined : (finalValue(assignment) ?? undefined);
    return {
      node: assignment,
      holder,
      root: rootOf(holder),
      slot,
      container,
      value,
      assignedValue,
      label: target.text,
    };
  }
  if (target.type === 'subscript') {
    const containerExpr = target.childForFieldName('value');
    if (!containerExpr) return undefined;
    const holder = unparenthesized(containerExpr);
    const slot = holder.type === 'attribute' ? (holder.childForFieldName('attribute')?.text ?? '') : '';
    return {
      node: assignment,
      holder,
      root: rootOf(holder),
      slot,
      container: true,
      value,
      label: holder.text,
    };
  }
  return undefined;
}

/**
 * Facts about attribute names, computed on demand. `within` narrows the search to one class (plus
 * code outside any class) for attributes of `self`; attributes of other objects (whose class is
 * unknown) are looked up in the whole file.
 */
class SlotFacts {
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly model: SemanticModel) {}

  private memo(kind: string, slot: string, within: Node[] | undefined, compute: () => boolean): boolean {
    const key = `${kind}:${slot}:${within?.map((w) => w.id).join(',') ?? '*'}`;
    let result = this.cache.get(key);
    if (result === undefined) {
      result = compute();
      this.cache.set(key, result);
    }
    return result;
  }

  /** Identifiers spelled `slot` in the file, restricted to the `within` classes and to code outside any class. */
  private identifiers(slot: string, within: Node[] | undefined): Node[] {
    const all = identifiersNamed(this.model.file, [slot]);
    if (!within) return all;
    return all.filter((id) => {
      const cls = enclosingClass(id);
      return !cls || within.some((w) => w.id === cls.id);
    });
  }

  private attributesNamed(slot: string, within: Node[] | undefined): Node[] {
    return this.identifiers(slot, within)
      .map((id) => attributeNamedBy(id))
      .filter((n): n is Node => !!n);
  }

  /** Whether the slot is ever given a weak value or container (`x.children = weakref.WeakSet()`) or is a property. */
  isWeak(slot: string, within: Node[] | undefined): boolean {
    return this.memo('weak', slot, within, () =>
      this.identifiers(slot, within).some((id) => {
        const attribute = attributeNamedBy(id);
        const parent = (attribute ?? id).parent;
        // `self.children = weakref.WeakSet()` or class-level `children = weakref.WeakSet()`
        if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === (attribute ?? id).id) {
          if (isWeakrefCall(this.model, finalValue(parent))) return true;
        }
        // A property (or `@slot.setter`) may store the value weakly: trust it.
        const def = id.parent;
        return (
          def?.type === 'function_definition' &&
          def.childForFieldName('name')?.id === id.id &&
          isProperty(def)
        );
      }),
    );
  }

  /** Whether the code breaks the link explicitly somewhere (`x.parent = None`, `del x.parent`, `x.children.remove(c)`). */
  isBrokenExplicitly(slot: string, within: Node[] | undefined): boolean {
    return this.memo('broken', slot, within, () =>
      this.attributesNamed(slot, within).some((attribute) => {
        const use = useOf(attribute);
        switch (use.kind) {
          case 'rebind': {
            // Restored in a `finally:` (a temporary link), or set to None outside `__init__` (unlinked).
            if (inFinally(attribute)) return true;
            const value = finalValue(use.node);
            const fn = enclosingFunction(attribute);
            if (value?.type === 'none' && (fn ? nameOf(fn) : undefined) !== '__init__') return true;
            // Rebound (a saved previous value restored) when the object closes, commits or rolls back.
            return !!fn && !!value && !isSelfName(value) && isUndoStep(this.model, fn);
          }
          case 'del':
          case 'subscript-del':
            return true;
          case 'method':
            return LINK_BREAKERS.has(use.method);
          default:
            return false;
        }
      }),
    );
  }

  /**
   * Whether the file removes the attribute by its name, through an attribute store's API or
   * `delattr` (`caller.attributes.remove("_editor")`, `delattr(owner, "_editor")`): the link is
   * undone where the object's session ends, without `del x.slot` being written.
   */
  isRemovedByName(slot: string): boolean {
    return this.memo('removed-by-name', slot, undefined, () => removedByName(this.model.file, slot));
  }

  /** Either of the above: the slot is not a plain strong link that stays. */
  isExempt(slot: string, within: Node[] | undefined): boolean {
    if (!slot) return false;
    // Initialised elsewhere (a base class, another module) but named for what it is: `_weakversions`.
    if (/weak/i.test(slot)) return true;
    return this.isWeak(slot, within) || this.isBrokenExplicitly(slot, within) || this.isRemovedByName(slot);
  }

  /**
   * Whether every read of `.slot` in the file would behave the same on a `weakref.proxy`: attribute
   * access through it, truthiness, `is None`, `==`. Identity tests against objects, `isinstance`,
   * hashing, returning or passing it on are not (a proxy is a different object).
   */
  isProxySafe(slot: string): boolean {
    return this.memo('proxy', slot, undefined, () =>
      this.attributesNamed(slot, undefined).every((attribute) => isProxySafeRead(attribute)),
    );
  }
}

/** Calls that remove an entry or attribute named by their first argument. */
const REMOVE_BY_NAME = new Set(['remove', 'delete', '__delattr__']);

/** `store.remove("slot")`, `delattr(x, "slot")`: a call removing the attribute named `slot`. */
function removedByName(file: SourceFile, slot: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(slot)) return false;
  for (const m of file.text.matchAll(new RegExp(`(["'])${slot}\\1`, 'g'))) {
    const at = (m.index ?? 0) + 1;
    let string: Node | null = file.root.descendantForIndex(at, at + slot.length);
    while (string && string.type !== 'string') string = string.parent;
    const list = string?.parent;
    const call = list?.type === 'argument_list' ? list.parent : null;
    if (call?.type !== 'call' || !string) continue;
    const args = positionalArguments(call);
    const callee = call.childForFieldName('function');
    if (callee?.type === 'identifier' && callee.text === 'delattr' && args[1]?.id === string.id) return true;
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (method && REMOVE_BY_NAME.has(method) && args[0]?.id === string.id) return true;
  }
  return false;
}

function enclosingFunction(node: Node): Node | null {
  let p = parentOf(node);
  while (p && p.type !== 'function_definition') p = parentOf(p);
  return p;
}

/** `self` (or `cls`, `this`): the object itself, whichever method it is in. */
function isSelfName(node: Node): boolean {
  return node.type === 'identifier' && (node.text === 'self' || node.text === 'this');
}

function enclosingClass(node: Node): Node | null {
  let p = parentOf(node);
  while (p && p.type !== 'class_definition') p = parentOf(p);
  return p;
}

function isProperty(def: Node): boolean {
  return decoratorsOf(def).some((d) => {
    if (d.text === 'property' || d.text.endsWith('.property')) return true;
    return d.type === 'attribute' && d.childForFieldName('attribute')?.text === 'setter';
  });
}

function isTruthinessContext(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'not_operator':
    case 'assert_statement':
      return true;
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
    case 'conditional_expression':
      return parent.childForFieldName('condition')?.id === node.id;
    case 'boolean_operator':
    case 'parenthesized_expression':
      return isTruthinessContext(parent);
    default:
      return false;
  }
}

function isProxySafeRead(attribute: Node): boolean {
  const use = useOf(attribute);
  switch (use.kind) {
    case 'rebind':
    case 'del':
    case 'attribute':
    case 'method':
      return true;
    default:
      break;
  }
  if (isTruthinessContext(attribute)) return true;
  const parent = attribute.parent;
  if (parent?.type === 'comparison_operator') {
    const operators = parent.children.filter((c) => !!c && !c.isNamed).map((c) => c?.type);
    if (operators.every((op) => op === '==' || op === '!=')) return true;
    const operands = parent.namedChildren;
    return (
      operators.every((op) => op === 'is' || op === 'is not') && operands.some((o) => o?.type === 'none')
    );
  }
  return false;
}

/** Whether instances of `cls` can be weakly referenced (no `__slots__` without `__weakref__`, no int/tuple base). */
function supportsWeakrefs(model: SemanticModel, cls: Node): boolean {
  for (const base of basesOf(cls)) {
    if (NO_WEAKREF_BASES.has(base.text)) return false;
    if (base.type === 'call') return false; // namedtuple(...) and friends
    const q = model.qualifiedName(base);
    if (q === 'typing.NamedTuple' || q === 'builtins.tuple') return false;
  }
  return slotDeclarations(cls).every((names) => names.includes('__weakref__'));
}

/** The names each `__slots__` assignment of a class body lists (none when it has no `__slots__`). */
function slotDeclarations(cls: Node): string[][] {
  const declarations: string[][] = [];
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === '__slots__')
      declarations.push(
        (assignment.childForFieldName('right')?.descendantsOfType('string_content') ?? []).flatMap((s) =>
          s ? [s.text] : [],
        ),
      );
  }
  return declarations;
}

/** The names a class body's first `__slots__` lists (empty when it has none). */
function slotNamesOf(cls: Node): string[] {
  return slotDeclarations(cls)[0] ?? [];
}

/**
 * `self.parent = parent; parent.child = self`, weakened on the `self.parent` side: the object held
 * weakly is whatever `parent` is, any object that takes `.child`. The classes of this file that list
 * `child` in `__slots__` are such objects, and a slotted class without `__weakref__` cannot be
 * weakly referenced (a `weakref.ref` or `proxy` of it raises TypeError). The edits adding
 * `__weakref__` to their slots (a class with no base); none when they already support weak
 * references or inherit that from a class of this file; undefined when one of them cannot be
 * fixed here (its bases are not known to allow it), so no weak fix is offered.
 */
function slottedReceiverEdits(ctx: RuleContext, backSlot: string): TextEdit[] | undefined {
  const classes = ctx.file.root.descendantsOfType('class_definition').filter((c): c is Node => !!c);
  const byName = new Map(classes.map((c) => [nameOf(c), c]));
  // Weakly referenceable: no `__slots__` (then `__weakref__` comes with `__dict__`), `__weakref__`
  // among them, or a base of this file that is; a base from elsewhere is not known to be.
  const weakReferenceable = (cls: Node, seen: Set<Node>): boolean => {
    if (seen.has(cls)) return false;
    seen.add(cls);
    const slots = slotNamesOf(cls);
    if (!slots.length || slots.includes('__weakref__')) return supportsWeakrefs(ctx.model, cls);
    return basesOf(cls).some((b) => {
      const base = byName.get(b.text);
      return !!base && weakReferenceable(base, seen);
    });
  };
  const edits: TextEdit[] = [];
  for (const cls of classes) {
    if (!slotNamesOf(cls).includes(backSlot) || weakReferenceable(cls, new Set())) continue;
    if (basesOf(cls).some((b) => b.text !== 'object')) return undefined;
    const edit = weakrefSlotEdit(ctx.file, cls, false);
    if (!edit) return undefined;
    edits.push(edit);
  }
  return edits;
}

function describeHolder(store: Store): string {
  return store.label;
}

/**
 * Whether the lambda/function `closure` keeps `self` alive: its body uses the method's `self`
 * (a captured cell), or a default value is `self` itself. `selfref=weakref.ref(self)` is fine,
 * and a body that rebinds its own `self` does not capture the method's.
 */
function closureKeepsSelf(model: SemanticModel, method: MethodContext, closure: Node): boolean {
  return model.references(method.self).some((r) => {
    if (!contains(closure, r.node)) return false;
    const captured = r.scope.node.id !== method.method.id && contains(closure, r.scope.node);
    return captured || !insideWeakrefCall(model, r.node, closure);
  });
}

/** A local (parameter or variable) of the method, other than `self`. */
function localBinding(model: SemanticModel, method: MethodContext, node: Node): Binding | undefined {
  if (node.type !== 'identifier' || isSelf(model, method, node)) return undefined;
  const binding = model.resolve(node);
  if (!binding || binding.scope === model.moduleScope || binding.scope.kind === 'class') return undefined;
  if (binding.kind === 'import' || binding.kind === 'function' || binding.kind === 'class') return undefined;
  return binding;
}

interface ConstructorStore {
  cls: Node;
  /** `self.parent = parent` in the constructed class (or the dataclass field). */
  store: Node;
  slot: string;
}

/** `Child(self)` where `Child` (defined here) keeps that argument strongly on the new instance. */
function constructorKeepsSelf(
  model: SemanticModel,
  method: MethodContext,
  call: Node,
): ConstructorStore | undefined {
  if (call.type !== 'call') return undefined;
  const cls = classDefinitionOf(model, call.childForFieldName('function'));
  if (!cls) return undefined;
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  let position = -1;
  let keyword: string | undefined;
  positionalArguments(call).forEach((a, i) => {
    if (isSelf(model, method, unparenthesized(a))) position = i;
  });
  for (const a of args.namedChildren) {
    if (a?.type === 'keyword_argument' && isSelf(model, method, a.childForFieldName('value'))) {
      keyword = a.childForFieldName('name')?.text;
    }
  }
  if (position < 0 && !keyword) return undefined;
  const init = methodsOf(cls).get('__init__');
  if (init) return initKeeps(model, init, position, keyword, cls);
  if (isDataclass(model, cls)) return dataclassKeeps(cls, position, keyword);
  return undefined;
}

function parameterName(p: Node): string | undefined {
  if (p.type === 'identifier') return p.text;
  if (p.type === 'default_parameter' || p.type === 'typed_default_parameter')
    return p.childForFieldName('name')?.text;
  if (p.type === 'typed_parameter') return p.namedChildren.find((c) => c?.type === 'identifier')?.text;
  return undefined;
}

function initKeeps(
  model: SemanticModel,
  init: Node,
  position: number,
  keyword: string | undefined,
  cls: Node,
): ConstructorStore | undefined {
  const ctx = enclosingMethod(model, init.childForFieldName('body') ?? init);
  if (!ctx) return undefined;
  const params = (init.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p): p is Node => !!p)
    .slice(1);
  let name = keyword;
  if (!name && position >= 0) {
    const p = params[position];
    // Past a `*args` the positional mapping is unknown.
    if (
      !p ||
      params
        .slice(0, position + 1)
        .some((q) => q.type === 'list_splat_pattern' || q.type === 'keyword_separator')
    )
      return undefined;
    name = parameterName(p);
  }
  if (!name) return undefined;
  const binding = model.scopeFor(init).lookupLocal(name);
  if (binding?.kind !== 'parameter') return undefined;
  for (const ref of model.references(binding)) {
    const use = useOf(ref.node);
    if (use.kind !== 'assigned-to' || use.target.type !== 'attribute') continue;
    if (!isSelf(model, ctx, use.target.childForFieldName('object'))) continue;
    return { cls, store: use.node, slot: use.target.childForFieldName('attribute')?.text ?? '' };
  }
  return undefined;
}

function isDataclass(model: SemanticModel, cls: Node): boolean {
  return decoratorsOf(cls).some((d) => {
    const target = d.type === 'call' ? d.childForFieldName('function') : d;
    const q = model.qualifiedName(target) ?? '';
    return q === 'dataclasses.dataclass' || q === 'attr.s' || q === 'attrs.define' || q === 'attr.define';
  });
}

function dataclassKeeps(
  cls: Node,
  position: number,
  keyword: string | undefined,
): ConstructorStore | undefined {
  const fields: Node[] = [];
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (a?.type !== 'assignment' || a.childForFieldName('left')?.type !== 'identifier') continue;
    const annotation = a.childForFieldName('type')?.text;
    if (!annotation || /ClassVar|InitVar/.test(annotation)) continue;
    fields.push(a);
  }
  const field = keyword
    ? fields.find((f) => f.childForFieldName('left')?.text === keyword)
    : fields[position];
  if (!field) return undefined;
  const annotation = field.childForFieldName('type')?.text ?? '';
  if (/weakref|ReferenceType|ProxyType/.test(annotation)) return undefined;
  return { cls, store: field, slot: field.childForFieldName('left')?.text ?? '' };
}

function previousNonSpaceIndex(text: string, i: number): number {
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j--;
  return j;
}

function nextNonBlank(text: string, i: number): string | undefined {
  let j = i;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
  return j < text.length ? text[j] : '\n';
}

/** Whether the `(` at `paren` opens a `def name(` parameter list. */
function opensParameters(text: string, paren: number): boolean {
  let j = paren - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  const nameEnd = j;
  while (j >= 0 && /[\p{L}\p{N}_]/u.test(text[j])) j--;
  if (j === nameEnd) return false;
  const keywordEnd = j;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  if (j === keywordEnd) return false;
  return text.slice(j - 2, j + 1) === 'def' && (j < 3 || !/[\p{L}\p{N}_]/u.test(text[j - 3]));
}

/** CPython's tokenizer rejects brackets nested deeper than this ("too many nested parentheses"). */
const MAX_NESTING = 200;

/** The characters `bracketDepths` acts on; everything between them is passed over by the engine. */
const BRACKET_SCAN = /[()[\]{}#"']/g;
/** The end of a string literal's body: a backslash (escape) or its quote (or a line break). */
const STRING_END = {
  '"': /[\\"\n]/g,
  "'": /[\\'\n]/g,
} as const;

/**
 * The bracket nesting depth at each of `offsets` (ascending), from one pass over the text that
 * skips comments and string literals. The depth at an offset counts the brackets before it;
 * inside a comment or string, the depth where it starts.
 */
function bracketDepths(text: string, offsets: number[]): number[] {
  const depths: number[] = [];
  const n = text.length;
  let depth = 0;
  let k = 0;
  let i = 0;
  while (k < offsets.length) {
    // Nothing between `i` and the next bracket, comment or quote changes the depth.
    BRACKET_SCAN.lastIndex = i;
    const at = BRACKET_SCAN.exec(text)?.index ?? n;
    while (k < offsets.length && offsets[k] <= at) {
      depths.push(depth);
      k++;
    }
    if (at >= n) break;
    const c = text[at];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    if (c === '#') {
      const end = text.indexOf('\n', at);
      i = end < 0 ? n : end + 1;
    } else if (c === '"' || c === "'") i = stringEnd(text, at, c);
    else i = at + 1;
  }
  while (depths.length < offsets.length) depths.push(depth);
  return depths;
}

/** Where the string literal opening with `quote` at `at` ends (just past its closing quote). */
function stringEnd(text: string, at: number, quote: '"' | "'"): number {
  const triple = text.startsWith(quote.repeat(3), at);
  const close = triple ? quote.repeat(3) : quote;
  const scan = STRING_END[quote];
  let j = at + close.length;
  while (j < text.length) {
    scan.lastIndex = j;
    const found = scan.exec(text);
    if (!found) return text.length + close.length;
    j = found.index;
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '\n') {
      // A line break ends a one-quote string (unterminated); a triple-quoted one goes on.
      if (!triple) return j + 1;
      j++;
    } else if (text.startsWith(close, j)) return j + close.length;
    else j++;
  }
  return j + close.length;
}

/** `self` used as a whole value (`x.parent = self`, `append(self)`, `Child(self)`), not as `self.attr`. */
function* selfAsValue(text: string): Generator<number> {
  for (const i of wordOffsets(text, 'self')) {
    const before = previousNonSpaceIndex(text, i);
    if (
      '=(,[{:'.includes(text[before] ?? '') &&
      ')]},;#\r\n'.includes(nextNonBlank(text, i + 4) ?? '') &&
      // `def method(self, …)`: the parameter itself, in every method — by far the most common hit.
      !(text[before] === '(' && opensParameters(text, before))
    )
      yield i;
  }
}

/** Parents through which a lambda can be stored (`self.f = lambda: …`, `xs.append(lambda: …)`, `[lambda: …]`). */
const STORING_PARENTS = new Set([
  'assignment',
  'argument_list',
  'expression_list',
  'list',
  'tuple',
  'set',
  'pair',
]);

/**
 * The lambdas starting at `offsets` (ascending) that sit in a method and whose value may be
 * stored. One cursor walks down the tree from hit to hit, keeping the types of the ancestors on
 * its path, so the test costs no `parent` lookups: web-tree-sitter answers each by walking down
 * from the root, which made deeply nested lambdas (`lambda: lambda: …`) quadratic.
 */
function storableLambdasInMethods(root: Node, offsets: number[]): Node[] {
  const found: Node[] = [];
  if (offsets.length === 0) return found;
  const cursor = root.walk();
  // The types of the nodes from the root down to the cursor's node (inclusive).
  const path: string[] = [cursor.nodeType];
  try {
    for (const offset of offsets) {
      // Up (or along) to the node holding `offset`: offsets ascend, so what ends before it is done.
      while (path.length > 1 && cursor.endIndex <= offset) {
        if (cursor.gotoNextSibling()) path[path.length - 1] = cursor.nodeType;
        else {
          cursor.gotoParent();
          path.pop();
        }
      }
      if (cursor.startIndex > offset || cursor.endIndex <= offset) continue;
      // Down to the lambda that starts at `offset` (each sibling passed over is never visited again).
      while (!(cursor.nodeType === 'lambda' && cursor.startIndex === offset) && cursor.gotoFirstChild()) {
        while (cursor.endIndex <= offset && cursor.gotoNextSibling()) {}
        if (cursor.startIndex > offset || cursor.endIndex <= offset) {
          cursor.gotoParent();
          break;
        }
        path.push(cursor.nodeType);
      }
      if (cursor.nodeType !== 'lambda' || cursor.startIndex !== offset) continue;
      let up = path.length - 2;
      while (up >= 0 && path[up] === 'parenthesized_expression') up--;
      if (up >= 0 && STORING_PARENTS.has(path[up]) && inMethodBody(path)) found.push(cursor.currentNode);
    }
  } finally {
    cursor.delete();
  }
  return found;
}

/** Whether the innermost function or class around the end of `path` is a method (closures in between allowed). */
function inMethodBody(path: string[]): boolean {
  for (let i = path.length - 2; i >= 0; i--) {
    if (path[i] === 'class_definition') return false;
    if (path[i] !== 'function_definition') continue;
    let j = i - 1;
    if (path[j] === 'decorated_definition') j--;
    if (path[j] === 'block' && path[j - 1] === 'class_definition') return true;
  }
  return false;
}

/** A `def` indented at least two levels (a candidate nested function): offset and name. */
function* nestedDefs(text: string): Generator<{ index: number; name: string }> {
  for (const i of wordOffsets(text, 'def')) {
    let start = i;
    while (start > 0 && text[start - 1] !== '\n') start--;
    let prefix = text.slice(start, i);
    if (prefix.endsWith('async ')) prefix = prefix.slice(0, -6).trimEnd();
    if (!/^(?: {8,}|\t{2,})$/.test(prefix)) continue;
    const name = /^def[ \t]+([\p{L}_][\p{L}\p{N}_]*)/u.exec(text.slice(i, i + 200));
    if (name) yield { index: i + name[0].length - name[1].length, name: name[1] };
  }
}

/** The method whose body defines `def` (possibly under `if`/`for`/`with`), found without the semantic model. */
function methodAround(def: Node): Node | null {
  for (let p = parentOf(def); p; p = parentOf(p)) {
    const type = p.type;
    if (type === 'class_definition' || type === 'lambda') return null;
    if (type === 'function_definition') return classOfMethod(p) ? p : null;
  }
  return null;
}

/** Whether `self` here is stored (assigned, inserted, in a literal) or passed to a class defined in this file. */
function mayStoreSelf(node: Node, classNames: Set<string>): boolean {
  const { node: n, parent } = unparenthesizedParent(node);
  switch (parent?.type) {
    case 'assignment':
      return parent.childForFieldName('right')?.id === n.id;
    case 'list':
    case 'tuple':
    case 'set':
    case 'pair':
      return true;
    case 'argument_list':
    case 'keyword_argument': {
      const call = parent.type === 'argument_list' ? parentOf(parent) : parentOf(parentOf(parent));
      const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
      if (fn?.type === 'identifier') return classNames.has(fn.text);
      return (
        parent.type === 'argument_list' &&
        fn?.type === 'attribute' &&
        (fn.childForFieldName('attribute')?.text ?? '') in CONTAINER_INSERTS
      );
    }
    default:
      return false;
  }
}

export const rule: Rule = {
  code: 'LEAK003',
  name: 'circular-reference',
  defaultSeverity: 'information',
  summary:
    'A strong reference cycle through `self` (self-reference, parent/child back-reference, or a stored callback that captures `self`).',
  docs: {
    whatItDoes:
      'Flags reference cycles that a method creates through `self`: `self.x = self`; a parent and child that refer to ' +
      'each other (`child.parent = self` together with `self.children.append(child)`, `self.children[k] = child` or ' +
      '`self.child = child` in the same method, or `self.children.append(Child(self))` when `Child.__init__` keeps its ' +
      'argument); and a lambda or nested function that uses `self` stored on `self` (`self.callback = lambda: ' +
      'self.refresh()`, `self.handlers.append(lambda e: self.on(e))`). It is silent when either side is weak ' +
      '(`weakref.ref`, `weakref.proxy`, `weakref.finalize`, `WeakSet`, `WeakValueDictionary`, `WeakKeyDictionary`, ' +
      '`WeakMethod`, a class of the project named `Weak…` such as a `WeakSequence` helper, or a property that may ' +
      'store weakly), when a link goes one way only, when the closure does not use `self` or is stored elsewhere, ' +
      'and when the code undoes the link: `x.parent = None`, `del x.parent`, `self.children.remove(c)`, or a ' +
      '`close()`, `dispose()`, `__exit__`, `end()`, `finish()`, `commit()` or `rollback()` (or a helper only they call) that rebinds it, ' +
      'for example to a saved previous value. Links between ORM-mapped objects (SQLAlchemy declarative classes, ' +
      'Django models) are the data model and are not reported. Nor is `self` put into a container declared in the ' +
      'class body and never set on the instance (`self._by_owner["k"][owner].append(self)`, at any depth): that is ' +
      "the class's registry (LEAK001/LEAK002's question), not a cycle through the object.\n\n" +
      'A bound method of the object stored on it (`self.feed = self.update`) keeps it alive like a closure; state ' +
      'machines do this on every step, so it is reported only where this module shows the objects are made again ' +
      'and again, once per class and attribute. Once its `__init__` has stored one such bound method, a second slot ' +
      'set there or a later switch to another bound method (`self._handle = self.passthrough` on an upgrade) adds no ' +
      'cycle of its own: a `hint` naming the first slot. Several children built with `self` into one holder ' +
      '(`self.seats = [Seat("n", self), Seat("s", self)]`), or into several attributes by one method ' +
      '(`self.accepted = View(self)` beside `self.rejected = View(self)`), are one cycle between the two classes, reported once ' +
      "where the child's weak slot breaks them all. Lambdas and bound methods kept in one container of the object " +
      '(`self.routes = {"a": {"next": lambda d: self.go(d)}, "b": {"next": self.on_b}}`) are one cycle too: one ' +
      'finding per class and container, whose fix weakens every one that statement stores. A child made with `self` ' +
      'again outside `__init__` (`self.total = Entry(self)` in `clear_all()`) after `__init__` made the same link ' +
      "is not reported: the old child is freed by reference counting. A link the file removes by the attribute's " +
      'name (`caller.attributes.remove("_editor")`, `delattr(owner, "_editor")`) is undone.\n\n' +
      'A cycle costs memory only when its objects become garbage again and again, so the severity says how sure ' +
      'that is, and the message says why:\n\n' +
      '- **warning**: objects made again and again — this module makes them in a route handler, a callback or a ' +
      'loop (\"a `RequestContext` is made in `profile()`, and it runs on every request: `profile()` is a route ' +
      'handler\"), or one is made for every request (a Django, Flask or aiohttp class-based view, a Tornado or ' +
      '`socketserver` request handler, a Django or WTForms form, a REST framework serializer).\n' +
      '- **information**: the class is made in other modules, so how often is unknowable here (\"how often `Layer` ' +
      'objects are made is decided in other modules\").\n' +
      '- **hint**: harmless in practice — a GUI widget (tkinter, Qt, wx, urwid, …), made at the pace of its user, ' +
      "also through the project's own classes (a base that is a Qt dialog in another module, a mixin or a base that " +
      'only GUI classes of the project derive from); or, ' +
      'when the project is indexed (the CLI and the editor index it), a class that no code in the project makes or ' +
      'derives from; or a back link stored on an object handed over from outside (`self.factory.client = self`, where ' +
      'the object never sets `self.factory` itself — a Twisted protocol and its factory): that object outlives it, and ' +
      'the next object stored under the same attribute replaces the link, so no cycle is left per object.\n' +
      '- **not reported**: objects made once (at import, in `main()`, in a start-up hook, in a `click` command; ' +
      'when the project is indexed, also where other modules make them only in such code, in script files, in a ' +
      'memoized getter of a process-wide object (`@cached_property` on an application or server) or in the ' +
      'constructor of a process-wide class and the methods it calls on `self`); objects made by the constructor of ' +
      'a process-wide object (a configuration entry making its options), which live as long as it; and, ' +
      'for a class made elsewhere, framework and configuration objects that live as long as the process: a class ' +
      'or base named for such a role (`…App`, `…Server`, `…Pool`, `…Manager`, `…Registry`, `…Mapper`, `…Dialect`, ' +
      "`…Plugin`, `Cog`, `…Config`, `…Settings`, `SchemaItem`, `…Property`, …), the GUI toolkit's application " +
      'object (`QApplication`, `wx.App`), a Twisted factory, a class with a set-up hook ' +
      '(`configure()`, `setup()`, `initialize()`) or that is started and stopped (`start()` or `start_…()` with `stop()`, ' +
      '`shutdown()` or `close()`), and cycles formed in a set-up step (`initialize()`, `do_init()`, ' +
      '`_configure_…()`, `register_…()`, `reconfigure()`, or a method only such steps call); objects made in such a ' +
      'step (a factory a service makes when it is reconfigured) live long too.',
    whyIsThisBad:
      'CPython frees most objects by reference counting, the moment the last reference goes away. Objects in a ' +
      'cycle never reach zero, so they wait for the cyclic garbage collector: they are freed later, in batches that ' +
      'cause pauses, and not at all if the collector is disabled or frozen (`gc.disable()`, `gc.freeze()`, common in ' +
      'pre-fork servers). Each cycle can hold a large graph (a whole tree, a request with its buffers), so a busy ' +
      'service keeps far more memory than it uses, and finalizers (`__del__`, `weakref.finalize`) run late. This is a ' +
      'leak risk, not a certain leak: the collector does reclaim these objects eventually. Holding the back-reference ' +
      'weakly makes them free promptly.\n\n' +
      '**Fixes** (all **unsafe**: a weak reference stops working once its object is freed): `weakref.proxy(…)` for a ' +
      'back-reference whose every read works on a proxy; a `parent` property backed by `weakref.ref` in the class that ' +
      'holds the link (reads give the object itself, so `node = node.parent` walks and `is` tests keep working, and ' +
      '`None` once the parent is gone); for a lambda or nested function stored on `self`, `weak_self = ' +
      'weakref.ref(self)` and `weak_self()` in the closure, which keeps its signature. A bound method of the object ' +
      'stored on it (`self.state = self.idle`) is declared with a small descriptor, `_SelfMethod`, that stores the ' +
      'function and binds it on each read (calls, `==` and `__name__` keep working). `self.x = self` becomes a ' +
      'read-only property, `self.__dict__ = self` item-backed attribute methods, and `self` kept in a container ' +
      '`weakref.proxy(self)` (`__slots__` gain `__weakref__` where needed); two objects linked both ways through ' +
      'lists (`self.children.append(g)`, `g.parents.append(self)`) append `weakref.proxy(self)` on the back side (a ' +
      'proxy compares equal to its object, so `self in g.parents` still finds it). No fix for a class whose ' +
      'instances cannot be weakly referenced (a subclass of `tuple`, `int` or `bytes`, which cannot take ' +
      '`__weakref__`): nothing in such a cycle can be held weakly, and holding one side in a registry instead would ' +
      'keep every object alive for good, which is worse than the cycle.',
    example: [
      'class Node:',
      '    def __init__(self):',
      '        self.parent = None',
      '        self.children = []',
      '',
      '    def add(self, child):',
      '        child.parent = self  # child -> parent',
      '        self.children.append(child)  # parent -> child: a cycle',
    ].join('\n'),
    useInstead: [
      'import weakref',
      '',
      'class Node:',
      '    def __init__(self):',
      '        self.parent = None',
      '        self.children = []',
      '',
      '    def add(self, child):',
      '        child.parent = weakref.proxy(self)  # does not keep the parent alive',
      '        self.children.append(child)',
    ].join('\n'),
    references: [
      'https://docs.python.org/3/library/weakref.html',
      'https://docs.python.org/3/library/gc.html',
    ],
  },
  fixable: true,
  mayFire,
  check(context) {
    let ctx = context;
    const { file, model } = ctx;
    const text = file.text;
    if (!text.includes('class')) return;
    // One finding per range: a nested function defined in two branches is found twice.
    const reported = new Set<string>();
    const report = ctx.report.bind(ctx);
    ctx = {
      ...ctx,
      report(r) {
        const key = `${r.range.start.line}:${r.range.start.character}`;
        if (reported.has(key)) return;
        reported.add(key);
        report(r);
      },
    };
    const facts = new SlotFacts(model);
    const pairs = new Set<Binding>();
    const classNames = new Set<string>();
    for (const i of wordOffsets(text, 'class')) {
      const name = /^class[ \t]+([\p{L}_][\p{L}\p{N}_]*)/u.exec(text.slice(i, i + 200));
      if (name) classNames.add(name[1]);
    }
    const selfOffsets = [...selfAsValue(text)];
    const depths = bracketDepths(text, selfOffsets);
    for (const [k, i] of selfOffsets.entries()) {
      // Deeper than CPython's parser allows: not Python, and each step up it would cost a walk.
      if (depths[k] > MAX_NESTING) continue;
      const node = file.root.descendantForIndex(i, i + 4);
      // Cheap syntactic filter first: most `f(self)` calls store nothing.
      if (node?.type === 'identifier' && mayStoreSelf(node, classNames))
        checkSelfValue(ctx, facts, node, pairs);
    }
    for (const lambda of storableLambdasInMethods(file.root, wordOffsets(text, 'lambda')))
      checkStoredClosure(ctx, facts, lambda, lambda);
    for (const attribute of boundMethodValues(file, text)) checkStoredBoundMethod(ctx, facts, attribute);
    for (const { index, name: fnName } of nestedDefs(text)) {
      const name = file.root.descendantForIndex(index, index + fnName.length);
      const def = name?.parent;
      if (name?.type !== 'identifier' || def?.type !== 'function_definition') continue;
      const method = methodAround(def);
      const selfName = method && instanceParameter(method)?.text;
      if (!method || !selfName) continue;
      // Syntactic search first (`self.x = fn`, `self.xs.append(fn)`); the model confirms the few hits.
      const stored = identifiersNamed(file, [fnName], method).filter(
        (id) =>
          id.id !== name.id &&
          storeSites(id).some((site) => site.root.type === 'identifier' && site.root.text === selfName),
      );
      if (stored.length === 0) continue;
      const binding = model.resolve(name);
      if (binding?.kind !== 'function' || binding.scope.kind !== 'function') continue;
      for (const ref of stored) if (model.resolve(ref) === binding) checkStoredClosure(ctx, facts, ref, def);
    }
  },
};

/** An occurrence of `self` as a value: a self-reference, a back-reference, or an argument to a constructor. */
function checkSelfValue(ctx: RuleContext, facts: SlotFacts, node: Node, pairs: Set<Binding>): void {
  const { model } = ctx;
  // What the value is stored into, and the call it is given to: syntax, asked before the method
  // and its names (which collect the method's scope) — most hits are neither.
  const sites = storeSites(node);
  const { parent } = unparenthesizedParent(node);
  const call =
    parent?.type === 'keyword_argument'
      ? parent.parent?.parent
      : parent?.type === 'argument_list'
        ? parent.parent
        : null;
  if (sites.length === 0 && call?.type !== 'call') return;
  const method = enclosingMethod(model, node);
  if (!method || !isSelf(model, method, node)) return;
  for (const store of sites.map((site): Store => ({ ...site, method }))) {
    if (isClassAttribute(store.holder)) continue;
    if (isSelf(model, method, store.root)) {
      if (!isClassLevelContainer(model, store)) checkSelfReference(ctx, facts, store);
      continue;
    }
    // `child.parent = self` / `parent.children.append(self)`: does the method also store that object on `self`?
    const local = localBinding(model, method, store.root);
    if (!local || pairs.has(local)) continue;
    const forward = selfHeldStoresOfLocal(model, method, local)[0];
    if (forward) {
      pairs.add(local);
      checkParentChild(ctx, facts, forward, store);
    }
  }
  // `Child(self)` / `Child(parent=self)` stored on `self`.
  if (call?.type !== 'call') return;
  const kept = constructorKeepsSelf(model, method, call);
  if (!kept) return;
  const assigned = useOf(call);
  const local =
    assigned.kind === 'assigned-to' && assigned.target.type === 'identifier'
      ? localBinding(model, method, assigned.target)
      : undefined;
  if (local && pairs.has(local)) return;
  const forward = local
    ? selfHeldStoresOfLocal(model, method, local)[0]
    : selfHeld(model, storesOf(call, method))[0];
  if (forward) checkConstructorCycle(ctx, facts, forward, call, kept);
}

function selfHeld(model: SemanticModel, stores: Store[]): Store[] {
  return stores.filter(
    (s) => isSelf(model, s.method, s.root) && !isClassAttribute(s.holder) && !isClassLevelContainer(model, s),
  );
}

/** Where the method stores the local's object on `self` (`self.children.append(child)`, `self.parent = parent`). */
function selfHeldStoresOfLocal(model: SemanticModel, method: MethodContext, local: Binding): Store[] {
  const stores: Store[] = [];
  for (const ref of model.references(local)) {
    if (ref.context !== 'load' || !contains(method.method, ref.node)) continue;
    stores.push(...selfHeld(model, storesOf(ref.node, method)));
  }
  return stores;
}

/**
 * `self.on_chunk` used as a value (not called) where it may be stored: after `=`, or as an
 * argument or item (`self.handlers.append(self.on_chunk)`). A syntactic filter over the text;
 * the tree and the model confirm the few hits. Only names some `def` of the file defines.
 */
function boundMethodValues(file: SourceFile, text: string): Node[] {
  const found: Node[] = [];
  for (const { at, name: method } of boundMethodNames(text)) {
    const name = file.root.descendantForIndex(at, at + method.length);
    const attribute = name?.parent;
    if (name?.type === 'identifier' && attribute?.type === 'attribute') found.push(attribute);
  }
  return found;
}

const DEF_NAME = /def[ \t]+([A-Za-z_]\w*)/y;

/**
 * The names after `def` in the text: the matches of `/\bdef[ \t]+([A-Za-z_]\w*)/g`, found from
 * the `def`s a native search finds (a regular expression passing over every character of a big
 * module cost more than the rest of the rule's search).
 */
function definedNames(text: string): Set<string> {
  const defined = new Set<string>();
  let end = 0;
  for (let p = text.indexOf('def'); p >= 0; p = text.indexOf('def', p + 1)) {
    if (p < end || (p > 0 && /\w/.test(text[p - 1]))) continue;
    DEF_NAME.lastIndex = p;
    const m = DEF_NAME.exec(text);
    if (!m) continue;
    defined.add(m[1]);
    end = p + m[0].length;
  }
  return defined;
}

const SELF_ATTRIBUTE = /self\.([A-Za-z_]\w*)[ \t]*(?=[)\]},\n#]|$)/my;

/**
 * `self.name` after one of `=(,[{` (blanks between) and before one of `)]},#`, a line break or
 * the end: the matches of `/([=(,[{][ \t]*)self\.([A-Za-z_]\w*)[ \t]*(?=[)\]},\n#]|$)/gm`
 * (`index`: where the match starts, at the `=(,[{`; `at`: where the name starts), found from the
 * `self.`s a native search finds.
 */
function* selfAttributeValues(text: string): Generator<{ index: number; at: number; name: string }> {
  for (let p = text.indexOf('self.'); p >= 0; p = text.indexOf('self.', p + 1)) {
    let q = p - 1;
    while (q >= 0 && (text[q] === ' ' || text[q] === '\t')) q--;
    if (q < 0 || !'=(,[{'.includes(text[q])) continue;
    SELF_ATTRIBUTE.lastIndex = p;
    const m = SELF_ATTRIBUTE.exec(text);
    if (m) yield { index: q, at: p + 'self.'.length, name: m[1] };
  }
}

/** Where `self.<a method defined in the file>` stands as a value (`= self.m`, `(self.m)`), by text. */
function* boundMethodNames(text: string): Generator<{ at: number; name: string }> {
  if (!text.includes('self.')) return;
  const defined = definedNames(text);
  for (const { index, at, name } of selfAttributeValues(text)) {
    if (!defined.has(name)) continue;
    if (text[index] === '=' && /[=!<>]$/.test(text.slice(0, index).trimEnd())) continue; // `==`, `!=`
    yield { at, name };
  }
}

/**
 * Whether `check` has anything to follow in `text`: it needs a class, and then `self` stored as
 * a value, a lambda, a bound method stored as a value or a nested `def` in a method.
 */
function mayFire(text: string): boolean {
  if (!text.includes('class')) return false;
  return (
    !selfAsValue(text).next().done ||
    wordOffsets(text, 'lambda').length > 0 ||
    !boundMethodNames(text).next().done ||
    !nestedDefs(text).next().done
  );
}

/** `self.sink = self.on_chunk`: a bound method holds `self`, so storing it on `self` is a cycle. */
function checkStoredBoundMethod(ctx: RuleContext, facts: SlotFacts, attribute: Node): void {
  const { model } = ctx;
  const method = enclosingMethod(model, attribute);
  const object = attribute.childForFieldName('object');
  const name = attribute.childForFieldName('attribute')?.text;
  if (!method || !name || !object || !isSelf(model, method, object)) return;
  const target = methodsOf(method.cls).get(name);
  // A staticmethod or classmethod holds no instance; a property read is a value, not a method.
  if (!target || isStaticOrClassMethod(target) || isProperty(target)) return;
  const stores = selfHeld(
    model,
    storeSites(attribute).map((site) => ({ ...site, method })),
  );
  if (stores.length === 0) return;
  // A state machine stores its next state this way on every step: report it only where this
  // module shows the objects are made again and again, and once per class and attribute.
  if (lifetimeOf(model, method.cls).kind !== 'per-call') return;
  const seen = reportedBoundSlots(model);
  for (const store of stores) {
    const key = `${method.cls.id}:${store.slot}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A later state change (`self._handle_event = self.passthrough` on an upgrade), or a second
    // such slot in `__init__`, on an object its constructor already made cyclic the same way adds
    // no cycle: a hint that names the first.
    const inInit = nameOf(method.method) === '__init__';
    const first = constructorSlot(
      ctx,
      facts,
      method.cls,
      store.slot,
      inInit ? store.node.startIndex : undefined,
    );
    checkClosure(ctx, facts, store, { kind: 'method', name }, first);
  }
}

const reportedBoundSlots = perModel(() => new Set<string>());

/**
 * A slot other than `slot` where the class's `__init__` stores one of its own bound methods
 * (`self.client_state = self.state_start`), not yet declared with the fix's descriptor: every
 * object of the class is then in a cycle from its construction on. Its text and line, for messages.
 */
function constructorSlot(
  ctx: RuleContext,
  facts: SlotFacts,
  cls: Node,
  slot: string,
  /** In `__init__` itself: only slots stored before this offset count. */
  before?: number,
): string | undefined {
  const init = methodsOf(cls).get('__init__');
  if (!init) return undefined;
  for (const attribute of constructorBoundMethods(ctx.file)) {
    if (!contains(init, attribute)) continue;
    const method = enclosingMethod(ctx.model, attribute);
    const name = attribute.childForFieldName('attribute')?.text;
    const target = name ? methodsOf(cls).get(name) : undefined;
    if (
      !method ||
      method.method.id !== init.id ||
      !target ||
      isStaticOrClassMethod(target) ||
      isProperty(target)
    )
      continue;
    for (const store of selfHeld(
      ctx.model,
      storeSites(attribute).map((site) => ({ ...site, method })),
    )) {
      if (store.slot === slot || store.container || declaresSelfMethod(cls, store.slot)) continue;
      if (before !== undefined && store.node.startIndex >= before) continue;
      if (facts.isExempt(store.slot, [cls])) continue;
      return `\`${describeHolder(store)}\` (line ${store.node.startPosition.row + 1})`;
    }
  }
  return undefined;
}

const constructorBoundMethods = (() => {
  const memo = new WeakMap<SourceFile, Node[]>();
  return (file: SourceFile): Node[] => {
    let found = memo.get(file);
    if (!found) {
      found = boundMethodValues(file, file.text);
      memo.set(file, found);
    }
    return found;
  };
})();

/** A lambda (or a nested function, through one of its references) stored on `self` that keeps `self` alive. */
function checkStoredClosure(ctx: RuleContext, facts: SlotFacts, stored: Node, closure: Node): void {
  const { model } = ctx;
  const sites = storeSites(stored);
  if (sites.length === 0) return;
  const method = enclosingMethod(model, stored);
  if (!method || !contains(method.method, closure)) return;
  const stores = selfHeld(
    model,
    sites.map((site) => ({ ...site, method })),
  );
  if (stores.length === 0 || !closureKeepsSelf(model, method, closure)) return;
  const name = closure.type === 'function_definition' ? nameOf(closure) : undefined;
  for (const store of stores)
    checkClosure(
      ctx,
      facts,
      store,
      name ? { kind: 'function', name, node: closure } : { kind: 'lambda', node: closure },
    );
}

/**
 * `self.registry.append(self)` is a cycle only if `registry` belongs to the instance. When a class
 * in this file defines `registry = []` in its body and no method sets `self.registry = …`, it is a
 * class-level registry that grows (LEAK002's concern), not a cycle.
 */
function isClassLevelContainer(model: SemanticModel, store: Store): boolean {
  // `self.registry[k][m].append(self)`: the same question for the container at the root.
  const holder = containerRoot(store.holder);
  if (
    !store.container ||
    holder.type !== 'attribute' ||
    !isSelf(model, store.method, holder.childForFieldName('object'))
  )
    return false;
  const slot = holder.childForFieldName('attribute')?.text ?? store.slot;
  let classLevel = false;
  for (const id of identifiersNamed(model.file, [slot])) {
    const attribute = attributeNamedBy(id);
    if (!attribute) {
      // `registry = []` directly in a class body
      const assignment = id.parent;
      const inClassBody = assignment?.parent?.parent?.parent?.type === 'class_definition';
      if (
        assignment?.type === 'assignment' &&
        assignment.childForFieldName('left')?.id === id.id &&
        inClassBody
      )
        classLevel = true;
      continue;
    }
    if (useOf(attribute).kind !== 'rebind') continue;
    const owner = enclosingMethod(model, attribute);
    if (owner && isSelf(model, owner, attribute.childForFieldName('object'))) return false;
  }
  return classLevel;
}

/** `self.r` in `self.r["k"][m]` or `self.r.setdefault(k, {})[m]`: the container entries are read from. */
function containerRoot(holder: Node): Node {
  let n = holder;
  for (;;) {
    if (n.type === 'subscript') {
      const value = n.childForFieldName('value');
      if (!value) return n;
      n = value;
      continue;
    }
    const callee = n.type === 'call' ? n.childForFieldName('function') : undefined;
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    const object = callee?.childForFieldName('object');
    if ((method === 'setdefault' || method === 'get') && object) {
      n = object;
      continue;
    }
    return n;
  }
}

function isClassAttribute(holder: Node): boolean {
  // `self.__class__.registry = …` / `type(self).x`: class-level storage, not a cycle worth reporting.
  return /(^|\.)__class__(\.|$)/.test(holder.text);
}

/** `self.x = self`, `self.items.append(self)`, `self.a.b = self`. */
function checkSelfReference(ctx: RuleContext, facts: SlotFacts, store: Store): void {
  const { file, model } = ctx;
  const cls = store.method.cls;
  if (facts.isExempt(store.slot, [cls])) return;
  const self = store.method.selfName;
  if (!store.container && isSelf(model, store.method, store.holder)) {
    const verdict = cycleVerdict(model, store.method, 'link');
    if (!verdict) return;
    const statement = store.node.parent;
    ctx.report({
      range: file.rangeOf(store.node),
      severity: verdict.severity,
      message: `\`${self}.${store.slot} = ${self}\` makes the object refer to itself: a reference cycle, so it is freed only by the cyclic garbage collector, not as soon as the last outside reference goes away; ${verdict.clause}`,
      fixes: () => {
        if (statement?.type !== 'expression_statement') return [];
        const fix =
          store.slot === '__dict__'
            ? attrDictFix(file, cls, statement)
            : selfPropertyFix(file, cls, statement, store.slot);
        return fix ? [fix] : [];
      },
    });
    return;
  }
  // `self.a.b = self`: an object that `self` holds points back at it.
  if (/weak/i.test(store.holder.text)) return;
  const owned = ownedAttribute(store.holder);
  if (owned && facts.isExempt(owned, [cls])) return;
  const found = cycleVerdict(model, store.method, 'link');
  if (!found) return;
  // `self.factory.bot = self` where `self.factory` is handed over from outside (a Twisted
  // protocol's factory): the object it names outlives this one, and the next object stored under
  // the same attribute replaces the link, so no cycle is left behind per object.
  const handedOver =
    !store.container &&
    !!owned &&
    isSelf(model, store.method, store.root) &&
    !/[[(]/.test(store.holder.text) &&
    setFromOutside(model, owned);
  const verdict: Verdict = handedOver
    ? {
        severity: 'hint',
        clause: `harmless in practice: \`${self}.${owned}\` is handed over from outside (the object never sets it itself), so it outlives the object, and the next object stored in \`.${store.slot}\` replaces this link: no cycle is left per object (${found.clause})`,
      }
    : found;
  const fixes = () => {
    const fix = store.container
      ? supportsWeakrefs(model, cls)
        ? proxySelfFix(
            file,
            model,
            store.value,
            (id) => isSelf(model, store.method, id),
            describeHolder(store),
          )
        : undefined
      : proxyFix(ctx, facts, store, store.method.cls);
    return fix ? [fix] : [];
  };
  ctx.report({
    range: file.rangeOf(store.node),
    severity: verdict.severity,
    message: isSelf(model, store.method, store.holder)
      ? `Reference cycle: \`${describeHolder(store)}\` holds \`${self}\` itself, so the object refers to itself; ${CYCLE_COST}; ${verdict.clause}`
      : `Reference cycle: \`${describeHolder(store)}\` refers back to \`${self}\`, which holds \`${store.holder.text}\`; ${CYCLE_COST}; ${verdict.clause}`,
    fixes,
  });
}

interface Verdict {
  severity: Severity;
  /** Why this severity, appended to the message. */
  clause: string;
}

/**
 * Whether and how surely a cycle formed by `method` leaks, by how long its object lives: objects
 * made again and again leave one cycle each for the collector (warning); objects made once, or
 * framework and configuration objects that live as long as the process, never become garbage
 * (not reported); a GUI widget is made at a person's pace (hint); a class made in other modules
 * is information, unless the cycle forms in a set-up step (`initialize()`, `configure_…()`).
 * Links between ORM-mapped objects are the data model (not reported).
 */
function cycleVerdict(
  model: SemanticModel,
  method: MethodContext,
  kind: 'link' | 'closure',
): Verdict | undefined {
  if (kind === 'link' && isMappedClass(model, method.cls)) return undefined;
  const lifetime = lifetimeOf(model, method.cls);
  switch (lifetime.kind) {
    case 'per-call':
      return { severity: 'warning', clause: lifetime.reason };
    case 'interactive':
      return { severity: 'hint', clause: `harmless in practice: ${lifetime.reason}` };
    case 'unmade':
      return { severity: 'hint', clause: `harmless here: ${lifetime.reason}` };
    case 'long-lived':
      return undefined;
    default:
      if (isSetUpStep(model, method.method)) return undefined;
      return { severity: 'information', clause: lifetime.reason };
  }
}

/** `a` in `self.a.b`: the attribute of `self` through which the object is owned. */
function ownedAttribute(holder: Node): string | undefined {
  let n = unparenthesized(holder);
  let last: string | undefined;
  while (n.type === 'attribute' || n.type === 'subscript') {
    if (n.type === 'attribute') last = n.childForFieldName('attribute')?.text;
    n = unparenthesized(
      (n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value')) ?? n,
    );
  }
  return last;
}

function checkClosure(
  ctx: RuleContext,
  facts: SlotFacts,
  store: Store,
  closure: { kind: 'lambda' | 'function' | 'method'; name?: string; node?: Node },
  /** The slot through which the constructor already made the object cyclic, if any. */
  alreadyCyclicThrough?: string,
): void {
  const { file } = ctx;
  const cls = store.method.cls;
  if (facts.isExempt(store.slot, [cls])) return;
  // Declared with the fix's descriptor: what is stored is the function, not the bound method.
  if (closure.kind === 'method' && declaresSelfMethod(cls, store.slot)) return;
  const owned = ownedAttribute(store.holder);
  if (owned && owned !== store.slot && facts.isExempt(owned, [cls])) return;
  const found = cycleVerdict(ctx.model, store.method, 'closure');
  if (!found) return;
  const verdict: Verdict = alreadyCyclicThrough
    ? {
        severity: 'hint',
        clause: `harmless in practice: it adds no cycle of its own, every \`${nameOf(store.method.cls)}\` is already in one from its construction through ${alreadyCyclicThrough} (${found.clause})`,
      }
    : found;
  const self = store.method.selfName;
  const what =
    closure.kind === 'lambda'
      ? 'the lambda'
      : closure.kind === 'method'
        ? `the bound method \`${self}.${closure.name}\``
        : `the nested function \`${closure.name}\``;
  // Closures and bound methods kept in one container of the object are one cycle: reported
  // once per class and container, with a fix that weakens every one the statement stores.
  const group = store.container ? containerGroup(ctx, store) : undefined;
  // (A bound method's caller has claimed the key already.)
  if (group && closure.kind !== 'method') {
    const seen = reportedBoundSlots(ctx.model);
    const key = `${cls.id}:${store.slot || store.label}`;
    if (seen.has(key)) return;
    seen.add(key);
  }
  const others = group ? group.lambdas.length + group.bound.length - 1 : 0;
  const also = others > 0 ? ` (as do ${others} more lambdas and bound methods stored there)` : '';
  ctx.report({
    range: file.rangeOf(store.value.type === 'lambda' ? store.value : store.node),
    severity: verdict.severity,
    message: `Reference cycle: ${what} stored in \`${describeHolder(store)}\` uses \`${self}\`${also}, so the object keeps itself alive through it; ${CYCLE_COST}; ${verdict.clause}`,
    fixes: () => {
      if (group && others > 0 && groupHolds(group, store.value)) return containerFixes(ctx, store, group);
      return closure.kind === 'method'
        ? boundMethodFixes(ctx, store)
        : weakSelfFixes(ctx, store, closure.node);
    },
  });
}

interface ContainerGroup {
  /** The lambdas using `self` that the statement stores in the container (outermost ones). */
  lambdas: Node[];
  /** The bound methods of the object (`self.on_done`, not called) that it stores there. */
  bound: Node[];
  /** `self.x` values stored there that may hold `self` but are not known methods of the class. */
  unknown: Node[];
}

function groupHolds(group: ContainerGroup, value: Node): boolean {
  return [...group.lambdas, ...group.bound].some((n) => n.id === value.id);
}

/** The instance methods of `cls` and of its bases defined in this module, by name. */
function instanceMethodNamed(model: SemanticModel, cls: Node, name: string, depth = 0): Node | undefined {
  const own = methodsOf(cls).get(name);
  if (own) return isStaticOrClassMethod(own) || isProperty(own) ? undefined : own;
  if (depth > 8) return undefined;
  for (const base of basesOf(cls)) {
    const parent = classDefinitionOf(model, base);
    const found = parent ? instanceMethodNamed(model, parent, name, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * What the statement of a container store (`self.routes = {…}`, `self.handlers.append(…)`) puts
 * in the container that keeps `self` alive: lambdas that use it and bound methods of it, found in
 * the stored value (nested literals included).
 */
function containerGroup(ctx: RuleContext, store: Store): ContainerGroup | undefined {
  const { model } = ctx;
  const method = store.method;
  const region =
    store.node.type === 'assignment'
      ? finalValue(store.node)
      : store.node.type === 'call'
        ? store.node.childForFieldName('arguments')
        : null;
  if (!region) return undefined;
  const group: ContainerGroup = { lambdas: [], bound: [], unknown: [] };
  const walk = (node: Node) => {
    if (node.type === 'lambda') {
      if (closureKeepsSelf(model, method, node)) group.lambdas.push(node);
      return;
    }
    if (node.type === 'attribute' && isSelf(model, method, node.childForFieldName('object'))) {
      const { parent } = unparenthesizedParent(node);
      const stored =
        parent?.type === 'pair'
          ? parent.childForFieldName('value')?.id === unparenthesizedNode(node).id
          : !!parent && ['list', 'tuple', 'set', 'argument_list'].includes(parent.type);
      if (stored) {
        const name = node.childForFieldName('attribute')?.text ?? '';
        (instanceMethodNamed(model, method.cls, name) ? group.bound : group.unknown).push(node);
      }
      return;
    }
    if (node.type === 'call' && node.id !== store.node.id) return; // what a call makes is its own
    for (const child of node.namedChildren) if (child) walk(child);
  };
  walk(region);
  return group;
}

/** One fix for every closure and bound method the statement stores in the container. */
function containerFixes(ctx: RuleContext, store: Store, group: ContainerGroup): Fix[] {
  if (!supportsWeakrefs(ctx.model, store.method.cls)) return [];
  const holder = describeHolder(store);
  const notes: string[] = [];
  if (group.unknown.length > 0)
    notes.push(`${group.unknown.map((n) => `\`${n.text}\``).join(', ')} left as they are`);
  if (otherWritesOf(ctx, store))
    notes.push(`what other code of the class stores in \`${holder}\` is left as it is`);
  const fix = weakSelfContainerFix(
    ctx.file,
    ctx.model,
    store.method,
    group,
    holder,
    notes.join('; ') || undefined,
  );
  return fix ? [fix] : [];
}

/** Whether code of the class other than the store's statement writes to the same container of `self`. */
function otherWritesOf(ctx: RuleContext, store: Store): boolean {
  const slot = ownedAttribute(store.holder);
  if (!slot) return false;
  return identifiersNamed(ctx.file, [slot], store.method.cls).some((id) => {
    const attribute = attributeNamedBy(id);
    if (!attribute || contains(store.node, attribute)) return false;
    const use = useOf(attribute);
    return (
      use.kind === 'rebind' ||
      use.kind === 'subscript-store' ||
      (use.kind === 'method' && (use.method in CONTAINER_INSERTS || use.method === 'update'))
    );
  });
}

/** `self.x = self.method`: declare `x` with a descriptor that binds the stored function on each read. */
function boundMethodFixes(ctx: RuleContext, store: Store): Fix[] {
  // Held by another object (`self.results.on_result = self._on_result`): forward through a weak `self`.
  if (!isSelf(ctx.model, store.method, store.holder)) {
    const bound = store.assignedValue ?? store.value;
    if (!supportsWeakrefs(ctx.model, store.method.cls)) return [];
    const fix = weakBoundMethodFix(ctx.file, ctx.model, store.method, unparenthesized(bound));
    return fix ? [fix] : [];
  }
  const fix = selfMethodFix(ctx.file, ctx.model, store.method.cls, store.slot);
  return fix ? [fix] : [];
}

function weakSelfFixes(ctx: RuleContext, store: Store, closure: Node | undefined): Fix[] {
  if (!closure || !supportsWeakrefs(ctx.model, store.method.cls)) return [];
  const fix = weakSelfClosureFix(ctx.file, ctx.model, store.method, closure);
  return fix ? [fix] : [];
}

/**
 * The back reference as a `weakref.ref`-backed property of the class holding it: `self.parent =
 * parent` is this class's own attribute; `child.parent = self` is taken to be when this class
 * assigns `self.parent` too (tree nodes whose children are nodes).
 */
function propertyFix(ctx: RuleContext, forward: Store, target: Store): Fix | undefined {
  const cls = forward.method.cls;
  if (target.container || !supportsWeakrefs(ctx.model, cls)) return undefined;
  if (!/^[A-Za-z_]\w*$/.test(target.slot)) return undefined;
  if (target !== forward) {
    const self = forward.method.selfName;
    if (!new RegExp(`\\b${self}\\.${target.slot}\\s*=(?!=)`).test(cls.text)) return undefined;
  }
  return weakPropertyFix(ctx.file, ctx.model, cls, target.slot);
}

/**
 * `child.parent = self` where this class never assigns `self.parent`: the property goes on this
 * class, taking the child to be of the same class (tree nodes); the title says so.
 */
function assumedPropertyFix(ctx: RuleContext, forward: Store, target: Store): Fix | undefined {
  const cls = forward.method.cls;
  if (target === forward || target.container || !supportsWeakrefs(ctx.model, cls)) return undefined;
  if (!/^[A-Za-z_]\w*$/.test(target.slot) || !isSelf(ctx.model, forward.method, target.assignedValue ?? null))
    return undefined;
  const fix = weakPropertyFix(ctx.file, ctx.model, cls, target.slot);
  const child = target.root.text;
  return fix && { ...fix, title: `${fix.title}, taking \`${child}\` to be a \`${nameOf(cls)}\`` };
}

function checkParentChild(ctx: RuleContext, facts: SlotFacts, forward: Store, back: Store): void {
  const { file } = ctx;
  // The forward side is an attribute of `self`; the back side belongs to an object of unknown class.
  if (facts.isExempt(forward.slot, [forward.method.cls]) || facts.isExempt(back.slot, undefined)) return;
  const verdict = cycleVerdict(ctx.model, forward.method, 'link');
  if (!verdict) return;
  const local = forward.value.text;
  const self = forward.method.selfName;
  // Weaken the pointer "up": the single attribute, when the other side is a container (the owner).
  let target: Store | undefined;
  if (!back.container && forward.container) target = back;
  else if (!forward.container && back.container) target = forward;
  else if (!forward.container && !back.container) {
    if (BACK_REFERENCE_NAMES.test(back.slot)) target = back;
    else if (BACK_REFERENCE_NAMES.test(forward.slot)) target = forward;
  }
  const reported = target ?? back;
  const other = reported === back ? forward : back;
  // The referenced object is `self` for the back side; for the forward side (`self.parent = parent`)
  // it is usually of the same class (tree nodes), whose weakref support is then required.
  const fixes = (): Fix[] => {
    // No side is clearly the pointer "up": weaken the one that refers back to `self`.
    const weakened = target ?? back;
    // Weakening `self.parent = parent` holds `parent` weakly: every class that takes the back link must allow it.
    const receivers = weakened === forward ? slottedReceiverEdits(ctx, back.slot) : [];
    if (!receivers) return [];
    const same = (a: TextEdit, b: TextEdit) => JSON.stringify(a) === JSON.stringify(b);
    const withReceivers = (fix: Fix | undefined): Fix | undefined =>
      fix && {
        ...fix,
        edits: [...fix.edits, ...receivers.filter((r) => !fix.edits.some((e) => same(e, r)))],
      };
    const proxy = withReceivers(
      proxyFix(ctx, facts, weakened, forward.method.cls) ?? listProxyFix(ctx, weakened, forward.method.cls),
    );
    const property = withReceivers(
      propertyFix(ctx, forward, weakened) ?? assumedPropertyFix(ctx, forward, weakened),
    );
    return [...(proxy ? [proxy] : []), ...(property ? [{ ...property, isPreferred: !proxy }] : [])];
  };
  ctx.report({
    range: file.rangeOf(reported.node),
    severity: verdict.severity,
    message: `Reference cycle: \`${describeHolder(forward)}\` holds \`${local}\` and \`${describeHolder(back)}\` refers back to \`${self}\`, neither through a weakref; ${CYCLE_COST}; ${verdict.clause}`,
    related: [{ range: file.rangeOf(other.node), message: 'the other direction of the cycle' }],
    fixes,
  });
}

/** The slot the constructed class keeps the reference in, as a `weakref.ref`-backed property. */
function constructorFixes(ctx: RuleContext, kept: ConstructorStore): Fix[] {
  if (!supportsWeakrefs(ctx.model, kept.cls) || !/^[A-Za-z_]\w*$/.test(kept.slot)) return [];
  const fix = weakPropertyFix(ctx.file, ctx.model, kept.cls, kept.slot);
  return fix ? [{ ...fix, isPreferred: true }] : [];
}

const reportedConstructorCycles = perModel(() => new Set<string>());

function checkConstructorCycle(
  ctx: RuleContext,
  facts: SlotFacts,
  store: Store,
  call: Node,
  kept: ConstructorStore,
): void {
  const { file } = ctx;
  // Either class may break the link (`self.squeezer.buttons.remove(self)` in the child).
  const classes = [store.method.cls, kept.cls];
  if (facts.isExempt(store.slot, classes) || facts.isExempt(kept.slot, classes)) return;
  // `self.total = Entry(self)` again in `reset()`, after `__init__` made the same link: the old
  // child pointed only back at the live parent, so reference counting frees it at once; the one
  // cycle per parent is the constructor's (reported there).
  if (replacesConstructorChild(ctx.model, store, kept)) return;
  const verdict = cycleVerdict(ctx.model, store.method, 'link');
  if (!verdict) return;
  // Several children made with `self` in one method (`self.members = [Member(a, self), …]`, or
  // `self.accepted = View(self)` beside `self.rejected = View(self)`) are one cycle between the two
  // classes: reported once, where its fix (the child's slot held weakly) breaks every one of them.
  const key = `${store.method.method.id}:${kept.cls.id}:${kept.slot}`;
  const seen = reportedConstructorCycles(ctx.model);
  if (seen.has(key)) return;
  if (constructorFixes(ctx, kept).length > 0) seen.add(key);
  const className = nameOf(kept.cls);
  const self = store.method.selfName;
  ctx.report({
    range: file.rangeOf(call),
    severity: verdict.severity,
    message: `Reference cycle: \`${describeHolder(store)}\` holds the \`${className}\` created here, which keeps \`${self}\` in \`.${kept.slot}\`; ${CYCLE_COST}; ${verdict.clause}`,
    related: [{ range: file.rangeOf(kept.store), message: `\`${className}\` stores the reference here` }],
    fixes: () => {
      const fixes = constructorFixes(ctx, kept);
      const args = call.childForFieldName('arguments');
      if (fixes.length > 0 || !args || !supportsWeakrefs(ctx.model, store.method.cls)) return fixes;
      // A class that cannot take the property (a dataclass field): pass it a weak proxy instead.
      const proxy = proxySelfFix(
        file,
        ctx.model,
        args,
        (id) => isSelf(ctx.model, store.method, id),
        `${className}(…)`,
      );
      return proxy ? [proxy] : [];
    },
  });
}

/**
 * Whether `store` (outside `__init__`) rebinds a plain attribute of `self` that the class's
 * `__init__` already sets to an object of the same class made with `self`: a replaced child.
 */
function replacesConstructorChild(model: SemanticModel, store: Store, kept: ConstructorStore): boolean {
  if (store.container || nameOf(store.method.method) === '__init__') return false;
  if (!isSelf(model, store.method, store.holder)) return false;
  const init = methodsOf(store.method.cls).get('__init__');
  const ctx = init ? enclosingMethod(model, init.childForFieldName('body') ?? init) : undefined;
  if (!init || !ctx) return false;
  return identifiersNamed(model.file, [store.slot], init).some((id) => {
    const attribute = attributeNamedBy(id);
    if (!attribute || !isSelf(model, ctx, attribute.childForFieldName('object'))) return false;
    const use = useOf(attribute);
    if (use.kind !== 'rebind') return false;
    const value = finalValue(use.node);
    if (value?.type !== 'call') return false;
    if (classDefinitionOf(model, value.childForFieldName('function'))?.id !== kept.cls.id) return false;
    return value.descendantsOfType('identifier').some((n) => isSelf(model, ctx, n));
  });
}

/**
 * `x.parent = self` → `x.parent = weakref.proxy(self)`; `self.parent = p` →
 * `self.parent = weakref.proxy(p) if p is not None else None`. A proxy keeps attribute access
 * working, so it is offered only when every read of the attribute in the file is proxy-safe and
 * the referenced class supports weak references.
 */
function proxyFix(
  ctx: RuleContext,
  facts: SlotFacts,
  store: Store,
  referencedClass: Node | undefined,
): Fix | undefined {
  const { file, model } = ctx;
  const value = store.assignedValue;
  if (store.container || !value || value.type !== 'identifier') return undefined;
  if (!facts.isProxySafe(store.slot)) return undefined;
  // `__slots__` without `__weakref__`: the fix adds it (a class with no base only).
  const slotEdits: TextEdit[] = [];
  if (referencedClass && !supportsWeakrefs(model, referencedClass)) {
    const edit = weakrefSlotEdit(file, referencedClass, basesOf(referencedClass).length > 0);
    if (!edit) return undefined;
    slotEdits.push(edit);
  }
  const isSelfValue = isSelf(model, store.method, value);
  const weakref = ensureModuleImport(file, model, 'weakref', topLevelStatement(store.node).startIndex);
  const proxy = `${weakref.name}.proxy(${value.text})`;
  const replacement = isSelfValue ? proxy : `${proxy} if ${value.text} is not None else None`;
  return {
    title: `Hold the back-reference weakly: \`${replacement}\``,
    // A proxy raises ReferenceError once its target is freed: a lifetime change the user should accept, not Fix All.
    applicability: 'unsafe',
    isPreferred: false,
    edits: [
      ...weakref.edits,
      ...slotEdits,
      replaceRange(file, value.startIndex, value.endIndex, replacement),
    ],
  };
}

/** List methods that keep what they are given as an element; a set or dict would hash it (a proxy cannot be). */
const LIST_INSERTS = new Set(['append', 'insert']);

/**
 * `group.parents.append(self)` beside `self.children.append(group)`: both sides are lists, so the
 * back side holds `weakref.proxy(self)`. A proxy compares equal to its object (`self in
 * group.parents` still finds it) and forwards attribute access. Unsafe: it raises ReferenceError
 * once the object is freed, and `is` and `isinstance` no longer see the object itself.
 */
function listProxyFix(ctx: RuleContext, store: Store, referencedClass: Node): Fix | undefined {
  const { file, model } = ctx;
  const call = store.node;
  const fn = call.type === 'call' ? call.childForFieldName('function') : null;
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (!store.container || !method || !LIST_INSERTS.has(method)) return undefined;
  if (!isSelf(model, store.method, store.value) || !supportsWeakrefs(model, referencedClass))
    return undefined;
  const weakref = ensureModuleImport(file, model, 'weakref', topLevelStatement(call).startIndex);
  const proxy = `${weakref.name}.proxy(${store.value.text})`;
  return {
    title: `Hold the back-references weakly: \`${store.holder.text}.${method}(${proxy})\` (a proxy compares equal to it)`,
    applicability: 'unsafe',
    isPreferred: false,
    edits: [...weakref.edits, replaceRange(file, store.value.startIndex, store.value.endIndex, proxy)],
  };
}

function topLevelStatement(node: Node): Node {
  let current = node;
  for (let p = parentOf(current); p && p.type !== 'module'; p = parentOf(current)) current = p;
  return current;
}
