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
  if (statement.type === 'try_statement') return swallowsEverything(statement);
  if (statement.type !== 'expression_statement') return false;
  const expr = statement.namedChildren[0];
  if (!expr) return true;
  if (expr.type === 'string') return true;
  if (expr.type === 'assignment') {
    const left = expr.childForFieldName('left');
    const right = expr.childForFieldName('right');
    if (left?.type !== 'identifier' || !right || expr.childForFieldName('type')) return false;
    return INERT.has(right.type) || isPlainAttribute(right) || isInertDisplay(right);
  }
  return false;
}

/** `[]`, `{}`, `()`, `["a", 1]`: a display of names and literals only builds it. */
function isInertDisplay(node: Node): boolean {
  if (!['list', 'tuple', 'dictionary', 'set'].includes(node.type)) return false;
  return node.namedChildren.every((c) => {
    if (!c || c.type === 'comment') return true;
    // (A set hashes its items: a name could hold something unhashable.)
    if (INERT.has(c.type)) return node.type !== 'set' || c.type !== 'identifier';
    if (c.type !== 'pair') return false;
    const key = c.childForFieldName('key');
    const value = c.childForFieldName('value');
    // A key must hash: names could hold anything, so only literal keys.
    return (
      !!key &&
      !!value &&
      ['string', 'integer', 'true', 'false', 'none'].includes(key.type) &&
      INERT.has(value.type)
    );
  });
}

const BROAD_EXCEPTIONS = new Set([
  'Exception',
  'BaseException',
  'builtins.Exception',
  'builtins.BaseException',
]);

/** `except:`, `except Exception:` or `except BaseException:` (alone or in a tuple): catches what the body raises. */
export function catchesEverything(clause: Node): boolean {
  if (clause.type !== 'except_clause') return false;
  let caught = clause.childForFieldName('value');
  if (!caught) return clause.namedChildren[0]?.type === 'block';
  if (caught.type === 'as_pattern') caught = caught.namedChildren[0] ?? null;
  if (!caught) return false;
  const types = caught.type === 'tuple' ? caught.namedChildren : [caught];
  return types.some((t) => !!t && BROAD_EXCEPTIONS.has(t.text));
}

const JUMPS = ['return_statement', 'break_statement', 'continue_statement'];

/**
 * `try: f.write(x)` / `except: pass`: a `try` whose catch-all handler swallows whatever its body
 * raises, with nothing that can raise in the handlers, `else` or `finally`, and no jump out of
 * the body. Whatever follows it always runs.
 */
