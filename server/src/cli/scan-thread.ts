// The scan's worker threads, kept apart from the analysis so that `leak-lens scan` can start one
// before the rest of the command (the engine, the rules) is even loaded: it imports nothing but
// Node.js. run-analysis.ts supervises the workers.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ToMain, ToWorker } from './worker-protocol';

/** Below this many files one worker is enough: each one loads the bundle and the grammar. */
const MIN_FILES_FOR_WORKERS = 48;
const MAX_WORKERS = 8;

/** Where the bundled worker lives: beside dist/cli.js. Absent when running from sources. */
export function workerScript(): string | undefined {
  const script = join(__dirname, 'scan-worker.js');
  return existsSync(script) ? script : undefined;
}

/**
 * How many worker threads to use for `fileCount` files: 0 means in-process. One worker at least,
 * so that every file's budget can be enforced. The environment variable LEAK_LENS_SCAN_WORKERS
 * overrides the choice (tests and the benchmark use it; 0 analyses in-process).
 */
export function chooseWorkerCount(fileCount: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = env.LEAK_LENS_SCAN_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced.trim())) return Math.min(Number(forced), MAX_WORKERS);
  if (fileCount === 0) return 0;
  const cores = availableParallelism();
  if (cores < 2 || fileCount < MIN_FILES_FOR_WORKERS) return 1;
  return Math.min(cores, MAX_WORKERS, Math.ceil(fileCount / 16));
}

export type WorkerEvent =
  | { kind: 'message'; message: ToMain }
  | { kind: 'error'; error: Error }
  | { kind: 'exit'; code: number };

/**
 * A scan worker thread, started early: it loads the bundle and the parser while the main thread
 * is still finding files. Events are kept until the pool listens.
 */
export class ScanWorker {
  readonly worker: Worker;
  private readonly buffered: WorkerEvent[] = [];
  private listener: ((event: WorkerEvent) => void) | undefined;
  private stopped = false;
  /** An uncaught error, held until the thread's exit: see the constructor. */
  private failure: Error | undefined;

  constructor(script: string) {
    // A deep stack: recursive code in the engine then survives nesting that would overflow the
    // main thread's (the language server's analysis worker does the same).
    this.worker = new Worker(script, { resourceLimits: { stackSizeMb: 64 } });
    this.worker.on('message', (message: ToMain) => this.emit({ kind: 'message', message }));
    // Node delivers a thread's uncaught error on its internal port, which can overtake messages the
    // thread posted just before (its 'ready', say); it drains those messages before 'exit'. So the
    // error is reported at exit, after everything the thread said: a file that kills a worker at
    // once is then never mistaken for a worker that could not start.
    this.worker.on('error', (error: Error) => {
      this.failure ??= error;
    });
    this.worker.on('exit', (code: number) =>
      this.emit(this.failure ? { kind: 'error', error: this.failure } : { kind: 'exit', code }),
    );
  }

  private emit(event: WorkerEvent): void {
    if (this.stopped) return;
    if (this.listener) this.listener(event);
    else this.buffered.push(event);
  }

  listen(listener: (event: WorkerEvent) => void): void {
    this.listener = listener;
    for (const event of this.buffered.splice(0)) if (!this.stopped) listener(event);
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Terminates the thread; no event is delivered after this. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    void this.worker.terminate();
  }
}

/**
 * Starts a worker now, to be handed to `runAnalysis`, which stops it when it is not needed (the
 * caller stops it if it never calls runAnalysis). Undefined without the bundle or with
 * LEAK_LENS_SCAN_WORKERS=0.
 */
export function startWorker(script = workerScript()): ScanWorker | undefined {
  if (!script || chooseWorkerCount(1) === 0) return undefined;
  return new ScanWorker(script);
}
