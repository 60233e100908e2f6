// Runs the analysis of a scan's files on worker threads (one per core for large trees, one for
// small ones), supervised from the main thread so that one bad file costs only itself:
// - each file has a budget (`FileTask.timeoutMs`). The worker stops cooperatively at the budget
//   (parsing is cancelled, rules are checked between one another); a rule that does not return
//   is stopped by terminating the worker a little later. Either way the file is reported
//   "analysis timed out" and a fresh worker takes the next files;
// - a worker whose parser failed (a wasm abort or trap) is replaced by a fresh one, so a
//   poisoned module never analyses another file;
// - a worker that dies on a file (out of memory…) costs that file only.
// Without the worker bundle (running from sources) or with LEAK_LENS_SCAN_WORKERS=0 the files are
// analysed in-process: the parser is still re-instantiated after a failure and parsing still
// stops at the budget, but a rule that never returns cannot be stopped.

import { statSync } from 'node:fs';
import { DEFAULT_LIMITS } from '../config';
import { initEngine, PREFILTER_DEFAULT } from '../engine';
import { ProjectIndex, type SerializedProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import {
  analyzeFile,
  budgetMs,
  FIX_BUDGET_FACTOR,
  type FileOutcome,
  type FileTask,
  timedOutReason,
} from './analyze-file';
import {
  buildProjectIndex,
  indexFiles,
  type QuietFile,
  type QuietTest,
  quietOutcome,
  staysQuiet,
} from './project-index';
import { chooseWorkerCount, ScanWorker, type WorkerEvent, workerScript } from './scan-thread';
import type { ToWorker } from './worker-protocol';

export { chooseWorkerCount, ScanWorker, startWorker, workerScript } from './scan-thread';

/** Files handed to a worker ahead of the one it analyses, so it never waits for the next. */
const PIPELINE_DEPTH = 2;
/** A worker that has not loaded the parser after this long is given up. */
const BOOT_TIMEOUT_MS = 60_000;
/** Worker start-up failures in a row after which the remaining files are analysed in-process. */
const MAX_BOOT_FAILURES = 2;
/** Files per share of the project index a worker indexes (many shares: the threads stay balanced). */
const INDEX_SHARE_FILES = 64;

/**
 * The hard limit for one file on a worker: its budget, plus a grace period for the worker to
 * stop cooperatively (and for reading and decoding) before it is terminated.
 */
export function hardLimitMs(timeoutMs: number): number {
  return timeoutMs + Math.max(1000, timeoutMs / 4);
}

export interface AnalysisRun {
  outcomes: FileOutcome[];
  /** Worker threads actually used at once (0: in-process). */
  workers: number;
  /** Worker threads started in all, replacements included. */
  workersStarted: number;
}

export interface AnalysisOptions {
  workers?: number;
  script?: string;
  warn?: (message: string) => void;
  /** What the other files say about names (see model/project-index.ts). */
  project?: ProjectIndex;
  /**
   * Build the project index of the tasks' files first (instead of `project`): on the worker
   * threads when there are any, each indexing shares of the files.
   */
  indexProject?: boolean;
  /** A worker started earlier with `startWorker`: used first, stopped when not needed. */
  warm?: ScanWorker;
  /** Each outcome as it arrives, with the wall-clock milliseconds the file took. */
  onOutcome?: (outcome: FileOutcome, wallMs: number) => void;
}

export async function runAnalysis(
  tasks: FileTask[],
  settings: EngineSettings[],
  options: AnalysisOptions = {},
): Promise<AnalysisRun> {
  const script = options.script ?? workerScript();
  const wanted = options.workers ?? chooseWorkerCount(tasks.length);
  const count = script ? Math.min(wanted, tasks.length) : 0;
  if (count === 0) {
    options.warm?.stop();
    const project = options.indexProject ? buildProjectIndex(tasks) : options.project;
    const outcomes = await analyzeInProcess(tasks, settings, project, options.onOutcome);
    return { outcomes, workers: 0, workersStarted: 0 };
  }
  if (!options.indexProject) return analyzeInWorkers(tasks, settings, count, script as string, options);
  // The workers that will analyse the files index them first, side by side.
  const workers = [options.warm ?? new ScanWorker(script as string)];
  while (workers.length < count) workers.push(new ScanWorker(script as string));
  const indexed = await indexOnWorkers(tasks, settings, workers);
  // Files in which no rule can fire (found while indexing) are not read again: their outcome is
  // what their analysis would give. The others are analysed.
  const quiet: FileOutcome[] = [];
  const rest: FileTask[] = [];
  tasks.forEach((task, i) => {
    const file = indexed.quiet.get(i);
    if (file && staysQuiet(file, indexed.dicts)) quiet.push(quietOutcome(task, file));
    else {
      const knownGates = indexed.known.get(i);
      rest.push(knownGates ? { ...task, knownGates } : task);
    }
  });
  for (const outcome of quiet) options.onOutcome?.(outcome, 0);
  if (rest.length === 0) {
    for (const worker of indexed.workers) worker.stop();
    return { outcomes: quiet, workers: count, workersStarted: workers.length };
  }
  const run = await analyzeInWorkers(rest, settings, Math.min(count, rest.length), script as string, {
    ...options,
    warm: undefined,
    project: undefined,
    projectParts: indexed.parts,
    started: indexed.workers,
  });
  run.outcomes.push(...quiet);
  run.workersStarted += workers.length - indexed.workers.length;
  return run;
}

/**
 * The project index built by `workers`: each indexes shares of the files (reading them; the
 * line scanner needs no parser, so this overlaps the parser's loading) and answers each share
 * serialized, not compacted. A worker that fails gives its shares back to the others; with none
 * left, the main thread indexes the rest. Resolves with the shares in the files' order (what
 * `ProjectIndex.merge` takes), the workers still running, the files (by position in `tasks`) in
 * which no rule can fire unless they import one of `dicts` and the known answers of the others'
 * text tests (see `indexShare`; asked unless the prefilter is off, never for a file to be fixed),
 * and the project's module-level dict names.
 */
function indexOnWorkers(
  tasks: readonly FileTask[],
  settings: EngineSettings[],
  workers: readonly ScanWorker[],
): Promise<{
  parts: string[];
  workers: ScanWorker[];
  quiet: Map<number, QuietFile>;
  known: Map<number, Record<string, boolean>>;
  dicts: Set<string>;
}> {
  const shares: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += INDEX_SHARE_FILES)
    shares.push(tasks.slice(i, i + INDEX_SHARE_FILES));
  const paths = (share: number) => shares[share].map((t) => t.path);
  const test = (share: number): QuietTest | undefined =>
    PREFILTER_DEFAULT
      ? {
          settings,
          settingsIds: shares[share].map((t) => (t.fix ? -1 : t.settingsId)),
          maxBytes: shares[share].map((t) => t.maxBytes ?? DEFAULT_LIMITS.maxBytes),
        }
      : undefined;
  const parts: string[] = new Array(shares.length);
  const quiet = new Map<number, QuietFile>();
  const known = new Map<number, Record<string, boolean>>();
  const dicts = new Set<string>();
  const queue = shares.map((_, i) => i);
  const inFlight = new Map<ScanWorker, number[]>(workers.map((w) => [w, []]));
  let left = shares.length;
  return new Promise((resolve) => {
    const done = () => resolve({ parts, workers: [...inFlight.keys()], quiet, known, dicts });
    const give = (worker: ScanWorker) => {
      const mine = inFlight.get(worker) as number[];
      while (mine.length < PIPELINE_DEPTH && queue.length > 0) {
        const share = queue.shift() as number;
        mine.push(share);
        worker.post({ type: 'index', chunk: share, paths: paths(share), quiet: test(share) });
      }
    };
    const drop = (worker: ScanWorker) => {
      queue.unshift(...(inFlight.get(worker) as number[]));
      inFlight.delete(worker);
      worker.stop();
      for (const other of inFlight.keys()) give(other);
      if (inFlight.size > 0) return;
      // (Indexed here, these files are all analysed: their dicts count all the same.)
      for (const share of queue.splice(0)) {
        const index = indexFiles(paths(share));
        parts[share] = index.serialize();
        for (const name of index.moduleDicts()) dicts.add(name);
      }
      done();
    };
    if (left === 0) {
      done();
      return;
    }
    for (const worker of workers) {
      worker.listen((event) => {
        const mine = inFlight.get(worker);
        if (!mine) return;
        if (event.kind !== 'message') {
          drop(worker);
          return;
        }
        const { message } = event;
        if (message.type !== 'indexed') return;
        mine.splice(mine.indexOf(message.chunk), 1);
        parts[message.chunk] = message.part;
        for (const file of message.quiet) quiet.set(message.chunk * INDEX_SHARE_FILES + file.at, file);
        for (const file of message.known) known.set(message.chunk * INDEX_SHARE_FILES + file.at, file.gates);
        for (const name of message.dicts) dicts.add(name);
        if (--left === 0) done();
        else give(worker);
      });
      give(worker);
    }
  });
}

