// Wrapping a run of statements in a new block (`with … as x:`, `try:`): the text surgery behind
// the LEAK004/LEAK006/LEAK008 fixes. It re-indents the statements by the block's own indentation
// unit (4 spaces, 2 spaces, a tab: whatever the file uses there) and refuses — returns undefined —
// whenever the result could change what the code means.
//
// Hazards handled:
// - lines that start inside a string literal (triple-quoted or backslash-continued) are left
//   alone: indenting them would change the string's value;
// - continuation lines (inside brackets, after a backslash) and comment lines are indented with
//   the code, which keeps their look and cannot change meaning;
// - blank lines stay empty (no trailing whitespace);
// - the run must be whole lines: a statement sharing its line with another (`a = 1; b = 2`) or
//   written on its block header's line (`if x: f = open(p)`) is refused;
// - a body left empty by removed statements gets `pass`.
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { TextEdit } from '../types';

export interface Replacement {
  /** Offsets in the original text. */
  start: number;
  end: number;
  text: string;
}

export interface WrapRequest {
  file: SourceFile;
  /** First statement of the run (a direct child of a block). */
  first: Node;
  /** Last statement of the run: `first` itself or a later sibling in the same block. */
  last: Node;
  /**
   * `replace-first`: `first` itself becomes the header (`conn = connect()` → `with connect() as
   * conn:`), the rest is the body. `insert`: the header goes on a new line before `first`, and
   * the whole run is the body.
   */
  mode: 'replace-first' | 'insert';
  /** The header without indentation, ending with `:`. */
  header: string;
  /** Text replacements inside the body (e.g. the inline resource → its new name). */
  replacements?: Replacement[];
  /** Statements of the body (direct children of the block) to drop, whole lines. */
  remove?: Node[];
  /** Lines after the body at the header's level (depth 0) or the body's (depth 1): `finally:`… */
  trailer?: { depth: 0 | 1; text: string }[];
}

/** The single edit performing the wrap, or undefined when it cannot be done safely. */
export function wrapStatements(req: WrapRequest): TextEdit | undefined {
  const { file, first, last } = req;
  const block = first.parent;
  if (block?.type !== 'block' || last.parent?.id !== block.id || last.startIndex < first.startIndex)
    return undefined;
  if (!startsLine(file, first) || !endsLine(file, last)) return undefined;
  if (req.mode === 'replace-first' && !endsLine(file, first)) return undefined;
  const indent = file.indentOf(first.startPosition.row);
  const unit = indentUnitOf(file, block, indent);
  if (!unit) return undefined;
  const eol = file.eol;
  const firstLine = first.startPosition.row;
  const lastLine = last.endPosition.row;
  const regionStart = file.lineStart(firstLine);
  const regionEnd = file.lineEnd(lastLine);

  const edits: Replacement[] = [];
  const blocked: { start: number; end: number }[] = [];
  let bodyFirstLine = firstLine;
  if (req.mode === 'replace-first') {
    edits.push({ start: first.startIndex, end: first.endIndex, text: req.header });
    blocked.push({ start: first.startIndex, end: first.endIndex });
    bodyFirstLine = first.endPosition.row + 1;
  }
  for (const r of req.replacements ?? []) {
    if (r.start < regionStart || r.end > regionEnd) return undefined;
    edits.push(r);
    blocked.push(r);
  }
  const removed = new Set<number>();
  for (const stmt of req.remove ?? []) {
    if (stmt.parent?.id !== block.id || !startsLine(file, stmt) || !endsLine(file, stmt)) return undefined;
    const a = stmt.startPosition.row;
    const b = stmt.endPosition.row;
    if (a < bodyFirstLine || b > lastLine) return undefined;
    // Drop the lines with their line break: the one after, or the one before on the last line.
    const start = b < lastLine ? file.lineStart(a) : file.lineEnd(a - 1);
    const end = b < lastLine ? file.lineStart(b + 1) : file.lineEnd(b);
    edits.push({ start, end, text: '' });
    blocked.push({ start, end });
    removed.add(stmt.id);
  }
  for (let line = bodyFirstLine; line <= lastLine; line++) {
    const start = file.lineStart(line);
    const text = file.lineText(line);
    if (text.trim() === '') continue;
    const at = text.startsWith(indent) ? start + indent.length : start;
    if (insideString(file, start)) continue;
    if (blocked.some((b) => b.start < at && at < b.end)) continue;
    edits.push({ start: at, end: at, text: unit });
  }

  let body = spliceRegion(file.text, regionStart, regionEnd, edits);
  if (body === undefined) return undefined;
  const remaining = bodyStatements(block, first, last, req.mode).filter((s) => !removed.has(s.id));
  if (remaining.length === 0) body += `${eol}${indent}${unit}pass`;
  if (req.mode === 'insert') body = `${indent}${req.header}${eol}${body}`;
  for (const t of req.trailer ?? []) body += `${eol}${indent}${t.depth === 1 ? unit : ''}${t.text}`;
  return { range: file.rangeOfOffsets(regionStart, regionEnd), newText: body };
}

