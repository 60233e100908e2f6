// Open documents and their syntax trees. Each open document keeps one tree; every content change
// is applied to the text and, as an InputEdit, to the tree, so the next parse is incremental
// (tree-sitter re-uses the untouched subtrees). Trees live in wasm memory: the old one is freed
// as soon as the new one exists, and the last one when the document closes.

import type { Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Edit } from 'web-tree-sitter';
import { parsePython, type Tree } from '../parser';
import { applyContentChanges } from './line-edits';

/**
 * The tree-sitter edit for one LSP content change applied to `doc` (the text before the change).
 * web-tree-sitter counts indices and columns in UTF-16 code units, like LSP; rows advance on
 * `\n` only, so they equal LSP lines unless the text has a lone `\r` (`loneCR`: then rows are
 * counted the slow way).
 */
export function inputEditFor(doc: TextDocument, range: Range, text: string, loneCR = true): Edit {
  // Like TextDocument.update, accept a range given end-first.
  const a = doc.offsetAt(range.start);
  const b = doc.offsetAt(range.end);
  const startIndex = Math.min(a, b);
  const oldEndIndex = Math.max(a, b);
  const before = doc.getText();
  const startPosition = loneCR ? pointAt(before, startIndex) : fastPointAt(doc, before, startIndex);
  const oldEndPosition = advance(startPosition, before.slice(startIndex, oldEndIndex));
  const newEndPosition = advance(startPosition, text);
  return {
    startIndex,
    oldEndIndex,
    newEndIndex: startIndex + text.length,
    startPosition,
    oldEndPosition,
    newEndPosition,
  };
}

interface Point {
  row: number;
  column: number;
}

/** The tree-sitter point of `offset`: rows counted by `\n`. */
function pointAt(text: string, offset: number): Point {
  const lineStart = offset > 0 ? text.lastIndexOf('\n', offset - 1) + 1 : 0;
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: offset - lineStart };
}

/** Without lone `\r`, the LSP line is the row: use the document's line index. */
function fastPointAt(doc: TextDocument, text: string, offset: number): Point {
  const lineStart = offset > 0 ? text.lastIndexOf('\n', offset - 1) + 1 : 0;
  return { row: doc.positionAt(lineStart).line, column: offset - lineStart };
}

function advance(start: Point, inserted: string): Point {
  const last = inserted.lastIndexOf('\n');
  if (last < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - last - 1 };
}

/**
 * The one tree-sitter edit that turns `before` into `after`: the changed middle between their
 * common prefix and suffix (the analysis worker receives whole texts and re-parses its cached
 * tree incrementally with this). Undefined when the texts are equal. Never cuts a surrogate pair.
 */
