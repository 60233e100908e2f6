// LEAK001 unbounded-cache: module- and class-level dicts that gain keys at run time and never lose
// any, and `functools` caches without a bound (on instance methods they also keep every `self`).

import {
  forgetDoneTasksFix,
  readWithoutInsertingFix,
  trimOldestFix,
  weakValuesFix,
} from '../fixes/dict-bounds';
import { replaceRange } from '../fixes/edits';
import { ensureMemberImport } from '../fixes/imports';
import { insertStatementsAfter, isAloneOnItsLines } from '../fixes/statements';
import {
  dictKeyType,
  dictTypeArguments,
  isBoundedParameter,
  isBoundedType,
  isEnumClass,
} from '../model/bounded';
import { mayHaveCacheDecorator, possibleCacheDecorators } from '../model/candidates';
import { isConstantKey } from '../model/container-effects';
import {
  analyzeContainer,
  annotationHead,
  type ContainerCandidate,
  type ContainerFacts,
  classContainers,
  classesWithContainers,
  DICT_KINDS,
  describeScope,
  growthRun,
  listNames,
  mayHoldGrowingContainer,
  moduleContainers,
  writerOf,
} from '../model/containers';
import { entryInputEvidence } from '../model/entry-input';
import {
  hasCallersInProject,
  instantiationOf,
  isOneShotFile,
  projectWasRead,
  runInfoAt,
} from '../model/execution';
import { identifiersNamed } from '../model/find-names';
import { onlyConstantsReach } from '../model/forwarded-arguments';
import { functionChain, runsAtImportTime } from '../model/import-time';
import { configuredKeySubjects, objectKeyEvidence, perCallKeyEvidence } from '../model/key-domain';
import { isSetUpName, isUndoName } from '../model/lifetimes';
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import {
  ancestor,
  decoratorsOf,
  keywordArgument,
  positionalArguments,
  unparenthesizedParent,
} from '../model/usage';
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext, TextEdit } from '../types';

const MAX_RELATED = 10;

/** Annotations we can re-head to the TTLCache type (`dict[str, User]` → `TTLCache[str, User]`). */
const DICT_ANNOTATIONS = new Set([
  'builtins.dict',
  'typing.Dict',
  'collections.OrderedDict',
  'typing.OrderedDict',
]);

/**
 * Whether entries evicted by a TTLCache would go unnoticed: every function that reads the dict
 * also writes it (the read-through memo: look up, compute on a miss, store), so a lost entry is
 * computed again. A read elsewhere (a getter, a `len()` for stats) could see it gone.
 */
export function isReadThroughMemo(model: SemanticModel, facts: ContainerFacts): boolean {
  const writers = new Set(facts.growth.map((e) => writerOf(e.access.scope)));
  if (facts.growth.some((e) => holdsStatefulValue(model, e))) return false;
  if (facts.effects.some((e) => usedAsContextManager(e.access.node))) return false;
  return facts.effects.every(
    (e) =>
      (e.kind !== 'read' && e.kind !== 'fill-check') ||
      e.what === 'definition' ||
      writers.has(writerOf(e.access.scope)),
  );
}

/**
 * A public name (`schemas`, `Cls.cache`) can be read by other modules (`mod.schemas`), which the
 * engine does not follow: an entry evicted here could be missing there, so no bound is safe.
 */
function readableElsewhere(cand: ContainerCandidate): boolean {
  return !cand.name.split('.').pop()?.startsWith('_');
}

/**
 * A dict that is not a cache, so that no bound keeps the code correct: a registry that other
 * modules of the project import by name (a loader or a hook they look up must stay), or a record
 * of failures written in an `except` handler (a deny-list: an evicted entry re-allows what the
 * code refuses to retry). A TTL or an eviction would make entries vanish that nothing recomputes.
 */
function notACache(model: SemanticModel, cand: ContainerCandidate, facts: ContainerFacts): boolean {
  const path = model.file.path;
  if (cand.level === 'module' && path && model.file.project?.dictImportedElsewhere(cand.name, path))
    return true;
  if (facts.growth.some((e) => !!ancestor(e.site, 'except_clause'))) return true;
  // Filled only by set-up steps (`__init__`, `register_type()`) — and written back by undo steps
  // (`close()` taking an object's hooks out) — and looked up without being filled again: things
  // register themselves there, and nothing would register them again.
  const bySetUp = facts.growth.every((e) => {
    const name = functionChain(e.access.scope)[0]?.name ?? '';
    return name === '__init__' || isSetUpName(name) || isUndoName(name);
  });
  const readHere = facts.effects.some(
    (e) => (e.kind === 'read' || e.kind === 'fill-check') && e.what !== 'definition',
  );
  return bySetUp && (!readHere || !isReadThroughMemo(model, facts));
}

/** Whether the module already imports cachetools (so the project depends on it). */
function importsCachetools(model: SemanticModel): boolean {
  model.moduleScope.ensureCollected();
  for (const b of model.moduleScope.bindings.values())
    if (b.kind === 'import' && /^cachetools(\.|$)/.test(b.qualifiedName ?? '')) return true;
  return false;
}

/**
 * Objects whose identity matters: a lock, a queue, a task. A second one made after an eviction is
 * not the same value again (a lock held by one caller would not stop the next).
 */
const STATEFUL_VALUE =
  /^(Lock|RLock|Semaphore|BoundedSemaphore|Event|Condition|Barrier|Queue|LifoQueue|PriorityQueue|SimpleQueue|JoinableQueue|Future|Task|create_task|ensure_future|Session|ClientSession|connect)$/;

/** `asyncio.Lock()`, `create_task(…)`, or a local name bound only to such calls. */
function isStatefulExpression(
  model: SemanticModel,
  expr: Node | null | undefined,
  depth = 0,
  pattern = STATEFUL_VALUE,
): boolean {
  let value = expr;
  while (value?.type === 'await') value = value.namedChildren[0];
  if (value?.type === 'identifier' && depth < 2) {
    const binding = model.resolve(value);
    if (!binding || binding.scope === model.moduleScope || binding.sites.length === 0) return false;
    return binding.sites.every((s) =>
      isStatefulExpression(model, model.assignedValue(s), depth + 1, pattern),
    );
  }
  if (value?.type !== 'call') return false;
  const callee = value.childForFieldName('function');
  const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
  return !!name && pattern.test(name);
}

