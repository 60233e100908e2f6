// The parts of a Python text outside function bodies (module level, class bodies), found by a
// small tokenizer instead of the parser: a text test of where module- and class-level names can
// be bound, for the rules' `mayFire`. It follows strings, comments, brackets and continued lines
// to find the logical lines, and their indentation to find the function bodies; where it cannot
// follow the text for sure (an f-string nesting its own quotes, an unterminated string) it gives
// up, and callers take that as "anywhere".

/** A block opened by `def` or `class` and the indentation of its header. */
interface Block {
  indent: number;
  isFunction: boolean;
}

/** Half-open [start, end) ranges of code outside function bodies, brackets, strings and comments, in order. */
export type Ranges = number[];

const QUOTE_SINGLE = 39;
/** The ASCII characters the line scanner stops at: quotes, `#`, `\\`, brackets, line feed. */
const SPECIAL = new Uint8Array(128);
for (const c of '\'"#\\()[]{}\n') SPECIAL[c.charCodeAt(0)] = 1;
const QUOTE_DOUBLE = 34;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

const PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);

/**
 * Where the string literal whose quote is at `i` ends (the index after its closing quote), or -1
 * if it cannot be followed for sure. Up to Python 3.11 a literal ends at the first unescaped
 * closing quote, f-strings too; from 3.12 an f-string's `{…}` may nest its own quotes. So in an
 * f-string the replacement fields are followed: a closing quote met inside one, or a nested
 * string that holds a brace or runs past a line or the outer quote, gives up.
 */
function stringEnd(text: string, i: number): number {
  const q = text.charCodeAt(i);
  let p = i;
  while (p > 0 && isLetter(text.charCodeAt(p - 1))) p--;
  const prefix = text.slice(p, i).toLowerCase();
  const formatted = PREFIXES.has(prefix) && /[ft]/.test(prefix);
  const triple = text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q;
  let j = i + (triple ? 3 : 1);
  let braces = 0;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 92) {
      j += 2; // an escape (in raw strings too, a backslash keeps the quote after it)
      continue;
    }
    if (c === q && (!triple || (text.charCodeAt(j + 1) === q && text.charCodeAt(j + 2) === q))) {
      if (braces > 0) return -1;
      return j + (triple ? 3 : 1);
    }
    if (c === 10 && !triple) return -1; // unterminated
    if (formatted) {
      if (braces === 0 && c === 123 && text.charCodeAt(j + 1) === 123) {
        j += 2;
        continue;
      }
      if (braces === 0 && c === 125 && text.charCodeAt(j + 1) === 125) {
        j += 2;
        continue;
      }
      if (c === 123) braces++;
      else if (c === 125) braces = Math.max(0, braces - 1);
      else if (braces > 0 && (c === QUOTE_SINGLE || c === QUOTE_DOUBLE)) {
        // A string nested in a replacement field: one line, no braces, not the outer quote.
        let k = j + 1;
        while (k < text.length) {
          const d = text.charCodeAt(k);
          if (d === c) break;
          if (d === 10 || d === 123 || d === 125 || d === 92 || (d === q && !triple)) return -1;
          k++;
        }
        if (k >= text.length) return -1;
        j = k + 1;
        continue;
      }
    }
    j++;
  }
  return -1;
}

/**
 * The code of the logical lines of `text` that do not sit in a function body (nor are a `def`
 * header), leaving out what stands in brackets, strings and comments: where the target of a
 * module- or class-level assignment can stand. As ranges; undefined when the text cannot be
 * followed for sure.
 */
export function linesOutsideFunctions(text: string): Ranges | undefined {
  const ranges: Ranges = [];
  const blocks: Block[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // The start of a physical line that starts a logical line: its indentation first.
    let indent = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32) indent++;
      // As tree-sitter-python's scanner counts (the engine's tree is the one to agree with): a tab
      // is 8 columns, a form feed starts again from 0.
      else if (c === 9) indent += 8;
      else if (c === 12) indent = 0;
      else break;
      i++;
    }
    if (i >= n) break;
    const first = text.charCodeAt(i);
    if (first === 10 || first === 13) {
      i++;
      continue; // blank line
    }
    if (first === 35) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end + 1; // comment line
      continue;
    }
    while (blocks.length > 0 && blocks[blocks.length - 1].indent >= indent) blocks.pop();
    const inFunction = blocks.some((b) => b.isFunction);
    const header = headerAt(text, i);
    const outside = !inFunction && header !== 'def';
    // The line's code outside brackets, strings and comments (where an assignment's target
    // stands): from `start` (-1: none open) to the next bracket, string or comment.
    let start = i;
    // To the end of the logical line: strings, comments, brackets and continuations followed.
    let depth = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 128 || !SPECIAL[c]) {
        i++;
        continue;
      }
      if (c === QUOTE_SINGLE || c === QUOTE_DOUBLE) {
        const end = stringEnd(text, i);
        if (end < 0) return undefined;
        if (outside && start >= 0 && i > start) ranges.push(start, i);
        start = -1;
        i = end;
        if (depth === 0) start = end;
        continue;
      }
      if (c === 35) {
        const end = text.indexOf('\n', i);
        if (outside && start >= 0 && i > start) ranges.push(start, i);
        start = -1;
        i = end < 0 ? n : end;
        if (depth === 0) start = i;
        continue;
      }
      if (c === 92) {
        // A backslash outside a string: a continued line (or, not Python, give up).
        if (text.charCodeAt(i + 1) === 10) i += 2;
        else if (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) i += 3;
        else return undefined;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) {
        if (outside && start >= 0 && i > start) ranges.push(start, i);
        start = -1;
        depth++;
      } else if (c === 41 || c === 93 || c === 125) {
        depth--;
        if (depth < 0) return undefined;
        if (depth === 0) start = i + 1;
      } else if (c === 10 && depth === 0) break;
      i++;
    }
    // Brackets still open at the end: not Python (the parser recovers its own way).
    if (depth > 0) return undefined;
    if (outside && start >= 0 && i > start) ranges.push(start, i);
    if (i < n) i++; // past the newline
    if (header) blocks.push({ indent, isFunction: header === 'def' });
  }
  return ranges;
}

/** The keyword at `i` and a word boundary after it. */
function keywordAt(text: string, i: number, keyword: string): boolean {
  if (!text.startsWith(keyword, i)) return false;
  const c = text.charCodeAt(i + keyword.length);
  return !(isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c > 127);
}

/** `def` (or `async def`) or `class` when a logical line starting at `i` opens one. */
function headerAt(text: string, i: number): 'def' | 'class' | undefined {
  const c = text.charCodeAt(i);
  if (c === 100) return keywordAt(text, i, 'def') ? 'def' : undefined;
  if (c === 99) return keywordAt(text, i, 'class') ? 'class' : undefined;
  if (c === 97 && keywordAt(text, i, 'async')) {
    let j = i + 5;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    return keywordAt(text, j, 'def') ? 'def' : undefined;
  }
  return undefined;
}

/** Whether `offset` lies in one of `ranges` (ascending, non-overlapping). */
export function inRanges(ranges: Ranges, offset: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[2 * mid + 1] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length / 2 && ranges[2 * lo] <= offset;
}
