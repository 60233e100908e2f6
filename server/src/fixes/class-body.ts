// Reading a class body for the fixes that add to it (a property, a descriptor, methods): its
// statements, the names they define, and the module-level statement that holds a node.
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { TextEdit } from '../types';
import { insertAt } from './edits';

/** The statements of a class body, comments left out. */
export function bodyStatements(cls: Node): Node[] {
  return (cls.childForFieldName('body')?.namedChildren ?? []).filter(
    (s): s is Node => !!s && s.type !== 'comment',
  );
}

/** The name a class-body statement defines: `def slot`, `class Slot`, `slot = …`, `slot: T = …`. */
export function definedName(stmt: Node): string | undefined {
  const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
  if (def?.type === 'function_definition' || def?.type === 'class_definition')
    return def.childForFieldName('name')?.text;
  const assignment = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
  if (assignment?.type === 'assignment') return assignment.childForFieldName('left')?.text;
  return undefined;
}

/** The statement directly in the module that contains `node`. */
export function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

/**
 * Lines added at the end of a class body, after a blank line, at its statements' indentation
 * (an empty string is a blank line). Undefined for a body on the `class` line.
 */
export function appendToClassBody(file: SourceFile, cls: Node, lines: string[]): TextEdit | undefined {
  const statements = bodyStatements(cls);
  const last = statements[statements.length - 1];
  if (!last || statements[0].startPosition.row === cls.startPosition.row) return undefined;
  const indent = file.indentOf(statements[0].startPosition.row);
  const text = ['', ...lines].map((l) => (l ? `${file.eol}${indent}${l}` : file.eol)).join('');
  return insertAt(file, file.lineEnd(last.endPosition.row), text);
}
