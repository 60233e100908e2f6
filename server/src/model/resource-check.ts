// The check shared by the resource rules (LEAK004, LEAK006, LEAK008): find the calls that create
// a resource, run the lifecycle analysis on each, and report the leaks with a message naming the
// evidence, related locations and the quick fix. Each rule supplies its factories.
import { type FixPolicy, resourceFix } from '../fixes/resource-fixes';
import type { Node } from '../parser';
import type { Fix, RelatedInfo, RuleContext, Severity } from '../types';
import { runInfoAt } from './execution';
import {
  analyzeLifecycle,
  type Creation,
  describeFunction,
  type Leak,
  type ResourceKind,
  releasedOnEveryPath,
} from './lifecycle';
import type { SemanticModel } from './semantic';
import type { SourceFile } from './source';
import { calledFunction } from './value-flow';

/** What a creating call makes and how to fix its leaks. */
export interface Factory {
  /** How messages name the creating call: `sqlite3.connect()`. */
  label: string;
  kind: ResourceKind;
  fix: FixPolicy;
  /**
   * A fact the finding rests on that the code does not show (`engine` is a SQLAlchemy engine):
   * named in the message, and the finding is reported at `information` at most.
   */
  assumption?: string;
}

export interface ResourceRuleSpec {
  /**
   * The names a creating call's callee can end with (`open`, `connect`, `ThreadPoolExecutor`,
   * `SessionLocal`…). Import aliases of these (`ThreadPoolExecutor as TPE`) are added by the check.
   */
  calleeNames(ctx: RuleContext): Iterable<string>;
  classify(ctx: RuleContext, call: Node): Factory | undefined;
  /** The rule's default severity (what a finding gets unless something below lowers it). */
  defaultSeverity: Severity;
  /** Severity of the milder "released only on the normal path" variant. */
  milderSeverity: Severity;
  /**
   * The severity of a leak of this kind when the rule knows better than its default (a
   * `multiprocessing.Pool` never closed is sure; `open(p).read()` is closed by CPython at once),
   * with the fact that decides it as a clause for the message.
   */
  judge?(leak: Leak, factory: Factory): { severity: Severity; why?: string } | undefined;
  /** Fixes besides the generic one (e.g. `Path(p).read_text()` for `open(p).read()`). */
  extraFixes?(ctx: RuleContext, creation: Creation, leak: Leak, factory: Factory): Fix[];
}

const aliasCache = new WeakMap<SourceFile, Map<string, string>>();

/**
 * Import aliases of the file: alias → the last segment of what it names (`TPE` →
 * `ThreadPoolExecutor` for `from concurrent.futures import ThreadPoolExecutor as TPE`). Found by
 * scanning the text for ` as ` and confirming each hit in the tree (walking every node of a large
 * file costs more), once per file for all resource rules.
 */
function importAliasesOf(file: SourceFile): Map<string, string> {
  let aliases = aliasCache.get(file);
  if (aliases) return aliases;
  aliases = new Map();
  const text = file.text;
  // Searching `as ` and checking the space before is several times faster than searching ` as `
  // (a pattern that starts with a space has a candidate at every space).
  let from = 0;
  for (let as = text.indexOf('as '); as >= 0; as = text.indexOf('as ', from)) {
    if (text.charCodeAt(as - 1) !== 32) {
      from = as + 1;
      continue;
    }
    const at = as - 1; // where ` as ` starts; the next one starts 4 characters on at the earliest
    from = at + 5;
    let start = at + 4;
    while (text[start] === ' ' || text[start] === '\t') start++;
    let end = start;
    while (end < text.length && isNameUnit(text, end)) end++;
    if (end === start) continue;
    let nameEnd = at;
    while (nameEnd > 0 && (text[nameEnd - 1] === ' ' || text[nameEnd - 1] === '\t')) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > 0 && isNameUnit(text, nameStart - 1)) nameStart--;
    if (nameStart === nameEnd) continue;
    const alias = file.root.descendantForIndex(start, end);
    if (alias?.type === 'identifier' && alias.parent?.type === 'aliased_import') {
      aliases.set(text.slice(start, end), text.slice(nameStart, nameEnd));
    }
  }
  aliasCache.set(file, aliases);
  return aliases;
}

