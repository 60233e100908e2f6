// Long-lived containers (module- and class-level dicts, lists, sets, deques) and what the code
// does to them: grows them at run time, evicts from them, checks their size, hands them on.
// LEAK001 (dicts whose keys grow) and LEAK002 (lists/sets/deques that accumulate) share this so
// they agree on what "written at run time" and "evicted" mean and never report a container twice.

import type { Node } from '../parser';
import { annotationHead } from './bounded';
import { possibleContainerSites } from './candidates';
import { type Access, type ContainerKind, type Effect, effectsOf } from './container-effects';
import { calledOnlyWhen, mayRunRepeatedly, type RunInfo, runInfoOverTimeAt } from './execution';
import { isWordCharAt } from './find-names';
import { writerOf } from './import-time';
import { storesImportedObject } from './imported-values';
import { fillOnceGuard, refusesDuplicates } from './membership';
import { perModel } from './memo';
import { inRanges, linesOutsideFunctions } from './outer-lines';
import { parentOf } from './parents';
import type { Binding, Scope, SemanticModel } from './semantic';
import { decoratorsOf, positionalArguments, unparenthesized, useOf } from './usage';

export { annotationHead } from './bounded';
export type { Access, ContainerKind, Effect, EffectKind } from './container-effects';
export { DICT_KINDS, effectsOf, isConstantKey } from './container-effects';
export { describeScope, runsAtImportTime, writerOf } from './import-time';

export interface ContainerValue {
  kind: ContainerKind;
  /** The value expression (`{}`, `dict()`, `collections.deque(maxlen=10)` …). */
  node: Node;
  /** Created without items. */
  empty: boolean;
  /** Written out with items (`{"a": 1}`, `["x"]`, a comprehension): a table, not an accumulator. */
  literalItems: boolean;
  /** A deque created with a `maxlen`: bounded by construction. */
  bounded: boolean;
}

const CONSTRUCTORS: Record<string, ContainerKind> = {
  'builtins.dict': 'dict',
  'builtins.list': 'list',
  'builtins.set': 'set',
  'collections.defaultdict': 'defaultdict',
  'collections.OrderedDict': 'ordereddict',
  'collections.deque': 'deque',
};

const CONSTRUCTOR_NAMES = new Set(Object.keys(CONSTRUCTORS).map((q) => q.slice(q.lastIndexOf('.') + 1)));

function argumentNodes(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return [];
  return args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
}