function swallowsEverything(statement: Node): boolean {
  const clauses = statement.namedChildren.filter((c): c is Node => !!c);
  if (!clauses.some(catchesEverything)) return false;
  for (const clause of clauses) {
    if (clause.type === 'block' || clause.type === 'comment') continue;
    if (clause.type === 'except_group_clause') return false;
    const block = clause.namedChildren.find((c) => c?.type === 'block');
    if (!block || !inertBetween(block.namedChildren[0] ?? null, null)) return false;
  }
  const body = statement.childForFieldName('body');
  return !!body && body.descendantsOfType(JUMPS).length === 0;
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

/** `return`, `return True`, `return None`: leaves without evaluating anything that can raise. */
function returnsLiteral(statement: Node | null): boolean {
  if (statement?.type !== 'return_statement') return false;
  const value = statement.namedChildren[0];
  return !value || INERT.has(value.type);
}

/**
 * A statement at the end of a `try:` body that has `except` handlers (a literal `return` may
 * follow it: `try: probe(); return True` / `except E: return False`).
 */
export function lastInTryWithHandler(statement: Node): boolean {
  const block = parentOf(statement);
  const tryStatement = parentOf(block);
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block?.id)
    return false;
  if (
    !tryStatement.namedChildren.some((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause')
  )
    return false;
  let last: Node | null = statement.nextNamedSibling;
  while (last?.nextNamedSibling) last = last.nextNamedSibling;
  if (returnsLiteral(last)) return inertBetween(statement.nextNamedSibling, last);
  return inertBetween(statement.nextNamedSibling, null);
}

/** What a condition being true (or false) says about the object a name holds. */
type NameState = 'dead' | 'alive' | undefined;

/**
 * What `condition` evaluating to `truth` tells about `name`: `dead` (None, falsy or already
 * closed: `f is None`, `not f`, `f.closed`) or `alive` (`f is not None`, `f`, `not f.closed`).
 */
function conditionImplies(condition: Node | null, name: string, truth: boolean, depth = 0): NameState {
  if (!condition || depth > 8) return undefined;
  switch (condition.type) {
    case 'parenthesized_expression':
      return conditionImplies(condition.namedChildren[0] ?? null, name, truth, depth + 1);
    case 'not_operator':
      return conditionImplies(condition.childForFieldName('argument'), name, !truth, depth + 1);
    case 'identifier':
      if (condition.text !== name) return undefined;
      return truth ? 'alive' : 'dead';
    case 'attribute': {
      const object = condition.childForFieldName('object');
      if (object?.type !== 'identifier' || object.text !== name) return undefined;
      if (condition.childForFieldName('attribute')?.text !== 'closed') return undefined;
      return truth ? 'dead' : 'alive';
    }
    case 'comparison_operator': {
      const operands = condition.namedChildren.filter((c): c is Node => !!c);
      const operators = condition.children.filter((c): c is Node => !!c && !c.isNamed);
      if (operands.length !== 2 || operators.length !== 1) return undefined;
      const [left, right] = operands;
      const subject =
        (left.type === 'identifier' && left.text === name && right.type === 'none') ||
        (right.type === 'identifier' && right.text === name && left.type === 'none');
      if (!subject) return undefined;
      const op = operators[0].type;
      const isNone = op === 'is' || op === '==' ? true : op === 'is not' || op === '!=' ? false : undefined;
      if (isNone === undefined) return undefined;
      return isNone === truth ? 'dead' : 'alive';
    }
    case 'boolean_operator': {
      const op = condition.childForFieldName('operator')?.type;
      const a = conditionImplies(condition.childForFieldName('left'), name, truth, depth + 1);
      const b = conditionImplies(condition.childForFieldName('right'), name, truth, depth + 1);
      // `x and y` true (or `x or y` false): both operands hold, so either one's verdict does.
      if ((op === 'and') === truth) return a === 'dead' || b === 'dead' ? 'dead' : (a ?? b);
      // Otherwise only what both operands agree on.
      return a === b ? a : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether `node` only runs when `name` holds nothing to release: under `if f is None:`,
 * `if not f:`, `if f.closed:`, or the `else:` of `if f:` (within `limit`).
 */
export function runsOnlyWhenDead(node: Node, name: string, limit: Node): boolean {
  let child = node;
  for (let p = parentOf(node); p && p.id !== limit.id; child = p, p = parentOf(p)) {
    const type = p.type;
    if (type === 'function_definition' || type === 'lambda' || type === 'class_definition') return false;
    if (type !== 'if_statement' || child.id === p.childForFieldName('condition')?.id) continue;
    // `child` is the consequence block, an `elif` or the `else` of this `if`.
    if (child.id === p.childForFieldName('consequence')?.id) {
      if (conditionImplies(p.childForFieldName('condition'), name, true) === 'dead') return true;
      continue;
    }
    // In an `elif`/`else`: every earlier condition was false; an `elif`'s own condition is true.
    const conditions: { node: Node | null; truth: boolean }[] = [
      { node: p.childForFieldName('condition'), truth: false },
    ];
    for (const clause of p.namedChildren) {
      if (!clause || clause.type !== 'elif_clause') continue;
      if (clause.id === child.id) {
        conditions.push({ node: clause.childForFieldName('condition'), truth: true });
        break;
      }
      conditions.push({ node: clause.childForFieldName('condition'), truth: false });
    }
    if (conditions.some((c) => conditionImplies(c.node, name, c.truth) === 'dead')) return true;
  }
  return false;
}

/**
 * Whether `condition` holds whenever `name` holds something to release: false only when it is
 * None, falsy or closed (`f`, `f is not None`, `not f.closed`, and such tests joined by `and`).
 */
export function isPresenceTest(condition: Node, name: string): boolean {
  return conditionImplies(condition, name, false) === 'dead';
}

/**
 * Whether `node` runs every time the innermost block that also holds `from` runs to its end: no
 * branch, loop body, handler, short-circuit operand or nested function lies between them
 * (`if fail and proc.wait():` waits only when `fail` is true), except an `if` whose condition
 * `isGuard` accepts (`if f: f.close()`). Exceptions are not considered.
 */
export function runsWheneverReached(node: Node, from: Node, isGuard?: (condition: Node) => boolean): boolean {
  let child = node;
  for (let p = parentOf(node); p; child = p, p = parentOf(p)) {
    if (contains(p, from) && (p.type === 'block' || p.type === 'module')) return true;
    switch (p.type) {
      case 'if_statement':
        // `if f:` / `if f is not None:` around `f.close()`: it runs whenever there is an `f`.
        if (isGuard && p.childForFieldName('consequence')?.id === child.id) {
          const condition = p.childForFieldName('condition');
          if (condition && isGuard(condition)) break;
        }
        if (p.childForFieldName('condition')?.id !== child.id) return false;
        break;
      case 'while_statement':
        // `while True:` runs its body at least once.
        if (/^(True|1)$/.test(p.childForFieldName('condition')?.text ?? '')) break;
        if (p.childForFieldName('condition')?.id !== child.id) return false;
        break;
      case 'for_statement':
        if (p.childForFieldName('right')?.id !== child.id) return false;
        break;
      case 'boolean_operator':
        if (p.childForFieldName('left')?.id !== child.id) return false;
        break;
      case 'conditional_expression':
        if (p.namedChildren[1]?.id !== child.id) return false;
        break;
      case 'else_clause':
        // `try: … else:` runs whenever the body did not raise; a loop's or an `if`'s may not run.
        if (parentOf(p)?.type !== 'try_statement') return false;
        break;
      case 'elif_clause':
      case 'except_clause':
      case 'except_group_clause':
      case 'case_clause':
      case 'match_statement':
      case 'function_definition':
      case 'lambda':
      case 'class_definition':
        return false;
      case 'for_in_clause':
        if (p.childForFieldName('right')?.id !== child.id) return false;
        break;
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        // Only the first iterable is evaluated at once (`(x for x in proc.communicate())`).
        if (
          child.type !== 'for_in_clause' ||
          p.namedChildren.find((c) => c?.type === 'for_in_clause')?.id !== child.id
        )
          return false;
        break;
    }
  }
  return false;
}