const NON_ASCII_NAME_UNIT = /[\p{L}\p{N}_]/u;

/** Whether the UTF-16 code unit at `i` is a letter, digit or `_` (ASCII tested by code: faster). */
export function isNameUnit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return NON_ASCII_NAME_UNIT.test(text[i]);
}

/** Names that imports bind to something whose last segment is in `names` (`from x import A as B` → `B`). */
export function importAliases(file: SourceFile, names: ReadonlySet<string>): string[] {
  return [...importAliasesOf(file)].filter(([, imported]) => names.has(imported)).map(([alias]) => alias);
}

/**
 * The calls whose callee ends with one of `names` (`open(p)`, `sqlite3.connect(p)`), in source
 * order. Found by scanning the text for `name(` and confirming each hit in the tree, so a file
 * pays for the calls that can matter, not for every call it makes.
 */
export function callsNamed(file: SourceFile, names: Iterable<string>): Node[] {
  const unique = [...new Set(names)].filter((n) => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(n));
  if (unique.length === 0) return [];
  const calls: Node[] = [];
  const seen = new Set<number>();
  for (const { at, name } of calledNameOffsets(file, unique)) {
    const id = file.root.descendantForIndex(at, at + name.length);
    if (id?.type !== 'identifier' || id.text !== name) continue;
    let callee: Node = id;
    const parent = id.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) callee = parent;
    const call = callee.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id || seen.has(call.id))
      continue;
    seen.add(call.id);
    calls.push(call);
  }
  return calls;
}

/**
 * Where one of `names` stands right before `(` (whitespace between allowed) and not inside a
 * longer name, in source order.
 */
function calledNameOffsets(file: SourceFile, names: string[]): { at: number; name: string }[] {
  const hits: { at: number; name: string }[] = [];
  // The shared index holds names made of single UTF-16 units; a name with a character outside
  // the BMP is searched on its own (no lookbehind or Unicode mode: a plain alternation of
  // literals scans fastest; the character before a hit is checked by hand).
  const indexed = names.filter((n) => !/[\ud800-\udfff]/.test(n));
  if (indexed.length < names.length) {
    const others = names.filter((n) => !indexed.includes(n));
    const finder = new RegExp(`(?:${others.join('|')})(?=\\s*\\()`, 'g');
    const text = file.text;
    for (let m = finder.exec(text); m; m = finder.exec(text))
      if (!(m.index > 0 && NON_ASCII_NAME_UNIT.test(text[m.index - 1])))
        hits.push({ at: m.index, name: m[0] });
  }
  const index = calledNames(file);
  for (const name of indexed) for (const at of index.get(name) ?? []) hits.push({ at, name });
  return hits.sort((a, b) => a.at - b.at);
}

const calledNamesCache = new WeakMap<SourceFile, Map<string, number[]>>();
const WHITESPACE = /\s/;

/**
 * Every name directly followed by `(` in the file, with its offsets: one pass over the `(`s
 * (a fast native search) instead of one regular-expression pass per resource rule.
 */
function calledNames(file: SourceFile): Map<string, number[]> {
  let index = calledNamesCache.get(file);
  if (index) return index;
  index = new Map();
  const text = file.text;
  for (let paren = text.indexOf('('); paren >= 0; paren = text.indexOf('(', paren + 1)) {
    let end = paren;
    while (end > 0 && isWhitespaceUnit(text, end - 1)) end--;
    let start = end;
    while (start > 0 && isNameUnit(text, start - 1)) start--;
    if (start === end) continue;
    const name = text.slice(start, end);
    const offsets = index.get(name);
    if (offsets) offsets.push(start);
    else index.set(name, [start]);
  }
  calledNamesCache.set(file, index);
  return index;
}

/** `\s` of a regular expression, for the code unit at `i` (ASCII tested by code). */
export function isWhitespaceUnit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  return c > 127 && WHITESPACE.test(text[i]);
}

