// Where a word occurs in a file's text, as a whole word (comments and strings included): the text
// search behind references, "may this container be written" and the class-attribute accesses.
// The first few words are found by scanning the text (cheap when a file asks about a handful of
// names); once the scans add up to a few passes over the text, one pass indexes every word and
// answers the rest, so a file with thousands of names (4,000 classes, each with its own
// attributes) costs linear time instead of one pass per name.
import { wordOffsets } from './find-names';

/**
 * Direct scans allowed, in passes over the whole text, before indexing it. A pass is a native
 * `indexOf` search; indexing costs a map entry per word of the text, as much as a hundred passes
 * on a 5,000-line module. At 4 passes, a file whose rules asked five questions (`_pydecimal.py`)
 * paid for the index — an eighth of its analysis.
 */
const SCANS_BEFORE_INDEX = 16;

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

/** The code unit at `i` continues a Python name (as `find-names.ts` counts it). */
function isWordUnit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return !Number.isNaN(c) && NON_ASCII_WORD_CHAR.test(text[i]);
}

/** Whether every code unit of `word` is a word unit (only such words can be looked up in the index). */
function isIndexable(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) if (!isWordUnit(word, i)) return false;
  return true;
}

export class WordIndex {
  private index: Map<string, number[]> | undefined;
  private scanned = 0;

  constructor(private readonly text: string) {}

  /** Whether the whole-text index has been built (tests). */
  get indexed(): boolean {
    return this.index !== undefined;
  }

  /** Offsets, in order, where `word` occurs as a whole word in `text[start, end)`. */
  offsets(word: string, start = 0, end = this.text.length): number[] {
    if (!this.index && isIndexable(word)) {
      this.scanned += end - start;
      if (this.scanned > SCANS_BEFORE_INDEX * this.text.length + 4096) this.index = this.build();
    }
    if (!this.index || !isIndexable(word)) return wordOffsets(this.text, word, start, end);
    const all = this.index.get(word);
    if (!all) return [];
    if (start <= 0 && end >= this.text.length) return all.slice();
    const from = lowerBound(all, start);
    let to = from;
    while (to < all.length && all[to] < end) to++;
    return all.slice(from, to);
  }

  /**
   * Whole-word hits of any of `words` in `text[start, end)`, in order: from the index once built
   * (or once this search makes the scans add up to it), otherwise from `scan` — one pass over
   * the span for all the words, counted as one scan.
   */
  offsetsOfAny(
    words: readonly string[],
    start: number,
    end: number,
    scan: () => { at: number; word: string }[],
  ): { at: number; word: string }[] {
    if (words.length === 1) return this.offsets(words[0], start, end).map((at) => ({ at, word: words[0] }));
    if (!words.every(isIndexable)) return scan();
    if (!this.index) {
      this.scanned += end - start;
      if (this.scanned > SCANS_BEFORE_INDEX * this.text.length + 4096) this.index = this.build();
      else return scan();
    }
    const hits: { at: number; word: string }[] = [];
    for (const word of words) for (const at of this.offsets(word, start, end)) hits.push({ at, word });
    return hits.sort((a, b) => a.at - b.at);
  }

  private build(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    const text = this.text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (!isWordUnit(text, i)) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && isWordUnit(text, i)) i++;
      const word = text.slice(start, i);
      const list = index.get(word);
      if (list) list.push(start);
      else index.set(word, [start]);
    }
    return index;
  }
}

/** The first position of `sorted` whose value is at least `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
