// How an expression is used by its surroundings: the questions container and resource rules ask
// of every reference ("is `_cache` written here? evicted? passed on?").
import type { Node } from '../parser';
import { parentOf } from './parents';

export type Use =
  | { kind: 'method'; method: string; call: Node } // x.append(v)
  | { kind: 'attribute'; attribute: string; node: Node } // x.attr (not called)
  | { kind: 'subscript-store'; node: Node } // x[k] = v, x[k] += v
  | { kind: 'subscript-del'; node: Node } // del x[k]
  | { kind: 'subscript-load'; node: Node } // x[k]
  | { kind: 'augmented'; operator: string; node: Node } // x += …
  | { kind: 'rebind'; node: Node } // x = …
  | { kind: 'del'; node: Node } // del x
  | { kind: 'argument'; call: Node; keyword?: string } // f(x), f(k=x)
  | { kind: 'return'; node: Node }
  | { kind: 'yield'; node: Node }
  | { kind: 'with'; node: Node; asyncWith: boolean } // with x: / with x as y:
  | { kind: 'await'; node: Node }
  | { kind: 'assigned-to'; target: Node; node: Node } // y = x, self.y = x
  | { kind: 'stored-in'; node: Node } // [x], {k: x}, (x,) in a larger expression
  | { kind: 'other'; node: Node };

/** Skip wrapping parentheses downwards: `((x))` → `x`. */
export function unparenthesized(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1 && n.namedChildren[0])
    n = n.namedChildren[0];
  return n;
}

/** Skip wrapping parentheses upwards. */
export function unparenthesizedParent(node: Node): { node: Node; parent: Node | null } {
  let current = node;
  let parent = parentOf(node);
  while (parent?.type === 'parenthesized_expression') {
    current = parent;
    parent = parentOf(parent);
  }
  return { node: current, parent };
}

/** Classify how the expression `node` (a name, a call…) is used by the code around it. */
export function useOf(expr: Node): Use {
  const { node, parent } = unparenthesizedParent(expr);
  if (!parent) return { kind: 'other', node };
  switch (parent.type) {
    case 'attribute': {
      if (parent.childForFieldName('object')?.id !== node.id) break;
      const attr = parent.childForFieldName('attribute')?.text ?? '';
      const up = unparenthesizedParent(parent);
      if (up.parent?.type === 'call' && up.parent.childForFieldName('function')?.id === up.node.id) {
        return { kind: 'method', method: attr, call: up.parent };
      }
      return { kind: 'attribute', attribute: attr, node: parent };
    }
    case 'subscript': {
      if (parent.childForFieldName('value')?.id !== node.id) break;
      const up = unparenthesizedParent(parent);
      const gp = up.parent;
      if (gp?.type === 'assignment' && gp.childForFieldName('left')?.id === up.node.id)
        return { kind: 'subscript-store', node: parent };
      if (gp?.type === 'augmented_assignment' && gp.childForFieldName('left')?.id === up.node.id)
        return { kind: 'subscript-store', node: parent };
      if (
        gp?.type === 'delete_statement' ||
        (gp?.type === 'expression_list' && parentOf(gp)?.type === 'delete_statement')
      )
        return { kind: 'subscript-del', node: parent };
      if (isAssignmentTarget(up.node)) return { kind: 'subscript-store', node: parent };
      return { kind: 'subscript-load', node: parent };
    }
    case 'augmented_assignment':
      if (parent.childForFieldName('left')?.id === node.id) {
        const op = parent.childForFieldName('operator')?.text ?? '';
        return { kind: 'augmented', operator: op, node: parent };
      }
      break;
    case 'assignment':
      if (parent.childForFieldName('left')?.id === node.id) return { kind: 'rebind', node: parent };
      if (parent.childForFieldName('right')?.id === node.id) {
        const target = parent.childForFieldName('left');
        if (target) return { kind: 'assigned-to', target, node: parent };
      }
      break;
    case 'delete_statement':
      return { kind: 'del', node: parent };
    case 'argument_list': {
      const call = parentOf(parent);
      if (call?.type === 'call') return { kind: 'argument', call };
      break;
    }
    case 'keyword_argument': {
      const list = parentOf(parent);
      const call = parentOf(list);
      if (call?.type === 'call' && parent.childForFieldName('value')?.id === node.id) {
        return { kind: 'argument', call, keyword: parent.childForFieldName('name')?.text };
      }
      break;
    }
    case 'list_splat':
    case 'dictionary_splat': {
      const list = parentOf(parent);
      const call = parentOf(list);
      if (list?.type === 'argument_list' && call?.type === 'call') return { kind: 'argument', call };
      break;
    }
    case 'return_statement':
      return { kind: 'return', node: parent };
    case 'expression_list': {
      const up = parentOf(parent);
      const upType = up?.type;
      if (up && upType === 'delete_statement') return { kind: 'del', node: up };
      if (up && upType === 'return_statement') return { kind: 'return', node: up };
      if (up && upType === 'yield') return { kind: 'yield', node: up };
      return { kind: 'stored-in', node: parent };
    }
    case 'yield':
      return { kind: 'yield', node: parent };
    case 'await':
      return { kind: 'await', node: parent };
    case 'with_item':
      return { kind: 'with', node: parent, asyncWith: isAsyncWith(parent) };
    case 'as_pattern': {
      const item = parentOf(parent);
      if (item?.type === 'with_item' && parent.namedChildren[0]?.id === node.id)
        return { kind: 'with', node: item, asyncWith: isAsyncWith(item) };
      break;
    }
    case 'list':
    case 'tuple':
    case 'set':
    case 'pair':
      return { kind: 'stored-in', node: parent };
  }
  return { kind: 'other', node: parent };
}

