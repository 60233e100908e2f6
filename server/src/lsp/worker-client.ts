// The main-thread side of the analysis worker: one thread, started on first use, jobs answered in
// order. `cancel()` terminates the thread — the only way to stop a synchronous analysis — and
// fails the pending jobs; the next job starts a fresh thread. An idle thread is let go after a
// while so a finished workspace scan does not keep its memory.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineSettings } from '../types';
import type { AnalysisOutcome } from './analysis';
import type { ProjectIndexService, ProjectSnapshot } from './project-index-service';
import type { Segment } from './segments';
import { ANALYSIS_THREAD_LIMITS } from './thread-limits';
import type { FixAllOutcome, IndexOutcome, WorkerJob, WorkerReply } from './worker-protocol';

/**
 * Lets an idle thread go: it frees its memory and ends by itself (analysis-worker.ts, `retire`),
 * which gives that memory back to the system at once, where `terminate()` leaves V8 holding the
 * freed heap pages for another 8 s on Node 24. Terminated anyway if it has not ended in 5 s.
 */
export function retireThread(worker: Worker): void {
  worker.postMessage({ id: 0, kind: 'retire' } satisfies WorkerJob);
  const fallback = setTimeout(() => void worker.terminate(), 5000);
  fallback.unref();
  worker.once('exit', () => clearTimeout(fallback));
}

export class CancelledError extends Error {
  constructor() {
    super('analysis cancelled');
  }
}

type Pending = {
  job: WorkerJob;
  /** Where the job's project snapshot came from (a job sent again gets a fresh one). */
  project: ProjectIndexService | undefined;
  resolve: (value: AnalysisOutcome | FixAllOutcome | IndexOutcome) => void;
  reject: (error: Error) => void;
};

export class AnalysisWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The project index version the current thread holds (a new thread holds none). */
  private projectVersion: number | undefined;
  /** The thread that built the last project index (see `index`). */
  private builtBy: Worker | undefined;

  constructor(
    private readonly script: string,
    private readonly idleMs = 30_000,
  ) {}

  /** The worker bundle beside the server bundle (dist/); undefined when running from sources. */
  static locate(): string | undefined {
    const script = join(__dirname, 'analysis-worker.js');
    return existsSync(script) ? script : undefined;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** `suppressions`: also compute each finding's suppression fix (for code actions). */
  analyze(
    text: string,
    settings: EngineSettings,
    label: string,
    suppressions = false,
    project?: ProjectIndexService,
  ): Promise<AnalysisOutcome> {
    return this.analyzeJob({ text }, settings, label, suppressions, project);
  }

  /**
   * Analyse a closed file, which the thread reads itself (the main thread never holds the
   * workspace's texts). The outcome says `unreadable` when the file cannot be read.
   */
  analyzeFile(
    path: string,
    maxBytes: number,
    settings: EngineSettings,
    project?: ProjectIndexService,
  ): Promise<AnalysisOutcome> {
    return this.analyzeJob({ path, maxBytes }, settings, path, false, project);
  }

  private analyzeJob(
    source: { text: string } | { path: string; maxBytes: number },
    settings: EngineSettings,
    label: string,
    suppressions: boolean,
    project: ProjectIndexService | undefined,
  ): Promise<AnalysisOutcome> {
    this.ensureWorker();
    return this.run(
      {
        id: this.nextId++,
        kind: 'analyze',
        ...source,
        settings,
        label,
        suppressions,
        project: this.snapshotFor(project),
      },
      project,
    ) as Promise<AnalysisOutcome>;
  }

  /**
   * Build the project index of these files on the thread (it reads them). The thread keeps it:
   * once installed, `adoptIndex` with its version spares sending it back.
   */
  index(paths: string[], maxBytes: number): Promise<IndexOutcome> {
    this.builtBy = this.ensureWorker();
    return this.run(
      { id: this.nextId++, kind: 'index', paths, maxBytes },
      undefined,
    ) as Promise<IndexOutcome>;
  }

  /** The index the thread built last is the project's `version` now. */
  adoptIndex(version: number): void {
    // (A thread replaced since has none: it will be sent the index with its next job.)
    if (this.worker && this.worker === this.builtBy) {
      this.worker.postMessage({ id: 0, kind: 'adoptIndex', version } satisfies WorkerJob);
      this.projectVersion = version;
    }
    this.builtBy = undefined;
  }

  fixAll(
    segments: Segment[],
    settings: EngineSettings,
    label: string,
    project?: ProjectIndexService,
  ): Promise<FixAllOutcome> {
    this.ensureWorker();
    return this.run(
      {
        id: this.nextId++,
        kind: 'fixAll',
        segments,
        settings,
        label,
        project: this.snapshotFor(project),
      },
      project,
    ) as Promise<FixAllOutcome>;
  }

  /** The project index to send with a job: its data only when this thread has an older one. */
  private snapshotFor(project: ProjectIndexService | undefined): ProjectSnapshot | undefined {
    if (!project) return undefined;
    const snapshot = project.snapshot(this.projectVersion);
    this.projectVersion = snapshot.version;
    return snapshot;
  }

  private run(
    job: WorkerJob,
    project: ProjectIndexService | undefined,
  ): Promise<AnalysisOutcome | FixAllOutcome | IndexOutcome> {
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { job, project, resolve, reject });
      worker.postMessage(job);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A deep stack: recursive code in the engine then survives absurd nesting that overflows the
    // main thread's (see Linter.runAnalysis, which retries such files here).
    this.projectVersion = undefined;
    const worker = new Worker(this.script, {
      stdout: true,
      stderr: true,
      resourceLimits: ANALYSIS_THREAD_LIMITS,
    });
    // The worker must never write to the server's stdout (the JSON-RPC stream).
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') return;
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (reply.kind === 'done') job.resolve(reply.result);
      else job.reject(new Error(reply.error));
      if (reply.kind === 'done' && reply.exiting) this.replaceWorker(worker);
      else if (this.pending.size === 0) this.scheduleIdle();
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`analysis worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /**
   * The thread's parser module failed and it is exiting: the jobs sent to it after the failed one
   * go to a fresh thread (fresh module) instead of failing with it.
   */
  private replaceWorker(exiting: Worker): void {
    if (this.worker !== exiting) return;
    this.worker = undefined;
    if (this.pending.size === 0) return;
    const fresh = this.ensureWorker();
    for (const { job, project } of this.pending.values())
      fresh.postMessage(job.kind === 'forget' ? job : { ...job, project: this.snapshotFor(project) });
  }

  private scheduleIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.stop();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private failAll(error: Error): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) job.reject(error);
  }

  /** Let the thread go now if it has nothing to do (its memory with it); the next job starts another. */
  stopIfIdle(): void {
    if (this.pending.size > 0) return;
    clearTimeout(this.idleTimer);
    this.stop();
  }

  /** Stop whatever is running; pending jobs reject with CancelledError. */
  cancel(): void {
    if (this.pending.size === 0) return;
    this.stop();
  }

  private stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    const idle = this.pending.size === 0;
    this.failAll(new CancelledError());
    if (!worker) return;
    // An idle thread gives its memory back before it ends (see retireThread); a busy one is
    // stopped at once.
    if (idle) retireThread(worker);
    else void worker.terminate();
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.stop();
  }
}
