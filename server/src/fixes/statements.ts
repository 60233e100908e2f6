// Adding whole statements next to an existing one, keeping the user's layout: a statement alone
// on its line(s) gets new lines with the same indentation; a statement that shares its line
// (`if x: f()`, `a(); b()`) gets `; `-separated statements on that line, which is valid wherever
// the original was.
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { TextEdit } from '../types';
import { insertAt } from './edits';

/** The statement that contains `node`: a direct child of a block or of the module. */
export function enclosingStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module')
    current = current.parent;
  return current;
}

/** Whether `stmt` starts its line and no other statement follows it on its last line. */
export function isAloneOnItsLines(file: SourceFile, stmt: Node): boolean {
  const before = file.text.slice(file.lineStart(stmt.startPosition.row), stmt.startIndex);
  if (before.trim() !== '') return false;
  const next = stmt.nextNamedSibling;
  if (next && next.type !== 'comment' && next.startPosition.row === stmt.endPosition.row) return false;
  // A `;` after the last statement of a line is a token, not a sibling.
  const after = file.text.slice(stmt.endIndex, file.lineEnd(stmt.endPosition.row)).trimStart();
  return after === '' || after.startsWith('#');
}

/** Insert `statements` right after `stmt` (after its trailing comment when it has a line to itself). */
export function insertStatementsAfter(file: SourceFile, stmt: Node, statements: string[]): TextEdit {
  if (isAloneOnItsLines(file, stmt)) {
    const indent = file.indentOf(stmt.startPosition.row);
    const text = statements.map((s) => `${file.eol}${indent}${s}`).join('');
    return insertAt(file, file.lineEnd(stmt.endPosition.row), text);
  }
  return insertAt(file, stmt.endIndex, statements.map((s) => `; ${s}`).join(''));
}

/** Insert `statements` right before `stmt`, at its indentation. */
export function insertStatementsBefore(file: SourceFile, stmt: Node, statements: string[]): TextEdit {
  if (isAloneOnItsLines(file, stmt)) {
    const indent = file.indentOf(stmt.startPosition.row);
    return insertAt(file, stmt.startIndex, statements.map((s) => `${s}${file.eol}${indent}`).join(''));
  }
  return insertAt(file, stmt.startIndex, statements.map((s) => `${s}; `).join(''));
}

function mentions(file: SourceFile, within: Node, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'u').test(
    file.text.slice(within.startIndex, within.endIndex),
  );
}

/**
 * A variable name that is free at `at`: not bound in any scope visible there and not written
 * anywhere in `within` (the enclosing function or module), so introducing it shadows nothing.
 */
export function freshName(model: SemanticModel, at: Node, within: Node, candidates: string[]): string {
  const free = (name: string) => !model.resolve(at, name) && !mentions(model.file, within, name);
  for (const name of candidates) if (free(name)) return name;
  const base = candidates[0];
  for (let i = 1; ; i++) if (free(`${base}_${i}`)) return `${base}_${i}`;
}