/** What kind of fresh container `value` creates, if it is one of the container constructors. */
export function containerValue(
  model: SemanticModel,
  value: Node | null | undefined,
): ContainerValue | undefined {
  if (!value) return undefined;
  const display = (kind: ContainerKind): ContainerValue => {
    // Avoid marshalling every child of a large literal table: only comments can make it "empty".
    const count = value.namedChildCount;
    const empty = count === 0 || (count < 8 && value.namedChildren.every((c) => c?.type === 'comment'));
    return { kind, node: value, empty, literalItems: !empty, bounded: false };
  };
  switch (value.type) {
    case 'dictionary':
      return display('dict');
    case 'list':
    case 'list_comprehension':
      return display('list');
    case 'set':
    case 'set_comprehension':
      return display('set');
    case 'call': {
      // Cheap syntactic test first: most calls are not constructors, and resolving names costs.
      const fn = value.childForFieldName('function');
      const last = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      const maybe =
        !!last &&
        (CONSTRUCTOR_NAMES.has(last) ||
          (fn?.type === 'identifier' && model.moduleScope.lookupLocal(last)?.kind === 'import'));
      if (!maybe) return undefined;
      const qualified = model.calleeName(value);
      const kind = qualified ? CONSTRUCTORS[qualified] : undefined;
      if (!kind) return undefined;
      const args = argumentNodes(value);
      const positional = positionalArguments(value);
      let bounded = false;
      if (kind === 'deque') {
        const maxlen = args.find(
          (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'maxlen',
        );
        const limit = maxlen ? maxlen.childForFieldName('value') : positional[1];
        bounded = !!limit && limit.type !== 'none';
      }
      // Items: `dict(a=1)` and `dict(pairs)`; `defaultdict(list, …)` after its factory; the
      // iterable of `list(…)`, `set(…)`, `deque(…, maxlen=…)`.
      let items: Node[];
      if (kind === 'dict') items = args;
      else if (kind === 'defaultdict' || kind === 'ordereddict')
        items = kind === 'defaultdict' ? args.slice(1) : args;
      else items = positional.slice(0, 1);
      return { kind, node: value, empty: items.length === 0, literalItems: false, bounded };
    }
  }
  return undefined;
}

/** A module- or class-level name bound to a fresh container. */
export interface ContainerCandidate {
  name: string;
  level: 'module' | 'class';
  /** For class-level containers: the class definition and its name. */
  classNode?: Node;
  className?: string;
  binding: Binding;
  /** The assignment target (identifier) where the container is created. */
  target: Node;
  /** The assignment statement (`assignment` node). */
  assignment: Node;
  value: ContainerValue;
  /** For a dict of another module taken with `from module import name`: that module's path. */
  definedIn?: string;
}

function isDunder(name: string): boolean {
  return name.startsWith('__') && name.endsWith('__');
}

/**
 * The first container-creating site of `binding`, if every other binding site at the same level is
 * a container too (or `+=`-style filling). A name also bound to `None`, a function or an import is
 * not a plain container and is left alone.
 */
function containerSite(
  model: SemanticModel,
  binding: Binding,
): { target: Node; value: ContainerValue } | undefined {
  let first: { target: Node; value: ContainerValue } | undefined;
  for (const site of binding.sites) {
    const parent = parentOf(site);
    if (parent?.type === 'augmented_assignment') continue;
    if (parent?.type !== 'assignment' || parent.childForFieldName('left')?.id !== site.id) return undefined;
    const value = containerValue(model, model.assignedValue(site));
    if (!value) return undefined;
    first ??= { target: site, value };
  }
  return first;
}

/**
 * Whether some code could grow `name` in place: it appears before `[`, `+=`, `|=` or a growing
 * method (`.append`, `.add`, `.setdefault`…), or as the heap of `heappush(`/`insort(`. A cheap text test that lets the rules skip the many module-
 * and class-level constants nothing ever writes to.
 */
const GROWTH_METHOD_AFTER_DOT =
  /^\.\s*(?:append|appendleft|extend|extendleft|insert|add|update|setdefault|__setitem__|__iadd__|__ior__)\b/;

const writtenCache = new WeakMap<SemanticModel, { names: Map<string, boolean>; heapCalls?: boolean }>();

/** `mayBeWritten` once per name and file: test modules repeat the same class attributes hundreds of times. */
function mayBeWrittenIn(model: SemanticModel, name: string): boolean {
  let cache = writtenCache.get(model);
  if (!cache) {
    cache = { names: new Map() };
    writtenCache.set(model, cache);
  }
  let written = cache.names.get(name);
  if (written === undefined) {
    const text = model.file.text;
    // The heap pattern needs one of those words in the text: skip it in the many files without
    // (asked once per file, not once per name).
    const heapCalls = () => (cache.heapCalls ??= text.includes('heappush') || text.includes('insort'));
    written = mayBeWritten(text, model.wordOffsets(name), name, heapCalls);
    cache.names.set(name, written);
  }
  return written;
}

/** `offsets`: where `name` occurs as a whole word (one index per file, not one scan per name). */
function mayBeWritten(
  text: string,
  offsets: readonly number[],
  name: string,
  heapCalls: () => boolean,
): boolean {
  for (const i of offsets) {
    const end = i + name.length;
    let j = end;
    while (text[j] === ' ' || text[j] === '\t') j++;
    const c = text[j];
    if (c === '[' || ((c === '+' || c === '|') && text[j + 1] === '=')) return true;
    if (c === '.' && GROWTH_METHOD_AFTER_DOT.test(text.slice(j, j + 24))) return true;
    if (heapCalls() && /(?:heappush|insort\w*)\s*\(\s*$/.test(text.slice(Math.max(0, i - 24), i)))
      return true;
  }
  return false;
}

/** A growing method after a dot (what `mayBeWritten` looks for after a name, besides `[`, `+=`, `|=`). */
const GROWTH_METHOD =
  /\.\s*(?:append|appendleft|extend|extendleft|insert|add|update|setdefault|__setitem__|__iadd__|__ior__)\b/g;
/** Where the heap of `heappush(`/`insort(` starts (what `mayBeWritten` looks for before a name). */
const HEAP_CALL = /(?:heappush|insort\w*)\s*\(\s*/g;

/** The whole word of `text` ending at `end`, blanks (spaces and tabs) before `end` skipped; empty if none. */
function wordBefore(text: string, end: number): string {
  let stop = end;
  while (stop > 0 && (text.charCodeAt(stop - 1) === 32 || text.charCodeAt(stop - 1) === 9)) stop--;
  let start = stop;
  while (start > 0 && isWordCharAt(text, start - 1)) start--;
  return start === stop ? '' : text.slice(start, stop);
}

/** The names that `mayBeWritten` may say yes to: before a growth, or the heap of a heap call. */
function writtenNames(text: string): Set<string> {
  const written = new Set<string>();
  const add = (name: string) => {
    if (name) written.add(name);
  };
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) add(wordBefore(text, i));
  for (let i = text.indexOf('='); i >= 0; i = text.indexOf('=', i + 1)) {
    const before = text.charCodeAt(i - 1);
    if (before === 43 || before === 124) add(wordBefore(text, i - 1)); // `+=`, `|=`
  }
  if (text.includes('.')) for (const m of text.matchAll(GROWTH_METHOD)) add(wordBefore(text, m.index));
  if (text.includes('heappush') || text.includes('insort'))
    for (const m of text.matchAll(HEAP_CALL)) {
      let end = m.index + m[0].length;
      const start = end;
      while (end < text.length && isWordCharAt(text, end)) end++;
      if (end > start) written.add(text.slice(start, end));
    }
  return written;
}

/**
 * Where a name of `names` is the target of an assignment: it stands before `=` (not `==`) or
 * the `:` of an annotation, blanks and continued lines between. The offsets of those names.
 */
function assignedAt(text: string, names: ReadonlySet<string>): number[] {
  const offsets: number[] = [];
  const at = (i: number) => {
    let end = i;
    for (;;) {
      const b = text.charCodeAt(end - 1);
      if (b === 32 || b === 9 || b === 12) end--;
      else if (b === 10 && text.charCodeAt(end - 2) === 92) end -= 2;
      else if (b === 10 && text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 3) === 92) end -= 3;
      else break;
    }
    let start = end;
    while (start > 0 && isWordCharAt(text, start - 1)) start--;
    if (start < end && names.has(text.slice(start, end))) offsets.push(start);
  };
  for (let i = text.indexOf('='); i >= 0; i = text.indexOf('=', i + 1)) {
    if (text.charCodeAt(i + 1) === 61)
      i++; // `==`
    else at(i);
  }
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) at(i);
  return offsets;
}