function isAsyncWith(withItem: Node): boolean {
  const stmt = parentOf(parentOf(withItem));
  return stmt?.type === 'with_statement' && stmt.children[0]?.type === 'async';
}

function isAssignmentTarget(node: Node): boolean {
  let child = node;
  let parent = parentOf(node);
  while (
    parent &&
    (parent.type === 'pattern_list' || parent.type === 'tuple_pattern' || parent.type === 'list_pattern')
  ) {
    child = parent;
    parent = parentOf(parent);
  }
  return (
    (parent?.type === 'assignment' || parent?.type === 'for_statement') &&
    parent.childForFieldName('left')?.id === child.id
  );
}

/** `self.x` / `cls.x` / `obj.attr`: an attribute chain whose root is the identifier `name`. */
export function isAttributeOf(node: Node | null, rootName: string): boolean {
  if (node?.type !== 'attribute') return false;
  const obj = node.childForFieldName('object');
  return obj?.type === 'identifier' && obj.text === rootName;
}

/** The nearest ancestor of `node` (itself excluded) whose type is one of `types`. */
export function ancestor(node: Node, ...types: string[]): Node | null {
  let p = parentOf(node);
  while (p && !types.includes(p.type)) p = parentOf(p);
  return p;
}

/** Whether `inner` lies within `outer` (inclusive). */
export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** Whether `node` lies inside the `finally:` clause of some try statement within `limit`. */
export function inFinally(node: Node, limit?: Node): Node | null {
  let p = parentOf(node);
  while (p && p.id !== limit?.id) {
    if (p.type === 'finally_clause') return p;
    p = parentOf(p);
  }
  return null;
}

/** The statement (a direct child of a block or module) that contains `node`. */
export function statementOf(node: Node): Node {
  let current = node;
  for (let parent = parentOf(current); parent; parent = parentOf(current)) {
    const type = parent.type;
    if (type === 'block' || type === 'module') break;
    current = parent;
  }
  return current;
}

/** The keyword argument `name=` of a call, if present. */
export function keywordArgument(call: Node, name: string): Node | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  for (const a of args.namedChildren) {
    if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) {
      return a.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/**
 * Where the parameter named by `paramName` sits in its function's signature: the function, its
 * name, the parameter's index, and whether callers can pass it by position (no `*`/`/` before it).
 */
export function parameterSlot(
  paramName: Node,
): { fn: Node; fnName: string; index: number; positional: boolean } | undefined {
  const param = paramName.parent?.type === 'parameters' ? paramName : paramName.parent;
  const fn = param?.parent?.parent;
  if (!param || fn?.type !== 'function_definition') return undefined;
  const fnName = fn.childForFieldName('name')?.text;
  if (!fnName) return undefined;
  const raw = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter(
    (p): p is Node => !!p && p.type !== 'comment',
  );
  const index = raw.findIndex((p) => p.id === param.id);
  if (index < 0) return undefined;
  return { fn, fnName, index, positional: !raw.slice(0, index).some((p) => /splat|separator/.test(p.type)) };
}

/** What `call` passes for parameter `name`: by keyword, or at `position` among its positional arguments. */
export function argumentPassedFor(call: Node, name: string, position: number | undefined): Node | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const keyword = args.find(
    (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name,
  );
  return (
    keyword?.childForFieldName('value') ??
    (position === undefined ? undefined : positionalArguments(call)[position])
  );
}

/** Positional arguments of a call (keyword arguments and splats excluded). */
export function positionalArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  return args.namedChildren.filter(
    (a): a is Node =>
      !!a &&
      a.type !== 'keyword_argument' &&
      a.type !== 'list_splat' &&
      a.type !== 'dictionary_splat' &&
      a.type !== 'comment',
  );
}

/** `async def`? */
export function isAsyncFunction(fn: Node): boolean {
  return fn.type === 'function_definition' && fn.children[0]?.type === 'async';
}

/** Decorators of a function or class definition (the expressions after `@`). */
export function decoratorsOf(def: Node): Node[] {
  const parent = parentOf(def);
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((c): c is Node => c?.type === 'decorator')
    .map((d) => d.namedChildren[0])
    .filter((c): c is Node => !!c);
}
