// A key guarded by membership in a closed set: `if name in hook_names: registry[name] = f`, where
// `hook_names` is a module-level collection filled only while modules are imported (by a
// decorator, a module-level loop) or written as a literal. Whatever the code that runs the
// guarded write, its keys are drawn from that set: bounded by it, not by the traffic.
// Likewise a registry that refuses a key it already holds (`if name in REG: raise`): only
// declarations, run once per key, can fill it without failing.
import type { Node } from '../parser';
import { runInfoAt } from './execution';
import { guardsOf, negated } from './guards';
import { parentOf } from './parents';
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

/**
 * The key a growth effect adds, given the container expression it reaches: `c[k] = v` → `k`;
 * `c.add(k)`, `c.append(k)`, `c.setdefault(k, …)` → `k`.
 */
function grownKey(site: Node, container: Node): Node | undefined {
  if (site.type === 'assignment') {
    const left = site.childForFieldName('left');
    const sub = left ? unparenthesized(left) : undefined;
    if (sub?.type !== 'subscript' || !sameText(sub.childForFieldName('value'), container)) return undefined;
    return sub.childForFieldName('subscript') ?? undefined;
  }
  if (site.type !== 'call') return undefined;
  const callee = site.childForFieldName('function');
  if (callee?.type !== 'attribute' || !sameText(callee.childForFieldName('object'), container))
    return undefined;
  if (!GROW_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) return undefined;
  const first = site.childForFieldName('arguments')?.namedChildren.find((a) => !!a && a.type !== 'comment');
  return first && first.type !== 'keyword_argument' && first.type !== 'list_splat' ? first : undefined;
}

function sameText(a: Node | null | undefined, b: Node): boolean {
  return !!a && unparenthesized(a).text === unparenthesized(b).text;
}

/** `k in c` / `k in c.keys()` (`negatedTest`: `k not in c`) with `k` and `c` written as in the growth. */
function testsMembership(condition: Node, key: Node, container: Node, negatedTest: boolean): boolean {
  const cond = unparenthesized(condition);
  if (cond.type === 'boolean_operator') {
    // `if k in c or …: raise` still refuses `k`; with `and` the raise may not run.
    if (negatedTest || cond.childForFieldName('operator')?.type !== 'or') return false;
    const left = cond.childForFieldName('left');
    const right = cond.childForFieldName('right');
    return (
      (!!left && testsMembership(left, key, container, false)) ||
      (!!right && testsMembership(right, key, container, false))
    );
  }
  if (cond.type !== 'comparison_operator') return false;
  const operators = cond.children.filter((c) => !!c && !c.isNamed).map((c) => c?.type);
  const operands = cond.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (operands.length !== 2) return false;
  const expected = negatedTest ? ['not in'] : ['in'];
  const written = operators.length === 2 && operators[0] === 'not' ? ['not in'] : operators;
  if (written.length !== 1 || written[0] !== expected[0]) return false;
  if (!sameText(operands[0], key)) return false;
  const set = unparenthesized(operands[1]);
  if (sameText(set, container)) return true;
  const callee = set.type === 'call' ? set.childForFieldName('function') : undefined;
  return (
    callee?.type === 'attribute' &&
    callee.childForFieldName('attribute')?.text === 'keys' &&
    sameText(callee.childForFieldName('object'), container)
  );
}

/** A block whose last statement raises: the code after it does not run. */
function endsInRaise(block: Node | null): boolean {
  const statements = (block?.namedChildren ?? []).filter((s) => !!s && s.type !== 'comment');
  return statements[statements.length - 1]?.type === 'raise_statement';
}

/**
 * A registry that refuses a second entry under the same key (`if name in REGISTRY: raise …`,
 * `assert name not in REGISTRY`, or the write under `if name not in REGISTRY:` with an `else`
 * that raises) before `site` adds `name`. Code that runs again and again with keys from its
 * traffic would fail the second time a key comes back, so whatever fills such a registry runs
 * once per key: declarations (decorators, plugin loading, class definitions), bounded by the
 * code that declares them. Returns the registry as written, or undefined.
 */
export function refusesDuplicates(site: Node, container: Node): string | undefined {
  const key = grownKey(site, container);
  if (!key) return undefined;
  // Statements before the growth in its own block and the blocks around it, up to its function.
  let child: Node = site;
  for (let p = parentOf(site); p; child = p, p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
    if (p.type === 'if_statement' && p.childForFieldName('consequence')?.id === child.id) {
      const condition = p.childForFieldName('condition');
      const otherwise = p.namedChildren.find((c) => c?.type === 'else_clause');
      if (
        condition &&
        testsMembership(condition, key, container, true) &&
        endsInRaise(otherwise?.childForFieldName('body') ?? null)
      )
        return container.text;
    }
    if (p.type !== 'block' && p.type !== 'module') continue;
    for (const stmt of p.namedChildren) {
      if (!stmt || stmt.startIndex >= child.startIndex) break;
      if (stmt.type === 'assert_statement') {
        const test = stmt.namedChildren[0];
        if (test && testsMembership(test, key, container, true)) return container.text;
      }
      if (stmt.type === 'if_statement') {
        const condition = stmt.childForFieldName('condition');
        if (
          condition &&
          testsMembership(condition, key, container, false) &&
          endsInRaise(stmt.childForFieldName('consequence'))
        )
          return container.text;
      }
    }
  }
  return undefined;
}