/** The last text asked about and the answer (LEAK001 and LEAK002 ask in turn about each file). */
let lastGrowing: { text: string; answer: boolean } | undefined;

/**
 * Whether `text` may hold a module- or class-level container candidate (`moduleContainers`,
 * `classContainers`): some name is both `mayBeWritten` and the target of an assignment
 * (`name =`, `name: T =`) outside function bodies (`linesOutsideFunctions`; anywhere when the
 * text cannot be followed). Found from the other end: the names before each growth (or after
 * each heap call) first. A text test for `Rule.mayFire`.
 */
export function mayHoldGrowingContainer(text: string): boolean {
  if (lastGrowing?.text !== text) lastGrowing = { text, answer: findGrowingContainer(text) };
  return lastGrowing.answer;
}

function findGrowingContainer(text: string): boolean {
  const written = writtenNames(text);
  if (written.size === 0) return false;
  const assigned = assignedAt(text, written);
  if (assigned.length === 0) return false;
  const outside = linesOutsideFunctions(text);
  return !outside || assigned.some((at) => inRanges(outside, at));
}

/**
 * Classes (at module level or nested in classes, not created inside functions) whose body assigns
 * a container: the only ones that can hold a class-level container candidate.
 */
export const classesWithContainers = perModel(findClassesWithContainers);

function findClassesWithContainers(model: SemanticModel): Node[] {
  const seen = new Set<number>();
  const classes: Node[] = [];
  for (const { parent, parentType } of possibleContainerSites(model)) {
    // Most values sit in function bodies: test each level before climbing to the next.
    if (parentType !== 'assignment') continue;
    const statement = parentOf(parent);
    if (statement?.type !== 'expression_statement') continue;
    const classNode = parentOf(parentOf(statement));
    if (classNode?.type !== 'class_definition' || seen.has(classNode.id)) continue;
    seen.add(classNode.id);
    if (!model.scopeOf(classNode).isRuntime) classes.push(classNode);
  }
  return classes;
}

