// Fast candidate search: rules that look for a handful of method names (`create_task`,
// `subscribe`, …) search the text for those words and confirm each hit in the tree, instead of
// walking every node of every file. A file that never mentions the words costs one regex scan.
import type { Node } from '../parser';
import type { SourceFile } from './source';

const finders = new Map<string, RegExp>();

function finderFor(names: readonly string[]): RegExp {
  const key = names.join('|');
  let re = finders.get(key);
  if (!re) {
    const alternatives = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, 'gu');
    finders.set(key, re);
  }
  return re;
}

/** Identifier nodes spelled as one of `names`, in source order (inside `within` if given). */
export function identifiersNamed(file: SourceFile, names: readonly string[], within?: Node): Node[] {
  const re = finderFor(names);
  const start = within?.startIndex ?? 0;
  const end = within?.endIndex ?? file.text.length;
  re.lastIndex = start;
  const found: Node[] = [];
  for (let m = re.exec(file.text); m && m.index < end; m = re.exec(file.text)) {
    const node = file.root.descendantForIndex(m.index, m.index + m[0].length);
    // Hits inside strings and comments are not identifiers.
    if (node?.type === 'identifier' && node.text === m[0]) found.push(node);
  }
  return found;
}

/** For an identifier that is the `attr` of `obj.attr`, the attribute node; otherwise null. */
export function attributeNamedBy(identifier: Node): Node | null {
  const parent = identifier.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id) return parent;
  return null;
}

/** For an identifier naming a called function or method (`f(…)`, `obj.f(…)`), the call node. */
export function callNamedBy(identifier: Node): Node | null {
  const attribute = attributeNamedBy(identifier);
  const callee = attribute ?? identifier;
  const call = callee.parent;
  if (call?.type === 'call' && call.childForFieldName('function')?.id === callee.id) return call;
  return null;
}
