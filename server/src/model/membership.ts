// A key guarded by membership in a closed set: `if name in hook_names: registry[name] = f`, where
// `hook_names` is a module-level collection filled only while modules are imported (by a
// decorator, a module-level loop) or written as a literal. Whatever the code that runs the
// guarded write, its keys are drawn from that set: bounded by it, not by the traffic.
import type { Node } from '../parser';
import { runInfoAt } from './execution';
import { guardsOf, negated } from './guards';
import type { Binding, SemanticModel } from './semantic';
import { unparenthesized, useOf } from './usage';

/** Methods through which a collection gains members. */
const GROW_METHODS = new Set(['add', 'update', 'append', 'extend', 'insert', 'setdefault', '__setitem__']);

/** Empty or literal collections a closed set starts from. */
const COLLECTION_CALLS = new Set(['set', 'frozenset', 'tuple', 'list', 'dict']);

/** The `x in S` tests a condition makes for its consequence to run (through `and`). */
function membershipTests(condition: Node): { member: Node; set: Node }[] {
  const cond = unparenthesized(condition);
  if (cond.type === 'boolean_operator') {
    if (cond.childForFieldName('operator')?.type !== 'and') return [];
    const left = cond.childForFieldName('left');
    const right = cond.childForFieldName('right');
    return [...(left ? membershipTests(left) : []), ...(right ? membershipTests(right) : [])];
  }
  if (cond.type !== 'comparison_operator') return [];
  const operators = cond.children.filter((c) => !!c && !c.isNamed).map((c) => c?.type);
  const operands = cond.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (operators.length !== 1 || operators[0] !== 'in' || operands.length !== 2) return [];
  return [{ member: unparenthesized(operands[0]), set: unparenthesized(operands[1]) }];
}

function sameValue(model: SemanticModel, a: Node, b: Node): boolean {
  if (a.type === 'identifier' && b.type === 'identifier') {
    const binding = model.resolve(a);
    return !!binding && binding === model.resolve(b);
  }
  return (a.type === 'attribute' || a.type === 'subscript') && a.type === b.type && a.text === b.text;
}

/**
 * Whether the module-level `set` is closed: bound once to a literal or an empty collection, and
 * given members in this module only by code that runs while it is imported.
 */
function isClosedSet(model: SemanticModel, set: Node): Binding | undefined {
  if (set.type !== 'identifier') return undefined;
  const binding = model.resolve(set);
  if (!binding || binding.kind !== 'assignment' || binding.scope !== model.moduleScope) return undefined;
  if (binding.sites.length !== 1) return undefined;
  const value = model.assignedValue(binding.sites[0]);
  if (!value) return undefined;
  const literal = ['set', 'tuple', 'list', 'dictionary'].includes(value.type);
  const callee = value.type === 'call' ? value.childForFieldName('function') : undefined;
  if (!literal && !(callee?.type === 'identifier' && COLLECTION_CALLS.has(callee.text))) return undefined;
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load') continue;
    const use = useOf(ref.node);
    const grows = (use.kind === 'method' && GROW_METHODS.has(use.method)) || use.kind === 'subscript-store';
    if (grows && runInfoAt(model, ref.node).frequency !== 'import-time') return undefined;
  }
  return binding;
}

/**
 * The closed set (see the module comment) that an `if key in S:` around `node` draws `node`'s
 * value from, by name; undefined when no such guard holds the node.
 */
export function closedSetGuarding(model: SemanticModel, node: Node): string | undefined {
  for (const { condition } of guardsOf(node, true)) {
    for (const test of membershipTests(condition)) {
      if (!sameValue(model, test.member, node)) continue;
      if (isClosedSet(model, test.set)) return test.set.text;
    }
  }
  return undefined;
}

/** Methods and statements through which a module-level collection is filled. */
function fills(model: SemanticModel, binding: Binding, within: Node): boolean {
  return model.references(binding).some((ref) => {
    if (
      ref.context !== 'load' ||
      ref.node.startIndex < within.startIndex ||
      ref.node.endIndex > within.endIndex
    )
      return false;
    const use = useOf(ref.node);
    return (use.kind === 'method' && GROW_METHODS.has(use.method)) || use.kind === 'subscript-store';
  });
}

/**
 * The module-level collection whose emptiness guards the block holding `site`, when that block
 * fills it (`if not _types: … _types[oid] = name; _names.add(name)`): the block runs while the
 * collection is empty, so what it writes — into it or into a companion — is written once per
 * filling, not per call. Its name, or undefined.
 */
export function fillOnceGuard(model: SemanticModel, site: Node): string | undefined {
  for (const { condition, consequence } of guardsOf(site)) {
    const name = negated(condition);
    if (name?.type !== 'identifier') continue;
    const binding = model.resolve(name);
    if (!binding || binding.kind !== 'assignment' || binding.scope !== model.moduleScope) continue;
    if (fills(model, binding, consequence)) return name.text;
  }
  return undefined;
}
