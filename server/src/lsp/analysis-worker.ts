// Worker thread of the language server (bundled as dist/analysis-worker.js): every analysis runs
// here — open documents and notebooks on the pool's threads (analysis-pool.ts), the files of the
// workspace scan on their own (worker-client.ts) — so the main thread only keeps texts and
// answers the editor. Stale or runaway work is stopped by terminating the thread.
//
// For open documents the thread keeps, per document key, the text and tree it last analysed
// (least recently used first out, bounded in characters): the next text of that document is
// compared with the kept one and the tree re-parsed incrementally from the one changed span.
// If the parser module fails (a wasm abort or trap), the thread answers and then exits: the
// pool starts a fresh one, with fresh memory.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { initEngine, parserGeneration } from '../engine';
import { ProjectIndex } from '../model/project-index';
import { parsePython, type Tree } from '../parser';
import { RULES } from '../rules/index';
import type { Rule } from '../types';
import { type AnalysisOutcome, analyzeText, failedOutcome, warmUpEngine } from './analysis';
import { diffEdit } from './documents';
import { readPythonFileSync } from './files';
import { fixAll } from './fix-all';
import { describeError } from './logger';
import { collectGarbage } from './memory';
import { ProjectIndexReplica } from './project-index-service';
import type { IndexOutcome, WorkerJob, WorkerReply } from './worker-protocol';

type AnalyzeJob = Extract<WorkerJob, { kind: 'analyze' }>;

/** Characters of kept texts (their trees take ~20 bytes of wasm heap per character). */
const MAX_KEPT_CHARS = 6 * 1024 * 1024;
const MAX_KEPT_DOCUMENTS = 48;

interface Kept {
  text: string;
  tree: Tree;
  generation: number;
}

/** Texts and trees of open documents, least recently used first. */
class TreeCache {
  private readonly entries = new Map<string, Kept>();
  private chars = 0;

  /** The kept entry for `key`, taken out of the cache (the caller puts back what it ends with). */
  take(key: string): Kept | undefined {
    const kept = this.entries.get(key);
    if (!kept) return undefined;
    this.entries.delete(key);
    this.chars -= kept.text.length;
    if (kept.generation !== parserGeneration()) return undefined; // its module is gone
    return kept;
  }

  put(key: string, kept: Kept): void {
    this.drop(key);
    if (kept.text.length > MAX_KEPT_CHARS) {
      kept.tree.delete();
      return;
    }
    this.entries.set(key, kept);
    this.chars += kept.text.length;
    for (const [oldest, entry] of this.entries) {
      if (this.chars <= MAX_KEPT_CHARS && this.entries.size <= MAX_KEPT_DOCUMENTS) break;
      this.entries.delete(oldest);
      this.chars -= entry.text.length;
      if (entry.generation === parserGeneration()) entry.tree.delete();
    }
  }

  drop(key: string): void {
    const kept = this.take(key);
    kept?.tree.delete();
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }
}

const cache = new TreeCache();

/**
 * Analyse an open document's text, re-parsing the tree kept for its key incrementally. The
 * parse counts against the budget; a failed or timed-out parse keeps nothing.
 */
function analyzeKept(job: AnalyzeJob, text: string, project: ProjectIndex | undefined): AnalysisOutcome {
  const key = job.key as string;
  const started = performance.now();
  const deadline = job.timeoutMs === undefined ? undefined : Date.now() + job.timeoutMs;
  const kept = cache.take(key);
  let tree: Tree;
  try {
    if (kept && kept.text === text) tree = kept.tree;
    else {
      const edit = kept ? diffEdit(kept.text, text) : undefined;
      if (kept && edit) kept.tree.edit(edit);
      tree = parsePython(text, kept && edit ? kept.tree : undefined, { deadline });
      kept?.tree.delete();
    }
  } catch (error) {
    // (A tree of a failed module went with the module; a timed-out parse leaves the old one edited.)
    if (kept && kept.generation === parserGeneration()) kept.tree.delete();
    return failedOutcome(error, performance.now() - started);
  }
  const parseMs = performance.now() - started;
  const outcome = analyzeText(text, job.settings, job.label, {
    tree,
    suppressions: job.suppressions,
    project,
    timeoutMs: deadline === undefined ? undefined : Math.max(1, deadline - Date.now()),
    ...fixOptions(job),
  });
  outcome.parseMs = parseMs;
  if (outcome.parserFailed) return outcome;
  cache.put(key, { text, tree, generation: parserGeneration() });
  return outcome;
}

/** The job's text, or the file it names read from disk (why not, when it cannot be read). */
function textOf(job: AnalyzeJob): { text: string } | { skipped: string } {
  if (job.text !== undefined) return { text: job.text };
  if (job.path === undefined) return { skipped: 'no text and no path' };
  return readPythonFileSync(job.path, job.maxBytes ?? Number.POSITIVE_INFINITY);
}

/**
 * The project index of the workspace scan's files, read here rather than on the main thread:
 * reading a million lines there grew its heap for good (its young generation alone to 32 MiB).
 */
