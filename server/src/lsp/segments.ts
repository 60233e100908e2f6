// What the engine analyses for one editor "unit": a plain document is one segment; a notebook is
// its Python cells in order, joined by newlines, so imports and globals of earlier cells count
// in later ones. Positions in the joined text map back to (cell URI, cell position), and fix
// edits map to per-cell edits — or are refused when one edit would straddle two cells.
import type { Position, Range, TextEdit } from '../types';

export interface Segment {
  uri: string;
  /** The document version the text belongs to (for versioned workspace edits); null if unknown. */
  version: number | null;
  text: string;
  /** Notebook cells: hide IPython magics (`%time`, `!pip`, `%%bash` cells) from the parser. */
  ipython?: boolean;
  /** The text's line count when already known (an open document keeps one): saves a scan. */
  lines?: number;
}

export interface Located {
  index: number;
  uri: string;
  range: Range;
}

/** Number of lines of `text` as LSP counts them (`\n`, `\r\n` and `\r` end a line). */
export function lineCount(text: string): number {
  let lines = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) lines++;
    else if (ch === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      lines++;
    }
  }
  return lines;
}

// Cell magics whose body is still Python that runs in the notebook's namespace.
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit', 'mprun']);

/**
 * IPython syntax turned into comments of the same length, so positions do not move: line magics
 * (`%matplotlib inline`), shell escapes (`!pip install x`) and help (`?obj`) become `#…`; a
 * non-Python cell magic (`%%bash`, `%%writefile f.py`) comments out the whole cell. Returns the
 * text and the (0-based) lines changed.
 */
export function maskIPython(text: string): { text: string; masked: number[] } {
  const cellMagic = /^\s*%%(\w+)/.exec(text);
  const wholeCell = cellMagic !== null && !PYTHON_CELL_MAGICS.has(cellMagic[1]);
  const masked: number[] = [];
  const lines = text.split('\n').map((line, i) => {
    // `%name`/`%%name`, `!cmd`, `?obj` — not `% x` (a string-format continuation line) or `!=`.
    const m = /^([ \t]*)(?:%{1,2}[A-Za-z]|!(?!=)\S|\?)/.exec(line);
    if (wholeCell || (i === 0 && cellMagic) || m) {
      const indent = m ? m[1].length : (/^[ \t]*/.exec(line)?.[0].length ?? 0);
      if (indent >= line.length || line[indent] === '#' || line[indent] === '\r') return line;
      masked.push(i);
      return `${line.slice(0, indent)}#${line.slice(indent + 1)}`;
    }
    return line;
  });
  return { text: masked.length > 0 ? lines.join('\n') : text, masked };
}

export class SegmentedText {
  /** The text given to the engine. */
  readonly text: string;
  /** The joined line where each segment starts. */
  private readonly firstLines: number[] = [];
  private readonly lineCounts: number[] = [];
  /** Per segment, the local lines whose IPython syntax was masked. */
  private readonly maskedLines: Set<number>[] = [];

  constructor(readonly segments: readonly Segment[]) {
    let line = 0;
    const parts: string[] = [];
    for (const s of segments) {
      this.firstLines.push(line);
      const count = s.lines ?? lineCount(s.text);
      this.lineCounts.push(count);
      line += count;
      const { text, masked } = s.ipython ? maskIPython(s.text) : { text: s.text, masked: [] };
      this.maskedLines.push(new Set(masked));
      parts.push(text);
    }
    this.text = parts.join('\n');
  }

  /** The segment holding joined `line` (the last one for lines past the end). */
  indexOfLine(line: number): number {
    let lo = 0;
    let hi = this.firstLines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstLines[mid] <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private toLocal(index: number, p: Position): Position {
    return { line: p.line - this.firstLines[index], character: p.character };
  }

  /** Where a joined range lies; a range running into a later segment is cut at its own end. */
  locate(range: Range): Located | undefined {
    if (this.segments.length === 0) return undefined;
    const index = this.indexOfLine(range.start.line);
    const lastLine = this.firstLines[index] + this.lineCounts[index] - 1;
    const end =
      range.end.line > lastLine
        ? { line: lastLine, character: lastLineLength(this.segments[index].text) }
        : range.end;
    return {
      index,
      uri: this.segments[index].uri,
      range: { start: this.toLocal(index, range.start), end: this.toLocal(index, end) },
    };
  }

  /** The joined range of a range inside segment `index`. */
  fromSegment(index: number, range: Range): Range {
    const first = this.firstLines[index] ?? 0;
    return {
      start: { line: range.start.line + first, character: range.start.character },
      end: { line: range.end.line + first, character: range.end.character },
    };
  }

  indexOfUri(uri: string): number {
    return this.segments.findIndex((s) => s.uri === uri);
  }

  /**
   * Per-segment edits for edits on the joined text, or undefined when an edit straddles two
   * segments (such a fix cannot be applied to cells) or rewrites a masked IPython line (it would
   * turn the magic into a comment). An insertion of whole lines at the very
   * start of a later segment (an import added after the imports that end the previous cell)
   * goes to the end of the previous segment, so it lands in the cell holding the imports.
   */
  mapEdits(edits: readonly TextEdit[]): Map<number, TextEdit[]> | undefined {
    const result = new Map<number, TextEdit[]>();
    const add = (index: number, edit: TextEdit) => {
      const list = result.get(index) ?? [];
      list.push(edit);
      result.set(index, list);
    };
    for (const edit of edits) {
      const { start, end } = edit.range;
      const index = this.indexOfLine(start.line);
      const isInsertion = start.line === end.line && start.character === end.character;
      if (
        isInsertion &&
        index > 0 &&
        start.line === this.firstLines[index] &&
        start.character === 0 &&
        /\r?\n$/.test(edit.newText)
      ) {
        const prev = index - 1;
        const prevText = this.segments[prev].text;
        const eol = edit.newText.endsWith('\r\n') ? '\r\n' : '\n';
        const at = { line: this.lineCounts[prev] - 1, character: lastLineLength(prevText) };
        // The previous segment may end with an empty line: insert there rather than after it.
        const newText = at.character === 0 ? edit.newText : eol + edit.newText.slice(0, -eol.length);
        add(prev, { range: { start: at, end: at }, newText });
        continue;
      }
      if (this.indexOfLine(end.line) !== index) return undefined;
      const first = this.firstLines[index];
      if (!isInsertion) {
        for (let line = start.line; line <= end.line; line++)
          if (this.maskedLines[index].has(line - first)) return undefined;
      }
      add(index, {
        range: { start: this.toLocal(index, start), end: this.toLocal(index, end) },
        newText: edit.newText,
      });
    }
    return result;
  }
}

function lastLineLength(text: string): number {
  const i = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return text.length - i - 1;
}
