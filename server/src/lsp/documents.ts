// Open documents and their syntax trees. Each open document keeps one tree; every content change
// is applied to the text and, as an InputEdit, to the tree, so the next parse is incremental
// (tree-sitter re-uses the untouched subtrees). Trees live in wasm memory: the old one is freed
// as soon as the new one exists, and the last one when the document closes.
import type { Edit } from 'web-tree-sitter';
import type { Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parsePython, type Tree } from '../parser';

/**
 * The tree-sitter edit for one LSP content change applied to `doc` (the text before the change).
 * web-tree-sitter counts indices and columns in UTF-16 code units, like LSP; rows advance on
 * `\n` only (a `\r\n` pair ends a row at its `\n`).
 */
export function inputEditFor(doc: TextDocument, range: Range, text: string): Edit {
  // Like TextDocument.update, accept a range given end-first.
  const a = doc.offsetAt(range.start);
  const b = doc.offsetAt(range.end);
  const startIndex = Math.min(a, b);
  const oldEndIndex = Math.max(a, b);
  const before = doc.getText();
  const startPosition = pointAt(before, startIndex);
  const oldEndPosition = pointAt(before, oldEndIndex, startIndex, startPosition);
  const newEndPosition = advance(startPosition, text);
  return { startIndex, oldEndIndex, newEndIndex: startIndex + text.length, startPosition, oldEndPosition, newEndPosition };
}

interface Point {
  row: number;
  column: number;
}

/** The tree-sitter point of `offset`, counting from `fromOffset` (whose point is `from`). */
function pointAt(text: string, offset: number, fromOffset = 0, from: Point = { row: 0, column: 0 }): Point {
  if (fromOffset === 0 && offset > 0) {
    // Find the row start by searching backwards for '\n' instead of scanning the whole text.
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    let row = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) row++;
    return { row, column: offset - lineStart };
  }
  return advance(from, text.slice(fromOffset, offset));
}

function advance(start: Point, inserted: string): Point {
  const last = inserted.lastIndexOf('\n');
  if (last < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - last - 1 };
}

export class OpenDocument {
  private doc: TextDocument;
  private tree: Tree | undefined;
  /** Whether `tree` has been edited (or is missing) and must be re-parsed before use. */
  private stale = true;
  /** Milliseconds the last `syntaxTree()` call spent parsing (0 when the tree was current). */
  lastParseMs = 0;

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.doc = TextDocument.create(uri, languageId, version, text);
  }

  get uri(): string {
    return this.doc.uri;
  }
  get languageId(): string {
    return this.doc.languageId;
  }
  get version(): number {
    return this.doc.version;
  }
  get text(): string {
    return this.doc.getText();
  }
  get textDocument(): TextDocument {
    return this.doc;
  }

  /** Apply LSP content changes in order; incremental ones also edit the tree. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change && change.range) {
        if (this.tree) this.tree.edit(inputEditFor(this.doc, change.range, change.text));
        this.doc = TextDocument.update(this.doc, [change], version);
      } else {
        // A full-text change: nothing to reuse.
        this.dropTree();
        this.doc = TextDocument.update(this.doc, [change], version);
      }
    }
    this.doc = TextDocument.update(this.doc, [], version);
    this.stale = true;
  }

  /** The tree for the current text, re-parsed incrementally when edits are pending. */
  syntaxTree(): Tree {
    if (this.tree && !this.stale) {
      this.lastParseMs = 0;
      return this.tree;
    }
    const started = performance.now();
    const previous = this.tree;
    // If parsing throws, the edited old tree stays usable as the base of the next attempt.
    const next = parsePython(this.doc.getText(), previous);
    this.tree = next;
    this.stale = false;
    previous?.delete();
    this.lastParseMs = performance.now() - started;
    return next;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
  }

  dispose(): void {
    this.dropTree();
  }
}