/** The file's size as the budget counts it (0 when it cannot be told: the worker will say why). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function skippedOutcome(task: FileTask, error: string): FileOutcome {
  return {
    task,
    findings: [],
    lines: 0,
    bytes: 0,
    hasSyntaxErrors: false,
    ruleErrors: [],
    error,
    analysisMs: 0,
  };
}

async function analyzeInProcess(
  tasks: FileTask[],
  settings: EngineSettings[],
  project: ProjectIndex | undefined,
  onOutcome: AnalysisOptions['onOutcome'],
): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  for (const task of tasks) {
    let outcome: FileOutcome;
    try {
      // Instant while the parser is healthy; after a failure, a fresh module is made here.
      await initEngine();
      outcome = analyzeFile(task, settings[task.settingsId], project);
    } catch (error) {
      outcome = skippedOutcome(task, error instanceof Error ? error.message : String(error));
    }
    outcomes.push(outcome);
    onOutcome?.(outcome, outcome.analysisMs);
  }
  return outcomes;
}

interface Slot {
  worker: ScanWorker;
  /** Tasks posted and not answered yet; the first is the one being analysed. */
  inFlight: FileTask[];
  ready: boolean;
  /** When the first task in flight started (performance.now()). */
  headSince: number;
  timer: NodeJS.Timeout | undefined;
  retired: boolean;
}