/** Parameter defaults (`acc=[]`, `seen: set = set()`) that may be mutable containers. */
export function possibleMutableDefaults(model: SemanticModel): Node[] {
  return possibleContainerSites(model)
    .filter((s) => s.parentType === 'default_parameter' || s.parentType === 'typed_default_parameter')
    .map((s) => s.parent);
}

const classCache = new WeakMap<SemanticModel, Map<number, ContainerCandidate[]>>();

export const moduleContainers = perModel(findModuleContainers);

function findModuleContainers(model: SemanticModel): ContainerCandidate[] {
  const scope = model.moduleScope;
  scope.ensureCollected();
  const result: ContainerCandidate[] = [];
  for (const binding of scope.bindings.values()) {
    if (binding.kind !== 'assignment' || isDunder(binding.name)) continue;
    const site = containerSite(model, binding);
    const assignment = parentOf(site?.target);
    if (!site || !assignment || !mayBeWrittenIn(model, binding.name)) continue;
    result.push({
      name: binding.name,
      level: 'module',
      binding,
      target: site.target,
      assignment,
      value: site.value,
    });
  }
  return result;
}

/** An annotation that declares a real class variable (`ClassVar[...]`). */
function isClassVarAnnotation(model: SemanticModel, type: Node): boolean {
  const head = annotationHead(type);
  if (!head) return false;
  const q = model.qualifiedName(head);
  return q === 'typing.ClassVar' || q === 'typing_extensions.ClassVar' || head.text === 'ClassVar';
}

/**
 * Class-level containers of `classNode`. Annotated attributes (`items: list[str] = []`) in a class
 * with base classes or decorators are field declarations (dataclasses, Pydantic, attrs, SQLModel
 * copy or reject the default per instance), so only `ClassVar[...]` ones count there.
 */
export function classContainers(model: SemanticModel, classNode: Node): ContainerCandidate[] {
  let byClass = classCache.get(model);
  if (!byClass) {
    byClass = new Map();
    classCache.set(model, byClass);
  }
  let result = byClass.get(classNode.id);
  if (!result) {
    result = findClassContainers(model, classNode);
    byClass.set(classNode.id, result);
  }
  return result;
}

function findClassContainers(model: SemanticModel, classNode: Node): ContainerCandidate[] {
  const scope = model.scopeFor(classNode);
  scope.ensureCollected();
  const className = classNode.childForFieldName('name')?.text ?? '';
  const hasBases = (classNode.childForFieldName('superclasses')?.namedChildren.length ?? 0) > 0;
  const declarative = hasBases || decoratorsOf(classNode).length > 0;
  const result: ContainerCandidate[] = [];
  for (const binding of scope.bindings.values()) {
    if (binding.kind !== 'assignment' || isDunder(binding.name)) continue;
    const site = containerSite(model, binding);
    const assignment = parentOf(site?.target);
    if (!site || !assignment || !mayBeWrittenIn(model, binding.name)) continue;
    const type = assignment.childForFieldName('type');
    if (type && declarative && !isClassVarAnnotation(model, type)) continue;
    result.push({
      name: binding.name,
      level: 'class',
      classNode,
      className,
      binding,
      target: site.target,
      assignment,
      value: site.value,
    });
  }
  return result;
}

/** The function a parameter identifier belongs to, when it is the first parameter of a method. */
function firstParameterOfMethod(
  model: SemanticModel,
  binding: Binding,
): { method: Node; isClassLike: boolean } | undefined {
  if (binding.kind !== 'parameter') return undefined;
  const fn = binding.scope.node;
  if (fn.type !== 'function_definition' || !binding.scope.enclosingClass) return undefined;
  const params =
    fn.childForFieldName('parameters')?.namedChildren.filter((p) => p && p.type !== 'comment') ?? [];
  const first = params[0];
  if (first?.type !== 'identifier' || first.text !== binding.name) return undefined;
  const decorators = decoratorsOf(fn).map((d) => model.qualifiedName(d));
  if (decorators.includes('builtins.staticmethod')) return undefined;
  const name = fn.childForFieldName('name')?.text ?? '';
  const isClassLike =
    decorators.includes('builtins.classmethod') ||
    name === '__new__' ||
    name === '__init_subclass__' ||
    name === '__class_getitem__';
  return { method: fn, isClassLike };
}

/**
 * All accesses to a container candidate. For class-level containers, `instanceShadowed` tells that
 * some method assigns `self.<name> = …`, making it a per-instance attribute (not a shared one).
 */
