// LEAK002 global-accumulation: module-level lists/sets/deques (and dicts of lists) that functions
// keep appending to, class-level containers grown through instances, and mutable default
// arguments that the function mutates. Dicts that gain keys are LEAK001's.

import { hasFutureAnnotations } from '../fixes/annotations';
import { trimOldestFix } from '../fixes/dict-bounds';
import { insertAt, replaceRange } from '../fixes/edits';
import { ensureMemberImport, ensureModuleImport } from '../fixes/imports';
import {
  freshName,
  insertStatementsAfter,
  insertStatementsBefore,
  isAloneOnItsLines,
} from '../fixes/statements';
import { configuredSwitch } from '../model/bounded';
import { mayHaveContainerDefault } from '../model/candidates';
import {
  analyzeContainer,
  annotationHead,
  type ContainerCandidate,
  type ContainerFacts,
  type ContainerKind,
  classContainers,
  classesWithContainers,
  containerValue,
  DICT_KINDS,
  describeScope,
  type Effect,
  effectsOf,
  growthRun,
  listNames,
  mayHoldGrowingContainer,
  moduleContainers,
  possibleMutableDefaults,
} from '../model/containers';
import { hasCallersInProject, projectWasRead, type RunInfo, runInfoAt } from '../model/execution';
import { storesImportedObject } from '../model/imported-values';
import { objectKeyEvidence, perCallKeyEvidence } from '../model/key-domain';
import type { SemanticModel } from '../model/semantic';
import { positionalArguments, unparenthesizedParent } from '../model/usage';
import type { Node } from '../parser';
import type { Applicability, Fix, Rule, RuleContext, TextEdit } from '../types';

const MAX_RELATED = 10;

const TASK_FACTORIES = new Set(['asyncio.create_task', 'asyncio.ensure_future']);

/** `asyncio.create_task(…)`, `loop.create_task(…)`, or a local name bound to one. */
function isTaskExpression(model: SemanticModel, expr: Node | undefined): boolean {
  if (!expr) return false;
  if (expr.type === 'call') {
    const q = model.calleeName(expr);
    if (q && TASK_FACTORIES.has(q)) return true;
    const fn = expr.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'create_task';
  }
  if (expr.type === 'identifier') {
    const b = model.resolve(expr);
    if (b?.kind !== 'assignment' || b.scope === model.moduleScope) return false;
    return b.sites.every((s) => isTaskExpression(model, model.assignedValue(s)));
  }
  return false;
}

/** Tasks kept in a set are LEAK007's (dangling-task) business: one report per problem. */
function onlyCollectsTasks(model: SemanticModel, growth: Effect[]): boolean {
  return growth.every(
    (e) => e.site.type === 'call' && isTaskExpression(model, positionalArguments(e.site)[0]),
  );
}

const REPORTING = /^(warn|warning|error|info|debug|exception|critical|log|print|echo|secho)$/;

/**
 * A report-once set: `if x not in seen: seen.add(x); log.warning(...)`. It grows with the number
 * of distinct values reported, which this file cannot know but is usually a handful of
 * configuration names: harmless in practice, worth seeing as a hint, not worth a warning.
 */
function isReportOnce(growth: Effect[]): boolean {
  return growth.every((e) => {
    // `if x not in seen: log(x); seen.add(x)` (or a list kept the same way with `.append()`).
    if (e.site.type !== 'call' || (e.what !== '.add()' && e.what !== '.append()')) return false;
    for (let p = e.site.parent; p; p = p.parent) {
      if (p.type === 'function_definition') return false;
      if (p.type !== 'if_statement' && p.type !== 'elif_clause') continue;
      const condition = p.childForFieldName('condition');
      if (!condition || !/\bnot\s+in\b/.test(condition.text)) continue;
      return p
        .childForFieldName('consequence')
        ?.descendantsOfType('call')
        .some((c) => {
          const callee = c?.childForFieldName('function');
          const name =
            callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
          return !!name && REPORTING.test(name);
        });
    }
    return false;
  });
}

/**
 * What the first growth adds, as a phrase: "`host`" for `s.add(host)`, "items of `names`" for
 * `s.update(names)` and `s |= names`; undefined when too long to quote.
 */
function addedValue(growth: Effect[]): string | undefined {
  for (const e of growth) {
    const one = e.site.type === 'call' && (/\.add\(\)$/.test(e.what) || e.what === '.append()');
    const value = addedNode(e);
    const text = value?.text.replace(/\s+/g, ' ');
    if (text && text.length <= 40) return one ? `\`${text}\`` : `items of \`${text}\``;
  }
  return undefined;
}

/**
 * `for app in apps: registry[k].add(app)` in code that does not itself run again and again: a set
 * given the variable of the loop around it holds that loop's distinct items, however often the
 * loop turns, so the loop is not the repetition. The frequency of the code around the loop, when
 * every growth is such an `add`; undefined otherwise.
 */