function analyzeInWorkers(
  tasks: FileTask[],
  settings: EngineSettings[],
  count: number,
  script: string,
  options: AnalysisOptions & {
    /** The project index as shares (see `indexOnWorkers`), instead of `project`. */
    projectParts?: string[];
    /** Workers started already (they indexed the files), used first. */
    started?: ScanWorker[];
  },
): Promise<AnalysisRun> {
  const warn = options.warn ?? (() => {});
  const outcomes: FileOutcome[] = [];
  const parts = options.projectParts ?? (options.project ? [options.project.serialize()] : undefined);
  const setup: ToWorker = { type: 'setup', settings, project: parts };
  // The index for files analysed here, should the workers fail to start: made only then.
  const projectHere = () =>
    options.project ??
    (parts ? ProjectIndex.merge(parts.map((p) => JSON.parse(p) as SerializedProjectIndex)) : undefined);
  const prestarted = [...(options.started ?? [])];
  // Tasks given back by a worker that stopped are taken again first.
  const requeued: FileTask[] = [];
  let next = 0;
  const take = (): FileTask | undefined => requeued.pop() ?? tasks[next++];
  const remaining = () => requeued.length > 0 || next < tasks.length;
  let live = 0;
  let started = 0;
  let bootFailures = 0;
  let giveUp = false;
  let done = false;
  let warm = options.warm;

  return new Promise<AnalysisRun>((resolve) => {
    const finish = async () => {
      if (done) return;
      done = true;
      // Files left when workers could not start at all are analysed here, as before workers.
      const rest: FileTask[] = [];
      for (let t = take(); t; t = take()) rest.push(t);
      if (rest.length > 0)
        outcomes.push(...(await analyzeInProcess(rest, settings, projectHere(), options.onOutcome)));
      resolve({ outcomes, workers: count, workersStarted: started });
    };

    const retire = (slot: Slot) => {
      if (slot.retired) return;
      slot.retired = true;
      clearTimeout(slot.timer);
      slot.worker.stop();
      live--;
    };

    /** Stops `slot`, gives back what it had not started, and starts a replacement if needed. */
    const replace = (slot: Slot) => {
      retire(slot);
      requeued.push(...slot.inFlight.reverse());
      slot.inFlight = [];
      if (remaining() && !giveUp) launch();
      else if (live === 0) void finish();
    };

    const record = (slot: Slot, outcome: FileOutcome) => {
      outcomes.push(outcome);
      options.onOutcome?.(outcome, performance.now() - slot.headSince);
    };

    const armHead = (slot: Slot) => {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      const head = slot.inFlight[0];
      if (!slot.ready || !head) return;
      slot.headSince = performance.now();
      const budget = budgetMs(head.timeoutMs ?? DEFAULT_LIMITS.timeoutMs, sizeOf(head.path));
      slot.timer = setTimeout(
        () => {
          // The worker did not stop by itself (a rule that never returns): stop it.
          slot.inFlight.shift();
          record(slot, skippedOutcome(head, timedOutReason(budget)));
          replace(slot);
        },
        hardLimitMs(head.fix ? budget * FIX_BUDGET_FACTOR : budget),
      );
    };

    const fill = (slot: Slot) => {
      while (slot.inFlight.length < PIPELINE_DEPTH) {
        const task = take();
        if (!task) break;
        slot.inFlight.push(task);
        slot.worker.post({ type: 'task', task });
      }
      if (slot.inFlight.length === 0) {
        retire(slot);
        if (live === 0) void finish();
      }
    };

    const launch = () => {
      const worker = warm ?? prestarted.shift() ?? new ScanWorker(script);
      warm = undefined;
      started++;
      live++;
      const slot: Slot = {
        worker,
        inFlight: [],
        ready: false,
        headSince: 0,
        timer: undefined,
        retired: false,
      };
      const boot = setTimeout(
        () => onEvent({ kind: 'error', error: new Error('it did not start in time') }),
        BOOT_TIMEOUT_MS,
      );
      boot.unref();
      const onEvent = (event: WorkerEvent) => {
        if (slot.retired) return;
        if (event.kind === 'message') {
          const { message } = event;
          if (message.type === 'ready') {
            clearTimeout(boot);
            slot.ready = true;
            bootFailures = 0;
            armHead(slot);
            return;
          }
          if (message.type !== 'outcome') return;
          slot.inFlight.shift();
          record(slot, message.outcome);
          // A failed parser module is never trusted again: a fresh worker takes the next files.
          if (message.outcome.parserFailed) {
            replace(slot);
            return;
          }
          fill(slot);
          armHead(slot);
          return;
        }
        clearTimeout(boot);
        const why = event.kind === 'error' ? event.error.message : `it exited with code ${event.code}`;
        if (!slot.ready) {
          bootFailures++;
          if (bootFailures >= MAX_BOOT_FAILURES && !giveUp) {
            giveUp = true;
            warn(`a scan worker failed to start (${why}); the files are analysed in the main thread`);
          }
          replace(slot);
          return;
        }
        // The file being analysed took the worker down: it alone is reported.
        const head = slot.inFlight.shift();
        if (head) record(slot, skippedOutcome(head, `analysis failed (the worker stopped: ${why})`));
        replace(slot);
      };
      worker.listen(onEvent);
      worker.post(setup);
      fill(slot);
    };

    for (let i = 0; i < count && remaining(); i++) launch();
    warm?.stop();
    for (const unused of prestarted.splice(0)) unused.stop();
  });
}
