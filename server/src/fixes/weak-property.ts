// A back reference (`child.parent = self` with `self.children.append(child)`) held through a
// property backed by `weakref.ref`, added to the class whose instances hold it:
//     @property
//     def parent(self):
//         ref = self._parent_ref
//         return ref() if ref is not None else None
//
//     @parent.setter
//     def parent(self, value):
//         self._parent_ref = weakref.ref(value) if value is not None else None
// Unlike `weakref.proxy`, a read gives the object itself, so `node = node.parent` walks, identity
// tests (`node.parent is root`), `isinstance` and hashing keep working. Unsafe: once the parent
// has been freed the attribute reads `None`.
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix } from '../types';
import { bodyStatements, definedName, topLevelStatement } from './class-body';
import { insertAt } from './edits';
import { ensureModuleImport } from './imports';
import { fileIndentUnit } from './wrap-with';

/** Whether `cls` can take the property: a plain class (no decorators, no __slots__), slot free. */
function canHoldProperty(cls: Node, slot: string, storage: string, file: SourceFile): boolean {
  if (cls.parent?.type === 'decorated_definition') return false; // @dataclass fields, attrs…
  const names = bodyStatements(cls).map(definedName);
  if (names.includes(slot) || names.includes('__slots__') || names.includes('__getattr__')) return false;
  if (names.includes('__setattr__')) return false;
  return !new RegExp(`\\b${storage}\\b`).test(file.text);
}

export function weakPropertyFix(
  file: SourceFile,
  model: SemanticModel,
  cls: Node,
  slot: string,
): Fix | undefined {
  const storage = `_${slot.replace(/^_+/, '')}_ref`;
  if (!canHoldProperty(cls, slot, storage, file)) return undefined;
  const statements = bodyStatements(cls);
  if (statements.length === 0) return undefined;
  const init = statements.find((s) => definedName(s) === '__init__' && s.type === 'function_definition');
  const anchor = init ?? statements[statements.length - 1];
  const indent = file.indentOf(statements[0].startPosition.row);
  const unit = fileIndentUnit(file);
  const eol = file.eol;
  const weakref = ensureModuleImport(file, model, 'weakref', topLevelStatement(cls).startIndex);
  const lines = [
    '',
    `@property`,
    `def ${slot}(self):`,
    `${unit}ref = self.${storage}`,
    `${unit}return ref() if ref is not None else None`,
    '',
    `@${slot}.setter`,
    `def ${slot}(self, value):`,
    `${unit}self.${storage} = ${weakref.name}.ref(value) if value is not None else None`,
  ];
  const text = lines.map((l) => (l ? `${eol}${indent}${l}` : eol)).join('');
  return {
    title: `Hold \`.${slot}\` weakly: a \`${slot}\` property backed by \`weakref.ref\` (None once the object is freed)`,
    edits: [...weakref.edits, insertAt(file, file.lineEnd(anchor.endPosition.row), text)],
    applicability: 'unsafe',
  };
}
