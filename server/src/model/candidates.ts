// Finding candidate nodes fast: one regular-expression pass over the text locates places that
// might matter (`= []`, `= dd(list)`, `@cache`), the tree confirms the syntax and the semantic
// model decides. Import aliases of the names involved (`from collections import deque as dq`) are
// added to the pattern, so text search never misses an alias the model would have resolved.

import type { Node } from '../parser';
import { perModel } from './memo';
import { parentOf } from './parents';
import type { SemanticModel } from './semantic';

/** Local names under which module-level imports bind one of `qualified` (`dd` for defaultdict). */
function aliasesOf(model: SemanticModel, qualified: ReadonlySet<string>): string[] {
  const scope = model.moduleScope;
  scope.ensureCollected();
  const names: string[] = [];
  for (const b of scope.bindings.values()) {
    if (b.kind === 'import' && b.qualifiedName && qualified.has(b.qualifiedName)) names.push(b.name);
  }
  return names;
}

function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Offsets where the named group `at` starts, for every match of the global `re`. */
function matchOffsets(text: string, re: RegExp): number[] {
  const offsets: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.groups?.at ?? '';
    offsets.push(m.index + m[0].lastIndexOf(at));
    if (m[0].length === 0) re.lastIndex++;
  }
  return offsets;
}

/**
 * The largest node that starts at `offset` without starting its parent (the whole expression),
 * and that parent. (Each `parent` read is a walk down from the root in wasm: read it once.)
 */
function expressionAt(model: SemanticModel, offset: number): { node: Node; parent: Node | null } | undefined {
  let node: Node | null = model.file.root.descendantForIndex(offset, offset);
  if (!node || node.startIndex !== offset) return undefined;
  let parent = parentOf(node);
  while (parent && parent.startIndex === offset && parent.type !== 'module') {
    node = parent;
    parent = parentOf(node);
  }
  return { node, parent };
}

const CONTAINER_CONSTRUCTORS = new Set([
  'builtins.dict',
  'builtins.list',
  'builtins.set',
  'collections.defaultdict',
  'collections.OrderedDict',
  'collections.deque',
]);
const CONSTRUCTOR_NAMES = ['dict', 'list', 'set', 'defaultdict', 'OrderedDict', 'deque'];

/** A possible container value and the assignment or parameter default it is the value of. */
export interface ContainerValueSite {
  value: Node;
  parent: Node;
  /** `parent.type`, read once. */
  parentType: string;
}

/**
 * Expressions that may create a container (`[]`, `{…}`, `set()`, `collections.deque()`, an alias
 * call…) on the right of an `=`: assignments and parameter defaults. Callers still check the
 * value with the model (`containerValue`).
 */
export function possibleContainerValues(model: SemanticModel): Node[] {
  return possibleContainerSites(model).map((site) => site.value);
}

/** `possibleContainerValues` with the node each value belongs to (so callers need not ask for it). */
export const possibleContainerSites = perModel((model): ContainerValueSite[] => {
  const names = [...new Set([...CONSTRUCTOR_NAMES, ...aliasesOf(model, CONTAINER_CONSTRUCTORS)])].map(
    escapeRegExp,
  );
  // `=` but not `==`, `!=`, `<=`, `>=`; then the value: a display or a (dotted) constructor call.
  const re = new RegExp(
    `(?<![=!<>:])=(?!=)[ \\t]*(?<at>[\\[{]|(?:[A-Za-z_][\\w.]*\\.)?(?:${names.join('|')})[ \\t]*\\()`,
    'g',
  );
  const result: ContainerValueSite[] = [];
  for (const offset of matchOffsets(model.file.text, re)) {
    const found = expressionAt(model, offset);
    const value = found?.node;
    const parent = found?.parent;
    if (!value || !parent) continue;
    const parentType = parent.type;
    const field =
      parentType === 'assignment'
        ? parent.childForFieldName('right')
        : parentType.endsWith('default_parameter')
          ? parent.childForFieldName('value')
          : null;
    if (field?.id === value.id) result.push({ value, parent, parentType });
  }
  return result;
});

const CACHE_DECORATORS = new Set(['functools.cache', 'functools.lru_cache']);

/** `decorator` nodes that may be a functools cache (`@cache`, `@ft.lru_cache(...)`, `@memo`). */
export const possibleCacheDecorators = perModel((model): Node[] => {
  const text = model.file.text;
  const plain = [...new Set(['cache', 'lru_cache', ...aliasesOf(model, CACHE_DECORATORS)])];
  const result: Node[] = [];
  // Most files have no such decorator at all: a substring test is far cheaper than the pattern.
  if (!plain.some((n) => text.includes(n)) || !text.includes('@')) return result;
  const names = plain.map(escapeRegExp);
  // Start at `@` (cheap to find); the tree confirms it begins a decorator.
  const re = new RegExp(`(?<at>@)[ \\t]*(?:[A-Za-z_][\\w.]*\\.)?(?:${names.join('|')})(?![\\w.])`, 'g');
  for (const at of matchOffsets(text, re)) {
    const node = model.file.root.descendantForIndex(at, at + 1);
    const decorator = node?.type === 'decorator' ? node : parentOf(node);
    if (decorator?.type === 'decorator') result.push(decorator);
  }
  return result;
});
