// Adding a module-level statement (e.g. `_background_tasks: set[asyncio.Task] = set()`) for a fix:
// placed after the module's top-level imports that precede the code using it, so the module still
// runs top to bottom, and merged with an import the same fix adds at that very spot.
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { TextEdit } from '../types';
import { insertAt } from './edits';

function isImport(node: Node): boolean {
  return (
    node.type === 'import_statement' ||
    node.type === 'import_from_statement' ||
    node.type === 'future_import_statement'
  );
}

function isImportBlock(node: Node): boolean {
  if (isImport(node)) return true;
  // `try: import ujson as json / except ImportError: import json`
  return (
    node.type === 'try_statement' &&
    !!node.childForFieldName('body')?.namedChildren.every((s) => !!s && isImport(s))
  );
}

/** The last top-level import (or docstring) before `beforeOffset`, if any. */
function anchorBefore(file: SourceFile, beforeOffset: number): Node | undefined {
  let anchor: Node | undefined;
  let first = true;
  for (const child of file.root.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.startIndex >= beforeOffset) break;
    // The module docstring is the first statement, after any comments (`# -*- coding -*-`).
    const docstring =
      first && child.type === 'expression_statement' && child.namedChildren[0]?.type === 'string';
    first = false;
    if (docstring || isImportBlock(child)) anchor = child;
  }
  return anchor;
}

/**
 * Edits that add `statement` at module level after the imports preceding `beforeOffset`.
 * `importEdits` are the edits (from `ensureModuleImport`) the same fix uses to add an import: as
 * they insert at the same anchor, the two are merged into one edit in the right order.
 */
export function addModuleStatement(
  file: SourceFile,
  statement: string,
  beforeOffset: number,
  importEdits: TextEdit[],
): TextEdit[] {
  const eol = file.eol;
  const [importEdit, ...others] = importEdits;
  if (importEdit && others.length === 0) {
    const text = importEdit.newText;
    // `\nimport x` after an existing statement, or `import x\n` at the top of the file.
    const merged = text.startsWith(eol)
      ? `${text}${eol}${eol}${statement}`
      : `${text}${eol}${statement}${eol}${eol}${eol}`;
    return [{ range: importEdit.range, newText: merged }];
  }
  const anchor = anchorBefore(file, beforeOffset);
  const edits = [...importEdits];
  if (anchor) {
    // After the anchor's last line, so a trailing comment (`import x  # noqa`) stays on its line.
    // A statement that ends in blank lines of its own (a `def`) keeps at most two before the code
    // that follows, counting the blank lines already there.
    let text = statement;
    const after = file.text.slice(file.lineEnd(anchor.endPosition.row));
    const blankAfter = (after.match(/^(?:\r?\n[ \t]*)+(?=\r?\n)/)?.[0].match(/\n/g) ?? []).length;
    while (text.endsWith(eol) && trailingBreaks(text, eol) + blankAfter > 2)
      text = text.slice(0, -eol.length);
    edits.push(insertAt(file, file.lineEnd(anchor.endPosition.row), `${eol}${eol}${text}`));
  } else {
    // No import or docstring yet: before the first statement, below a shebang or licence comment.
    const top = file.root.namedChildren.find((c) => !!c && c.type !== 'comment');
    const at = top ? file.lineStart(top.startPosition.row) : file.text.length;
    edits.push(insertAt(file, at, `${statement}${eol}${eol}${eol}`));
  }
  return edits;
}

/** How many line breaks `text` ends with. */
function trailingBreaks(text: string, eol: string): number {
  let n = 0;
  for (
    let end = text.length;
    end >= eol.length && text.slice(end - eol.length, end) === eol;
    end -= eol.length
  )
    n++;
  return n;
}
