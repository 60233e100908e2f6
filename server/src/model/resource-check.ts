// The check shared by the resource rules (LEAK004, LEAK006, LEAK008): find the calls that create
// a resource, run the lifecycle analysis on each, and report the leaks with a message naming the
// evidence, related locations and the quick fix. Each rule supplies its factories.
import { type FixPolicy, resourceFix } from '../fixes/resource-fixes';
import type { Node } from '../parser';
import type { Fix, RelatedInfo, RuleContext, Severity } from '../types';
import { analyzeLifecycle, type Creation, describeFunction, type Leak, type ResourceKind } from './lifecycle';
import type { SourceFile } from './source';

/** What a creating call makes and how to fix its leaks. */
export interface Factory {
  /** How messages name the creating call: `sqlite3.connect()`. */
  label: string;
  kind: ResourceKind;
  fix: FixPolicy;
}

export interface ResourceRuleSpec {
  /** Whether the file's text can hold a candidate at all: false skips it without walking the tree. */
  mayContain(ctx: RuleContext): boolean;
  /**
   * Whether to look only at calls whose callee starts with an imported name (or `extraRoots`):
   * cheap, and right for every factory reached through an import. Rules whose factories can hang
   * off local variables (`engine.connect()`, `SessionLocal()`) return false when the file has some.
   */
  onlyImportedRoots(ctx: RuleContext): boolean;
  /** Builtin roots to look at besides imported names (`open`). */
  extraRoots?: ReadonlySet<string>;
  classify(ctx: RuleContext, call: Node): Factory | undefined;
  /** Severity of the milder "released only on the normal path" variant. */
  milderSeverity: Severity;
  /** Fixes besides the generic one (e.g. `Path(p).read_text()` for `open(p).read()`). */
  extraFixes?(ctx: RuleContext, creation: Creation, leak: Leak, factory: Factory): Fix[];
}

const callCache = new WeakMap<SourceFile, Node[]>();

/** Every call in the file, in source order (cached: the three resource rules share it). */
export function callsOf(file: SourceFile): Node[] {
  let calls = callCache.get(file);
  if (!calls) {
    calls = file.root.descendantsOfType('call').filter((c): c is Node => !!c);
    callCache.set(file, calls);
  }
  return calls;
}

const importCache = new WeakMap<SourceFile, Set<string>>();

/** Names bound by import statements anywhere in the file (`sqlite3`, `TPE`, `hx`). */
export function importedNames(file: SourceFile): Set<string> {
  let names = importCache.get(file);
  if (!names) {
    names = new Set();
    for (const stmt of file.root.descendantsOfType(['import_statement', 'import_from_statement'])) {
      if (!stmt) continue;
      for (const name of stmt.childrenForFieldName('name')) {
        if (!name) continue;
        const bound = name.type === 'aliased_import' ? name.childForFieldName('alias') : name.namedChildren[stmt.type === 'import_statement' ? 0 : name.namedChildCount - 1];
        if (bound) names.add(bound.text);
      }
    }
    importCache.set(file, names);
  }
  return names;
}

/** The identifier a callee expression starts from: `sqlite3` in `sqlite3.connect`, `Path` in `Path(p).open`. */
export function calleeRoot(call: Node): string {
  let node: Node | null = call.childForFieldName('function');
  for (let i = 0; node && i < 32; i++) {
    if (node.type === 'identifier') return node.text;
    if (node.type === 'attribute') node = node.childForFieldName('object');
    else if (node.type === 'call') node = node.childForFieldName('function');
    else if (node.type === 'parenthesized_expression' || node.type === 'await') node = node.namedChildren[0];
    else if (node.type === 'binary_operator') node = node.childForFieldName('left');
    else return '';
  }
  return '';
}

export function checkResources(ctx: RuleContext, spec: ResourceRuleSpec): void {
  if (!spec.mayContain(ctx)) return;
  const roots = spec.onlyImportedRoots(ctx) ? importedNames(ctx.file) : undefined;
  for (const call of callsOf(ctx.file)) {
    if (roots) {
      const root = calleeRoot(call);
      if (!roots.has(root) && !spec.extraRoots?.has(root)) continue;
    }
    const factory = spec.classify(ctx, call);
    if (!factory) continue;
    const result = analyzeLifecycle(ctx.model, call, factory.kind);
    if (result.state !== 'leaked') continue;
    reportLeak(ctx, spec, factory, result.creation, result.leak);
  }
}

