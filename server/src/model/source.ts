// A parsed Python file: its text, its tree and conversions between offsets and positions.
// tree-sitter (web) indexes UTF-16 code units, which is also what LSP positions count.
import type { Node, Tree } from '../parser';
import type { Position, Range } from '../types';
import type { ProjectIndex } from './project-index';
import { WordIndex } from './word-index';

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    readonly text: string,
    readonly tree: Tree,
    readonly path?: string,
    /** The project around the file, when the caller indexed it (the CLI, the language server). */
    readonly project?: ProjectIndex,
  ) {}

  private rootNode: Node | undefined;
  private substrings: Map<string, number[]> | undefined;
  private wordIndex: WordIndex | undefined;

  /**
   * Where names occur in the text as whole words (comments and strings too), shared by every
   * rule and the model: the scans behind them count towards one index (see WordIndex).
   */
  get words(): WordIndex {
    this.wordIndex ??= new WordIndex(this.text);
    return this.wordIndex;
  }

  /**
   * Every offset where `needle` occurs in the text, in order: one native search per needle and
   * analysis, for the rules that ask "does `<name><needle>` occur anywhere" once per candidate
   * (one pass over the text per candidate made a file with many candidates quadratic).
   */
  offsetsOf(needle: string): readonly number[] {
    this.substrings ??= new Map();
    let offsets = this.substrings.get(needle);
    if (!offsets) {
      offsets = [];
      if (needle.length > 0)
        for (let i = this.text.indexOf(needle); i >= 0; i = this.text.indexOf(needle, i + 1)) offsets.push(i);
      this.substrings.set(needle, offsets);
    }
    return offsets;
  }

  /** Whether `prefix + needle` occurs in the text (`text.includes(prefix + needle)`, by the index). */
  includesBefore(prefix: string, needle: string): boolean {
    const text = this.text;
    return this.offsetsOf(needle).some(
      (at) => at >= prefix.length && text.startsWith(prefix, at - prefix.length),
    );
  }

  /** The module node (kept: every `rootNode` read makes a new node object in wasm glue). */
  get root(): Node {
    this.rootNode ??= this.tree.rootNode;
    return this.rootNode;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const text = this.text;
      if (!text.includes('\r')) {
        // The common case, by the fast native search.
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
        this.lineStarts = starts;
        return starts;
      }
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 10) starts.push(i + 1);
        else if (ch === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  positionAt(offset: number): Position {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  offsetAt(position: Position): number {
    const starts = this.starts();
    if (position.line >= starts.length) return this.text.length;
    return Math.min(starts[position.line] + position.character, this.lineEnd(position.line));
  }

  /** Offset just before the line break of `line`. */
  lineEnd(line: number): number {
    const starts = this.starts();
    let end = line + 1 < starts.length ? starts[line + 1] : this.text.length;
    while (end > starts[line] && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts()[line], this.lineEnd(line));
  }

  lineStart(line: number): number {
    return this.starts()[line];
  }

  /** The leading whitespace of `line`. */
  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lineText(line))?.[0] ?? '';
  }

  rangeOf(node: Node): Range {
    return {
      start: { line: node.startPosition.row, character: node.startPosition.column },
      end: { line: node.endPosition.row, character: node.endPosition.column },
    };
  }

  rangeOfOffsets(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** The newline sequence the file already uses. */
  get eol(): string {
    const i = this.text.indexOf('\n');
    return i > 0 && this.text[i - 1] === '\r' ? '\r\n' : '\n';
  }
}