export function checkResources(ctx: RuleContext, spec: ResourceRuleSpec): void {
  const names = new Set(spec.calleeNames(ctx));
  for (const alias of importAliases(ctx.file, names)) names.add(alias);
  const classify = (call: Node) => spec.classify(ctx, call);
  let helpers = new Map<number, Helper>();
  for (const call of callsNamed(ctx.file, names)) {
    const factory = spec.classify(ctx, call);
    if (!factory) continue;
    const result = analyzeLifecycle(ctx.model, call, factory.kind);
    if (result.state === 'leaked') reportLeak(ctx, spec, factory, result.creation, result.leak);
    else if (result.state === 'handed-on' && result.how === 'returned')
      noteHelper(ctx.model, call, factory, classify, helpers);
  }
  // Calls of functions of this file that return a fresh resource (`def _open_log(n): return
  // open(n, "a")`) create one just as the factory does; a helper of a helper too (a few levels).
  const seen = new Set<number>();
  for (let level = 0; level < 3 && helpers.size > 0; level++) {
    const next = new Map<number, Helper>();
    const byName = new Map<string, Helper[]>();
    for (const h of helpers.values()) byName.set(h.name, [...(byName.get(h.name) ?? []), h]);
    for (const call of callsNamed(ctx.file, byName.keys())) {
      if (seen.has(call.id)) continue;
      seen.add(call.id);
      const target = calledFunction(ctx.model, call);
      const helper = target && helpers.get(target.def.id);
      if (!helper) continue;
      const factory: Factory = { ...helper.factory, label: callLabel(call) };
      const result = analyzeLifecycle(ctx.model, call, factory.kind);
      if (result.state === 'leaked') {
        const related = {
          range: ctx.file.rangeOf(helper.creation),
          message: `\`${helper.name}()\` returns a new ${factory.kind.noun} from \`${helper.factory.label}\``,
        };
        reportLeak(ctx, spec, factory, result.creation, result.leak, [related]);
      } else if (result.state === 'handed-on' && result.how === 'returned') {
        noteHelper(ctx.model, call, factory, (c) => (c.id === call.id ? factory : undefined), next);
      }
    }
    helpers = next;
  }
}

/** A function of this file whose every `return` hands out a fresh resource. */
interface Helper {
  name: string;
  factory: Factory;
  /** The factory call inside it (for related information). */
  creation: Node;
}

/**
 * `call` (a factory call) is returned by its function: remember that function as a helper when
 * it is a plain function (or a method called on `self`), not a generator, not decorated, and
 * every `return` of it hands out a fresh resource: a factory call, or a local name bound only to
 * factory calls.
 */
function noteHelper(
  model: SemanticModel,
  call: Node,
  factory: Factory,
  classify: (call: Node) => Factory | undefined,
  helpers: Map<number, Helper>,
): void {
  let owner = model.scopeOf(call);
  while (owner.kind === 'comprehension' && owner.parent) owner = owner.parent;
  const def = owner.node;
  if (owner.kind !== 'function' || def.type !== 'function_definition' || helpers.has(def.id)) return;
  if (def.parent?.type === 'decorated_definition' || !owner.name) return;
  const inOwner = (n: Node) => model.scopeOf(n) === owner;
  if (def.descendantsOfType('yield').some((y) => !!y && inOwner(y))) return;
  const freshCall = (value: Node | null | undefined): boolean => {
    let v = value;
    while (v?.type === 'parenthesized_expression' || v?.type === 'await') v = v.namedChildren[0];
    return v?.type === 'call' && !!classify(v);
  };
  const freshValue = (value: Node | null | undefined): boolean => {
    if (freshCall(value)) return true;
    if (value?.type !== 'identifier') return false;
    const binding = model.resolve(value);
    if (binding?.scope !== owner || binding.kind !== 'assignment') return false;
    return binding.sites.every((site) => freshCall(model.assignedValue(site)));
  };
  const returns = def.descendantsOfType('return_statement').filter((r): r is Node => !!r && inOwner(r));
  if (returns.length === 0 || !returns.every((r) => freshValue(r.namedChildren[0]))) return;
  helpers.set(def.id, { name: owner.name, factory, creation: call });
}

