// Fixes for LEAK001 dicts that neither a TTLCache nor a read-through bound can take:
// - a dict of locks, queues or events made on demand: `weakref.WeakValueDictionary`. An entry
//   stays while anyone holds its object (a coroutine inside `async with lock`, a waiter, a
//   consumer of the queue) and goes with the last holder, when it has no state left to keep.
//   Where the code stores a fresh object and reads it back through the dict
//   (`if k not in d: d[k] = Lock()` … `async with d[k]:`), the object is kept in a local in
//   between, or the weak entry would vanish at once; a `defaultdict(Lock)` read becomes
//   `d.setdefault(k, Lock())`. Unsafe: an object nobody holds is made again on the next call
//   (a lock acquired and released through two separate look-ups would differ);
// - a dict of tasks: each task removes its own entry when it is done (unsafe: a reader after the
//   end no longer finds it);
// - any other dict that grows by statements: evict the oldest entry past the bound after each
//   growth, as dicts keep insertion order (unsafe: a reader could find an entry gone).

import type { Effect } from '../model/container-effects';
import type { ContainerCandidate, ContainerFacts } from '../model/containers';
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { replaceRange } from './edits';
import { ensureModuleImport } from './imports';
import {
  enclosingStatement,
  freshName,
  insertStatementsAfter,
  insertStatementsBefore,
  isAloneOnItsLines,
} from './statements';
import { fileIndentUnit } from './wrap-with';

export interface DictFixContext {
  file: SourceFile;
  model: SemanticModel;
  maxsize: number;
}

/** Growth by more than one key at a time: a single `if` would not trim enough. */
function growsBySeveral(e: Effect): boolean {
  return /update|\|=/.test(e.what);
}

/** A container expression that can be written again as is: `_cache`, `cls.locks`, `self._seen`. */
function simpleExpression(node: Node): boolean {
  return (
    (node.type === 'identifier' || node.type === 'attribute') &&
    node.descendantsOfType('call').length === 0 &&
    !node.text.includes('\n')
  );
}

/**
 * `d[name]` where `name` is a parameter the function never rebinds: the key is the same wherever
 * it is read in that function (`function:container:key`), else undefined.
 */
function fixedKey(model: SemanticModel, container: Node): string | undefined {
  const subscript = container.parent;
  if (subscript?.type !== 'subscript' || subscript.childForFieldName('value')?.id !== container.id)
    return undefined;
  const key = subscript.childForFieldName('subscript');
  const binding = key?.type === 'identifier' ? model.resolve(key) : undefined;
  if (binding?.kind !== 'parameter' || binding.sites.length !== 1) return undefined;
  return `${binding.scope.node.id}:${container.text}:${key?.text}`;
}

/** Statements evaluated once, whose header or value may insert a key: trimmed before they run. */
const TRIMMED_BEFORE = new Set(['return_statement', 'for_statement', 'if_statement', 'with_statement']);

/** `if len(d) > N: del d[next(iter(d))]` after each statement that adds keys (before one that reads it in). */
export function trimOldestFix(ctx: DictFixContext, shown: string, growth: Effect[]): Fix | undefined {
  const { file, maxsize } = ctx;
  const edits: TextEdit[] = [];
  const done = new Set<number>();
  const keysIn = new Set<string>();
  for (const e of growth) {
    const d = e.access.node;
    if (!simpleExpression(d) || e.access.viaAlias) return undefined;
    // `d[task]` read again with the same parameter in the same function: no new key, no trim.
    const key = fixedKey(ctx.model, d);
    if (key && keysIn.has(key)) continue;
    if (key) keysIn.add(key);
    const stmt = enclosingStatement(e.site);
    // A key inserted by a read in a `return` or a block's header (a defaultdict looked up in
    // `return d[k]`, `for x in d[k]:`): the trim goes before it, so the entry read stays in.
    const before = stmt.type !== 'expression_statement';
    if (before && !TRIMMED_BEFORE.has(stmt.type)) return undefined;
    if (!isAloneOnItsLines(file, stmt)) return undefined;
    if (stmt.parent?.type !== 'block' && stmt.parent?.type !== 'module') return undefined;
    if (done.has(stmt.id)) continue;
    done.add(stmt.id);
    const indent = file.indentOf(stmt.startPosition.row);
    const unit = indent.startsWith('\t') ? '\t' : fileIndentUnit(file);
    const keyword = growsBySeveral(e) ? 'while' : 'if';
    const trim = `${keyword} len(${d.text}) > ${maxsize}:${file.eol}${indent}${unit}del ${d.text}[next(iter(${d.text}))]`;
    edits.push(
      before ? insertStatementsBefore(file, stmt, [trim]) : insertStatementsAfter(file, stmt, [trim]),
    );
  }
  if (edits.length === 0) return undefined;
  return {
    title: `Evict the oldest entry once \`${shown}\` holds more than ${maxsize}`,
    edits,
    applicability: 'unsafe',
  };
}

