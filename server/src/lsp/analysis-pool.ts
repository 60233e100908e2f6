// The analysis threads of open documents and notebooks. The main thread never analyses: it sends
// the text to a thread of this pool and publishes what comes back, so one heavy document never
// delays another's diagnostics or a code action, and nothing the engine does can freeze the
// server.
//
// - Jobs wait in one queue, by priority (a code action's analysis and a document just opened
//   first, in the order they came: someone waits for each; then edits, then re-analyses after a
//   settings change) and age. A document has at most one job waiting (a newer text replaces it)
//   and one running.
// - Each thread keeps the trees of the documents it analysed last (analysis-worker.ts), so a
//   free thread prefers the jobs of documents it knows: the next keystroke re-parses
//   incrementally.
// - A document whose analysis took long (or is very large) is heavy: at most `size - 1` threads
//   (one, with a single thread) run heavy jobs at once, so one thread always serves the others.
//   If every thread is busy with a job that has turned out slow, one more thread starts (up to
//   `maxThreads`).
// - Past the time budget (plus a grace period for a rule that cannot be interrupted) a job's
//   thread is terminated and the job answers `timedOut`. A job for a text the user has since
//   changed can be stopped the same way (`stopStale`).
// - A thread whose memory outside the JavaScript heap (the parser's wasm heap, which never
//   shrinks) grew past a limit is replaced when it is idle; extra threads end when idle. Once
//   warmed up, `size` threads are kept running (a stopped one is replaced at once), so one is
//   always ready while another is busy.
import { Worker } from 'node:worker_threads';
import type { EngineSettings } from '../types';
import type { AnalysisOutcome } from './analysis';
import type { ProjectIndexService, ProjectSnapshot } from './project-index-service';
import type { Segment } from './segments';
import { ANALYSIS_THREAD_LIMITS } from './thread-limits';
import { CancelledError, retireThread } from './worker-client';
import type { FixAllOutcome, WorkerJob, WorkerReply } from './worker-protocol';

export const PRIORITY = {
  /** A code action or Fix All is waiting for this analysis. */
  urgent: 0,
  /**
   * The document's first analysis (just opened): someone is waiting for it as for a code action,
   * so it shares that lane (first come, first served) rather than waiting for every code action
   * asked after it (an edit storm can ask many, each a full analysis).
   */
  open: 0,
  /** After an edit. */
  edit: 1,
  /** Everything again after a settings or project change. */
  background: 2,
} as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

export interface PoolOptions {
  /** Threads kept (default 2; one only in tests, where the order of jobs must be exact). */
  size?: number;
  /** Threads at most, counting those started when every thread is stuck on slow jobs (default size + 1). */
  maxThreads?: number;
  /**
   * Budget of one analysis in ms, plus 1 s per MiB of text (default 10 s); the thread is
   * terminated at budget + grace. Fix All gets three budgets.
   */
  timeoutMs?: number;
  /** Grace after the budget for a rule that cannot be interrupted (default 2 s). */
  graceMs?: number;
  /** A job running longer than this is slow; its document becomes heavy (default 500 ms). */
  slowMs?: number;
  /** When every thread has run its job this long, one more thread starts (default 2 s). */
  stuckMs?: number;
  /** Texts at least this long are heavy from the start (default 512 KiB). */
  heavyChars?: number;
  /** Replace an idle thread whose wasm heap grew past this many bytes (default 160 MiB). */
  recycleBytes?: number;
  /** Idle time after which threads beyond the first end (default 30 s). */
  idleMs?: number;
  /** Logs what the pool does (threads started, replaced, stopped). */
  log?: (message: string) => void;
  /** Also log every job started (diagnosis). */
  trace?: boolean;
}

/** Raised for a job whose thread was stopped because its text is stale (`stopStale`). */
/** The queue slot of a job: one waiting job per document and kind. A code action's analysis with
 * fixes waits apart from the diagnostics' one, so neither replaces the other. */