const TASK_VALUE = /^(Future|Task|create_task|ensure_future)$/;

const TASK_TYPE = /\b(Task|Future)\b/;

/**
 * The dict holds tasks (or futures) as values: by its annotation, or by what its writes store.
 * (`dict[Task, Info]` is keyed by tasks: see keyedByTasks.)
 */
function holdsTasks(model: SemanticModel, cand: ContainerCandidate, facts: ContainerFacts): boolean {
  const type = cand.assignment.childForFieldName('type');
  if (type) {
    const args = dictTypeArguments(type);
    return TASK_TYPE.test(args ? args[1].text : type.text);
  }
  return facts.growth.some(
    (e) =>
      e.site.type === 'assignment' &&
      isStatefulExpression(model, e.site.childForFieldName('right'), 0, TASK_VALUE),
  );
}

/** `dict[asyncio.Task, Info]`: an entry per task, which can remove itself when the task is done. */
function keyedByTasks(cand: ContainerCandidate): boolean {
  const type = cand.assignment.childForFieldName('type');
  const args = type ? dictTypeArguments(type) : undefined;
  return !!args && TASK_TYPE.test(args[0].text) && !TASK_TYPE.test(args[1].text);
}

/**
 * Locks, queues and tasks: no bound keeps the code correct (an evicted lock made again would not
 * exclude the holder of the first), but tasks can remove themselves when done and locks can be
 * held weakly; both unsafe.
 */