export function containerAccesses(
  model: SemanticModel,
  cand: ContainerCandidate,
): { accesses: Access[]; instanceShadowed: boolean } {
  const accesses: Access[] = model.references(cand.binding).map((r) => ({ node: r.node, scope: r.scope }));
  let instanceShadowed = false;
  if (cand.level === 'class' && cand.classNode) {
    const classNode = cand.classNode;
    const text = model.file.text;
    const name = cand.name;
    // Only `<object>.name` can reach a class attribute from a method or from outside the class.
    for (const i of model.wordOffsets(name)) {
      if (!/\.\s*$/.test(text.slice(Math.max(0, i - 8), i))) continue;
      const id = model.file.root.descendantForIndex(i, i + name.length);
      const attr = parentOf(id);
      if (
        id?.type !== 'identifier' ||
        attr?.type !== 'attribute' ||
        attr.childForFieldName('attribute')?.id !== id.id
      )
        continue;
      const owner = ownerOf(model, attr.childForFieldName('object'), classNode);
      if (!owner) continue;
      if (owner === 'instance') {
        const use = useOf(attr);
        if (use.kind === 'rebind') instanceShadowed = true;
      }
      accesses.push({ node: attr, scope: model.scopeOf(attr) });
    }
  }
  return { accesses, instanceShadowed };
}

/** Whether `object` (of `object.attr`) is the class itself or one of its instances inside its methods. */
function ownerOf(
  model: SemanticModel,
  object: Node | null,
  classNode: Node,
): 'class' | 'instance' | undefined {
  if (!object) return undefined;
  if (object.type === 'identifier') {
    const binding = model.resolve(object);
    if (!binding) return undefined;
    if (binding.kind === 'class')
      return binding.sites.some((s) => parentOf(s)?.id === classNode.id) ? 'class' : undefined;
    const method = firstParameterOfMethod(model, binding);
    if (!method || binding.scope.enclosingClass?.node.id !== classNode.id) return undefined;
    return method.isClassLike ? 'class' : 'instance';
  }
  // type(self).x, self.__class__.x
  if (object.type === 'call' && model.calleeName(object) === 'builtins.type') {
    const [arg] = positionalArguments(object);
    return ownerOf(model, arg ?? null, classNode) === 'instance' ? 'class' : undefined;
  }
  if (object.type === 'attribute' && object.childForFieldName('attribute')?.text === '__class__') {
    return ownerOf(model, object.childForFieldName('object'), classNode) === 'instance' ? 'class' : undefined;
  }
  return undefined;
}