function slotOf(key: string, message: Job['message']): string {
  const kind = message.kind === 'analyze' && message.fixesFor ? 'fixes' : message.kind;
  return `${kind}\0${key}`;
}

export class StoppedError extends CancelledError {}
const STOPPED = new StoppedError();

interface Job {
  id: number;
  key: string;
  priority: Priority;
  seq: number;
  /** The message without `id` and `project` (added when dispatched). */
  message: DistributiveOmit<WorkerJob, 'id'>;
  /** Text length, for the heavy test. */
  chars: number;
  /** Its budget in ms (the thread is stopped at budget + grace). */
  budget: number;
  resolve(value: AnalysisOutcome | FixAllOutcome): void;
  reject(error: Error): void;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

interface Thread {
  worker: Worker;
  /** Keys whose tree this thread keeps (as far as the pool knows). */
  keys: Set<string>;
  job?: Job;
  started: number;
  /** When the running job turns slow, and when it runs out of time. */
  slowTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  projectVersion?: number;
  external: number;
  heap: number;
  /** Terminated by the pool: its exit is expected. */
  stopping: boolean;
  /** The thread said it is ready (engine loaded). */
  ready?: boolean;
}

/** One rejection for every superseded or dropped job (an Error per keystroke costs a stack trace). */
const SUPERSEDED = new CancelledError();
const PRIORITIES = [PRIORITY.urgent, PRIORITY.edit, PRIORITY.background] as const;
/** Jobs looked at, per priority, for one whose tree a free thread keeps. */
const AFFINITY_SCAN = 16;

export class AnalysisPool {
  private readonly threads: Thread[] = [];
  /** Waiting jobs by `kind + key` (one per document and kind: a newer text replaces the older). */
  private readonly waiting = new Map<string, Job>();
  /** Waiting jobs per priority, oldest first; entries whose job moved or left are skipped. */
  private readonly lanes: Job[][] = PRIORITIES.map(() => []);
  private nextId = 1;
  private seq = 0;
  /** Per key, how long its last analysis took and how long its text was. */
  private readonly lastRun = new Map<string, { ms: number; chars: number; timedOut: boolean }>();
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private jobsDone = 0;
  private readonly size: number;
  private readonly maxThreads: number;
  readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly slowMs: number;
  private readonly stuckMs: number;
  private readonly heavyChars: number;
  private readonly recycleBytes: number;
  private readonly idleMs: number;

  constructor(
    private readonly script: string,
    private readonly project: ProjectIndexService | undefined,
    private readonly options: PoolOptions = {},
  ) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    this.kept = this.size;
    this.maxThreads = Math.max(this.size, options.maxThreads ?? this.size + 1);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.graceMs = options.graceMs ?? 2000;
    this.slowMs = options.slowMs ?? 500;
    this.stuckMs = options.stuckMs ?? 2000;
    this.heavyChars = options.heavyChars ?? 512 * 1024;
    this.recycleBytes = options.recycleBytes ?? 160 * 1024 * 1024;
    this.idleMs = options.idleMs ?? 30_000;
  }

  /**
   * Start the threads now (each loads the engine and warms it up before its first job), so that
   * a second one is ready the moment the first is busy with a long analysis.
   */
  warmUp(): void {
    this.warm = true;
    this.ensureThreads();
  }

  /**
   * Whether a thread has ever loaded the engine: the first ones take a while after start. (A
   * thread replaced later is not waited for like that: the others are ready meanwhile.)
   */
  get startedUp(): boolean {
    return this.everReady;
  }
  private everReady = false;

  /** Keeps `kept` threads running once warmed up (a stopped or crashed one is replaced at once). */
  private ensureThreads(): void {
    // (Threads that die before they are ready are not restarted forever: jobs still start one.)
    if (!this.warm || this.disposed || this.earlyExits >= 3) return;
    while (this.threads.length < this.kept) this.startThread();
  }
  /** Threads kept running: `size`, or one after `trimIdle` until a job finds that one busy. */
  private kept: number;

