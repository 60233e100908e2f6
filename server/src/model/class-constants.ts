// Keys that are class constants: `self.class_name`, `cls._loader_module_name`, or a field of an
// element of a constant tuple written in class bodies (`for f in self.factors: d[f["name"]]`).
// Each class states its own value once, in its body, so a registry keyed by them holds at most
// one entry per class: bounded by the code, not by the traffic.
import type { Node } from '../parser';
import type { SemanticModel } from './semantic';

/** Receivers through which a class attribute is read: `self.x`, `cls.x`, `self.__class__.x`, `type(self).x`, `Thing.x`. */
function isClassReceiver(node: Node | null): boolean {
  if (!node) return false;
  if (node.type === 'identifier')
    return node.text === 'self' || node.text === 'cls' || /^[A-Z]/.test(node.text);
  if (node.type === 'attribute')
    return (
      node.childForFieldName('attribute')?.text === '__class__' &&
      isClassReceiver(node.childForFieldName('object'))
    );
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    return callee?.text === 'type' && args.length === 1 && args[0]?.text === 'self';
  }
  return false;
}

/** Displays whose value is literal when every element is: `({"name": "email"}, {"name": "otp"})`. */
const DISPLAYS = new Set(['tuple', 'list', 'set', 'dictionary', 'pair', 'parenthesized_expression']);

/** A scalar literal (`isScalar`), or a tuple, list, set or dict built of literals. */
function isLiteralValue(node: Node, isScalar: (n: Node) => boolean): boolean {
  if (!DISPLAYS.has(node.type)) return isScalar(node);
  return node.namedChildren.every((c) => !c || c.type === 'comment' || isLiteralValue(c, isScalar));
}

interface ClassConstants {
  /** Attribute name → whether every class-body assignment of it is a literal (and none is on an object). */
  literal: Map<string, boolean>;
}

/** Per module and per scalar test (a different test can make a different attribute constant). */
const memo = new WeakMap<SemanticModel, Map<(n: Node) => boolean, ClassConstants>>();

/**
 * The attributes this module's class bodies assign, and whether each is a constant: assigned only
 * literals in class bodies, and never stored on an object (`self.x = …`, `obj.x = …`) here.
 */
function classConstants(model: SemanticModel, isScalar: (n: Node) => boolean): ClassConstants {
  let byTest = memo.get(model);
  if (!byTest) memo.set(model, (byTest = new Map()));
  const known = byTest.get(isScalar);
  if (known) return known;
  const literal = new Map<string, boolean>();
  for (const cls of model.file.root.descendantsOfType('class_definition')) {
    for (const stmt of cls?.childForFieldName('body')?.namedChildren ?? []) {
      const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (assign?.type !== 'assignment') continue;
      const left = assign.childForFieldName('left');
      const right = assign.childForFieldName('right');
      if (left?.type !== 'identifier') continue;
      const ok = !!right && isLiteralValue(right, isScalar);
      literal.set(left.text, (literal.get(left.text) ?? true) && ok);
    }
  }
  // Stored on an object anywhere in the module: an instance may hold its own value.
  for (const attr of model.file.root.descendantsOfType('attribute')) {
    const name = attr?.childForFieldName('attribute')?.text;
    if (!attr || !name || !literal.has(name)) continue;
    const parent = attr.parent;
    const stored =
      (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') &&
      parent.childForFieldName('left')?.id === attr.id;
    const inTargets = parent?.type === 'pattern_list' || parent?.type === 'tuple_pattern';
    if (stored || inTargets) literal.set(name, false);
  }
  const result = { literal };
  byTest.set(isScalar, result);
  return result;
}

/** `self.class_name` for a `class_name = "field"` written in class bodies only. */
function isClassConstantAttribute(model: SemanticModel, node: Node, isScalar: (n: Node) => boolean): boolean {
  if (node.type !== 'attribute') return false;
  const name = node.childForFieldName('attribute')?.text;
  return (
    !!name &&
    isClassReceiver(node.childForFieldName('object')) &&
    classConstants(model, isScalar).literal.get(name) === true
  );
}

/** A loop variable over a class constant collection: `for f in self.factors:`. */
function isLoopOverClassConstant(model: SemanticModel, node: Node, isScalar: (n: Node) => boolean): boolean {
  if (node.type !== 'identifier') return false;
  const binding = model.resolve(node);
  if (binding?.kind !== 'loop' || binding.sites.length !== 1) return false;
  const loop = binding.sites[0].parent;
  if (loop?.type !== 'for_statement' || loop.childForFieldName('left')?.id !== binding.sites[0].id)
    return false;
  const over = loop.childForFieldName('right');
  return !!over && isClassConstantAttribute(model, over, isScalar);
}

/**
 * Whether `key` is a class constant or part of one: a class attribute assigned a literal in
 * class bodies (`self.class_name`, `cls._name`), an element of such a constant collection, or a
 * literal field of that element (`f["name"]`). One value per class. `isScalar` tells the
 * literals (strings without interpolation, numbers, booleans, `None`).
 */
export function isClassConstantKey(
  model: SemanticModel,
  key: Node,
  isScalar: (n: Node) => boolean,
  depth = 0,
): boolean {
  if (isClassConstantAttribute(model, key, isScalar) || isLoopOverClassConstant(model, key, isScalar))
    return true;
  if (key.type === 'identifier' && depth < 2) {
    // `name = entry["name"]` once in the function, then `d[name] = entry`.
    const binding = model.resolve(key);
    if (binding?.kind !== 'assignment' || binding.scope === model.moduleScope || binding.sites.length !== 1)
      return false;
    const value = model.assignedValue(binding.sites[0]);
    return !!value && isClassConstantKey(model, value, isScalar, depth + 1);
  }
  if (key.type === 'subscript') {
    const value = key.childForFieldName('value');
    const keys = key.childrenForFieldName('subscript').filter((k) => k && k.type !== 'comment');
    return (
      !!value &&
      keys.length > 0 &&
      keys.every((k) => !!k && isLiteralValue(k, isScalar)) &&
      (isLoopOverClassConstant(model, value, isScalar) || isClassConstantAttribute(model, value, isScalar))
    );
  }
  return false;
}