function statefulFixes(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix[] {
  const dictCtx = { file: ctx.file, model: ctx.model, maxsize: ctx.settings.cacheMaxsize };
  const fix = holdsTasks(ctx.model, cand, facts)
    ? forgetDoneTasksFix(dictCtx, cand, facts)
    : keyedByTasks(cand)
      ? forgetDoneTasksFix(dictCtx, cand, facts, 'key')
      : weakValuesFix(dictCtx, cand, facts);
  return fix ? [fix] : [];
}

/** A dict the TTLCache cannot replace (defaultdict, dict-only API): evict the oldest entries, unsafe. */
function otherDictFixes(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix[] {
  if (annotatedStateful(cand) || facts.growth.some((e) => holdsStatefulValue(ctx.model, e)))
    return statefulFixes(ctx, cand, facts);
  if (!DICT_KINDS.has(cand.value.kind)) return [];
  const dictCtx = { file: ctx.file, model: ctx.model, maxsize: ctx.settings.cacheMaxsize };
  const reads = readWithoutInsertingFix(dictCtx, cand, facts);
  if (reads) return [reads];
  const fix = trimOldestFix(dictCtx, cand.name, facts.growth);
  return fix ? [{ ...fix, isPreferred: true }] : [];
}

/**
 * Another module's dict grown here: the fix bounds it where this module writes it (the oldest
 * entry goes), leaving the defining module alone.
 */
function importedDictFixes(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix[] {
  const dictCtx = { file: ctx.file, model: ctx.model, maxsize: ctx.settings.cacheMaxsize };
  const fix = trimOldestFix(dictCtx, cand.name, facts.growth);
  return fix ? [{ ...fix, isPreferred: true }] : [];
}

/**
 * Dicts of other modules of the project that this module takes by name (`from pkg.cache import
 * _users`), when the project is indexed and the defining module never empties them: a cache
 * filled here lives in that module for the life of the process.
 */
function importedDicts(model: SemanticModel): ContainerCandidate[] {
  const project = model.file.project;
  const path = model.file.path;
  if (!project || !path) return [];
  const found: ContainerCandidate[] = [];
  for (const stmt of model.file.root.namedChildren) {
    if (stmt?.type !== 'import_from_statement') continue;
    const module = stmt.childForFieldName('module_name')?.text;
    if (!module) continue;
    for (const imported of stmt.childrenForFieldName('name')) {
      const nameNode = imported?.type === 'aliased_import' ? imported.childForFieldName('name') : imported;
      const local = imported?.type === 'aliased_import' ? imported.childForFieldName('alias') : imported;
      if (nameNode?.type !== 'dotted_name' || !local) continue;
      const target = local.type === 'dotted_name' ? local.namedChildren[0] : local;
      const binding = target ? model.moduleScope.lookupLocal(target.text) : undefined;
      if (!target || binding?.kind !== 'import' || binding.sites.length !== 1) continue;
      const definedIn = project.importedDict(path, module, nameNode.text);
      if (!definedIn) continue;
      found.push({
        name: target.text,
        level: 'module',
        binding,
        target,
        assignment: stmt,
        value: { kind: 'dict', node: target, empty: true, literalItems: false, bounded: false },
        definedIn,
      });
    }
  }
  return found;
}

/** The value a growth stores (`d[k] = value`, `d.setdefault(k, value)`) is such an object. */
function holdsStatefulValue(model: SemanticModel, e: { site: Node }): boolean {
  const site = e.site;
  if (site.type === 'assignment') return isStatefulExpression(model, site.childForFieldName('right'));
  if (site.type === 'call') return isStatefulExpression(model, positionalArguments(site)[1]);
  return false;
}

/** `dict[str, asyncio.Lock]`: the annotation says the values are such objects. */
function annotatedStateful(cand: ContainerCandidate): boolean {
  const type = cand.assignment.childForFieldName('type');
  return !!type && /\b(Lock|RLock|Semaphore|Event|Condition|Queue|Task|Future)\b/.test(type.text);
}

/** `with d[k]:` / `async with d[k]:` — the entry is used for its state, not as a value. */
function usedAsContextManager(node: Node): boolean {
  let n: Node | null = node.parent;
  if (n?.type === 'subscript') n = n.parent;
  while (n?.type === 'parenthesized_expression') n = n.parent;
  return n?.type === 'with_item' || n?.type === 'as_pattern';
}

function ttlCacheFix(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix {
  const { file, model, settings } = ctx;
  const imported = ensureMemberImport(file, model, 'cachetools', 'TTLCache', cand.assignment.startIndex);
  const edits: TextEdit[] = [...imported.edits];
  const type = cand.assignment.childForFieldName('type');
  const head = type ? annotationHead(type) : undefined;
  if (head && DICT_ANNOTATIONS.has(model.qualifiedName(head) ?? '')) {
    edits.push(replaceRange(file, head.startIndex, head.endIndex, imported.name));
  }
  const value = cand.value.node;
  edits.push(
    replaceRange(
      file,
      value.startIndex,
      value.endIndex,
      `${imported.name}(maxsize=${settings.cacheMaxsize}, ttl=${settings.cacheTtlSeconds})`,
    ),
  );
  return {
    title: `Replace with cachetools.TTLCache(maxsize=${settings.cacheMaxsize}, ttl=${settings.cacheTtlSeconds})`,
    edits,
    // Safe only where nothing can tell: a read-through memo, in a module that already uses
    // cachetools (elsewhere the import adds a dependency the project may not have).
    applicability:
      isReadThroughMemo(ctx.model, facts) && importsCachetools(model) && !readableElsewhere(cand)
        ? 'safe'
        : 'unsafe',
    isPreferred: true,
  };
}

function checkContainer(ctx: RuleContext, cand: ContainerCandidate): void {
  const { model, file } = ctx;
  // A dict created with items is a lookup table that code may extend (`add_charset()`), not a
  // cache: caches start empty.
  if (!DICT_KINDS.has(cand.value.kind) || cand.value.literalItems) return;
  // `dict[Source, type[Connector]]` with an enum (or bool, Literal, class) key: one entry per member.
  const annotation = cand.assignment.childForFieldName('type');
  const keyType = annotation ? dictKeyType(annotation) : undefined;
  if (keyType && isBoundedType(model, keyType)) return;
  const { instanceShadowed, facts } = analyzeContainer(model, cand);
  if (instanceShadowed) return;
  if (facts.growth.length === 0 || facts.released || facts.escapes) return;
  const writers = listNames(
    facts.growth.map((e) => describeScope(e.access.scope)),
    'more functions',
  );
  const run = growthRun(facts, facts.growth);
  // Sure only when the writer is known to run again and again; otherwise how often it runs (and
  // with how many keys) is the one fact left to other modules: information, naming it.
  const unsure = !!run && run.frequency !== 'repeated';
  // Code that runs per request grows the dict only if its key changes with the traffic: sure when
  // the key reads the request or names a record made by traffic (`user_id`); otherwise the key's
  // domain (a model name, a configured bot, a base URL?) is the unknown: information, naming it.
  const keys = growthKeys(facts.growth);
  const unknownDomain = !unsure && !!run && !keys.some((k) => perCallKeyEvidence(model, k));
  // A key made only of names of configured things (`model_name`, `(tenant_id, bot_id)`) takes
  // one value per model, tenant or bot set up: harmless in practice, a hint that says so.
  const subjects = unsure || unknownDomain ? configuredSubjects(model, keys) : undefined;
  // Neither how often the code runs nor what the keys range over is known, though the project's
  // own callers were read (a registry filled at plugin load, a memo its callers feed with
  // configured names): nothing shows growth, so nothing is reported. The key alone can show it:
  // traffic (`user_id`, `flow.request.host`) or objects made per use (`connection`). A function
  // nobody in the project calls is an API for unseen callers: reported, naming that unknown.
  //
  // Where one of the two is unknown, the finding needs positive evidence that the keys come with
  // the work the process does: the key names traffic or an object made per use, or it is (part
  // of) an argument of a handler, task or callback, followed through this module's calls
  // (`_render(url)` called with a task's `image_url`). Without it (a memo keyed by a schema's
  // `repr()`, a table keyed by configured servers, a registry filled by a hook the framework calls
  // at start-up) the keys are as likely a fixed set as traffic: not reported. Only a function the
  // project was not read for (a snippet opened alone) keeps its finding, naming the unknown.
  // (The arguments of a handler count only where the writer is known to run again and again.)
  if (
    (unsure || unknownDomain) &&
    !subjects &&
    !keys.some(
      (k) =>
        perCallKeyEvidence(model, k) ||
        objectKeyEvidence(model, k) ||
        (unknownDomain && entryInputEvidence(model, k)),
    ) &&
    (unknownDomain || projectWasRead(model) || facts.growth.every((e) => hasCallersInProject(model, e.site)))
  )
    return;
  // For a keyed cache the count of distinct keys decides growth, not the count of calls: an
  // unsure finding names the key, then why the code's frequency is not known.
  const key = unsure || unknownDomain ? keyText(model, facts.growth) : undefined;
  const named = key ? `\`${key}\`` : 'key';
  const kept = subjects
    ? `it keeps an entry for every distinct ${named} for the life of the process, one per configured ${subjects.join(' and ')}: it grows only as those are set up, harmless in practice unless they are made at run time`
    : unsure
      ? `it keeps an entry for every distinct ${named} it is given for the life of the process, and how many distinct values its callers pass cannot be known here`
      : unknownDomain
        ? `it keeps an entry for every distinct ${named} for the life of the process, and whether its values come with the traffic or from a few configured ones cannot be known here`
        : 'it keeps every key for the life of the process';
  const owner = cand.definedIn
    ? ` (a module-level dict of ${cand.definedIn.replace(/\\/g, '/').split('/').slice(-2).join('/')})`
    : '';
  const base =
    cand.level === 'module'
      ? `\`${cand.name}\`${owner} is written in ${writers} and never evicted: ${kept}`
      : `class-level dict \`${cand.className}.${cand.name}\` is written in ${writers} and never evicted: shared by all instances, ${kept}`;
  const message = run ? `${base} (${run.reason})` : base;
  // TTLCache keeps behaviour only for an empty plain dict / OrderedDict used through the Mapping
  // API: a defaultdict's auto-created values would be lost, and TTLCache takes no initial items.
  const fixable =
    (cand.value.kind === 'dict' || cand.value.kind === 'ordereddict') &&
    cand.value.empty &&
    facts.ttlCompatible;
  ctx.report({
    range: file.rangeOf(cand.target),
    message,
    severity: subjects ? 'hint' : unsure || unknownDomain ? 'information' : undefined,
    related: facts.growth
      .slice(0, MAX_RELATED)
      .map((e) => ({ range: file.rangeOf(e.site), message: 'written here' })),
    fixes: () =>
      cand.definedIn
        ? importedDictFixes(ctx, cand, facts)
        : fixable
          ? cacheFixes(ctx, cand, facts)
          : otherDictFixes(ctx, cand, facts),
  });
}

/**
 * A function whose parameters all have defaults and whose every call, in this module and (the
 * project being indexed) in the others, passes no argument: it sees one set of arguments.
 */
function calledOnlyWithDefaults(model: SemanticModel, fn: Node, params: Node[]): boolean {
  const project = model.file.project;
  const name = fn.childForFieldName('name');
  if (!project || !name || params.length === 0) return false;
  if (!params.every((p) => p.type === 'default_parameter' || p.type === 'typed_default_parameter'))
    return false;
  const binding = model.resolve(name);
  if (binding?.kind !== 'function') return false;
  const uses = model.references(binding).filter((r) => r.context === 'load');
  const calledHere = uses.every((r) => {
    const { node: callee, parent: call } = unparenthesizedParent(r.node);
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id) return false;
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    return args.every((a) => !a || a.type === 'comment');
  });
  if (!calledHere) return false;
  const elsewhere = project.callsOf(name.text, model.file.path);
  // Nobody calls it at all: an API whose callers are not in sight.
  if (uses.length === 0 && elsewhere.atImport + elsewhere.inFunctions === 0) return false;
  return project.calledOnlyWithoutArguments(name.text, model.file.path);
}

/** A parameter that every call of its private function in this module passes a constant. */
function constantArgument(model: SemanticModel, param: Node): boolean {
  const name =
    param.type === 'identifier'
      ? param
      : (param.childForFieldName('name') ?? param.namedChildren.find((c) => c?.type === 'identifier'));
  if (name?.type !== 'identifier') return false;
  // Judged at a use in the body, where the name resolves to the parameter.
  const binding = model.resolve(name);
  const use = binding
    ? model
        .references(binding)
        .find((r) => r.context === 'load' && !binding.sites.some((s) => s.id === r.node.id))
    : undefined;
  return !!use && isConstantKey(model, use.node);
}

/** The configured subjects every write's key is made of (`model`, `tenant`), if each is made only of such names. */
function configuredSubjects(model: SemanticModel, keys: readonly Node[]): string[] | undefined {
  if (keys.length === 0) return undefined;
  const subjects: string[] = [];
  for (const k of keys) {
    const found = configuredKeySubjects(model, k);
    if (!found || found.length === 0) return undefined;
    for (const s of found) if (!subjects.includes(s)) subjects.push(s);
  }
  return subjects;
}

/** The key expression of each write (`user_id` in `d[user_id] = v`, `k` in `d.setdefault(k, v)`). */
function growthKeys(growth: readonly { site: Node }[]): Node[] {
  const keys: Node[] = [];
  for (const { site } of growth) {
    const target = site.type === 'assignment' ? site.childForFieldName('left') : site;
    let key: Node | undefined;
    if (target?.type === 'subscript')
      key = target.childrenForFieldName('subscript').find((k) => !!k) ?? undefined;
    else if (site.type === 'call') key = positionalArguments(site)[0];
    if (key) keys.push(key);
  }
  return keys;
}

/**
 * The key of the first write (`user_id` in `d[user_id] = v`, `d.setdefault(k, v)`), if short; a
 * local bound once (`cache_key = (url, user)`) shows what it holds.
 */
function keyText(model: SemanticModel, growth: readonly { site: Node }[]): string | undefined {
  for (let key of growthKeys(growth)) {
    if (key.type === 'identifier') {
      const binding = model.resolve(key);
      const value =
        binding?.kind === 'assignment' && binding.sites.length === 1 && binding.scope !== model.moduleScope
          ? model.assignedValue(binding.sites[0])
          : undefined;
      if (value && value.text.length <= 40) key = value;
    }
    const text = key.text.replace(/\s+/g, ' ');
    if (text.length <= 40) return text;
  }
  return undefined;
}

/**
 * TTLCache first where it is safe; else, for a read-through memo, the safe stdlib bound (evict
 * the oldest entry past the bound), then TTLCache as the unsafe alternative.
 */
function cacheFixes(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix[] {
  // Locks, queues and tasks: an evicted one made again is another object (a lock held by one
  // caller would not stop the next), so no bound keeps the code correct.
  if (annotatedStateful(cand) || facts.growth.some((e) => holdsStatefulValue(ctx.model, e)))
    return statefulFixes(ctx, cand, facts);
  if (notACache(ctx.model, cand, facts)) return [];
  const ttl = ttlCacheFix(ctx, cand, facts);
  if (ttl.applicability === 'safe' || !isReadThroughMemo(ctx.model, facts)) return [ttl];
  const oldest = evictOldestFix(ctx, cand, facts);
  return oldest ? [oldest, { ...ttl, isPreferred: false }] : [ttl];
}

/**
 * `if len(_cache) > N: del _cache[next(iter(_cache))]` after each `_cache[key] = value`: dicts keep
 * insertion order, so the oldest entry goes. Standard library only; safe for a read-through memo
 * (an evicted entry is computed again).
 */
function evictOldestFix(ctx: RuleContext, cand: ContainerCandidate, facts: ContainerFacts): Fix | undefined {
  const { file, settings } = ctx;
  const n = settings.cacheMaxsize;
  const edits: TextEdit[] = [];
  for (const e of facts.growth) {
    if (e.what !== '[key] = …' || e.site.type !== 'assignment') return undefined;
    const target = e.site.childForFieldName('left');
    const owner = target?.type === 'subscript' ? target.childForFieldName('value') : undefined;
    const stmt = e.site.parent;
    if (!owner || stmt?.type !== 'expression_statement' || !isAloneOnItsLines(file, stmt)) return undefined;
    if (owner.descendantsOfType('call').length > 0 || owner.text.includes('\n')) return undefined;
    const d = owner.text;
    const indent = file.indentOf(stmt.startPosition.row);
    const unit = indent.startsWith('\t') ? '\t' : '    ';
    edits.push(
      insertStatementsAfter(file, stmt, [
        `if len(${d}) > ${n}:${file.eol}${indent}${unit}del ${d}[next(iter(${d}))]`,
      ]),
    );
  }
  if (edits.length === 0) return undefined;
  return {
    title: `Evict the oldest entry once \`${cand.name}\` holds more than ${n}`,
    edits,
    applicability: readableElsewhere(cand) ? 'unsafe' : 'safe',
    isPreferred: true,
  };
}

// ---------------------------------------------------------------------------------------------
// functools caches

interface CacheDecorator {
  decorator: Node; // the `decorator` node (`@…`)
  expr: Node; // the expression after `@`
  /** The `None` that makes an `lru_cache` unbounded, or undefined for `cache`. */
  noneBound?: Node;
  form: 'cache' | 'lru_cache';
}

/** An unbounded functools cache decorator, if `decorator` is one. */
function unboundedCacheDecorator(model: SemanticModel, decorator: Node): CacheDecorator | undefined {
  const expr = decorator.namedChildren.find((c) => c?.type !== 'comment');
  if (!expr) return undefined;
  if (expr.type === 'call') {
    if (model.calleeName(expr) !== 'functools.lru_cache') return undefined;
    const bound = keywordArgument(expr, 'maxsize') ?? positionalArguments(expr)[0];
    if (bound?.type === 'none') return { decorator, expr, noneBound: bound, form: 'lru_cache' };
    return undefined;
  }
  if (model.qualifiedName(expr) === 'functools.cache') return { decorator, expr, form: 'cache' };
  return undefined;
}

/** The reason one of the module's calls of `fn` runs again and again, if one does. */
function repeatedCaller(model: SemanticModel, fn: Node): string | undefined {
  const name = fn.childForFieldName('name')?.text;
  if (!name) return undefined;
  for (const id of identifiersNamed(model.file, [name], model.file.root)) {
    const { node, parent } = unparenthesizedParent(id);
    const callee = parent?.type === 'attribute' ? parent : node;
    const call = unparenthesizedParent(callee).parent;
    if (
      call?.type !== 'call' ||
      call.childForFieldName('function')?.id !== unparenthesizedParent(callee).node.id
    )
      continue;
    const run = runInfoAt(model, call);
    if (run.frequency === 'repeated') return run.reason;
  }
  return undefined;
}

/** `fn.cache_clear()` somewhere in the file: the cache is emptied when its inputs change. */
function isClearedSomewhere(file: SourceFile, fnName: string): boolean {
  return file.includesBefore(fnName, '.cache_clear(');
}

function parametersOf(fn: Node): Node[] {
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  return params.filter(
    (p): p is Node =>
      !!p && p.type !== 'comment' && p.type !== 'keyword_separator' && p.type !== 'positional_separator',
  );
}

function boundedCacheFix(
  file: SourceFile,
  model: SemanticModel,
  d: CacheDecorator,
  maxsize: number,
  preferred: boolean,
): Fix {
  const title = `Bound the cache: lru_cache(maxsize=${maxsize})`;
  if (d.noneBound) {
    // `maxsize=None` → `maxsize=N`; a positional `lru_cache(None, typed)` stays positional.
    return {
      title,
      edits: [replaceRange(file, d.noneBound.startIndex, d.noneBound.endIndex, `${maxsize}`)],
      applicability: 'safe',
      isPreferred: preferred,
    };
  }
  // `@functools.cache` → `@functools.lru_cache(maxsize=N)`: keep the module alias the file uses.
  if (d.expr.type === 'attribute') {
    const attr = d.expr.childForFieldName('attribute');
    if (attr) {
      return {
        title,
        edits: [replaceRange(file, attr.startIndex, attr.endIndex, `lru_cache(maxsize=${maxsize})`)],
        applicability: 'safe',
        isPreferred: preferred,
      };
    }
  }
  const def = d.decorator.parent ?? d.decorator;
  const imported = ensureMemberImport(file, model, 'functools', 'lru_cache', def.startIndex);
  return {
    title,
    edits: [
      ...imported.edits,
      replaceRange(file, d.expr.startIndex, d.expr.endIndex, `${imported.name}(maxsize=${maxsize})`),
    ],
    applicability: 'safe',
    isPreferred: preferred,
  };
}

function decoratorLabel(d: CacheDecorator): string {
  // The expression only: the decorator node also holds a trailing comment (`@cache  # note`).
  const text = `@${d.expr.text.replace(/\s+/g, ' ')}`;
  return text.length <= 60 ? text : d.form === 'cache' ? '@cache' : '@lru_cache(maxsize=None)';
}

/** No `return value` and no `yield` in the function's own body (nested functions aside). */
function returnsNothing(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const visit = (n: Node): boolean => {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return true;
    if (n.type === 'yield') return false;
    if (
      n.type === 'return_statement' &&
      n.namedChildren.some((c) => c && c.type !== 'comment' && c.type !== 'none')
    )
      return false;
    return n.namedChildren.every((c) => !c || visit(c));
  };
  return body.namedChildren.every((c) => !c || visit(c));
}

function checkCacheDecorator(ctx: RuleContext, decoratorNode: Node): void {
  const { model, file, settings } = ctx;
  const d = unboundedCacheDecorator(model, decoratorNode);
  if (!d) return;
  const fn = decoratorNode.parent?.childForFieldName('definition');
  if (fn?.type !== 'function_definition') return;
  const owner = model.scopeOf(fn);
  const fnName = fn.childForFieldName('name')?.text ?? '?';
  if (isClearedSomewhere(file, fnName)) return;
  // A cache on code that runs only at import or start-up holds what those few calls computed.
  // (Its callers decide; the memoized body itself runs once per argument by design.)
  if (runsAtImportTime(model, model.scopeFor(fn)) || isOneShotFile(file.path, file.text)) return;
  let params = parametersOf(fn);
  let instanceMethod = false;
  if (owner.kind === 'class') {
    const kinds = decoratorsOf(fn).map((x) => model.qualifiedName(x));
    if (!kinds.includes('builtins.staticmethod')) {
      // `cls` is one of few classes: only `self` of an ordinary class is unbounded.
      const boundedSelf = kinds.includes('builtins.classmethod') || isEnumClass(model, owner.node);
      instanceMethod = !boundedSelf && params.length > 0;
      params = params.slice(1);
    }
  } else if (owner.kind !== 'module') {
    return; // a cache on a nested function dies with its closure
  }
  const label = decoratorLabel(d);
  if (instanceMethod) {
    // One object for the whole process (made once, at import or start-up): nothing piles up.
    const made = instantiationOf(model, owner);
    if (made.frequency === 'import-time' || made.frequency === 'one-shot') return;
    ctx.report({
      range: file.rangeOf(decoratorNode),
      message: `\`${label}\` on method \`${owner.name}.${fnName}()\` keeps every \`self\` it is called on alive, with all its cached results, for the life of the process`,
      fixes: () => [boundedCacheFix(file, model, d, settings.cacheMaxsize, true)],
    });
    return;
  }
  // A cache on a function without (unbounded) arguments holds a single result: the settings idiom.
  // A private one that every call in the module passes constants (`_schema("Watch")`) holds one
  // result per constant.
  // The same through a wrapper that only forwards the argument (`render_part("menu.html")`).
  if (
    params.every(
      (p) =>
        isBoundedParameter(model, p) ||
        constantArgument(model, p) ||
        onlyConstantsReach(model, fn, p, (n) => isConstantKey(model, n)),
    )
  )
    return;
  // `def is_testing(argv=None)` that every call in the project makes without arguments: one result.
  if (owner.kind === 'module' && calledOnlyWithDefaults(model, fn, params)) return;
  const what = owner.kind === 'class' ? `\`${owner.name}.${fnName}()\`` : `\`${fnName}()\``;
  // How many distinct arguments it sees is the one fact the code cannot tell. A call from code
  // that runs on every request makes growth with traffic plausible (information); otherwise the
  // arguments are as likely a handful of configured values (hint).
  const fed = repeatedCaller(model, fn);
  // A memo that returns nothing is a do-once guard (log or warn once per value): what it keeps is
  // its arguments, one entry per distinct value, harmless unless the values come from traffic.
  if (returnsNothing(fn)) {
    ctx.report({
      range: file.rangeOf(decoratorNode),
      severity: 'hint',
      message: `\`${label}\` on ${what} makes it run once per distinct argument (it returns nothing: a do-once guard); it keeps each argument for the life of the process, so it grows only with the number of distinct values (usually a few configured ones)`,
      fixes: () => [boundedCacheFix(file, model, d, settings.cacheMaxsize, false)],
    });
    return;
  }
  const kept = `\`${label}\` on ${what} keeps every distinct argument and its result for the life of the process`;
  ctx.report({
    range: file.rangeOf(decoratorNode),
    severity: fed ? 'information' : 'hint',
    message: fed
      ? `${kept}, and it is called from code that runs again and again (${fed}); how many distinct arguments it sees cannot be known here`
      : `${kept}; how many distinct arguments its callers pass cannot be known here (often a few configured values)`,
    fixes: () => [boundedCacheFix(file, model, d, settings.cacheMaxsize, false)],
  });
}

export const rule: Rule = {
  code: 'LEAK001',
  name: 'unbounded-cache',
  defaultSeverity: 'warning',
  summary:
    'Module- or class-level dict used as a cache that grows without bound, or an unbounded functools cache',
  fixable: true,
  docs: {
    whatItDoes:
      'Flags module- and class-level dicts (`{}`, `dict()`, `defaultdict`, `OrderedDict`, under any import alias) that ' +
      'run-time code writes new keys into (`c[key] = v`, `setdefault`, `update`, `|=`; for a `defaultdict`, any `c[key]` ' +
      'read, which inserts the key) while nothing in the module ever evicts from them (`del c[k]`, `pop`, `popitem`, ' +
      '`clear`, rebinding through `global`, or a `len(c)` size check). Class-level dicts count when written through ' +
      '`self.c[k]`, `cls.c[k]` or `ClassName.c[k]`. Also flags `@functools.cache` and `@lru_cache(maxsize=None)` on ' +
      'instance methods, and — as information — on module-level functions whose arguments are unbounded.\n\n' +
      'Stays silent on `cachetools` caches, weak dictionaries, bounded `lru_cache` (including bare `@lru_cache`, whose ' +
      'default `maxsize` is 128), caches on functions without arguments (the `get_settings()` idiom), on static/class ' +
      'methods with no other arguments and on nested functions; registries filled at import time (decorators, decorator ' +
      'factories, functions only called while the module loads, functions named `register…`, `__init_subclass__`, ' +
      'metaclasses); writes under constant keys (literals, constants, loop variables over literal tuples, parameters of ' +
      'private helpers that are always passed constants, class constants: `self.kind` or `cls._name` assigned a literal ' +
      'in class bodies and never on an object, an element of such a constant tuple and its literal fields); dicts written out with items (lookup tables); dicts filled ' +
      'once behind an emptiness guard (`if not c:` / `if c: return`); dicts that are evicted or cleared; and dicts handed ' +
      'to other code (returned or stored elsewhere), which may evict them.\n\n' +
      'A bounded `lru_cache` on a method still keeps up to `maxsize` instances alive; that is bounded, so it is not ' +
      'reported. When the project is indexed, a module-level empty dict of another module of the project that this ' +
      'module takes by name (`from pkg.cache import _users`) and grows is reported at the import, naming the module ' +
      'that defines it, unless that module empties it (`clear()`, `pop()`, `del`, a rebinding); its fix bounds it ' +
      'where this module writes it. Known limits: writes from other modules through the module object ' +
      '(`cache._users[k] = v`) are not seen, and tree-sitter parses a statement that starts ' +
      'with `type(self).` as a type alias, so writes spelled that way are missed (use `self.__class__.`).\n\n' +
      '**When it reports.** Only writes in code that runs again and again count (the engine\'s shared answer to "where ' +
      'does this code run"): route handlers and views, tasks, callbacks, loops, methods, and public functions whose ' +
      'callers are in other modules. Writes at import time, in start-up code (`main()`, `if __name__ == "__main__":`, ' +
      'app factories, `AppConfig.ready()`, option callbacks, management commands, `setup.py`/`conf.py`/docs scripts) are ' +
      'bounded by that one run. Keys from a closed set are not growth: classes (`type(x)`, `x.__class__`, names such as ' +
      '`cls`/`model`/`form_class`, and their identity: `id(klass)`), enum members of the module, flags, constants, and parameters of an enclosing ' +
      'decorator factory. Nor are configured values: a module-level or imported constant (`OPENID_CONFIG_URL`), an enum ' +
      'member or class constant (`Provider.OPENAI`), a setting (`settings.SEARCH_URL`, `config.get("url")`), an ' +
      'environment variable (`os.environ["X"]`, `os.getenv("X")`), or `a or b` of those — as keys, or passed by every ' +
      'call of a private helper that uses its parameter as the key: one entry per configured value. ' +
      'Nor are the names of classes of an MRO (`f"{c.__module__}.{c.__name__}"` for `c` in `type(self).__mro__`), or ' +
      'a key written only under `if key in NAMES:` where `NAMES` is a module-level collection filled only at import ' +
      '(by a `@hook` decorator) or a literal. Code behind a load-once flag (`if not _loaded: load(); _loaded = True`) ' +
      "runs once, and a loop over a literal, a directory or package listing or a configuration's entries runs once " +
      'per entry, not again and again. Nor is any `for` loop in a function whose callers are in other modules: it ' +
      'walks what one call was given; only a `while` loop or an `async for` keeps running. A registry that refuses a ' +
      'key it already holds (`if name in REGISTRY: raise …`, `assert name not in REGISTRY`) is filled by ' +
      'declarations, once per key: not growth. ' +
      'A `@cache` on a class factory (`def variant(form_class)`), on a function with `bool`/`Literal`/' +
      'enum/`type[...]` parameters, on a function emptied with `.cache_clear()`, or on a method of an object made once ' +
      '(at import or start-up) is silent. When the project is indexed (the CLI and the editor index the workspace), a ' +
      'function called only at import by the other modules counts as import-time, and calls in `ready()` of a Django ' +
      '`AppConfig` (also through a project base class), in an argparse sub-command (`set_defaults(func=…)`) or in a ' +
      'click/typer command count as start-up. Objects of a class are also made through its subclasses: a registry ' +
      'written by a base `__init__` whose objects are all made, directly or as subclasses, at import or start-up is ' +
      'not reported; a subclass made per request makes it grow.\n\n' +
      '**Severity is confidence.** `warning` for a dict written by code known to run again and again (a route handler, ' +
      'a view or a task — of this module, or of another one that calls the writer when the project is indexed) and ' +
      'never evicted, whose key is shown to change with the traffic: read from the request (`request.args["q"]`, a ' +
      "view's URL `kwargs`, also through what the module's callers pass) or naming a record made by traffic " +
      '(`user_id`, `wallet.id`, `session`). Keyed by anything else, whether the key takes a new value per request or ' +
      'one of a few configured values is the unknown: `information`, naming the key — but only with positive evidence ' +
      'that the key comes with the work the process does: it is (part of) an argument of a route handler, a task, a ' +
      'handler or a callback, followed through locals, loops over it (`for item in batch.items`), the calls of this ' +
      'module that pass it on and the constructor of the object that stores it (`self.base_url`, set in `__init__` ' +
      'from what a route handler passes), or it is read anew on each pass of a `while` loop, or it is the running ' +
      'task (`asyncio.current_task()`). Without such evidence (a table keyed by hosts copied from the settings, a memo ' +
      "keyed by the `repr()` of the code's own schemas, a lookup a handler of another module calls with values this " +
      'module cannot see) the keys are as likely a fixed set as traffic, and the dict is not reported. Keyed only by names of configured things (`model_name`, `(tenant_id, bot_id)`, `str(org_id)`, ' +
      '`engine_name`: a model, provider, tenant, organisation, bot, engine, app, plugin, extension, region or ' +
      'language), it holds one entry per configured thing: a `hint` that says so. A `warning` also for `@cache` on ' +
      'a method of objects that are made again and again. For `@cache` on a function whose arguments may be unbounded, ' +
      'how many distinct arguments it sees is the one fact the code cannot tell: `information` when the module calls it ' +
      'from code that runs again and again (a route handler, a task), `hint` otherwise (the arguments are as likely a ' +
      'few configured values). A `@cache` on a function that returns nothing is a do-once guard (log or warn once ' +
      'per value): a `hint`, since it grows only with the number of distinct values. A dict written by a public function whose callers are all in other modules (none of them ' +
      'a handler the index can see) is `information`: how often it runs, and with how many keys, is decided there; called ' +
      'elsewhere only from start-up code (`init()`, `main()`, `setup_*()`, `create_app()`), or as the body of a thread ' +
      'started there, it runs once and is not reported. A `@cache` on a private function that every call in the module ' +
      'passes constants (`_schema("Watch")`) holds one result per constant and is not reported either, nor one reached ' +
      'only through one or two wrappers that forward the argument from callers passing literals or leaving a default, ' +
      'nor one on a function whose parameters all have defaults when every call in the indexed project passes no argument ' +
      '(`is_testing()` of `def is_testing(argv=None)`): it holds one result. A key named like a record id ' +
      '(`template_id`) but visibly built from parts (`"{}.{}".format(app.label, part)`) is judged by its parts, not its ' +
      'name.\n\n' +
      '**Neither fact known: not reported.** When how often the writer runs is unknown (no handler, task or loop ' +
      "calls it) _and_ its key shows nothing about where it comes from, while the project's own callers of the " +
      'writer were read (it is called in this module, or in another one the index has read, or its class is made ' +
      'there), the engine has no evidence of growth at all: a plugin registry filled when plugins load, a memo fed ' +
      'with configured names. Such dicts are not reported (on 28 real repositories, none of those it removes was ' +
      'judged a real leak in the last census). They are reported (`information`) when the key itself shows growth — traffic (`user_id`, ' +
      '`flow.request.host`, also through locals and calls such as `urlparse(location).hostname`) or an object made ' +
      'per use (`connection`, `self.client`, `id(sock)`: one entry, and the object kept alive, per object ever ' +
      'passed) — and, for a file analysed without its project (a snippet opened alone), when nothing calls the ' +
      'writer: then its callers decide. In an indexed project a writer nobody in it calls is called by a framework or ' +
      'by the language (a descriptor, `__new__`, a hook), and without such a key it is not reported. A local read once from the configuration ' +
      '(`username = config["username"]`) and a loop over a configured list (`for tf in self.config.get("timeframes", [])`) ' +
      'are configured keys too. The ' +
      'message says why the code repeats ("it runs on every request: `get_user()` is a route handler") or what is ' +
      'not known.',
    whyIsThisBad:
      'A module or class lives as long as the process. Every distinct key written into such a dict — a user id, a URL, a ' +
      'request object — stays in memory forever, so a long-running service grows until it is killed. ' +
      '`functools.cache` on a method is worse: the cache is keyed on `self`, so every instance it was ever called on (and ' +
      'everything it references) can never be garbage-collected.\n\n' +
      '**Fixes and their safety.** A dict used as a read-through memo (every function that reads it also writes it: ' +
      'look up, compute on a miss, store) under a private name (`_cache`: other modules could read a public one, ' +
      'which the engine does not follow) gets a **safe** fix, since an evicted entry is simply computed again: ' +
      '`cachetools.TTLCache` when the module already imports cachetools, otherwise `if len(d) > N: del d[next(iter(d))]` ' +
      'after each write (the standard library only; dicts keep insertion order, so the oldest entry goes). The TTLCache ' +
      'fix is **unsafe** when the module does not use cachetools yet (it adds a dependency the project may not have) or ' +
      'when the dict is read elsewhere (a getter could find an entry gone). A bounded `lru_cache` is safe. Other dicts ' +
      '(a `defaultdict`, `move_to_end`, `|=`, `copy()`, JSON) get the oldest-entry eviction as an **unsafe** fix, after ' +
      'each write, or before a `return` or block header whose read inserts a key (`return d[self.task][p]`, ' +
      '`for x in d[task]:`); a store written back elsewhere later (a flush) loses what was evicted before it. A ' +
      'dict that is not a cache gets no bound at all: a registry that other modules of the project import by name, or that ' +
      'only set-up steps (`__init__`, `register_*()`) fill while other code looks it up (a loader or a hook evicted or ' +
      'expired is never registered again), and a record of failures written in an `except` handler (a deny-list: an ' +
      'evicted entry re-allows what the code refuses to retry). A ' +
      '`defaultdict` of immutable defaults (`bool`, `int`, `str`, `lambda: ""`) that grows only because reading a missing ' +
      'key inserts it is read with `d.get(key, bool())` instead: the same value, no key inserted; **safe** when every use ' +
      'is such a read, **unsafe** when something also counts, tests or lists its keys. A ' +
      'dict of locks, queues or events made on demand becomes a `weakref.WeakValueDictionary` (an entry lives while ' +
      'anyone holds its object; a fresh object is kept in a local until it is read, a `defaultdict` read becomes ' +
      '`setdefault`), and a dict of tasks drops each task when it is done (`add_done_callback`); both **unsafe**.\n\n' +
      'The fix replaces the dict with `cachetools.TTLCache`, which evicts the least recently used entries beyond `maxsize` ' +
      'and expires entries after `ttl` seconds (from the `cache-maxsize` / `cache-ttl-seconds` settings; `ttl` is a plain ' +
      'number of seconds). It is offered only for an empty `{}` / `dict()` / `OrderedDict()` used through the mapping API ' +
      '(no `defaultdict`, `move_to_end`, `|`, `copy()`, JSON serialisation or hand-off to unknown code), and it rewrites a ' +
      '`dict[K, V]` annotation to `TTLCache[K, V]`. Unlike a dict, a `TTLCache` is not thread-safe: guard it with a lock ' +
      'when several threads write to it. Unbounded `functools` caches become `lru_cache(maxsize=N)`, keeping the import ' +
      'style of the file.',
    example: [
      'from functools import cache',
      '',
      '_users = {}',
      '',
      '',
      'def get_user(user_id):',
      '    if user_id not in _users:',
      '        _users[user_id] = load_user(user_id)',
      '    return _users[user_id]',
      '',
      '',
      'class Report:',
      '    @cache',
      '    def totals(self, year):',
      '        return compute(self, year)',
      '',
    ].join('\n'),
    useInstead: [
      'from functools import lru_cache',
      '',
      'from cachetools import TTLCache',
      '',
      '_users = TTLCache(maxsize=1024, ttl=3600)',
      '',
      '',
      'def get_user(user_id):',
      '    if user_id not in _users:',
      '        _users[user_id] = load_user(user_id)',
      '    return _users[user_id]',
      '',
      '',
      'class Report:',
      '    @lru_cache(maxsize=1024)',
      '    def totals(self, year):',
      '        return compute(self, year)',
      '',
    ].join('\n'),
    references: [
      'https://docs.python.org/3/library/functools.html#functools.lru_cache',
      'https://cachetools.readthedocs.io/en/stable/#cachetools.TTLCache',
      'https://docs.astral.sh/ruff/rules/cached-instance-method/',
    ],
  },
  // The candidates below, by text: a growing module or class container, a dict of another file
  // of the project named here, a `@cache`-like decorator.
  mayFire: (text, { project, path }) =>
    mayHoldGrowingContainer(text) ||
    (!!project && !!path && project.mayImportDict(text)) ||
    mayHaveCacheDecorator(text),
  check(ctx) {
    const { model } = ctx;
    for (const cand of moduleContainers(model)) checkContainer(ctx, cand);
    for (const cand of importedDicts(model)) checkContainer(ctx, cand);
    for (const cls of classesWithContainers(model))
      for (const cand of classContainers(model, cls)) checkContainer(ctx, cand);
    for (const decorator of possibleCacheDecorators(model)) checkCacheDecorator(ctx, decorator);
  },
};