/** Literals a `lambda:` default may return: the value is the same object or an equal one each time. */
const LITERAL_TYPES = new Set(['string', 'integer', 'float', 'true', 'false', 'none']);
/** Factories whose value cannot be changed in place, so a read can take a fresh one. */
const IMMUTABLE_FACTORIES = new Set(['bool', 'int', 'float', 'str', 'bytes', 'tuple', 'frozenset']);

/** `bool()` for `defaultdict(bool, …)`, `"?"` for `defaultdict(lambda: "?")`; else undefined. */
function immutableDefault(cand: ContainerCandidate): string | undefined {
  if (cand.value.kind !== 'defaultdict' || cand.value.node.type !== 'call') return undefined;
  const factory = cand.value.node.childForFieldName('arguments')?.namedChildren[0];
  if (factory?.type === 'identifier' && IMMUTABLE_FACTORIES.has(factory.text)) return `${factory.text}()`;
  const body = factory?.type === 'lambda' ? factory.childForFieldName('body') : undefined;
  if (factory?.childForFieldName('parameters') || !body || !LITERAL_TYPES.has(body.type)) return undefined;
  return body.text.includes('\n') ? undefined : body.text;
}

/**
 * A `defaultdict(bool)` that grows only because reading a missing key inserts it
 * (`if HOSTLESS[proto]:`): read with `d.get(key, bool())` instead, which returns the same value
 * and inserts nothing. Safe when nothing else looks at the keys (every use is such a read);
 * otherwise a `len()`, `in` or iteration would see fewer keys: unsafe.
 */
export function readWithoutInsertingFix(
  ctx: DictFixContext,
  cand: ContainerCandidate,
  facts: ContainerFacts,
): Fix | undefined {
  const fallback = immutableDefault(cand);
  if (!fallback) return undefined;
  const edits: TextEdit[] = [];
  for (const e of facts.growth) {
    const sub = e.site;
    if (e.what !== '[key]' || sub.type !== 'subscript' || isStoreTarget(sub)) return undefined;
    const keys = sub.childrenForFieldName('subscript').filter((k) => !!k);
    const dict = sub.childForFieldName('value');
    if (keys.length !== 1 || !dict || !simpleExpression(dict) || keys[0].type === 'slice') return undefined;
    const get = `${dict.text}.get(${keys[0].text}, ${fallback})`;
    edits.push(replaceRange(ctx.file, sub.startIndex, sub.endIndex, get));
  }
  if (edits.length === 0) return undefined;
  const onlyReads = facts.effects.every(
    (e) => e.what === '[key]' || e.what === 'definition' || (e.what === '[…]' && e.kind === 'read'),
  );
  return {
    title: `Read \`${cand.name}\` with \`.get(key, ${fallback})\`, which inserts no key`,
    edits,
    applicability: onlyReads ? 'safe' : 'unsafe',
    isPreferred: true,
  };
}

/** The class a `defaultdict(asyncio.Lock)` makes its values with, as written. */
function defaultFactory(cand: ContainerCandidate): string | undefined {
  if (cand.value.kind !== 'defaultdict' || cand.value.node.type !== 'call') return undefined;
  const args = cand.value.node.childForFieldName('arguments')?.namedChildren ?? [];
  const factory = args.length === 1 ? args[0] : undefined;
  return factory && simpleExpression(factory) ? factory.text : undefined;
}