  /**
   * A burst of work is over (the workspace scan): idle threads beyond one end, each holding its
   * own engine, parser heap and copy of the project index. The one keeping the most documents'
   * trees stays. When a job finds it busy another starts, as at start-up, and from then on the
   * pool keeps `size` threads again. Nothing ends while a job runs or waits.
   */
  trimIdle(): void {
    if (this.disposed || this.waiting.size > 0 || this.threads.some((t) => t.job)) return;
    this.kept = 1;
    const byTrees = [...this.threads].sort((a, b) => b.keys.size - a.keys.size);
    for (const thread of byTrees.slice(1)) this.stopThread(thread);
    if (byTrees.length > 1) this.log(`let ${byTrees.length - 1} idle analysis threads go`);
  }
  private warm = false;
  /** Threads in a row that ended before they were ready. */
  private earlyExits = 0;

  /**
   * Analyse an open document's text (its thread keeps the tree for the next edit). A later call
   * for the same key replaces this one while it waits: this one then rejects with CancelledError.
   * With `fixesFor`, the findings come with their fixes, for those rule codes only: what a code
   * action needs (diagnostics are analysed without fixes); such a job waits apart from the
   * diagnostics' one, so neither replaces the other.
   */
  analyze(
    key: string,
    text: string,
    settings: EngineSettings,
    label: string,
    priority: Priority,
    fixesFor?: string[],
  ): Promise<AnalysisOutcome> {
    return this.submit(
      key,
      priority,
      {
        kind: 'analyze',
        text,
        settings,
        label,
        // The "Suppress … on this line" fixes come with the fixes a code action asks for, not
        // with every edit's diagnostics (hundreds of findings to compute and hand over).
        suppressions: fixesFor !== undefined,
        key,
        timeoutMs: this.budgetFor(text.length),
        fixesFor,
      },
      text.length,
    ) as Promise<AnalysisOutcome>;
  }

  fixAll(key: string, segments: Segment[], settings: EngineSettings, label: string): Promise<FixAllOutcome> {
    const chars = segments.reduce((n, s) => n + s.text.length, 0);
    return this.submit(
      key,
      PRIORITY.urgent,
      { kind: 'fixAll', segments, settings, label },
      chars,
    ) as Promise<FixAllOutcome>;
  }

  /** The budget of analysing a text of `chars` characters, in ms. */
  budgetFor(chars: number): number {
    return Math.round(this.timeoutMs + (1000 * chars) / (1024 * 1024));
  }

  /** Move the waiting job of `key` (if any) up to `priority`. */
  prioritize(key: string, priority: Priority): void {
    for (const job of this.waiting.values())
      if (job.key === key && job.priority > priority) {
        job.priority = priority;
        this.lanes[priority].push(job);
      }
    this.pump();
  }

  /** Whether `key`'s analyses are slow (or its text very large): it gets a longer pause after edits. */
  isHeavy(key: string, chars = 0): boolean {
    const last = this.lastRun.get(key);
    return chars >= this.heavyChars || (last !== undefined && (last.timedOut || last.ms >= this.slowMs));
  }

  /** Whether `key` has a job waiting or running. */
  busyWith(key: string): boolean {
    for (const job of this.waiting.values()) if (job.key === key) return true;
    return this.threads.some((t) => t.job?.key === key);
  }

  /**
   * The text of `key` changed: a job of it that has run for `minMs` or more (default: at once for
   * a heavy document, else once it has run as long as `stuckMs`) is stale work, so its thread is
   * stopped (the job rejects with StoppedError). A light document's run is left to finish until
   * then: the fresh thread that replaces a stopped one loads and warms up the engine, which costs
   * more than the rest of a usual analysis (on a busy machine, every analysis runs longer than
   * `slowMs`: stopping those stopped the threads themselves, one per keystroke of an edit storm).
   */
  stopStale(key: string, minMs?: number): void {
    const now = performance.now();
    let stopped = false;
    for (const thread of [...this.threads])
      if (
        thread.job?.key === key &&
        thread.job.message.kind === 'analyze' &&
        now - thread.started >= (minMs ?? (this.heavyJob(thread.job) ? 0 : this.stuckMs))
      ) {
        this.log(`stopping the stale analysis of ${key} after ${(now - thread.started).toFixed(0)} ms`);
        this.stopThread(thread, STOPPED);
        stopped = true;
      }
    // (Called on every keystroke: nothing to start when nothing stopped.)
    if (stopped) this.pump();
  }

