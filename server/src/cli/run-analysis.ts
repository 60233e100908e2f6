// Runs the analysis of a scan's files: in-process for small trees, on worker threads (one per
// core) for large ones, where the parse-and-check work dominates and parallelises cleanly.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initEngine } from '../engine';
import type { ProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import { analyzeFile, type FileOutcome, type FileTask } from './analyze-file';
import type { ToMain, ToWorker } from './worker-protocol';

/** Below this many files, starting workers (each loads the bundle and the grammar) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 48;
const MAX_WORKERS = 8;

/** Where the bundled worker lives: beside dist/cli.js. Absent when running from sources. */
export function workerScript(): string | undefined {
  const script = join(__dirname, 'scan-worker.js');
  return existsSync(script) ? script : undefined;
}

/**
 * How many worker threads to use for `fileCount` files: 0 means in-process. The environment
 * variable LEAK_LENS_SCAN_WORKERS overrides the choice (tests and the benchmark use it).
 */
export function chooseWorkerCount(fileCount: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = env.LEAK_LENS_SCAN_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced.trim())) return Math.min(Number(forced), MAX_WORKERS);
  const cores = availableParallelism();
  if (cores < 2 || fileCount < MIN_FILES_FOR_WORKERS) return 0;
  return Math.min(cores, MAX_WORKERS, Math.ceil(fileCount / 16));
}

export interface AnalysisRun {
  outcomes: FileOutcome[];
  /** Worker threads actually used (0: in-process). */
  workers: number;
}

export async function runAnalysis(
  tasks: FileTask[],
  settings: EngineSettings[],
  options: {
    workers?: number;
    script?: string;
    warn?: (message: string) => void;
    /** What the other files say about names (see model/project-index.ts). */
    project?: ProjectIndex;
  } = {},
): Promise<AnalysisRun> {
  const script = options.script ?? workerScript();
  const wanted = options.workers ?? chooseWorkerCount(tasks.length);
  const count = script ? Math.min(wanted, tasks.length) : 0;
  const { project } = options;
  if (count === 0) return { outcomes: await analyzeInProcess(tasks, settings, project), workers: 0 };
  return {
    outcomes: await analyzeInWorkers(tasks, settings, count, script as string, options.warn, project),
    workers: count,
  };
}

async function analyzeInProcess(
  tasks: FileTask[],
  settings: EngineSettings[],
  project?: ProjectIndex,
): Promise<FileOutcome[]> {
  if (tasks.length === 0) return [];
  await initEngine();
  return tasks.map((task) => analyzeFile(task, settings[task.settingsId], project));
}

async function analyzeInWorkers(
  tasks: FileTask[],
  settings: EngineSettings[],
  count: number,
  script: string,
  warn: (message: string) => void = () => {},
  project?: ProjectIndex,
): Promise<FileOutcome[]> {
  const projectData = project?.toJSON();
  const outcomes: FileOutcome[] = [];
  const orphaned: FileTask[] = [];
  let next = 0;
  // Small batches near the end keep both workers busy until the last file.
  const take = (): FileTask[] => {
    const size = Math.max(1, Math.min(16, Math.ceil((tasks.length - next) / (count * 4))));
    const batch = tasks.slice(next, next + size);
    next += batch.length;
    return batch;
  };
  const runWorker = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(script, { workerData: { settings, project: projectData } });
      let inFlight: FileTask[] = [];
      const feed = () => {
        inFlight = take();
        if (inFlight.length === 0) void worker.terminate();
        else worker.postMessage({ type: 'batch', tasks: inFlight } satisfies ToWorker);
      };
      worker.on('message', (message: ToMain) => {
        if (message.type === 'outcomes') outcomes.push(...message.outcomes);
        feed();
      });
      worker.on('error', (error) => {
        warn(`a scan worker failed (${error.message}); its files are analysed in the main thread`);
        orphaned.push(...inFlight);
        inFlight = [];
      });
      worker.on('exit', () => resolve());
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  // Files a failed worker held, and any left if every worker failed, are analysed here.
  const rest = [...orphaned, ...tasks.slice(next)];
  outcomes.push(...(await analyzeInProcess(rest, settings, project)));
  return outcomes;
}