export function diffEdit(before: string, after: string): Edit | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (oldEnd < before.length && isLowSurrogate(before.charCodeAt(oldEnd))) {
    oldEnd++;
    newEnd++;
  }
  const startPosition = pointAt(before, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: advance(startPosition, before.slice(start, oldEnd)),
    newEndPosition: advance(startPosition, after.slice(start, newEnd)),
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

const LONE_CR = /\r(?!\n)/;
/** Pending changes from which applying them in one pass beats TextDocument.update. */
const BATCH_CHANGES = 4;

export interface OpenDocumentOptions {
  /**
   * Keep a syntax tree, edited along with the text (analysis on this thread). Without one (the
   * analysis threads keep theirs), content changes are only queued, and applied together the
   * next time the text is read: a keystroke costs the main thread next to nothing, so an edit
   * storm never delays the messages behind it.
   */
  keepsTree?: boolean;
}

export class OpenDocument {
  private doc: TextDocument;
  /** Changes received but not applied yet (only without a tree), and the version after them. */
  private pending: TextDocumentContentChangeEvent[] = [];
  private pendingVersion: number;
  /** Characters the pending changes insert (for `approximateLength`). */
  private pendingChars = 0;
  private readonly keepsTree: boolean;
  private tree: Tree | undefined;
  /** Without a tree kept along: the text `tree` was parsed from (edits are not applied to it). */
  private treeText: string | undefined;
  /** Whether `tree` has been edited (or is missing) and must be re-parsed before use. */
  private stale = true;
  /** Milliseconds the last `syntaxTree()` call spent parsing (0 when the tree was current). */
  lastParseMs = 0;
  /** Whether the text holds a `\r` not followed by `\n` (old Mac line ends: rare, slow path). */
  private loneCR: boolean;

  constructor(
    uri: string,
    languageId: string,
    version: number,
    text: string,
    options: OpenDocumentOptions = {},
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.pendingVersion = version;
    this.keepsTree = options.keepsTree ?? true;
    this.loneCR = this.keepsTree && LONE_CR.test(text);
  }

  get uri(): string {
    return this.doc.uri;
  }
  get languageId(): string {
    return this.doc.languageId;
  }
  get version(): number {
    return this.pendingVersion;
  }
  get text(): string {
    return this.current().getText();
  }
  get textDocument(): TextDocument {
    return this.current();
  }

  /** The text's length, give or take the pending changes (without applying them). */
  get approximateLength(): number {
    return this.doc.getText().length + this.pendingChars;
  }

  /** The document with every change received applied. */
  private current(): TextDocument {
    if (this.pending.length > 0) {
      const changes = this.pending;
      this.pending = [];
      this.pendingChars = 0;
      // Many changes at once (an edit storm): in one pass over the text, not one copy per change.
      this.doc =
        changes.length < BATCH_CHANGES
          ? TextDocument.update(this.doc, changes, this.pendingVersion)
          : TextDocument.create(
              this.doc.uri,
              this.doc.languageId,
              this.pendingVersion,
              applyContentChanges(this.doc.getText(), changes),
            );
    }
    return this.doc;
  }

  /** Apply LSP content changes in order; incremental ones also edit the tree. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    this.pendingVersion = version;
    this.stale = true;
    if (!this.keepsTree) {
      for (const change of changes) {
        if (!('range' in change && change.range)) {
          // A full text replaces whatever was pending.
          this.pending = [];
          this.pendingChars = 0;
        }
        this.pending.push(change);
        this.pendingChars += change.text.length;
      }
      return;
    }
    for (const change of changes) {
      if ('range' in change && change.range) {
        if (this.tree) this.tree.edit(inputEditFor(this.doc, change.range, change.text, this.loneCR));
        this.doc = TextDocument.update(this.doc, [change], version);
        if (!this.loneCR && (change.text.includes('\r') || this.crAround(change.range.start)))
          this.loneCR = LONE_CR.test(this.doc.getText());
      } else {
        // A full-text change: nothing to reuse.
        this.dropTree();
        this.doc = TextDocument.update(this.doc, [change], version);
        this.loneCR = LONE_CR.test(change.text);
      }
    }
    this.doc = TextDocument.update(this.doc, [], version);
    this.stale = true;
  }

  /** Whether a deletion at `at` may have left a `\r` without its `\n`. */
  private crAround(at: { line: number; character: number }): boolean {
    const offset = this.doc.offsetAt(at);
    const text = this.doc.getText();
    return text[offset - 1] === '\r' || text[offset] === '\r';
  }

  get lineCount(): number {
    return this.current().lineCount;
  }

  /** The tree for the current text, re-parsed incrementally when edits are pending. */
  syntaxTree(): Tree {
    if (this.tree && !this.stale) {
      this.lastParseMs = 0;
      return this.tree;
    }
    const started = performance.now();
    const previous = this.tree;
    const text = this.current().getText();
    if (previous && this.treeText !== undefined) {
      // Without a tree kept along (a tree parsed for a code action), the changes since are one
      // edit from the text it was parsed from: never re-use its subtrees unedited.
      const edit = diffEdit(this.treeText, text);
      if (edit) previous.edit(edit);
    }
    if (!this.keepsTree) this.treeText = text;
    // If parsing throws, the edited old tree stays usable as the base of the next attempt.
    const next = parsePython(text, previous);
    this.tree = next;
    this.stale = false;
    previous?.delete();
    this.lastParseMs = performance.now() - started;
    return next;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.treeText = undefined;
  }

  dispose(): void {
    this.dropTree();
  }
}