  /** The document closed: drop its waiting jobs and what the threads keep for it. */
  forget(key: string): void {
    for (const [slot, job] of this.waiting)
      if (job.key === key) {
        this.waiting.delete(slot);
        job.reject(SUPERSEDED);
      }
    this.lastRun.delete(key);
    for (const thread of this.threads) {
      if (!thread.keys.delete(key)) continue;
      thread.worker.postMessage({ id: 0, kind: 'forget', keys: [key] } satisfies WorkerJob);
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    for (const job of this.waiting.values()) job.reject(SUPERSEDED);
    this.waiting.clear();
    for (const lane of this.lanes) lane.length = 0;
    for (const thread of [...this.threads]) this.stopThread(thread, new CancelledError());
  }

  /** For tests and the log: threads, waiting jobs, running keys. */
  get state(): { threads: number; waiting: number; running: string[] } {
    return {
      threads: this.threads.length,
      waiting: this.waiting.size,
      running: this.threads.flatMap((t) => (t.job ? [t.job.key] : [])),
    };
  }

  // ---- scheduling ---------------------------------------------------------------------------

  private submit(
    key: string,
    priority: Priority,
    message: Job['message'],
    chars: number,
  ): Promise<AnalysisOutcome | FixAllOutcome> {
    if (this.disposed) return Promise.reject(SUPERSEDED);
    return new Promise((resolve, reject) => {
      const slot = slotOf(key, message);
      if (this.options.trace) this.log(`submit ${key} (priority ${priority})`);
      const old = this.waiting.get(slot);
      if (old) {
        // A document has one analysis waiting at most: the newest text takes the older one's
        // place in the queue (and the more urgent of the two priorities).
        old.reject(SUPERSEDED);
        old.message = message;
        old.chars = chars;
        old.budget = this.budgetOf(message, chars);
        old.resolve = resolve;
        old.reject = reject;
        if (priority < old.priority) {
          old.priority = priority;
          this.lanes[priority].push(old);
        }
      } else {
        const job: Job = {
          id: this.nextId++,
          key,
          priority,
          seq: this.seq++,
          message,
          chars,
          budget: this.budgetOf(message, chars),
          resolve,
          reject,
        };
        this.waiting.set(slot, job);
        this.lanes[priority].push(job);
      }
      clearTimeout(this.idleTimer);
      this.pump();
    });
  }

  private budgetOf(message: Job['message'], chars: number): number {
    return message.kind === 'fixAll' ? 3 * this.budgetFor(chars) : this.budgetFor(chars);
  }

  private heavyJob(job: Job): boolean {
    return this.isHeavy(job.key, job.chars);
  }

  /** Whether `job` is still waiting in `lane` (entries of jobs that moved or started are stale). */
  private live(job: Job, priority: number): boolean {
    return job.priority === priority && this.waiting.get(slotOf(job.key, job.message)) === job;
  }

  /** The next job `thread` may start: most urgent first, then oldest; a job it keeps the tree of first within a priority. */
  private nextJob(thread: Thread, running: Set<string>, heavyAllowed: boolean): Job | undefined {
    for (const priority of PRIORITIES) {
      const lane = this.lanes[priority];
      // Drop stale entries at the front.
      while (lane.length > 0 && !this.live(lane[0], priority)) lane.shift();
      let first: Job | undefined;
      let scanned = 0;
      for (const job of lane) {
        if (!this.live(job, priority) || running.has(job.key)) continue;
        if (!heavyAllowed && this.heavyJob(job)) continue;
        first ??= job;
        if (thread.keys.has(job.key)) return job;
        if (++scanned >= AFFINITY_SCAN) break;
      }
      if (first) return first;
    }
    return undefined;
  }

  /** Start every job that can start now. */
  private pump(): void {
    if (this.disposed) return;
    while (this.waiting.size > 0) {
      let thread = this.threads.find((t) => !t.job && !t.stopping);
      if (!thread) {
        const now = performance.now();
        // (A thread still starting is not stuck: another would start no sooner.)
        const stuck =
          this.threads.length >= this.size &&
          this.threads.every((t) => t.ready && t.job && now - t.started >= this.stuckMs);
        if (this.threads.length < this.size || (stuck && this.threads.length < this.maxThreads)) {
          // (Trimmed to one and that one is busy: the pool is in use again.)
          this.kept = this.size;
          thread = this.startThread();
        } else return;
      }
      const running = new Set<string>();
      let heavyRunning = 0;
      for (const t of this.threads)
        if (t.job) {
          running.add(t.job.key);
          if (this.heavyJob(t.job)) heavyRunning++;
        }
      const job = this.nextJob(thread, running, heavyRunning < Math.max(1, this.size - 1));
      if (!job) break;
      this.waiting.delete(slotOf(job.key, job.message));
      this.dispatch(thread, job);
    }
    if (this.waiting.size === 0 && this.threads.every((t) => !t.job)) this.scheduleIdle();
  }

  private dispatch(thread: Thread, job: Job): void {
    if (this.options.trace)
      this.log(
        `dispatch ${job.key} (priority ${job.priority}) to thread ${this.threads.indexOf(thread) + 1}`,
      );
    thread.job = job;
    thread.started = performance.now();
    if (job.message.kind === 'analyze' && job.message.key) thread.keys.add(job.key);
    let project: ProjectSnapshot | undefined;
    if (this.project) {
      project = this.project.snapshot(thread.projectVersion);
      thread.projectVersion = project.version;
    }
    thread.worker.postMessage({ ...job.message, id: job.id, project } as WorkerJob);
    if (thread.ready) this.arm(thread, job);
  }

  /**
   * The job's clock starts once its thread runs it: at dispatch on a ready thread, else when the
   * thread is ready (starting one, which loads and warms up the engine, takes seconds on a busy
   * machine and is no part of the job's budget).
   */
  private arm(thread: Thread, job: Job): void {
    thread.started = performance.now();
    clearTimeout(thread.slowTimer);
    clearTimeout(thread.deadlineTimer);
    // When the job is stuck, another thread may be needed for the rest of the queue.
    thread.slowTimer = setTimeout(() => this.pump(), this.stuckMs + 1);
    thread.slowTimer.unref();
    thread.deadlineTimer = setTimeout(() => this.expire(thread, job), job.budget + this.graceMs);
    thread.deadlineTimer.unref();
  }

  /** The job ran past its budget and grace: its thread is stopped and it answers timedOut. */
  private expire(thread: Thread, job: Job): void {
    if (thread.job !== job) return;
    const ms = performance.now() - thread.started;
    this.log(`the analysis of ${job.key} ran for ${ms.toFixed(0)} ms: stopping its thread`);
    this.lastRun.set(job.key, { ms, chars: job.chars, timedOut: true });
    thread.job = undefined;
    this.stopThread(thread, new CancelledError());
    if (job.message.kind === 'analyze')
      job.resolve({
        findings: [],
        analyzeMs: ms,
        degraded: true,
        ruleErrors: [],
        timedOut: true,
        engineError: `analysis timed out after ${seconds(job.budget)}`,
      });
    else job.reject(new Error(`Fix All timed out after ${seconds(job.budget)}`));
    this.pump();
  }

  private finished(thread: Thread, reply: Extract<WorkerReply, { id: number }>): void {
    const job = thread.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(thread.slowTimer);
    clearTimeout(thread.deadlineTimer);
    thread.job = undefined;
    thread.external = reply.external;
    thread.heap = reply.heap;
    if (++this.jobsDone % 200 === 0)
      this.log(`analysis threads after ${this.jobsDone} jobs: ${this.describeThreads()}`);
    const ms = performance.now() - thread.started;
    if (reply.kind === 'done') {
      if (job.message.kind === 'analyze') {
        const outcome = reply.result as AnalysisOutcome;
        this.lastRun.set(job.key, { ms, chars: job.chars, timedOut: outcome.timedOut === true });
      }
      // (The pool posts no index jobs: its answers are analyses and Fix Alls.)
      job.resolve(reply.result as AnalysisOutcome | FixAllOutcome);
    } else job.reject(new Error(reply.error));
    if (reply.kind === 'done' && reply.exiting) {
      // Its parser module failed and it exits now: a job sent to it would be lost with it.
      this.log('replacing an analysis thread whose parser failed');
      this.stopThread(thread);
    } else if (thread.external > this.recycleBytes) {
      this.log(
        `replacing an analysis thread whose parser heap grew to ${(thread.external / 2 ** 20).toFixed(0)} MiB`,
      );
      this.stopThread(thread);
    } else if (this.threads.length > this.size && this.waiting.size === 0) {
      // A thread started while the others were stuck is not kept once there is no work for it.
      this.stopThread(thread);
    }
    this.pump();
  }

  // ---- threads ------------------------------------------------------------------------------

  private startThread(): Thread {
    const worker = new Worker(this.script, {
      stdout: true,
      stderr: true,
      resourceLimits: ANALYSIS_THREAD_LIMITS,
    });
    // The worker must never write to the server's stdout (the JSON-RPC stream).
    worker.stdout.resume();
    worker.stderr.resume();
    const thread: Thread = { worker, keys: new Set(), started: 0, external: 0, heap: 0, stopping: false };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') {
        thread.ready = true;
        this.everReady = true;
        this.earlyExits = 0;
        if (thread.job) this.arm(thread, thread.job);
      } else this.finished(thread, reply);
    });
    const gone = (error: Error) => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return;
      this.threads.splice(index, 1);
      clearTimeout(thread.slowTimer);
      clearTimeout(thread.deadlineTimer);
      const job = thread.job;
      thread.job = undefined;
      if (job && !thread.stopping) job.reject(error);
      if (!thread.ready) this.earlyExits++;
      this.ensureThreads();
      this.pump();
    };
    worker.on('error', (error) => gone(error));
    worker.on('exit', (code) => gone(new Error(`analysis thread exited (code ${code})`)));
    worker.unref();
    this.threads.push(thread);
    this.log(`started analysis thread ${this.threads.length}`);
    return thread;
  }

  /** Terminate a thread; its running job (if any) rejects with `error`. */
  private stopThread(thread: Thread, error: Error = new CancelledError()): void {
    if (thread.stopping) return;
    thread.stopping = true;
    clearTimeout(thread.slowTimer);
    clearTimeout(thread.deadlineTimer);
    const job = thread.job;
    thread.job = undefined;
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    job?.reject(error);
    if (job) void thread.worker.terminate();
    else retireThread(thread.worker);
    this.ensureThreads();
  }

  /** Idle: threads started while the others were stuck end (the first `size` stay warm). */
  private scheduleIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.waiting.size > 0 || this.threads.some((t) => t.job)) return;
      for (const thread of this.threads.slice(this.size)) this.stopThread(thread);
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** `2 threads: 41+12 MiB, 38+9 MiB` (JavaScript heap + wasm heap of each). */
  describeThreads(): string {
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    return `${this.threads.length} threads: ${this.threads.map((t) => `${mib(t.heap)}+${mib(t.external)} MiB`).join(', ')}`;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}

/** `1.5 s`, `12 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
