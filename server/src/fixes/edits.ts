// Applying and building text edits. Edits are computed from the tree; this only splices text.
import type { SourceFile } from '../model/source';
import type { Position, Range, TextEdit } from '../types';

function offsetIn(lineStarts: number[], text: string, p: Position): number {
  if (p.line >= lineStarts.length) return text.length;
  return Math.min(lineStarts[p.line] + p.character, text.length);
}

/** Apply non-overlapping edits (ranges refer to the original `text`). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const resolved = edits
    .map((e) => ({
      start: offsetIn(starts, text, e.range.start),
      end: offsetIn(starts, text, e.range.end),
      newText: e.newText,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const e of resolved) {
    if (e.start < cursor) throw new Error('overlapping edits');
    out += text.slice(cursor, e.start) + e.newText;
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

export function insertAt(file: SourceFile, offset: number, newText: string): TextEdit {
  const pos = file.positionAt(offset);
  return { range: { start: pos, end: pos }, newText };
}

export function replaceRange(file: SourceFile, start: number, end: number, newText: string): TextEdit {
  return { range: file.rangeOfOffsets(start, end), newText };
}

export function rangeContains(outer: Range, inner: Range): boolean {
  const before = (a: Position, b: Position) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** Strip the common leading indentation of a template literal and a leading blank line. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((l) => l.slice(min))
    .join('\n')
    .replace(/[ \t]+$/gm, '');
}
