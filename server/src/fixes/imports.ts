// Adding an import for a fix: reuse an existing import when there is one (dedupe), otherwise
// insert a new import statement after the module's existing top-level imports — but never after
// the code that will use it, so the fixed module still runs top to bottom.
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { TextEdit } from '../types';
import { insertAt } from './edits';

export interface ImportResult {
  /** The expression to write in code (`TTLCache`, `cachetools.TTLCache`, `weakref`). */
  name: string;
  /** Zero or one edit adding the import. */
  edits: TextEdit[];
}

function isImport(node: Node): boolean {
  return (
    node.type === 'import_statement' ||
    node.type === 'import_from_statement' ||
    node.type === 'future_import_statement'
  );
}

function isDocstring(node: Node): boolean {
  return node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string';
}

/** Top-level imports that come before `beforeOffset`, `try: import … except ImportError` included. */
function importAnchor(file: SourceFile, beforeOffset: number): { offset: number; afterStatement: boolean } {
  let anchor: Node | undefined;
  let docstring: Node | undefined;
  let first = true;
  for (const child of file.root.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.startIndex >= beforeOffset) break;
    // The module docstring is the first statement, after any comments (`# -*- coding -*-`).
    const isFirst = first;
    first = false;
    if (isFirst && isDocstring(child)) docstring = child;
    else if (isImport(child)) anchor = child;
    else if (
      child.type === 'try_statement' &&
      child.childForFieldName('body')?.namedChildren.every((s) => !!s && isImport(s))
    )
      anchor = child;
  }
  const after = anchor ?? docstring;
  if (after) return { offset: after.endIndex, afterStatement: true };
  return { offset: 0, afterStatement: false };
}

function insertStatement(file: SourceFile, statement: string, beforeOffset: number): TextEdit {
  const eol = file.eol;
  const { offset, afterStatement } = importAnchor(file, beforeOffset);
  if (afterStatement) return insertAt(file, offset, `${eol}${statement}`);
  // Top of file: keep a shebang / encoding line / leading comments first.
  let at = 0;
  const lines = file.lineCount;
  let line = 0;
  while (line < lines && /^\s*#/.test(file.lineText(line)) && file.lineStart(line) < beforeOffset) line++;
  if (line > 0) {
    at = line < lines ? file.lineStart(line) : file.text.length;
    const needsEol = at === file.text.length && !file.text.endsWith('\n');
    return insertAt(file, at, `${needsEol ? eol : ''}${statement}${eol}`);
  }
  return insertAt(file, at, `${statement}${eol}`);
}

/**
 * Make `module.member` available at module level, e.g. (`cachetools`, `TTLCache`). Prefers an
 * existing `from module import member [as x]` or `import module [as m]`; otherwise adds
 * `from module import member`, or `import module` when `member`'s name is taken.
 */
export function ensureMemberImport(
  file: SourceFile,
  model: SemanticModel,
  module: string,
  member: string,
  beforeOffset: number,
): ImportResult {
  const scope = model.moduleScope;
  scope.ensureCollected();
  const qualified = `${module}.${member}`;
  let moduleAlias: string | undefined;
  for (const b of scope.bindings.values()) {
    if (b.kind !== 'import') continue;
    if (b.qualifiedName === qualified && b.sites[0].startIndex < beforeOffset)
      return { name: b.name, edits: [] };
    if (b.qualifiedName === module && b.sites[0].startIndex < beforeOffset) moduleAlias = b.name;
  }
  if (moduleAlias) return { name: `${moduleAlias}.${member}`, edits: [] };
  const taken = scope.bindings.get(member);
  if (taken) {
    const mod = ensureModuleImport(file, model, module, beforeOffset);
    return { name: `${mod.name}.${member}`, edits: mod.edits };
  }
  return { name: member, edits: [insertStatement(file, `from ${module} import ${member}`, beforeOffset)] };
}

/** Make `module` itself available (`import weakref`), reusing an existing import. */
export function ensureModuleImport(
  file: SourceFile,
  model: SemanticModel,
  module: string,
  beforeOffset: number,
): ImportResult {
  const scope = model.moduleScope;
  scope.ensureCollected();
  for (const b of scope.bindings.values()) {
    if (b.kind === 'import' && b.qualifiedName === module && b.sites[0].startIndex < beforeOffset)
      return { name: b.name, edits: [] };
  }
  const top = module.split('.')[0];
  const clash = scope.bindings.get(top);
  if (clash && !(clash.kind === 'import' && clash.qualifiedName === top)) {
    // `weakref` is a variable here: import under an alias nobody uses.
    let alias = `_${top}`;
    while (scope.bindings.has(alias)) alias = `_${alias}`;
    return { name: alias, edits: [insertStatement(file, `import ${module} as ${alias}`, beforeOffset)] };
  }
  return { name: module, edits: [insertStatement(file, `import ${module}`, beforeOffset)] };
}