function reportLeak(
  ctx: RuleContext,
  spec: ResourceRuleSpec,
  factory: Factory,
  creation: Creation,
  leak: Leak,
  extraRelated: RelatedInfo[] = [],
): void {
  const { file, model } = ctx;
  const related: RelatedInfo[] = [
    { range: file.rangeOf(creation.call), message: `${factory.kind.noun} created here` },
    ...extraRelated,
  ];
  // A rule's own fix marked preferred (`Path(p).read_text()`) goes before the generic `with`.
  const fixes = (): Fix[] => {
    const extras = spec.extraFixes?.(ctx, creation, leak, factory) ?? [];
    const generic = resourceFix(
      { file, model, policyOf: (call) => spec.classify(ctx, call)?.fix },
      creation,
      leak,
      factory.fix,
      factory.kind.dataMethods,
      factory.kind,
    );
    const ordered = [
      ...extras.filter((f) => f.isPreferred),
      ...(generic ? [generic] : []),
      ...extras.filter((f) => !f.isPreferred),
    ];
    return ordered.map((f, i) => ({ ...f, isPreferred: i === 0 }));
  };
  const described = describeLeak(ctx, spec, factory, creation, leak, related);
  let message = described.message;
  let severity = described.severity ?? spec.defaultSeverity;
  const judged = described.severity ? undefined : spec.judge?.(leak, factory);
  if (judged) {
    severity = judged.severity;
    if (judged.why) message = `${message}: ${judged.why}`;
  }
  if (factory.assumption) {
    severity = milder(severity, 'information');
    message = `${message}; this assumes ${factory.assumption}`;
  }
  // Code that runs once (`main()`, a management command, `setup.py`) leaks at most once.
  const run = runInfoAt(model, creation.call);
  if (run.frequency === 'one-shot' || run.frequency === 'import-time') {
    severity = 'hint';
    message = `${message} (${run.reason})`;
  }
  ctx.report({ range: file.rangeOf(creation.call), message, related, severity, fixes });
}