function setFilledByItsLoop(model: SemanticModel, growth: Effect[]): RunInfo | undefined {
  let info: RunInfo | undefined;
  for (const e of growth) {
    if (e.site.type !== 'call' || !/\.add\(\)$/.test(e.what)) return undefined;
    const [value, ...rest] = positionalArguments(e.site);
    if (value?.type !== 'identifier' || rest.length > 0) return undefined;
    const binding = model.resolve(value);
    const loop = binding?.kind === 'loop' && binding.sites.length === 1 ? binding.sites[0].parent : undefined;
    if (loop?.type !== 'for_statement' || loop.childForFieldName('left')?.id !== binding?.sites[0].id)
      return undefined;
    if (!(e.site.startIndex >= loop.startIndex && e.site.endIndex <= loop.endIndex)) return undefined;
    const around = runInfoAt(model, loop);
    if (around.frequency === 'repeated') return undefined;
    info ??= around;
  }
  return info;
}

/** What a growth adds: `x` of `s.add(x)`, `names` of `s.update(names)` or `s |= names`. */
function addedNode(e: Effect): Node | undefined {
  const site = e.site;
  if (site.type === 'call') return positionalArguments(site)[0];
  return site.type === 'augmented_assignment' ? (site.childForFieldName('right') ?? undefined) : undefined;
}

/** `if x not in items: items.append(x)`: the list keeps each value once, like a set. */
function appendsOnlyNew(e: Effect): boolean {
  const value = e.what === '.append()' ? addedNode(e) : undefined;
  if (!value) return false;
  for (let p = e.site.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return false;
    if (p.type !== 'if_statement') continue;
    const condition = p.childForFieldName('condition');
    const then = p.childForFieldName('consequence');
    if (
      condition?.type === 'comparison_operator' &&
      /\bnot\s+in\b/.test(condition.text) &&
      condition.namedChildren[0]?.text === value.text &&
      !!then &&
      then.startIndex <= e.site.startIndex &&
      e.site.endIndex <= then.endIndex
    )
      return true;
  }
  return false;
}

function whatOf(growth: Effect[]): string {
  return listNames(growth.map((e) => `\`${e.what.replace(/^\[…\]/, '[k]')}\``));
}

// ---------------------------------------------------------------------------------------------
// Module-level list → bounded deque

const LIST_ANNOTATIONS = new Set(['builtins.list', 'typing.List', 'collections.deque', 'typing.Deque']);

/** Where a read of the list needs a real list: a slice, an operand, an argument, a comparison. */
function listOnlyRead(e: Effect): Node | undefined {
  if (e.kind !== 'read' || e.dequeOk) return undefined;
  const { node, parent } = unparenthesizedParent(e.access.node);
  if (!parent) return undefined;
  switch (parent.type) {
    case 'subscript': {
      // `_lines[-n:]` read (not stored into or deleted): deques index but do not slice.
      if (parent.childForFieldName('value')?.id !== node.id) return undefined;
      const { parent: outer } = unparenthesizedParent(parent);
      if (outer?.type === 'delete_statement') return undefined;
      if (
        (outer?.type === 'assignment' || outer?.type === 'augmented_assignment') &&
        outer.childForFieldName('left')?.id === parent.id
      )
        return undefined;
      return node;
    }
    case 'binary_operator':
    case 'comparison_operator':
    case 'argument_list':
      return node;
    default:
      return undefined;
  }
}

/** `_events[-1]`, `_events[-20:]` with a literal within the bound: the newest items only. */
function isTailRead(e: Effect, maxlen: number): boolean {
  if (e.kind !== 'read') return false;
  const { node, parent } = unparenthesizedParent(e.access.node);
  if (parent?.type !== 'subscript' || parent.childForFieldName('value')?.id !== node.id) return false;
  const m = /\[\s*-\s*(\d+)\s*(:\s*)?\]$/.exec(parent.text);
  return !!m && Number(m[1]) >= 1 && Number(m[1]) <= maxlen;
}

/**
 * The list-only reads to rewrite as `list(name)`, or undefined when some use cannot work on a
 * deque at all (`sort()`, `heapq`, an alias, a slice assignment).
 */
function readsToCopy(facts: ContainerFacts): Node[] | undefined {
  const copies: Node[] = [];
  for (const e of facts.effects) {
    if (e.dequeOk) continue;
    const read = listOnlyRead(e);
    if (!read) return undefined;
    copies.push(read);
  }
  return copies;
}

/**
 * Bounding keeps behaviour only when no code can see the evicted items: the list is only grown,
 * or read at its tail within the bound (`_events[-1]`, `_events[-10:]`). Iterating, `len()` or a
 * reader elsewhere would notice the oldest items gone.
 */
function dequeApplicability(facts: ContainerFacts, maxlen: number): Applicability {
  const observes = facts.effects.some(
    (e) =>
      (e.kind === 'read' || e.kind === 'fill-check') && e.what !== 'definition' && !isTailRead(e, maxlen),
  );
  return observes ? 'unsafe' : 'safe';
}

