// Statement-level control flow for the resource analysis: which statement holds a node, which
// loop repeats it, and whether a run of statements can raise (an exception there would skip a
// release that follows).
import type { Node } from '../parser';
import { parentOf } from './parents';

/** The statement (direct child of a block or module) containing `node`. */
export function statementNode(node: Node): Node {
  let current = node;
  for (let parent = parentOf(current); parent; parent = parentOf(current)) {
    const type = parent.type;
    if (type === 'block' || type === 'module') break;
    current = parent;
  }
  return current;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** The innermost `for`/`while` around `node` within `limit` (not crossing into nested functions). */
export function enclosingLoop(node: Node, limit: Node): Node | undefined {
  let p = parentOf(node);
  while (p && p.id !== limit.id) {
    const type = p.type;
    if (type === 'for_statement' || type === 'while_statement') return p;
    if (type === 'function_definition' || type === 'lambda' || type === 'class_definition') return undefined;
    p = parentOf(p);
  }
  return undefined;
}

/** Every statement from `from` up to (excluding) `to` — or to the end of the block — cannot raise. */
export function inertBetween(from: Node | null, to: Node | null): boolean {
  for (let s = from; s && s.id !== to?.id; s = s.nextNamedSibling) if (!cannotRaise(s)) return false;
  return true;
}

const INERT = new Set(['identifier', 'string', 'integer', 'float', 'true', 'false', 'none', 'comment']);

export function cannotRaise(statement: Node): boolean {
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

/** Whether `statement` is the last thing `block` runs (possibly nested in compound statements). */
export function endsBlock(statement: Node, block: Node): boolean {
  let current = statement;
  for (let i = 0; i < 32; i++) {
    const parent = parentOf(current);
    if (parent?.type !== 'block') return false;
    if (!inertBetween(current.nextNamedSibling, null)) return false;
    if (parent.id === block.id) return true;
    current = statementNode(parent);
  }
  return false;
}

/** A statement at the end of a `try:` body that has `except` handlers. */
export function lastInTryWithHandler(statement: Node): boolean {
  const block = parentOf(statement);
  const tryStatement = parentOf(block);
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block?.id)
    return false;
  if (
    !tryStatement.namedChildren.some((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause')
  )
    return false;
  return inertBetween(statement.nextNamedSibling, null);
}