function bodyStatements(block: Node, first: Node, last: Node, mode: WrapRequest['mode']): Node[] {
  const result: Node[] = [];
  for (const s of block.namedChildren) {
    if (!s || s.type === 'comment') continue;
    if (s.startIndex < first.startIndex || s.startIndex > last.startIndex) continue;
    if (mode === 'replace-first' && s.id === first.id) continue;
    result.push(s);
  }
  return result;
}

function spliceRegion(text: string, start: number, end: number, edits: Replacement[]): string | undefined {
  const sorted = edits.slice().sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start));
  let out = '';
  let cursor = start;
  for (const e of sorted) {
    if (e.start < cursor) return undefined;
    out += text.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + text.slice(cursor, end);
}

/** Only whitespace precedes `node` on its first line. */
export function startsLine(file: SourceFile, node: Node): boolean {
  return file.lineText(node.startPosition.row).slice(0, node.startPosition.column).trim() === '';
}

/** Only whitespace or a comment follows `node` on its last line. */
export function endsLine(file: SourceFile, node: Node): boolean {
  const rest = file.lineText(node.endPosition.row).slice(node.endPosition.column);
  return /^\s*(#.*)?$/.test(rest);
}

/** Whether `offset` lies strictly inside a string literal (its value would change if edited). */
export function insideString(file: SourceFile, offset: number): boolean {
  let node: Node | null = file.root.descendantForIndex(offset, offset);
  while (node) {
    if (node.type === 'string' && node.startIndex < offset && offset < node.endIndex) return true;
    node = node.parent;
  }
  return false;
}

/**
 * The indentation unit of `block`: its statements' indentation minus its header's. Falls back to
 * the file's first indented block, then four spaces.
 */
export function indentUnitOf(file: SourceFile, block: Node, blockIndent: string): string | undefined {
  const header = block.parent;
  if (header) {
    const headerIndent = file.indentOf(header.startPosition.row);
    if (blockIndent.startsWith(headerIndent) && blockIndent.length > headerIndent.length) {
      return blockIndent.slice(headerIndent.length);
    }
  }
  return fileIndentUnit(file);
}

/** The indentation the file uses for its first indented line after a line ending with `:`. */
export function fileIndentUnit(file: SourceFile): string {
  for (let line = 0; line + 1 < file.lineCount; line++) {
    const text = file.lineText(line);
    if (!/:\s*(#.*)?$/.test(text)) continue;
    const base = file.indentOf(line);
    const next = file.indentOf(line + 1);
    if (next.startsWith(base) && next.length > base.length) return next.slice(base.length);
  }
  return '    ';
}

/** `try:` around the run from `first` to `last`, then `finally:` with `lines` one level in. */
export function wrapInTryFinally(
  file: SourceFile,
  first: Node,
  last: Node,
  lines: string[],
  remove?: Node[],
): TextEdit | undefined {
  return wrapStatements({
    file,
    first,
    last,
    mode: 'insert',
    header: 'try:',
    remove,
    trailer: [{ depth: 0, text: 'finally:' }, ...lines.map((text) => ({ depth: 1 as const, text }))],
  });
}