function reportLeak(ctx: RuleContext, spec: ResourceRuleSpec, factory: Factory, creation: Creation, leak: Leak): void {
  const { file, model } = ctx;
  const related: RelatedInfo[] = [{ range: file.rangeOf(creation.call), message: `${factory.kind.noun} created here` }];
  // A rule's own fix marked preferred (`Path(p).read_text()`) goes before the generic `with`.
  const extras = spec.extraFixes?.(ctx, creation, leak, factory) ?? [];
  const generic = resourceFix({ file, model }, creation, leak, factory.fix, factory.kind.dataMethods);
  const ordered = [...extras.filter((f) => f.isPreferred), ...(generic ? [generic] : []), ...extras.filter((f) => !f.isPreferred)];
  const fixes: Fix[] = ordered.map((f, i) => ({ ...f, isPreferred: i === 0 }));
  const { message, severity } = describeLeak(ctx, spec, factory, creation, leak, related);
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
  const { file, model } = ctx;
  const kind = factory.kind;
  const where = describeFunction(creation.owner);
  const label = `\`${factory.label}\``;
  const transactionOnly = 'only commits or rolls back the transaction, it does not close the connection';
  switch (leak.kind) {
    case 'never-released': {
      const { named } = leak;
      for (const w of named.withoutRelease) related.push({ range: file.rangeOf(w), message: `this \`with\` ${transactionOnly}` });
      const suffix = named.withoutRelease.length > 0 ? `: \`with ${named.name}:\` ${transactionOnly}` : '';
      return { message: `\`${named.name}\` from ${label} is never ${kind.released} in ${where}${suffix}` };
    }
    case 'normal-path-only': {
      const { named } = leak;
      for (const r of named.releases) related.push({ range: file.rangeOf(r.call), message: `${kind.released} here, but not if an exception occurs before` });
      return {
        message: `\`${named.name}\` from ${label} is ${kind.released} in ${where} only if no exception occurs first: ${kind.release} it in \`finally\` or use \`with\``,
        severity: spec.milderSeverity,
      };
    }
    case 'released-after-yield': {
      const { named } = leak;
      related.push({ range: file.rangeOf(leak.yieldNode), message: 'an exception thrown in here skips the release' });
      return {
        message: `\`${named.name}\` from ${label} is ${kind.released} after \`yield\` in ${where} but not in \`finally\`: an exception raised at the \`yield\` skips it`,
      };
    }
    case 'yielded-never-released': {
      const { named } = leak;
      related.push({ range: file.rangeOf(leak.yieldNode), message: 'yielded here' });
      return { message: `\`${named.name}\` from ${label} is yielded by ${where} and never ${kind.released} after the \`yield\`` };
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
      return { message: `the ${kind.noun} from ${label} is used once (\`.${leak.method}()\`) and never ${kind.released} in ${where}` };
    case 'consumed': {
      const callee = leak.consumer.childForFieldName('function');
      const name = callee ? shortText(callee.text) : 'a call';
      return { message: `the ${kind.noun} from ${label} is passed to \`${name}()\` and never ${kind.released} in ${where}` };
    }
    case 'discarded':
      return { message: `the ${kind.noun} from ${label} is discarded without being ${kind.released} in ${where}` };
    case 'attribute-not-released': {
      const teardownName = leak.teardown.childForFieldName('name')?.text ?? 'teardown';
      const nameNode = leak.teardown.childForFieldName('name') ?? leak.teardown;
      related.push({ range: file.rangeOf(nameNode), message: `\`${teardownName}()\` does not ${kind.release} \`self.${leak.attribute}\`` });
      void model;
      return {
        message: `\`self.${leak.attribute}\` from ${label} is never ${kind.released}: \`${leak.className}.${teardownName}()\` does not ${kind.release} it`,
      };
    }
  }
}

function shortText(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= 40 ? oneLine : `…${oneLine.slice(-39)}`;
}

/** How a message names a creating call: the callee as written (`sq.connect()`), shortened. */
export function callLabel(call: Node): string {
  const fn = call.childForFieldName('function');
  return `${shortText(fn?.text ?? 'call')}()`;
}