function dequeFix(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix | undefined {
  const { file, model, settings } = ctx;
  const value = cand.value.node;
  const n = settings.cacheMaxsize;
  const applicability = dequeApplicability(facts, n);
  // (A deque already takes every use made of it: only a list's slices need a copy.)
  const copies = cand.value.kind === 'deque' ? [] : readsToCopy(facts);
  if (!copies) return undefined;
  const title =
    copies.length > 0
      ? `Keep only the last ${n} items: collections.deque(maxlen=${n}), slices read from a list() copy`
      : `Keep only the last ${n} items: collections.deque(maxlen=${n})`;
  const edits: TextEdit[] = [];
  if (cand.value.kind === 'deque') {
    // Already a deque: give it a bound.
    const maxlen = value
      .childForFieldName('arguments')
      ?.namedChildren.find(
        (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'maxlen',
      );
    const maxlenValue = maxlen?.childForFieldName('value');
    if (maxlenValue) edits.push(replaceRange(file, maxlenValue.startIndex, maxlenValue.endIndex, `${n}`));
    else {
      const args = value.childForFieldName('arguments');
      const positional = positionalArguments(value);
      if (args?.type !== 'argument_list' || positional.length > 1) return undefined;
      const close = args.lastChild;
      if (close?.type !== ')') return undefined;
      const last = args.namedChildren.filter((a) => a && a.type !== 'comment').pop();
      edits.push(
        insertAt(file, last ? last.endIndex : close.startIndex, last ? `, maxlen=${n}` : `maxlen=${n}`),
      );
    }
  } else {
    if (cand.value.kind !== 'list') return undefined;
    const imported = ensureMemberImport(file, model, 'collections', 'deque', cand.assignment.startIndex);
    let items = '';
    if (value.type === 'call') {
      const [iterable] = positionalArguments(value);
      items = iterable ? `${iterable.text}, ` : '';
    } else if (!cand.value.empty) items = `${value.text}, `;
    edits.push(...imported.edits);
    const type = cand.assignment.childForFieldName('type');
    const head = type ? annotationHead(type) : undefined;
    if (head && LIST_ANNOTATIONS.has(model.qualifiedName(head) ?? ''))
      edits.push(replaceRange(file, head.startIndex, head.endIndex, imported.name));
    edits.push(replaceRange(file, value.startIndex, value.endIndex, `${imported.name}(${items}maxlen=${n})`));
  }
  // `list` shadowed in this module: the copies would call something else.
  if (copies.length > 0 && model.moduleScope.bindings.has('list')) return undefined;
  for (const read of copies)
    edits.push(replaceRange(file, read.startIndex, read.endIndex, `list(${read.text})`));
  return { title, edits, applicability, isPreferred: true };
}

const LIST_TRIMMABLE = new Set(['.append()', '.extend()', '.insert()', '+=']);
const SET_TRIMMABLE = new Set(['.add()', '.update()', '|=']);

/**
 * The container a growth statement grows, as written there (`_lines`, `self.items`,
 * `_groups["k"]`), when re-evaluating it is harmless (names, attributes, constant subscripts).
 */
function grownReceiver(e: Effect): { stmt: Node; receiver: string; computed?: Node } | undefined {
  const site = e.site;
  let receiver: Node | null | undefined;
  if (site.type === 'call') {
    const fn = site.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    receiver = fn.childForFieldName('object');
  } else if (site.type === 'augmented_assignment') receiver = site.childForFieldName('left');
  const stmt = site.parent;
  if (!receiver || stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return undefined;
  let text = receiver.text;
  // `_groups.setdefault("all", []).append(e)`: the key exists afterwards, `_groups["all"]` is it.
  const setdefault = receiver.type === 'call' ? receiver.childForFieldName('function') : undefined;
  if (setdefault?.type === 'attribute' && setdefault.childForFieldName('attribute')?.text === 'setdefault') {
    const owner = setdefault.childForFieldName('object');
    const [key] = positionalArguments(receiver);
    if (!owner || key?.type !== 'string' || owner.descendantsOfType('call').length > 0) return undefined;
    text = `${owner.text}[${key.text}]`;
  } else if (receiver.descendantsOfType('call').length > 0) {
    // `_buckets[hash(key) % 16].append(v)`: the element is named once, then grown and trimmed.
    if (receiver.type !== 'subscript' || text.includes('\n')) return undefined;
    return { stmt, receiver: text, computed: receiver };
  }
  if (text.includes('\n')) return undefined;
  return { stmt, receiver: text };
}

/** `del x[:-N]`, or `if len(s) > N:` + `s.clear()` (on two lines where the statement has its own line). */
function boundStatement(ctx: RuleContext, grown: { stmt: Node; receiver: string }, isSet: boolean): string {
  const { file } = ctx;
  const n = ctx.settings.cacheMaxsize;
  const x = grown.receiver;
  if (!isSet) return `del ${x}[:-${n}]`;
  if (!isAloneOnItsLines(file, grown.stmt)) return `if len(${x}) > ${n}: ${x}.clear()`;
  const indent = file.indentOf(grown.stmt.startPosition.row);
  const unit = indent.startsWith('\t') ? '\t' : '    ';
  return `if len(${x}) > ${n}:${file.eol}${indent}${unit}${x}.clear()`;
}

/**
 * Where no deque fits (a list that is sorted, a class attribute, lists inside a dict, a set): a
 * bound written after each growth statement — `del x[:-N]` keeps a list's newest N items, and
 * `if len(s) > N: s.clear()` starts a set over. Either drops items code may still look at: unsafe.
 */
function trimFix(ctx: RuleContext, kind: ContainerKind, growth: Effect[], shown: string): Fix | undefined {
  const n = ctx.settings.cacheMaxsize;
  const isSet = kind === 'set';
  if (!isSet && kind !== 'list' && !DICT_KINDS.has(kind)) return undefined;
  const edits: TextEdit[] = [];
  const seen = new Set<number>();
  for (const e of growth) {
    // The last step: `[k].append()` and `.setdefault(…).append()` grow through `.append()`.
    const what = /(\.\w+\(\)|\+=|\|=)$/.exec(e.what)?.[1] ?? e.what;
    const trimmable =
      isSet || (e.kind === 'nested-grow' && SET_TRIMMABLE.has(what)) ? SET_TRIMMABLE : LIST_TRIMMABLE;
    if (!trimmable.has(what)) return undefined;
    const grown = grownReceiver(e);
    if (!grown) return undefined;
    if (seen.has(grown.stmt.id)) continue;
    seen.add(grown.stmt.id);
    if (grown.computed) {
      if (!isAloneOnItsLines(ctx.file, grown.stmt)) return undefined;
      const fn = enclosingFunctionOf(grown.stmt) ?? ctx.file.root;
      const name = freshName(ctx.model, grown.stmt, fn, [isSet ? 'members' : 'items']);
      edits.push(
        insertStatementsBefore(ctx.file, grown.stmt, [`${name} = ${grown.receiver}`]),
        replaceRange(ctx.file, grown.computed.startIndex, grown.computed.endIndex, name),
      );
      grown.receiver = name;
    }
    edits.push(
      insertStatementsAfter(ctx.file, grown.stmt, [boundStatement(ctx, grown, trimmable === SET_TRIMMABLE)]),
    );
  }
  if (edits.length === 0) return undefined;
  return {
    title: isSet
      ? `Start \`${shown}\` over once it holds more than ${n} items`
      : `Trim \`${shown}\` to its newest ${n} items after each addition`,
    edits,
    applicability: 'unsafe',
  };
}

function enclosingFunctionOf(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

/**
 * `heapq.heappush(_heap, x)` with nothing popping: a deque cannot be a heap, so past twice the
 * bound the heap keeps its N smallest items (what `heappop` would give first), sorted — a sorted
 * list is a valid heap. Unsafe: the largest items are dropped.
 */
function heapTrimFix(ctx: RuleContext, growth: Effect[], shown: string): Fix | undefined {
  const { file, model } = ctx;
  const n = ctx.settings.cacheMaxsize;
  const edits: TextEdit[] = [];
  for (const e of growth) {
    const call = e.site;
    const stmt = call.parent;
    if (call.type !== 'call' || stmt?.type !== 'expression_statement' || !isAloneOnItsLines(file, stmt))
      return undefined;
    const qualified = model.calleeName(call);
    if (qualified !== 'heapq.heappush') return undefined;
    const heap = positionalArguments(call)[0];
    if (!heap || heap.descendantsOfType('call').length > 0 || heap.text.includes('\n')) return undefined;
    const fn = call.childForFieldName('function');
    let heapq = fn?.type === 'attribute' ? fn.childForFieldName('object')?.text : undefined;
    if (!heapq) {
      const imported = ensureModuleImport(file, model, 'heapq', topLevelStatement(call).startIndex);
      edits.push(...imported.edits);
      heapq = imported.name;
    }
    const indent = file.indentOf(stmt.startPosition.row);
    const unit = indent.startsWith('\t') ? '\t' : '    ';
    edits.push(
      insertStatementsAfter(file, stmt, [
        `if len(${heap.text}) > ${2 * n}:${file.eol}${indent}${unit}${heap.text}[:] = ${heapq}.nsmallest(${n}, ${heap.text})`,
      ]),
    );
  }
  if (edits.length === 0) return undefined;
  return {
    title: `Keep the ${n} smallest items of \`${shown}\` once it holds more than ${2 * n}`,
    edits,
    applicability: 'unsafe',
  };
}

function checkContainer(ctx: RuleContext, cand: ContainerCandidate): void {
  const { model, file } = ctx;
  const kind = cand.value.kind;
  if (cand.value.bounded) return;
  const { instanceShadowed, facts } = analyzeContainer(model, cand);
  if (instanceShadowed) return;
  if (facts.released || facts.escapes) return;
  let growth: Effect[];
  if (DICT_KINDS.has(kind)) {
    // A dict that gains keys is LEAK001's; here only dicts whose values accumulate.
    if (facts.growth.length > 0 || facts.resets) return;
    growth = facts.nestedGrowth;
  } else {
    // A list created with items is a table that code may extend (`PLUGINS.append(p)`); its
    // elements accumulating (`buckets[i].append(x)`) still count.
    const direct = cand.value.literalItems ? [] : facts.growth;
    growth = [...direct, ...facts.nestedGrowth].sort((a, b) => a.site.startIndex - b.site.startIndex);
  }
  if (growth.length === 0 || onlyCollectsTasks(model, growth)) return;
  const where = listNames(
    growth.map((e) => describeScope(e.access.scope)),
    'more functions',
  );
  const loopOnly = setFilledByItsLoop(model, growth);
  const run = loopOnly ?? growthRun(facts, growth);
  const base =
    cand.level === 'module'
      ? `\`${cand.name}\` grows in ${where} (${whatOf(growth)}) and nothing clears, pops or truncates it: it holds every item for the life of the process`
      : `class attribute \`${cand.className}.${cand.name}\` is shared by all instances and grows in ${where} (${whatOf(growth)}); nothing clears, pops or truncates it`;
  const reportOnce = (kind === 'set' || kind === 'list') && isReportOnce(growth);
  // A set keeps each distinct value once (so does a list appended to only after a `not in` test):
  // when how often the code runs is not known, the count of distinct values added decides its
  // size, and that is the unknown to name.
  const distinct = kind === 'set' || !!loopOnly || (kind === 'list' && growth.every(appendsOnlyNew));
  const unknownRun = !!run && run.frequency !== 'repeated';
  // Neither fact known (how often it runs, how many distinct values come): nothing shows growth,
  // unless the values themselves are traffic (`flow.request.host`), or objects made per use. (As
  // LEAK001 does for keys.) Only a function the project was
  // not read for (a snippet opened alone) keeps its finding, naming the unknown.
  if (
    distinct &&
    unknownRun &&
    !reportOnce &&
    !growth.some((e) => {
      const value = addedNode(e);
      return !!value && (!!perCallKeyEvidence(model, value) || !!objectKeyEvidence(model, value));
    }) &&
    (projectWasRead(model) || growth.every((e) => hasCallersInProject(model, e.site)))
  )
    return;
  const added = distinct && unknownRun ? addedValue(growth) : undefined;
  // Defined under `if C_BENCH:`: it exists only when the configuration turns that mode on.
  const mode = configuredSwitch(model, cand.assignment);
  const message = reportOnce
    ? `${base}; it remembers each value reported once, so it grows only with the number of distinct values reported (usually a handful of names)`
    : mode
      ? `${base}, but only in a mode the configuration turns on: it is defined under \`if ${mode.length <= 40 ? mode : '…'}:\`${run ? ` (${run.reason})` : ''}`
      : added
        ? `${base}; as a set it grows only with the number of distinct ${added} added, which cannot be known here (${run?.reason})`
        : run
          ? `${base} (${run.reason})`
          : base;
  // Sure only when the code that grows it is known to run again and again (in every mode);
  // otherwise how often it runs is the one fact left to other modules: information, naming it.
  const unsure = (!!run && run.frequency !== 'repeated') || !!mode;
  // A maxlen bounds the number of items, not items that grow inside (`buckets[i].append(x)`).
  const canFix =
    cand.level === 'module' && facts.nestedGrowth.length === 0 && (kind === 'deque' || kind === 'list');
  const shown = cand.level === 'module' ? cand.name : `${cand.className}.${cand.name}`;
  const fixes = () => {
    const fix =
      (canFix ? dequeFix(ctx, cand, facts) : undefined) ??
      trimFix(ctx, kind, growth, shown) ??
      heapTrimFix(ctx, growth, shown);
    return fix ? [fix] : [];
  };
  ctx.report({
    range: file.rangeOf(cand.target),
    message,
    severity: reportOnce ? 'hint' : unsure ? 'information' : undefined,
    related: growth
      .slice(0, MAX_RELATED)
      .map((e) => ({ range: file.rangeOf(e.site), message: 'grows here' })),
    fixes,
  });
}

// ---------------------------------------------------------------------------------------------
// Mutable default arguments

/** `acc: list[int]` → `acc: Optional[list[int]]` (or `list[int] | None` under future annotations). */
function optionalAnnotationEdits(ctx: RuleContext, type: Node, fn: Node): TextEdit[] {
  const { file, model } = ctx;
  if (/\bNone\b|Optional\b|\bAny\b/.test(type.text) || type.text === 'object') return [];
  if (hasFutureAnnotations(model)) return [insertAt(file, type.endIndex, ' | None')];
  const top = topLevelStatement(fn);
  const imported = ensureMemberImport(file, model, 'typing', 'Optional', top.startIndex);
  return [
    ...imported.edits,
    insertAt(file, type.startIndex, `${imported.name}[`),
    insertAt(file, type.endIndex, ']'),
  ];
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

function isDocstring(node: Node): boolean {
  return (
    node.type === 'expression_statement' &&
    node.namedChildren.length === 1 &&
    node.namedChildren[0]?.type === 'string'
  );
}

/** `def f(acc=[])` → `def f(acc=None)` + `if acc is None: acc = []` at the top of the body. */
function noneDefaultFix(
  ctx: RuleContext,
  fn: Node,
  param: Node,
  name: string,
  value: Node,
  applicability: Applicability,
): Fix | undefined {
  const { file } = ctx;
  if (value.startPosition.row !== value.endPosition.row) return undefined;
  const body = fn.childForFieldName('body');
  const colon = fn.children.find((c) => c?.type === ':');
  if (!body || !colon) return undefined;
  const children = body.namedChildren.filter((c): c is Node => !!c);
  const first = children.find((c) => c.type !== 'comment');
  if (!first) return undefined;
  // A body on the header line (`def f(a=[]): a.append(1); return a`): it moves to its own line.
  if (first.startPosition.row <= colon.endPosition.row)
    return headerBodyNoneDefault(ctx, fn, param, name, value, body, colon, applicability);
  // Insert before the first line after the docstring (comments there stay with their code).
  const afterRow = isDocstring(first) ? first.endPosition.row : colon.endPosition.row;
  const target = children.find((c) => c.startPosition.row > afterRow);
  if (!target) return undefined;
  const indent = file.indentOf(first.startPosition.row);
  const defIndent = file.indentOf(fn.startPosition.row);
  const unit =
    indent.startsWith(defIndent) && indent.length > defIndent.length
      ? indent.slice(defIndent.length)
      : '    ';
  const lineStart = file.lineStart(target.startPosition.row);
  if (file.text.slice(lineStart, target.startIndex).trim() !== '') return undefined;
  const eol = file.eol;
  const guard = `${indent}if ${name} is None:${eol}${indent}${unit}${name} = ${value.text}${eol}`;
  const edits: TextEdit[] = [replaceRange(file, value.startIndex, value.endIndex, 'None')];
  const type = param.childForFieldName('type');
  if (type) edits.push(...optionalAnnotationEdits(ctx, type, fn));
  edits.push(insertAt(file, lineStart, guard));
  return {
    title: `Default \`${name}\` to None and create a fresh ${value.text} per call`,
    edits,
    applicability,
    isPreferred: true,
  };
}

/** `def f(a=[]): a.append(x); return a` → the guard and the body on lines of their own. */
function headerBodyNoneDefault(
  ctx: RuleContext,
  fn: Node,
  param: Node,
  name: string,
  value: Node,
  body: Node,
  colon: Node,
  applicability: Applicability,
): Fix | undefined {
  const { file } = ctx;
  if (body.endPosition.row !== colon.endPosition.row || param.childForFieldName('type')) return undefined;
  const rest = file.text.slice(body.endIndex, file.lineEnd(body.endPosition.row));
  if (rest.trim() !== '' && !rest.trim().startsWith('#')) return undefined;
  const defIndent = file.indentOf(fn.startPosition.row);
  const unit = defIndent.startsWith('\t') ? '\t' : '    ';
  const indent = `${defIndent}${unit}`;
  const eol = file.eol;
  const text = `${eol}${indent}if ${name} is None:${eol}${indent}${unit}${name} = ${value.text}${eol}${indent}${body.text}`;
  return {
    title: `Default \`${name}\` to None and create a fresh ${value.text} per call`,
    edits: [
      replaceRange(file, value.startIndex, value.endIndex, 'None'),
      replaceRange(file, colon.endIndex, body.endIndex, text),
    ],
    applicability,
    isPreferred: true,
  };
}

/** `walk(child, acc)` inside `walk`: the accumulator is threaded through recursion. */
function isRecursiveCall(site: Node, fnName: string): boolean {
  const callee = site.type === 'call' ? site.childForFieldName('function')?.text : undefined;
  return !!callee && (callee === fnName || callee === `self.${fnName}` || callee === `cls.${fnName}`);
}

function checkMutableDefault(ctx: RuleContext, param: Node): void {
  const { model, file } = ctx;
  const fn = param.parent?.parent;
  if (param.parent?.type !== 'parameters' || fn?.type !== 'function_definition') return;
  // A nested function's defaults are created each time the outer function runs: they live as
  // long as that closure, not the process.
  if (model.scopeOf(fn).isRuntime) return;
  const nameNode = param.childForFieldName('name');
  const value = param.childForFieldName('value');
  if (nameNode?.type !== 'identifier' || !value) return;
  const container = containerValue(model, value);
  if (!container || container.bounded) return;
  const binding = model.scopeFor(fn).lookupLocal(nameNode.text);
  // (The model turns the binding's kind into 'assignment' once the body rebinds it, even with `+=`.)
  if (binding?.sites[0]?.id !== nameNode.id) return;
  const fnName = fn.childForFieldName('name')?.text ?? '?';
  const growth: Effect[] = [];
  // Whether the function reads back what earlier calls stored (`if k in cache`): then the default
  // is a deliberate cross-call memo, and a fresh container per call would change behaviour.
  let observesPastCalls = false;
  // Whether callers get the default back (`return acc`): then they could see earlier calls' items.
  let handedOut = false;
  for (const ref of model.references(binding)) {
    if (ref.node.id === nameNode.id) continue;
    // Rebinding (`acc = list(acc)`) makes later uses refer to something else: stay out of it.
    // `acc += [x]` / `seen |= {x}` mutate the same object in place: they are growth.
    if (ref.context !== 'load' && ref.context !== 'augmented') return;
    for (const e of effectsOf(model, { node: ref.node, scope: ref.scope }, container.kind as ContainerKind)) {
      if (e.kind === 'evict' || e.kind === 'bound') return;
      // A memo of imported objects (`cache[path] = import_string(path)`) is bounded by the code.
      if (e.kind === 'grow' && storesImportedObject(model, e)) continue;
      if (e.kind === 'grow' || e.kind === 'nested-grow') growth.push(e);
      else if (e.kind === 'escape') handedOut = true;
      else if (
        (e.kind === 'read' || e.kind === 'fill-check') &&
        e.what !== 'expression' &&
        !isRecursiveCall(e.site, fnName)
      )
        observesPastCalls = true;
    }
  }
  if (growth.length === 0) return;
  const shown = `${nameNode.text}=${value.text.length <= 20 ? value.text : '…'}`;
  const fixes = () => {
    // A memo across calls: bound it (evict the oldest entry); a caller passing its own dict sees it.
    const fix = observesPastCalls
      ? trimOldestFix({ file, model, maxsize: ctx.settings.cacheMaxsize }, nameNode.text, growth)
      : noneDefaultFix(ctx, fn, param, nameNode.text, value, handedOut ? 'unsafe' : 'safe');
    return fix ? [{ ...fix, isPreferred: true }] : [];
  };
  const message = observesPastCalls
    ? `mutable default \`${shown}\` of \`${fnName}()\` is a cache shared by all calls that grows (${whatOf(growth)}) and is never evicted`
    : `mutable default \`${shown}\` of \`${fnName}()\` is created once and grows on every call (${whatOf(growth)}): it keeps everything ever added`;
  ctx.report({
    range: file.rangeOf(value),
    message,
    related: growth
      .slice(0, MAX_RELATED)
      .map((e) => ({ range: file.rangeOf(e.site), message: 'grows here' })),
    fixes,
  });
}

export const rule: Rule = {
  code: 'LEAK002',
  name: 'global-accumulation',
  defaultSeverity: 'warning',
  summary:
    'Module- or class-level list/set/deque that only ever grows, or a mutable default argument the function mutates',
  fixable: true,
  docs: {
    whatItDoes:
      'Flags module-level lists, sets and `deque()`s without `maxlen` (under any import alias) that run-time code ' +
      '`append`s/`add`s/`extend`s/`insert`s/`+=`s/`|=`s/`heappush`es to while nothing in the module clears, pops, removes, ' +
      'truncates (`del x[:n]`, `x[:] = …`), rebinds or size-checks them; module-level dicts whose values accumulate ' +
      '(`d["k"].append(x)`, `d.setdefault("k", []).append(x)`); class-level containers grown through instances, `cls` ' +
      'or the class name (`self.items.append(x)` where `items = []` is a class attribute never assigned on the instance); ' +
      'and mutable default arguments (`def f(acc=[])`, `={}`, `=set()`) that the function grows.\n\n' +
      'One report per container: a dict that gains new keys (`d[k] = v`, `setdefault(k, …)`, `update`, a `defaultdict` ' +
      "indexed by new keys — including `d.setdefault(k, []).append(x)`) is LEAK001's, and sets or lists of `asyncio` " +
      "tasks are LEAK007's. Stays silent on containers only read at run time, filled at import time (registration " +
      'decorators, helpers only called while the module loads), `deque(maxlen=N)`, containers cleared or truncated ' +
      'anywhere in the module, containers written out with items (configuration tables), containers handed to other ' +
      'code (returned or stored elsewhere), locals, instance attributes assigned in `__init__`, field declarations of ' +
      'dataclasses/Pydantic models, defaults of nested functions (re-created per call) and `__all__`.\n\n' +
      '**When it reports.** Only growth in code that runs again and again counts: route handlers and views, tasks, ' +
      'callbacks, loops, methods, and public functions whose callers are in other modules. Growth at import time or in ' +
      'start-up code (`main()`, `if __name__ == "__main__":`, app factories, command-line option callbacks, management ' +
      'commands, `setup.py`/`conf.py`/docs scripts, a function that runs the event loop until the program stops, ' +
      'daemonizes the process or installs the handler of a daemon signal such as `SIGHUP`) is bounded by that one run; ' +
      'in start-up code only a `while` loop (the ' +
      "program's main loop) repeats, and in a function whose callers are in other modules a `for` loop walks what one " +
      'call was given: only a `while` loop or an `async for` repeats there. A container that refuses an item it ' +
      'already holds (`if x in REGISTRY: raise …`) is filled by declarations, once per item: not growth.\n\n' +
      '**Severity is confidence.** `warning` for a container that code known to run again and again grows and nothing ' +
      'shrinks; `information` when it grows in a public function whose callers are in other modules (how often it ' +
      'runs is decided there, and the message says so) or when it is defined under a module-level switch the ' +
      'configuration turns on (`if C_BENCH:` with `C_BENCH = os.environ.get(...)`, `if settings.DEBUG:`): whether that ' +
      'mode runs in production is not in the code. A set grown by a public function names the values added: their ' +
      'distinct count, not the number of calls, decides its size; so does a list appended to only after a `not in` ' +
      'test, and a set (also one under a key) filled with the variable of the `for` loop around it when the code ' +
      'around that loop does not itself repeat: the loop walks its input, it is not the repetition. When neither is ' +
      'known (how often it runs, how many distinct values come) and the project was indexed (or the project calls ' +
      'the function), nothing shows growth and it is not reported — unless the values are traffic (`flow.request.host`) or ' +
      'objects made per use, as for LEAK001. A mutable default filled only under configured keys ' +
      '(`frames[tf][pair]` for `tf`, `pair` from `self.config`) is a fixed set of slots, not growth. An entry drained ' +
      'through `d.get(k).pop()` or `d.get(k, ()).clear()` counts as shrinking, like `d[k].pop()`. `hint` for a ' +
      'report-once set or list (`if x not in seen: seen.add(x); log.warning(…)`), which grows only with the number of distinct ' +
      'values reported, usually a handful of names. The message says why the code repeats. A function used as a bare ' +
      'decorator (`@add_processor` inside `setup_once()`) is called where the decorated `def` runs.',
    whyIsThisBad:
      'Module globals and class attributes live as long as the process: every item appended to them at run time stays in ' +
      'memory forever, so the service grows with every request. A mutable default argument is created once, when the ' +
      '`def` runs, and shared by every call: items added to it pile up across calls (and leak between callers).\n\n' +
      'The fix turns a module-level list into `collections.deque(maxlen=N)` (N from the `cache-maxsize` setting; an ' +
      'unbounded `deque()` just gets the `maxlen`), which keeps only the newest N items; reads that need a list (a slice, ' +
      '`+` with a list, a comparison, an argument such as `json.dumps(x)`) read a copy, `list(x)[-n:]`. It is **safe** ' +
      'only when no code can see the evicted items: the list is only grown, or read at its tail within the bound ' +
      '(`x[-1]`, `x[-10:]`); otherwise (iteration, `len()`, a reader elsewhere) it is **unsafe**. Where no deque fits (a ' +
      'list that is sorted, a class attribute, lists inside a dict) the **unsafe** fix trims after each addition ' +
      '(`del x[:-N]`), and a set is started over past the bound (`if len(s) > N: s.clear()`). A mutated default becomes ' +
      '`None` plus `if acc is None: acc = []` at the top of the body (after the docstring), with `Optional[...]` added to ' +
      'an annotation: **safe** when the function does not hand the default out, **unsafe** when it returns it (a caller ' +
      'could rely on the items of earlier calls); a body on the `def` line moves to lines of its own. A default the ' +
      'function reads back as a memo (`if key in cache`) is bounded instead, evicting its oldest entry (**unsafe**: a ' +
      'caller may pass its own dict). Lists inside a list of buckets are named and trimmed (**unsafe**). A heap ' +
      '(`heapq.heappush` without a pop) keeps its N smallest items once it holds 2N (**unsafe**: the largest go).',
    example: [
      '_events = []',
      '',
      '',
      'def track(event):',
      '    _events.append(event)',
      '',
      '',
      'def collect(item, acc=[]):',
      '    acc.append(item)',
      '    return acc',
      '',
    ].join('\n'),
    useInstead: [
      'from collections import deque',
      '',
      '_events = deque(maxlen=1024)',
      '',
      '',
      'def track(event):',
      '    _events.append(event)',
      '',
      '',
      'def collect(item, acc=None):',
      '    if acc is None:',
      '        acc = []',
      '    acc.append(item)',
      '    return acc',
      '',
    ].join('\n'),
    references: [
      'https://docs.python.org/3/library/collections.html#collections.deque',
      'https://docs.python.org/3/reference/compound_stmts.html#function-definitions',
    ],
  },
  // The candidates below, by text: a growing module or class container, a container default.
  mayFire: (text) => mayHoldGrowingContainer(text) || mayHaveContainerDefault(text),
  check(ctx) {
    const { model } = ctx;
    for (const cand of moduleContainers(model)) checkContainer(ctx, cand);
    for (const cls of classesWithContainers(model))
      for (const cand of classContainers(model, cls)) checkContainer(ctx, cand);
    for (const param of possibleMutableDefaults(model)) checkMutableDefault(ctx, param);
  },
};
