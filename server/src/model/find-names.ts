// Fast candidate search: rules that look for a handful of names (`create_task`, `subscribe`, …)
// search the text for those words and confirm each hit in the tree, instead of walking every node
// of every file. A file that never mentions the words costs one `indexOf` scan per word.
import type { Node } from '../parser';
import { parentOf } from './parents';
import type { SourceFile } from './source';

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Whether the UTF-16 code unit at `i` continues a Python identifier: an ASCII letter, digit or
 * `_` (tested by code, the common case), or a non-ASCII letter or digit. Outside the text: no.
 */
export function isWordCharAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return !Number.isNaN(c) && NON_ASCII_WORD_CHAR.test(text[i]);
}

/**
 * Offsets where `word` occurs as a whole word in `text[start, end)` (not inside a longer name).
 * (An array, not a generator: `self` alone has hundreds of hits in a file.)
 */
export function wordOffsets(text: string, word: string, start = 0, end = text.length): number[] {
  const offsets: number[] = [];
  for (let i = text.indexOf(word, start); i >= 0 && i < end; i = text.indexOf(word, i + word.length)) {
    if (!isWordCharAt(text, i - 1) && !isWordCharAt(text, i + word.length)) offsets.push(i);
  }
  return offsets;
}

/**
 * Finders for several ASCII words at once, longest first, so that at any offset the one word
 * that can be whole there is the one matched. One pass of a compiled alternation is several
 * times faster than one `indexOf` pass per word. Bounded: the names include import aliases.
 */
const FINDER_LIMIT = 64;
const finders = new Map<string, RegExp>();
function wordsFinder(words: string[]): RegExp {
  const key = words.join(' ');
  let re = finders.get(key);
  if (!re) {
    const alternatives = [...words].sort((a, b) => b.length - a.length);
    // `\b` on both sides: the engine skips the many hits inside longer ASCII words (`on` in
    // `function`) without making a match of each. Every whole-word hit still matches (its
    // neighbours are no ASCII word characters); the caller's test rules out the rest (a
    // non-ASCII letter next to it).
    re = new RegExp(`\\b(?:${alternatives.join('|')})\\b`, 'g');
    if (finders.size >= FINDER_LIMIT) finders.delete(finders.keys().next().value as string);
    finders.set(key, re);
  }
  return re;
}

const ASCII_WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whole-word offsets of any of `words` in `text[start, end)`, in order. */
function anyWordOffsets(
  text: string,
  words: string[],
  start: number,
  end: number,
): { at: number; word: string }[] {
  const hits: { at: number; word: string }[] = [];
  if (words.length > 1 && words.every((w) => ASCII_WORD.test(w))) {
    // A hit cannot start inside another ASCII word's match (its previous character would be a
    // word character), so skipping past each match finds every whole-word hit.
    const re = wordsFinder(words);
    re.lastIndex = start;
    for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
      const word = m[0];
      if (!isWordCharAt(text, m.index - 1) && !isWordCharAt(text, m.index + word.length))
        hits.push({ at: m.index, word });
    }
    return hits;
  }
  for (const word of words) for (const at of wordOffsets(text, word, start, end)) hits.push({ at, word });
  return hits.sort((a, b) => a.at - b.at);
}

/** Identifier nodes spelled as one of `names`, in source order (inside `within` if given). */
export function identifiersNamed(file: SourceFile, names: readonly string[], within?: Node): Node[] {
  const start = within?.startIndex ?? 0;
  const end = within?.endIndex ?? file.text.length;
  const found: Node[] = [];
  const words = [...new Set(names)];
  const hits = file.words.offsetsOfAny(words, start, end, () => anyWordOffsets(file.text, words, start, end));
  for (const { at, word } of hits) {
    const node = file.root.descendantForIndex(at, at + word.length);
    // Hits inside strings and comments are not identifiers.
    if (node?.type === 'identifier' && node.text === word) found.push(node);
  }
  return found;
}

/** For an identifier that is the `attr` of `obj.attr`, the attribute node; otherwise null. */
export function attributeNamedBy(identifier: Node): Node | null {
  const parent = parentOf(identifier);
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id)
    return parent;
  return null;
}

/** For an identifier naming a called function or method (`f(…)`, `obj.f(…)`), the call node. */
export function callNamedBy(identifier: Node): Node | null {
  const attribute = attributeNamedBy(identifier);
  const callee = attribute ?? identifier;
  const call = parentOf(callee);
  if (call?.type === 'call' && call.childForFieldName('function')?.id === callee.id) return call;
  return null;
}