/** `d[k]` for the same dict expression and key text. */
function sameEntry(sub: Node, dict: string, key: string): boolean {
  return (
    sub.type === 'subscript' &&
    sub.childForFieldName('value')?.text === dict &&
    sub.childForFieldName('subscript')?.text === key
  );
}

function isStoreTarget(sub: Node): boolean {
  const p = sub.parent;
  if (p?.type === 'assignment' || p?.type === 'augmented_assignment')
    return p.childForFieldName('left')?.id === sub.id;
  return p?.type === 'delete_statement';
}

function enclosingFunction(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

/**
 * `if k not in d: d[k] = Make()` (nothing else in it) and later `d[k]` reads of the same function:
 * keep the object in a local, `v = d.get(k)`, `if v is None: v = d[k] = Make()`, and read `v`.
 */
function storeThroughLocal(ctx: DictFixContext, store: Node): TextEdit[] | undefined {
  const { file, model } = ctx;
  const stmt = store.parent;
  const block = stmt?.parent;
  const ifStmt = block?.parent;
  if (stmt?.type !== 'expression_statement' || block?.type !== 'block' || ifStmt?.type !== 'if_statement')
    return undefined;
  if (block.namedChildren.filter((c) => c?.type !== 'comment').length !== 1) return undefined;
  if (ifStmt.childForFieldName('alternative') || ifStmt.namedChildren.some((c) => c?.type === 'else_clause'))
    return undefined;
  const target = store.childForFieldName('left');
  const value = store.childForFieldName('right');
  const condition = ifStmt.childForFieldName('condition');
  if (target?.type !== 'subscript' || !value || condition?.type !== 'comparison_operator') return undefined;
  const dict = target.childForFieldName('value')?.text ?? '';
  const key = target.childForFieldName('subscript');
  if (!key || key.type !== 'identifier') return undefined;
  if (condition.text.replace(/\s+/g, ' ') !== `${key.text} not in ${dict}`) return undefined;
  if (!isAloneOnItsLines(file, ifStmt) || block.startPosition.row === ifStmt.startPosition.row)
    return undefined;
  const fn = enclosingFunction(ifStmt);
  if (!fn) return undefined;
  // The key must not be bound again after the check.
  const keyBinding = model.resolve(key);
  if (!keyBinding || keyBinding.sites.some((s) => s.startIndex > ifStmt.startIndex)) return undefined;
  const reads: Node[] = [];
  for (const sub of fn.descendantsOfType('subscript')) {
    if (!sub || sub.startIndex < ifStmt.endIndex || !sameEntry(sub, dict, key.text)) continue;
    if (isStoreTarget(sub) || enclosingFunction(sub)?.id !== fn.id) return undefined;
    reads.push(sub);
  }
  const valueName = /Lock|Semaphore|Condition/.test(value.text)
    ? 'lock'
    : /Queue/.test(value.text)
      ? 'queue'
      : 'value';
  const local = freshName(model, ifStmt, fn, [valueName]);
  const indent = file.indentOf(ifStmt.startPosition.row);
  const unit = indent.startsWith('\t') ? '\t' : fileIndentUnit(file);
  const eol = file.eol;
  const text = [
    `${local} = ${dict}.get(${key.text})`,
    `${indent}if ${local} is None:`,
    `${indent}${unit}${local} = ${dict}[${key.text}] = ${value.text}`,
  ].join(eol);
  return [
    replaceRange(file, ifStmt.startIndex, ifStmt.endIndex, text),
    ...reads.map((r) => replaceRange(file, r.startIndex, r.endIndex, local)),
  ];
}

/** `weakref.WeakValueDictionary()` in place of a dict of locks (or queues, events) made on demand. */
export function weakValuesFix(
  ctx: DictFixContext,
  cand: ContainerCandidate,
  facts: ContainerFacts,
): Fix | undefined {
  const { file, model } = ctx;
  const kind = cand.value.kind;
  const factory = defaultFactory(cand);
  if (!((kind === 'dict' && cand.value.empty) || factory)) return undefined;
  const edits: TextEdit[] = [];
  const handled = new Set<number>();
  for (const e of facts.growth) {
    const site = e.site;
    if (site.type === 'assignment') {
      // `d[k] = lock` with `lock` a local: the caller holds it.
      const value = site.childForFieldName('right');
      if (value?.type === 'identifier') continue;
      if (handled.has(site.id)) continue;
      const rewritten = storeThroughLocal(ctx, site);
      if (!rewritten) return undefined;
      handled.add(site.id);
      edits.push(...rewritten);
    } else if (site.type === 'call' && site.childForFieldName('function')?.text.endsWith('.setdefault')) {
      // `lock = d.setdefault(k, Lock())`: the result is held, unless dropped.
      if (site.parent?.type === 'expression_statement') return undefined;
    } else if (site.type === 'subscript' && factory && !isStoreTarget(site)) {
      // A defaultdict read that inserts: `d.setdefault(k, Factory())` returns the object held.
      const dict = site.childForFieldName('value')?.text;
      const key = site.childForFieldName('subscript')?.text;
      if (!dict || !key) return undefined;
      edits.push(
        replaceRange(file, site.startIndex, site.endIndex, `${dict}.setdefault(${key}, ${factory}())`),
      );
    } else {
      return undefined;
    }
  }
  const weakref = ensureModuleImport(file, model, 'weakref', topLevel(cand.assignment).startIndex);
  const value = cand.value.node;
  edits.push(replaceRange(file, value.startIndex, value.endIndex, `${weakref.name}.WeakValueDictionary()`));
  const type = cand.assignment.childForFieldName('type');
  const head = type?.type === 'type' ? type.namedChildren[0] : type;
  const headName = head?.type === 'generic_type' ? head.namedChildren[0] : head;
  if (headName && /^(dict|Dict|typing\.Dict|defaultdict|DefaultDict)$/.test(headName.text))
    edits.push(
      replaceRange(file, headName.startIndex, headName.endIndex, `${weakref.name}.WeakValueDictionary`),
    );
  return {
    title: `Hold the values of \`${cand.name}\` weakly (\`weakref.WeakValueDictionary\`): an entry goes when nothing holds its object`,
    edits: [...weakref.edits, ...edits],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/**
 * `d[k] = task` with `task` a local: `task.add_done_callback(...)` removes the entry when the
 * task is done, unless the key already holds another task by then. With `taskIs: 'key'`
 * (`d[task] = info`), the key is the task: its callback pops its own entry.
 */
export function forgetDoneTasksFix(
  ctx: DictFixContext,
  cand: ContainerCandidate,
  facts: ContainerFacts,
  taskIs: 'value' | 'key' = 'value',
): Fix | undefined {
  const { file, model } = ctx;
  const edits: TextEdit[] = [];
  for (const e of facts.growth) {
    const site = e.site;
    const target = site.type === 'assignment' ? site.childForFieldName('left') : undefined;
    const value = site.childForFieldName('right');
    const stmt = site.parent;
    if (target?.type !== 'subscript' || !value || stmt?.type !== 'expression_statement') return undefined;
    if (taskIs === 'value' && value.type !== 'identifier') return undefined;
    if (!isAloneOnItsLines(file, stmt)) return undefined;
    const dict = target.childForFieldName('value');
    const key = target.childForFieldName('subscript');
    if (!dict || !key || !simpleExpression(dict) || !(simpleExpression(key) || key.type === 'string'))
      return undefined;
    const fn = enclosingFunction(site) ?? file.root;
    const [t, k] = [freshName(model, site, fn, ['done_task', 't']), freshName(model, site, fn, ['key', 'k'])];
    if (taskIs === 'key') {
      if (key.type !== 'identifier') return undefined;
      edits.push(
        insertStatementsAfter(file, stmt, [
          `${key.text}.add_done_callback(lambda ${t}: ${dict.text}.pop(${t}, None))`,
        ]),
      );
      continue;
    }
    edits.push(
      insertStatementsAfter(file, stmt, [
        `${value.text}.add_done_callback(lambda ${t}, ${k}=${key.text}: ${dict.text}.pop(${k}) if ${dict.text}.get(${k}) is ${t} else None)`,
      ]),
    );
  }
  if (edits.length === 0) return undefined;
  return {
    title: `Remove each task from \`${cand.name}\` when it is done`,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}

function topLevel(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}