/** `a`, `a and b`, `a, b and c`, `a, b and 2 more`. */
export function listNames(names: string[], more = 'more'): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? '';
  if (unique.length <= 3) return `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
  return `${unique.slice(0, 2).join(', ')} and ${unique.length - 2} ${more}`;
}

// ---------------------------------------------------------------------------------------------
// Putting it together: the facts both rules decide on.

export interface ContainerFacts {
  /** Growth (element or key additions) that runs at run time. */
  growth: Effect[];
  /** Growth inside elements at run time (`d[k].append(x)`). */
  nestedGrowth: Effect[];
  /** How often a growth effect's code runs (for the message and the severity). */
  runInfo(e: Effect): RunInfo | undefined;
  /** Something removes, truncates, rebinds or size-checks the container. */
  released: boolean;
  /** A run-time `d["k"] = …` replaces an element (starts a nested container over). */
  resets: boolean;
  /** It leaves our sight (returned, stored elsewhere): whoever holds it may evict. */
  escapes: boolean;
  /** Every access still works with a TTLCache / a deque (for fixes). */
  ttlCompatible: boolean;
  dequeCompatible: boolean;
  effects: Effect[];
}

const ENOUGH_REPEATED_WRITES = 64;

export function containerFacts(
  model: SemanticModel,
  accesses: Access[],
  kind: ContainerKind,
): ContainerFacts {
  const effects = accesses.flatMap((a) => effectsOf(model, a, kind));
  // Functions that test the container's emptiness before writing fill it once (lazy init).
  const fillOnce = new Set<Scope>();
  for (const e of effects) {
    if (e.kind !== 'fill-check' || !e.access.scope.isRuntime) continue;
    const w = writerOf(e.access.scope);
    if (w) fillOnce.add(w);
  }
  // A writer whose every call waits for the container to be empty (`if not _columns:
  // load_columns()`) fills it once per emptying too.
  const emptyTests = new Set(effects.filter((e) => e.kind === 'fill-check').map((e) => e.access.node.id));
  const isEmptyTest = (condition: Node) => {
    const c = unparenthesized(condition);
    const operand = c.type === 'not_operator' ? c.childForFieldName('argument') : undefined;
    return !!operand && emptyTests.has(operand.id);
  };
  if (emptyTests.size > 0)
    for (const e of effects) {
      const w = e.kind === 'grow' ? writerOf(e.access.scope) : undefined;
      if (w && !fillOnce.has(w) && calledOnlyWhen(model, w, isEmptyTest)) fillOnce.add(w);
    }
  // Growth counts only where it can pile up: code that runs again and again (or whose callers
  // are elsewhere), not import-time registration or one-shot start-up code.
  const runs = new Map<Effect, RunInfo>();
  // Once this many writes are known to repeat, the finding stands and the rest only lengthen its
  // list: they are taken as written at run time without asking (20,000 writers cost 20,000 call
  // graph walks otherwise).
  let repeatedWrites = 0;
  const atRuntime = (e: Effect) => {
    const w = writerOf(e.access.scope);
    if (!w || fillOnce.has(w)) return false;
    if (repeatedWrites >= ENOUGH_REPEATED_WRITES && e.access.scope.isRuntime) return true;
    const info = runInfoOverTimeAt(model, e.site);
    runs.set(e, info);
    const repeats = mayRunRepeatedly(info);
    if (repeats) repeatedWrites++;
    return repeats;
  };
  // `if key not in d: return …` before `d[key]`: a defaultdict read that cannot insert.
  const membership = new Set<string>();
  for (const e of effects) {
    const left = e.what === 'in' ? e.site.namedChildren[0] : undefined;
    const w = writerOf(e.access.scope);
    if (left && w && left.id !== e.access.node.id) membership.add(`${w.node.id}:${left.text}`);
  }
  const guardedRead = (e: Effect) => {
    const w = writerOf(e.access.scope);
    const key = e.site.type === 'subscript' ? e.site.childForFieldName('subscript')?.text : undefined;
    return e.what === '[key]' && !!w && !!key && membership.has(`${w.node.id}:${key}`);
  };
  // Written under `if not _other:` in a block that fills `_other`: once per filling. A registry
  // that raises on a key it already holds is filled by declarations, once per key.
  const growth = effects.filter(
    (e) =>
      e.kind === 'grow' &&
      !guardedRead(e) &&
      !fillOnceGuard(model, e.site) &&
      !refusesDuplicates(e.site, e.access.node) &&
      !storesImportedObject(model, e) &&
      atRuntime(e),
  );
  const nestedGrowth = effects.filter((e) => e.kind === 'nested-grow' && atRuntime(e));
  return {
    growth,
    nestedGrowth,
    runInfo: (e: Effect) => runs.get(e),
    released: effects.some((e) => e.kind === 'evict' || e.kind === 'bound'),
    resets: effects.some((e) => e.kind === 'reset' && e.access.scope.isRuntime),
    escapes: effects.some((e) => e.kind === 'escape'),
    ttlCompatible: effects.every((e) => e.ttlOk),
    dequeCompatible: effects.every((e) => e.dequeOk),
    effects,
  };
}

/** Everything the rules need to know about one candidate: computed once, shared by the rules. */
export interface ContainerAnalysis {
  /** A class attribute that methods replace with `self.<name> = …` is per instance. */
  instanceShadowed: boolean;
  facts: ContainerFacts;
}

const analysisCache = new WeakMap<SemanticModel, Map<Binding, ContainerAnalysis>>();

export function analyzeContainer(model: SemanticModel, cand: ContainerCandidate): ContainerAnalysis {
  let cache = analysisCache.get(model);
  if (!cache) {
    cache = new Map();
    analysisCache.set(model, cache);
  }
  let result = cache.get(cand.binding);
  if (!result) {
    const { accesses, instanceShadowed } = containerAccesses(model, cand);
    result = { instanceShadowed, facts: containerFacts(model, accesses, cand.value.kind) };
    cache.set(cand.binding, result);
  }
  return result;
}

/** The run that makes growth a leak, for the message: the first growth in code that runs again and again. */
export function growthRun(facts: ContainerFacts, growth: Effect[]): RunInfo | undefined {
  const infos = growth.map((e) => facts.runInfo(e)).filter((i): i is RunInfo => !!i);
  return infos.find((i) => i.frequency === 'repeated') ?? infos[0];
}
