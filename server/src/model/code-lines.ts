/**
 * Reads Python source line by line and gives each line's code without the contents of its string
 * literals and without its comment, following triple-quoted strings across lines. The project
 * index scans files line by line (far faster than parsing them all); without this, a `{` in a
 * docstring's JSON example opened a bracket that never closed, and every later line of the file,
 * decorators included, counted as a continuation of the statement before it.
 */
export class CodeLines {
  /** The delimiter of the triple-quoted string the previous line left open. */
  private openTriple: '"""' | "'''" | undefined;

  /**
   * `line` with each string's contents removed (its quotes kept: `f("a(")` gives `f("")`) and its
   * comment dropped; `''` for a line wholly inside a triple-quoted string.
   */
  code(line: string): string {
    // Most lines have neither quotes nor comments: nothing to do.
    if (!this.openTriple && !/["'#]/.test(line)) return line;
    let out = '';
    let i = 0;
    if (this.openTriple) {
      const end = closingIndex(line, 0, this.openTriple);
      if (end < 0) return '';
      out = this.openTriple;
      i = end + 3;
      this.openTriple = undefined;
    }
    while (i < line.length) {
      // The code up to the next quote or `#`, copied at once (one character at a time made a
      // string of as many pieces, which every later search of it first had to join).
      SPECIAL.lastIndex = i;
      const next = SPECIAL.exec(line)?.index ?? line.length;
      if (next > i) {
        out += line.slice(i, next);
        i = next;
        if (i >= line.length) break;
      }
      const ch = line[i];
      if (ch === '#') break;
      const triple = line.startsWith(ch.repeat(3), i) ? (ch.repeat(3) as '"""' | "'''") : undefined;
      const quote = triple ?? ch;
      out += quote + quote;
      const end = closingIndex(line, i + quote.length, quote);
      if (end < 0) {
        // A triple-quoted string goes on to the next lines; a one-quote string left open is a
        // syntax error (or a `\` continuation): it ends with the line.
        if (triple) this.openTriple = triple;
        return out;
      }
      i = end + quote.length;
    }
    return out;
  }
}

/** A quote or the start of a comment. */
const SPECIAL = /["'#]/g;

/** Where `quote` closes in `line` from `from` on, skipping backslash escapes; -1 when it does not. */
function closingIndex(line: string, from: number, quote: string): number {
  const first = quote.charCodeAt(0);
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // A backslash: the character after it is escaped.
    if (c === 92) i++;
    else if (c === first && line.startsWith(quote, i)) return i;
  }
  return -1;
}
