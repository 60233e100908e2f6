// Applies a run of LSP content changes to a text in one pass. TextDocument.update applies each
// change to the whole text: it cuts and joins the full string and reads a character next to the
// edit, which makes V8 copy the whole text again, once per change. The dozens of keystrokes a
// document collects during an edit storm cost that many copies of it (and as much garbage).
// Here the text is split into lines once, each change replaces only the lines it touches, and the
// lines are joined once at the end: the same result as TextDocument.update, change by change
// (positions clamped the same way, `\r\n`, `\r` and `\n` all ending a line).
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';

/** `text` after `changes`, applied in order (each one's range is in the text the previous left). */
export function applyContentChanges(
  text: string,
  changes: readonly TextDocumentContentChangeEvent[],
): string {
  // A full-text change discards everything before it.
  let from = 0;
  for (let i = changes.length - 1; i >= 0; i--)
    if (!isIncremental(changes[i])) {
      text = changes[i].text;
      from = i + 1;
      break;
    }
  if (from === changes.length) return text;
  const lines = splitLines(text);
  for (let i = from; i < changes.length; i++) {
    const change = changes[i] as { range: Range; text: string };
    applyOne(lines, change.range, change.text);
  }
  return lines.join('');
}

function isIncremental(change: TextDocumentContentChangeEvent): boolean {
  return 'range' in change && change.range !== undefined;
}

/** Lines with their line break (`\r\n`, `\r` or `\n`); the last has none and may be empty. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === LF || ch === CR) {
      if (ch === CR && text.charCodeAt(i + 1) === LF) i++;
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  lines.push(text.slice(start));
  return lines;
}

const LF = 10;
const CR = 13;

/** Length of a line without its line break. */
function contentLength(line: string): number {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === LF || line.charCodeAt(end - 1) === CR)) end--;
  return end;
}

/** The line and the column in it that `position` stands for, clamped like TextDocument.offsetAt. */
function locate(lines: readonly string[], position: Position): [number, number] {
  if (position.line >= lines.length) {
    const last = lines.length - 1;
    return [last, lines[last].length];
  }
  if (position.line < 0) return [0, 0];
  if (position.character <= 0) return [position.line, 0];
  return [position.line, Math.min(position.character, contentLength(lines[position.line]))];
}

function applyOne(lines: string[], range: Range, text: string): void {
  let { start, end } = range;
  // A range given end-first is taken the right way round, as TextDocument does.
  if (start.line > end.line || (start.line === end.line && start.character > end.character))
    [start, end] = [end, start];
  let [firstLine, startColumn] = locate(lines, start);
  const [lastLine, endColumn] = locate(lines, end);
  let replaced = lines[firstLine].slice(0, startColumn) + text + lines[lastLine].slice(endColumn);
  // A lone `\r` ending the line before and a `\n` starting the new text make one line break.
  if (firstLine > 0 && replaced.charCodeAt(0) === LF && lines[firstLine - 1].endsWith('\r')) {
    firstLine--;
    replaced = lines[firstLine] + replaced;
  }
  const added = splitLines(replaced);
  // The replaced lines ended with a line break (not the document's end): the next line follows.
  if (lastLine < lines.length - 1) added.pop();
  if (added.length < 10_000) lines.splice(firstLine, lastLine - firstLine + 1, ...added);
  else {
    // (Spreading a huge paste into splice's arguments would overflow the stack.)
    const after = lines.slice(lastLine + 1);
    lines.length = firstLine;
    for (const line of added) lines.push(line);
    for (const line of after) lines.push(line);
  }
}
