// Finding candidate nodes fast: one regular-expression pass over the text locates places that
// might matter (`= []`, `= dd(list)`, `@cache`), the tree confirms the syntax and the semantic
// model decides. Import aliases of the names involved (`from collections import deque as dq`) are
// added to the pattern, so text search never misses an alias the model would have resolved.

import type { Node } from '../parser';
import { isWordCharAt } from './find-names';
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

/** Opening and closing brackets (by code unit) for `mayHaveContainerDefault`'s scan. */
const OPENERS = '([{';
const CLOSERS = ')]}';

/**
 * Whether some `def`'s parameter list in `text` gives a parameter a default that
 * `possibleContainerSites` could take for a container (`=` then `[`, `{` or a call): what
 * `possibleMutableDefaults` needs. Each `def name(` is followed to its closing `)`, skipping
 * comments and one-line strings; a header it cannot follow that way (a triple-quoted or f-string,
 * a line break in a string, type parameters, a continued line) counts as having one. A text test
 * for `Rule.mayFire`.
 */
export function mayHaveContainerDefault(text: string): boolean {
  if (!text.includes('=')) return false;
  for (let def = text.indexOf('def'); def >= 0; def = text.indexOf('def', def + 3)) {
    if (isNameChar(text, def - 1) || isNameChar(text, def + 3)) continue;
    let i = def + 3;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const nameStart = i;
    while (isNameChar(text, i)) i++;
    if (i === nameStart) {
      if (text[i] === '\\') return true;
      continue;
    }
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '[' || text[i] === '\\') return true;
    if (text[i] !== '(') continue;
    if (parameterDefaults(text, i)) return true;
  }
  return false;
}

/**
 * From the `(` at `open`: true if a parameter default may be a container (or the header cannot
 * be followed, or never closes), false once the matching `)` is reached without one.
 */
function parameterDefaults(text: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (OPENERS.includes(c)) {
      // Deeper than CPython allows: not followed (and no header is scanned far past another).
      if (++depth > MAX_HEADER_DEPTH) return true;
    } else if (CLOSERS.includes(c)) {
      depth--;
      if (depth === 0) return false;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      if (end < 0) return true;
      i = end;
    } else if (c === '"' || c === "'") {
      // Prefixes (r, b, u, f…) end at the quote: an f-string may nest quotes, so it is not followed.
      let p = i - 1;
      while (p >= 0 && /[A-Za-z]/.test(text[p])) p--;
      if (/[fFtT]/.test(text.slice(p + 1, i)) || text.startsWith(c.repeat(3), i)) return true;
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (text[j] !== c) return true;
      i = j;
    } else if (c === '=' && depth === 1 && !'=!<>:'.includes(text[i - 1]) && text[i + 1] !== '=') {
      let j = i + 1;
      while (text[j] === ' ' || text[j] === '\t') j++;
      // A display, or a (dotted) call: a constructor or an alias of one.
      if (text[j] === '[' || text[j] === '{') return true;
      DEFAULT_CALL.lastIndex = j;
      if (DEFAULT_CALL.test(text)) return true;
    }
  }
  // Never closed: the parser's recovery may still make parameters of it.
  return true;
}

/** CPython's limit of nested brackets. */
const MAX_HEADER_DEPTH = 200;

/** A (dotted) name, ASCII or not, then `(`: a call that may construct a container. */
const DEFAULT_CALL = /(?:[\w.]|[^\x00-\x7f])+[ \t]*\(/y;

function isNameChar(text: string, i: number): boolean {
  return i >= 0 && i < text.length && isWordCharAt(text, i);
}

/** `possibleCacheDecorators`' pattern for the plain names. */
const PLAIN_CACHE_DECORATOR = /@[ \t]*(?:[A-Za-z_][\w.]*\.)?(?:cache|lru_cache)(?![\w.])/;

/**
 * Whether `text` may hold a decorator `possibleCacheDecorators` finds: `@cache`, `@lru_cache`
 * (dotted or not), or an alias, which only an import of `functools` under another name can make.
 */
export function mayHaveCacheDecorator(text: string): boolean {
  if (!text.includes('cache') || !text.includes('@')) return false;
  return PLAIN_CACHE_DECORATOR.test(text) || (text.includes('functools') && /\bas\b/.test(text));
}

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
