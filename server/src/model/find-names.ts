// Fast candidate search: rules that look for a handful of names (`create_task`, `subscribe`, …)
// search the text for those words and confirm each hit in the tree, instead of walking every node
// of every file. A file that never mentions the words costs one `indexOf` scan per word.
import type { Node } from '../parser';
import type { SourceFile } from './source';

// ASCII fast path; any non-ASCII letter or digit also continues a Python identifier.
const isWordChar = (c: string | undefined): boolean =>
  !!c && (/[A-Za-z0-9_]/.test(c) || (c.charCodeAt(0) > 127 && /[\p{L}\p{N}]/u.test(c)));

/** Offsets where `word` occurs as a whole word in `text[start, end)` (not inside a longer name). */
export function* wordOffsets(text: string, word: string, start = 0, end = text.length): Generator<number> {
  for (let i = text.indexOf(word, start); i >= 0 && i < end; i = text.indexOf(word, i + word.length)) {
    if (!isWordChar(text[i - 1]) && !isWordChar(text[i + word.length])) yield i;
  }
}

/** Identifier nodes spelled as one of `names`, in source order (inside `within` if given). */
export function identifiersNamed(file: SourceFile, names: readonly string[], within?: Node): Node[] {
  const start = within?.startIndex ?? 0;
  const end = within?.endIndex ?? file.text.length;
  const found: Node[] = [];
  for (const name of new Set(names)) {
    for (const i of wordOffsets(file.text, name, start, end)) {
      const node = file.root.descendantForIndex(i, i + name.length);
      // Hits inside strings and comments are not identifiers.
      if (node?.type === 'identifier' && node.text === name) found.push(node);
    }
  }
  if (names.length > 1) found.sort((a, b) => a.startIndex - b.startIndex);
  return found;
}

/** For an identifier that is the `attr` of `obj.attr`, the attribute node; otherwise null. */
export function attributeNamedBy(identifier: Node): Node | null {
  const parent = identifier.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id)
    return parent;
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
