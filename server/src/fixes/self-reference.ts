// Fixes for an object that refers to itself (LEAK003), where no `weakref.ref` property fits:
// - `self.root = self`: the attribute becomes a read-only property of the class that returns the
//   object (`root = property(lambda self: self)`), and the assignment goes;
// - `self.__dict__ = self` (the AttrDict idiom): `__getattr__`/`__setattr__`/`__delattr__` that
//   map attributes to items, and the assignment goes;
// - `self` stored in a container it owns or that outlives it (`self.members = [self]`,
//   `{"view": self}`, `context.layers.append(self)`): the container holds `weakref.proxy(self)`.
// All unsafe: a property cannot be assigned, attribute names that shadow dict methods resolve
// differently, and a proxy in a container raises ReferenceError once the object is freed (and is
// not `is`-identical to it).
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { appendToClassBody, bodyStatements, definedName, topLevelStatement } from './class-body';
import { insertAt, replaceRange } from './edits';
import { ensureModuleImport } from './imports';
import { isAloneOnItsLines } from './statements';
import { fileIndentUnit } from './wrap-with';

function definedNames(cls: Node): Set<string> {
  return new Set(bodyStatements(cls).map((s) => definedName(s) ?? ''));
}

/** Delete a statement alone on its lines, with its line break; `pass` when it was the only one. */
function deleteStatement(file: SourceFile, stmt: Node): TextEdit | undefined {
  if (!isAloneOnItsLines(file, stmt) || stmt.parent?.type !== 'block') return undefined;
  const siblings = stmt.parent.namedChildren.filter((s) => !!s && s.type !== 'comment');
  if (siblings.length === 1) return replaceRange(file, stmt.startIndex, stmt.endIndex, 'pass');
  // From the end of the line before: an insertion at the end of the statement's line stays apart.
  const start = file.lineEnd(stmt.startPosition.row - 1);
  return replaceRange(file, start, file.lineEnd(stmt.endPosition.row), '');
}

function plainClass(cls: Node): boolean {
  if (cls.parent?.type === 'decorated_definition') return false;
  const names = definedNames(cls);
  return !['__slots__', '__getattr__', '__getattribute__', '__setattr__', '__delattr__'].some((n) =>
    names.has(n),
  );
}

/** `self.root = self` → `root = property(lambda self: self)` in the class body. */
export function selfPropertyFix(file: SourceFile, cls: Node, statement: Node, slot: string): Fix | undefined {
  if (!plainClass(cls) || definedNames(cls).has(slot) || !/^[A-Za-z_]\w*$/.test(slot)) return undefined;
  // Assigned anywhere else: a read-only property would refuse it.
  const assigned = new RegExp(`\\.${slot}\\s*(=(?!=)|[-+*/|&^%@]=|:)`, 'g');
  if ((file.text.match(assigned) ?? []).length !== 1) return undefined;
  const removal = deleteStatement(file, statement);
  const added = appendToClassBody(file, cls, [`${slot} = property(lambda self: self)`]);
  if (!removal || !added) return undefined;
  return {
    title: `Make \`.${slot}\` a read-only property returning the object itself`,
    edits: [removal, added],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/** `self.__dict__ = self` → attribute access mapped to items by `__getattr__` and friends. */
export function attrDictFix(file: SourceFile, cls: Node, statement: Node): Fix | undefined {
  if (!plainClass(cls)) return undefined;
  const removal = deleteStatement(file, statement);
  const u = fileIndentUnit(file);
  const added = appendToClassBody(file, cls, [
    'def __getattr__(self, name):',
    `${u}try:`,
    `${u}${u}return self[name]`,
    `${u}except KeyError:`,
    `${u}${u}raise AttributeError(name) from None`,
    '',
    'def __setattr__(self, name, value):',
    `${u}self[name] = value`,
    '',
    'def __delattr__(self, name):',
    `${u}try:`,
    `${u}${u}del self[name]`,
    `${u}except KeyError:`,
    `${u}${u}raise AttributeError(name) from None`,
  ]);
  if (!removal || !added) return undefined;
  return {
    title:
      'Map attributes to items with `__getattr__`/`__setattr__`/`__delattr__` instead of `self.__dict__ = self`',
    edits: [removal, added],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/** Where `self` is itself the stored value: an element, a dict value, an argument. */
function storedDirectly(id: Node): boolean {
  const p = id.parent;
  if (!p) return false;
  if (['list', 'tuple', 'set', 'argument_list', 'expression_list'].includes(p.type)) return true;
  if (p.type === 'pair' || p.type === 'keyword_argument') return p.childForFieldName('value')?.id === id.id;
  if (p.type === 'assignment') return p.childForFieldName('right')?.id === id.id;
  return false;
}

/** Each `self` stored by `value` (a literal, an argument) becomes `weakref.proxy(self)`. */
export function proxySelfFix(
  file: SourceFile,
  model: SemanticModel,
  value: Node,
  isSelf: (id: Node) => boolean,
  label: string,
): Fix | undefined {
  const seen = new Set<number>();
  const selves = [value, ...value.descendantsOfType('identifier')].filter((id): id is Node => {
    if (!id || seen.has(id.id)) return false;
    seen.add(id.id);
    return id.type === 'identifier' && isSelf(id) && storedDirectly(id);
  });
  if (selves.length === 0) return undefined;
  const weakref = ensureModuleImport(file, model, 'weakref', topLevelStatement(value).startIndex);
  return {
    title: `Store a weak proxy of the object in \`${label}\` (\`weakref.proxy(${selves[0].text})\`; a use after it is freed raises ReferenceError)`,
    edits: [
      ...weakref.edits,
      ...selves.map((id) =>
        replaceRange(file, id.startIndex, id.endIndex, `${weakref.name}.proxy(${id.text})`),
      ),
    ],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/**
 * `__slots__ = ("a", "b")` without `"__weakref__"`, in a class with no base: the edit adding it,
 * so that instances can be weakly referenced. Undefined when the slots are not such a literal.
 */
export function weakrefSlotEdit(file: SourceFile, cls: Node, hasBases: boolean): TextEdit | undefined {
  if (hasBases) return undefined;
  for (const stmt of bodyStatements(cls)) {
    const assignment = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== '__slots__')
      continue;
    const value = assignment.childForFieldName('right');
    if (value?.type !== 'tuple' && value?.type !== 'list') return undefined;
    const items = value.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (items.length === 0 || !items.every((c) => c.type === 'string')) return undefined;
    const quote = items[0].text.startsWith("'") ? "'" : '"';
    const last = items[items.length - 1];
    const trailingComma = file.text.slice(last.endIndex, value.endIndex - 1).includes(',');
    const text = trailingComma ? ` ${quote}__weakref__${quote},` : `, ${quote}__weakref__${quote}`;
    return insertAt(file, trailingComma ? value.endIndex - 1 : last.endIndex, text);
  }
  return undefined;
}
