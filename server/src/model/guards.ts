// The `if` blocks that guard a node: the conditions under which it runs, innermost first, within
// its own function (a guard outside a nested function does not decide when that one runs).
import type { Node } from '../parser';
import { parentOf } from './parents';
import { unparenthesized } from './usage';

/** An `if` (or `elif`) whose block holds the node: its condition and that block. */
export interface Guard {
  condition: Node;
  consequence: Node;
}

/** The `if`/`elif` blocks holding `node`, innermost first, up to its function, lambda or class. */
export function* guardsOf(node: Node, withElif = false): Generator<Guard> {
  let child = node;
  for (let p = parentOf(node); p; child = p, p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return;
    if (p.type !== 'if_statement' && !(withElif && p.type === 'elif_clause')) continue;
    const consequence = p.childForFieldName('consequence');
    const condition = p.childForFieldName('condition');
    if (condition && consequence?.id === child.id) yield { condition, consequence };
  }
}

/** `X` in a guard `if not X:` (parentheses dropped), or undefined. */
export function negated(condition: Node): Node | undefined {
  const test = unparenthesized(condition);
  const argument = test.type === 'not_operator' ? test.childForFieldName('argument') : undefined;
  return argument ? unparenthesized(argument) : undefined;
}