function describeLeak(
  ctx: RuleContext,
  spec: ResourceRuleSpec,
  factory: Factory,
  creation: Creation,
  leak: Leak,
  related: RelatedInfo[],
): { message: string; severity?: Severity } {
  const { file } = ctx;
  const kind = factory.kind;
  const where = describeFunction(creation.owner);
  const label = `\`${factory.label}\``;
  const transactionOnly = 'only commits or rolls back the transaction, it does not close the connection';
  switch (leak.kind) {
    case 'never-released': {
      const { named } = leak;
      for (const w of named.withoutRelease)
        related.push({ range: file.rangeOf(w), message: `this \`with\` ${transactionOnly}` });
      const suffix = named.withoutRelease.length > 0 ? `: \`with ${named.name}:\` ${transactionOnly}` : '';
      return { message: `\`${named.name}\` from ${label} is never ${kind.released} in ${where}${suffix}` };
    }
    case 'normal-path-only': {
      const { named } = leak;
      const finishing = named.releases.map((r) => finishingMethod(kind, r.call));
      // Every release sits in a branch (`if strict and proc.wait():`): other paths skip it too.
      const somePaths = !releasedOnEveryPath(ctx.model, named);
      const skipped = somePaths ? 'only on some paths' : 'not if an exception occurs before';
      for (const [i, r] of named.releases.entries())
        related.push({
          range: file.rangeOf(r.call),
          message: finishing[i]
            ? `\`${finishing[i]}()\` gives back what it holds here, but ${skipped}`
            : `${kind.released} here, but ${skipped}`,
        });
      const when = somePaths ? 'only on some paths' : 'only if no exception occurs first';
      if (finishing.every((m) => !!m)) {
        return {
          message: `\`${named.name}\` from ${label} is never ${kind.released} in ${where}; \`${finishing[0]}()\` gives back its connection ${when}: ${kind.releaseIt} in \`finally\` or use \`with\``,
          severity: spec.milderSeverity,
        };
      }
      // Released only by reading it to the end (`resp.read()`, `for line in resp`): say so, not "closed".
      const released = named.releases.every((r) => readsItToEnd(kind, r.call))
        ? `read to the end (which ${kind.releaseIt.replace(/ it$/, 's it')})`
        : kind.released;
      return {
        message: `\`${named.name}\` from ${label} is ${released} in ${where} ${when}: ${kind.releaseIt} in \`finally\` or use \`with\``,
        severity: spec.milderSeverity,
      };
    }
    case 'released-after-yield': {
      const { named } = leak;
      related.push({
        range: file.rangeOf(leak.yieldNode),
        message: 'an exception thrown in here skips the release',
      });
      return {
        message: `\`${named.name}\` from ${label} is ${kind.released} after \`yield\` in ${where} but not in \`finally\`: an exception raised at the \`yield\` skips it`,
        severity: spec.milderSeverity,
      };
    }
    case 'yielded-never-released': {
      const { named } = leak;
      related.push({ range: file.rangeOf(leak.yieldNode), message: 'yielded here' });
      return {
        message: `\`${named.name}\` from ${label} is yielded by ${where} and never ${kind.released} after the \`yield\``,
      };
    }
    case 'with-no-release': {
      const withStatement = leak.withItem.parent?.parent ?? leak.withItem;
      related.push({ range: file.rangeOf(withStatement), message: `this \`with\` ${transactionOnly}` });
      const what = leak.named ? `\`${leak.named.name}\`` : `the ${kind.noun}`;
      return {
        message: `\`with ${factory.label}\` only commits or rolls back the transaction: it does not close ${what}, which is never closed in ${where}`,
      };
    }
    case 'chained':
      return {
        message: `The ${kind.noun} from ${label} is used once (\`.${leak.method}()\`) and never ${kind.released} in ${where}`,
      };
    case 'iterated':
      return {
        message: `The ${kind.noun} from ${label} is iterated once and never ${kind.released} in ${where}`,
      };
    case 'consumed': {
      const callee = leak.consumer.childForFieldName('function');
      const name = callee ? shortText(callee.text) : 'a call';
      return {
        message: `The ${kind.noun} from ${label} is passed to \`${name}()\` and never ${kind.released} in ${where}`,
      };
    }
    case 'discarded':
      return {
        message: `The ${kind.noun} from ${label} is discarded without being ${kind.released} in ${where}`,
      };
    case 'owner-never-releases':
      return {
        message: `\`self.${leak.attribute}\` from ${label} is never ${kind.released}: \`${leak.className}\` has no method that could ${kind.release} it (no \`close()\`, \`__exit__\` or \`__del__\`); ${leak.made}`,
      };
    case 'attribute-not-released': {
      const teardownName = leak.teardown.childForFieldName('name')?.text ?? 'teardown';
      const nameNode = leak.teardown.childForFieldName('name') ?? leak.teardown;
      related.push({
        range: file.rangeOf(nameNode),
        message: `\`${teardownName}()\` does not ${kind.releaseIt}`,
      });
      return {
        message: `\`self.${leak.attribute}\` from ${label} is never ${kind.released}: \`${leak.className}.${teardownName}()\` does not ${kind.releaseIt}`,
      };
    }
  }
}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, information: 1, hint: 0 };

/** The milder of two severities. */
function milder(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

/** For a release that is a finishing call (`session.commit()`), the method's name. */
function finishingMethod(kind: ResourceKind, call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  return method && kind.finishingMethods?.has(method) && !kind.releaseMethods.has(method)
    ? method
    : undefined;
}

/** A release of a read-to-end kind that reads rather than closes: `resp.read()`, `for line in resp:`. */
function readsItToEnd(kind: ResourceKind, call: Node): boolean {
  if (!kind.readToEndReleases) return false;
  if (call.type === 'for_statement' || call.type === 'for_in_clause') return true;
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  return method === 'read' || method === 'readlines';
}

function shortText(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= 60 ? oneLine : `…${oneLine.slice(-59)}`;
}

/** How a message names a creating call: the callee as written (`sq.connect()`, `Path(p).open()`). */
export function callLabel(call: Node): string {
  const render = (node: Node | null, depth: number): string => {
    if (!node || depth > 8) return '…';
    switch (node.type) {
      case 'identifier':
        return node.text;
      case 'attribute':
        return `${render(node.childForFieldName('object'), depth + 1)}.${node.childForFieldName('attribute')?.text ?? ''}`;
      case 'call': {
        const args = node.childForFieldName('arguments')?.text ?? '()';
        return `${render(node.childForFieldName('function'), depth + 1)}${args.length <= 14 && !args.includes('\n') ? args : '(…)'}`;
      }
      default:
        return '…';
    }
  };
  return `${shortText(render(call.childForFieldName('function'), 0))}()`;
}