function buildIndex(paths: readonly string[], maxBytes: number, replica: ProjectIndexReplica): IndexOutcome {
  const index = new ProjectIndex();
  let files = 0;
  for (const path of paths) {
    const read = readPythonFileSync(path, maxBytes);
    if ('skipped' in read) continue;
    index.addFile(path, read.text);
    files++;
  }
  index.compact();
  replica.keepBuilt(index);
  return { index: index.serialize(), files };
}

/** Fixes only when asked, and then only the rules asked about run (see WorkerJob.fixesFor). */
function fixOptions(job: AnalyzeJob): { fixes: boolean; rules?: readonly Rule[] } {
  if (!job.fixesFor) return { fixes: false };
  const codes = new Set(job.fixesFor);
  return { fixes: true, rules: RULES.filter((r) => codes.has(r.code)) };
}

/**
 * Lowers this thread's scheduling priority (Linux: a thread's id works as a process id for
 * setpriority). The server's main thread then wins the CPU whenever both want it, so reading and
 * answering the editor's messages never waits behind an analysis; idle cores still run the
 * analyses at full speed. Elsewhere (or when not permitted) the thread keeps its priority.
 */
function yieldToMainThread(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, BACKGROUND_NICE);
  } catch {
    // Not permitted, or no /proc: the thread keeps its priority.
  }
}

/** `nice` of the analysis threads (0 = normal, 19 = lowest). */
const BACKGROUND_NICE = 10;
/** Idle time after a job that took in a project index before its garbage is collected. */
const INDEX_GARBAGE_DELAY_MS = 500;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('analysis-worker.js must run as a worker thread');
  yieldToMainThread();
  await initEngine();
  warmUpEngine();
  const replica = new ProjectIndexReplica();
  // Taking in a project index (or building one) leaves its garbage, as large as the index, which
  // an idle thread would keep for good: it is collected once the thread has been idle a moment.
  let collectTimer: NodeJS.Timeout | undefined;
  port.on('message', (job: WorkerJob) => {
    clearTimeout(collectTimer);
    const takesIndex = job.kind === 'index' || ('project' in job && job.project?.data !== undefined);
    if (job.kind === 'forget') {
      for (const key of job.keys) cache.drop(key);
      return;
    }
    if (job.kind === 'adoptIndex') {
      replica.adopt(job.version);
      return;
    }
    if (job.kind === 'retire') {
      // What it keeps goes first, so that little is left alive when the thread ends.
      cache.clear();
      replica.clear();
      retire();
      return;
    }
    let reply: WorkerReply;
    let parserDown = false;
    try {
      if (job.kind === 'index') {
        reply = {
          kind: 'done',
          id: job.id,
          result: buildIndex(job.paths, job.maxBytes, replica),
          ...memory(),
        };
      } else if (job.kind === 'analyze') {
        const project = replica.apply(job.project);
        const read = textOf(job);
        const result: AnalysisOutcome =
          'skipped' in read
            ? { findings: [], analyzeMs: 0, degraded: false, ruleErrors: [], unreadable: read.skipped }
            : job.key
              ? analyzeKept(job, read.text, project)
              : analyzeText(read.text, job.settings, job.label, {
                  suppressions: job.suppressions,
                  project,
                  timeoutMs: job.timeoutMs,
                  ...fixOptions(job),
                });
        parserDown = result.parserFailed === true;
        reply = { kind: 'done', id: job.id, result, ...memory(), exiting: parserDown };
      } else {
        const project = replica.apply(job.project);
        const result = fixAll(job.segments, (text) => {
          const outcome = analyzeText(text, job.settings, job.label, { project });
          if (outcome.parserFailed) parserDown = true;
          return outcome.findings;
        });
        reply = { kind: 'done', id: job.id, result, ...memory(), exiting: parserDown };
      }
    } catch (error) {
      reply = { kind: 'failed', id: job.id, error: describeError(error), ...memory() };
    }
    port.postMessage(reply);
    // The parser module failed: a fresh thread is the cleanest fresh start (the pool makes one).
    if (parserDown) process.exit(0);
    if (takesIndex) collectTimer = setTimeout(collectGarbage, INDEX_GARBAGE_DELAY_MS);
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

/**
 * Ends this idle thread after giving its memory back. V8 keeps the heap pages a collection frees
 * in a pool for reuse; those of a thread that simply ends (`Worker.terminate`) go to a pool
 * shared by the process (V8 13: Node 24) that is emptied only 8 s later, so the
 * RSS of a server that just let its scan thread go stayed ~120 MiB higher for that long. A
 * memory-reducing collection here empties this thread's own pool first.
 */
function retire(): void {
  collectGarbage(true);
  process.exit(0);
}

/** The thread's memory (V8's own statistics: cheap, unlike process.memoryUsage()). */
function memory(): { external: number; heap: number } {
  const stats = getHeapStatistics();
  return { external: stats.external_memory, heap: stats.total_heap_size };
}

void main();
