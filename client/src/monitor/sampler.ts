// Samples a target at a fixed rate and keeps every sample. Whatever happens — the target exits, a
// child appears or dies, a read is denied, the URL stops answering — the samples taken so far stay
// in `run`, and the reason is recorded in `run.stop` / `run.errors` and announced as an event.
import { MonitorError, toMonitorError } from './errors';
import { createPidSource } from './sources/pid';
import { createUrlSource } from './sources/prometheus';
import type { Reading, SampleSource } from './sources/source';
import type {
  MonitorRun,
  MonitorTarget,
  ProcessSeries,
  RunError,
  Sample,
  StopInfo,
  StopReason,
} from './types';

export interface SamplerOptions {
  /** Seconds between samples (the schedule is fixed-rate: slow reads do not drift it). */
  intervalSeconds: number;
  /** Stop by itself after this many seconds (wall clock, pauses included); omit to run until stop(). */
  durationSeconds?: number;
  /** Consecutive failed reads (URL timeouts…) tolerated before the run ends (default 3). */
  maxConsecutiveErrors?: number;
}

export type SamplerState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped';

/** A sample of every watched process, taken at the same tick as the total. */
export interface ProcessSample {
  id: string;
  pid?: number;
  rss: number;
}

export interface SamplerEvents {
  sample: [sample: Sample, perProcess: ProcessSample[]];
  'child-added': [series: ProcessSeries];
  'child-exited': [series: ProcessSeries];
  'target-exited': [info: { t: number; message: string }];
  error: [error: RunError];
  state: [state: SamplerState];
  stopped: [info: StopInfo];
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** Creates the source for a target: a PID (children optional) or a Prometheus URL. */
export function createSource(target: MonitorTarget): SampleSource {
  return 'url' in target
    ? createUrlSource(target.url, { timeoutSeconds: target.timeoutSeconds })
    : createPidSource(target.pid, { children: target.children, backend: target.backend });
}

export class Sampler {
  readonly run: MonitorRun;
  /** Settles when the run has stopped, for whatever reason. Never rejects. */
  readonly done: Promise<StopInfo>;
  private resolveDone!: (info: StopInfo) => void;
  private currentState: SamplerState = 'idle';
  private readonly listeners = new Map<keyof SamplerEvents, Set<Listener<never[]>>>();
  private readonly intervalMs: number;
  private readonly lastSlot: number;
  private readonly maxErrors: number;
  private origin = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private consecutiveErrors = 0;
  private lastTakenSlot = 0;
  private readonly byId = new Map<string, ProcessSeries>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly source: SampleSource,
    private readonly options: SamplerOptions,
  ) {
    if (!(options.intervalSeconds > 0))
      throw new MonitorError('bad-target', 'The sampling interval must be > 0 s.', true);
    if (options.durationSeconds !== undefined && !(options.durationSeconds >= 0)) {
      throw new MonitorError('bad-target', 'The duration must be >= 0 s.', true);
    }
    this.intervalMs = options.intervalSeconds * 1000;
    this.maxErrors = options.maxConsecutiveErrors ?? 3;
    // Slots are at k × interval; with a duration the last one is at the duration itself.
    this.lastSlot =
      options.durationSeconds === undefined
        ? Number.POSITIVE_INFINITY
        : Math.ceil(options.durationSeconds / options.intervalSeconds - 1e-9);
    this.run = {
      target: source.target,
      followChildren: false,
      intervalSeconds: options.intervalSeconds,
      samples: [],
      processes: [],
      errors: [],
      missedSlots: 0,
    };
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** A sampler for a PID or URL target. Throws a MonitorError for an invalid target. */
  static forTarget(target: MonitorTarget, options: SamplerOptions): Sampler {
    const sampler = new Sampler(createSource(target), options);
    sampler.run.followChildren = 'pid' in target && !!target.children;
    return sampler;
  }

  get state(): SamplerState {
    return this.currentState;
  }

  /** Subscribes to an event; returns a function that unsubscribes. Listener errors never stop sampling. */
  on<E extends keyof SamplerEvents>(event: E, listener: Listener<SamplerEvents[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const stored = listener as unknown as Listener<never[]>;
    set.add(stored);
    return () => set.delete(stored);
  }

  /**
   * Checks the target and takes the first sample (t = 0). Rejects with a MonitorError when the
   * target cannot be watched at all; the run is then stopped with reason `error`.
   */
  async start(): Promise<void> {
    if (this.currentState !== 'idle') throw new Error(`Sampler already ${this.currentState}`);
    this.setState('starting');
    let first: Reading;
    const origin = performance.now();
    try {
      first = await this.source.open();
    } catch (err) {
      const error = toMonitorError(err);
      this.run.errors.push({ t: 0, code: error.code, message: error.message, fatal: true });
      this.finish('error', error.message);
      throw error;
    }
    this.run.target = this.source.target;
    this.origin = origin;
    this.run.startedAt = Date.now() - (performance.now() - origin);
    if (this.is('stopped')) return; // stopped while opening
    this.setState('running');
    this.record(0, first);
    this.afterSlot(0);
  }

  pause(): void {
    if (this.currentState !== 'running') return;
    this.clearTimer();
    this.setState('paused');
  }

  resume(): void {
    if (this.currentState !== 'paused') return;
    this.setState('running');
    const now = performance.now();
    const next = Math.max(this.lastTakenSlot + 1, Math.ceil((now - this.origin) / this.intervalMs - 1e-9));
    this.schedule(Math.min(next, this.lastSlot));
  }

  /** Stops sampling; the samples stay in `run`. */
  stop(message?: string): void {
    this.finish('stopped', message);
  }

  private slotTime(k: number): number {
    const t = k * this.intervalMs;
    return this.options.durationSeconds !== undefined ? Math.min(t, this.options.durationSeconds * 1000) : t;
  }

  private afterSlot(k: number): void {
    this.lastTakenSlot = k;
    if (this.currentState !== 'running') return;
    if (k >= this.lastSlot) {
      this.finish('duration');
      return;
    }
    // Fixed rate; when the host was too busy to keep up, skip to the next slot still ahead.
    const now = performance.now() - this.origin;
    let next = k + 1;
    if (this.slotTime(next) < now - this.intervalMs) {
      next = Math.min(this.lastSlot, Math.ceil(now / this.intervalMs));
      this.run.missedSlots += Math.max(0, next - (k + 1));
    }
    this.schedule(next);
  }

  private schedule(k: number): void {
    this.clearTimer();
    const delay = Math.max(0, this.origin + this.slotTime(k) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick(k);
    }, delay);
  }

  private async tick(k: number): Promise<void> {
    if (this.currentState !== 'running') return;
    const t = Math.round(performance.now() - this.origin) / 1000;
    let reading: Reading;
    try {
      reading = await this.source.read();
    } catch (err) {
      if (this.is('stopped')) return;
      this.onReadError(t, toMonitorError(err), k);
      return;
    }
    if (this.is('stopped')) return; // stopped during the read
    this.consecutiveErrors = 0;
    this.record(t, reading);
    this.afterSlot(k);
  }

  private onReadError(t: number, error: MonitorError, k: number): void {
    if (error.code === 'target-exited') {
      for (const series of this.run.processes) if (series.exitedT === undefined) series.exitedT = t;
      this.run.errors.push({ t, code: error.code, message: error.message, fatal: true });
      this.emit('target-exited', { t, message: error.message });
      this.finish('target-exited', error.message, t);
      return;
    }
    this.consecutiveErrors++;
    const fatal = error.fatal || this.consecutiveErrors >= this.maxErrors;
    const message =
      fatal && !error.fatal
        ? `${error.message} (${this.consecutiveErrors} failed reads in a row: giving up)`
        : error.message;
    const entry: RunError = { t, code: error.code, message, fatal };
    this.run.errors.push(entry);
    this.emit('error', entry);
    if (fatal) this.finish('error', message, t);
    else this.afterSlot(k);
  }

  private record(t: number, reading: Reading): void {
    let total = 0;
    let swap = 0;
    let anySwap = false;
    const seen = new Set<string>();
    const perProcess: ProcessSample[] = [];
    const added: ProcessSeries[] = [];
    for (const p of reading.processes) {
      let series = this.byId.get(p.key);
      if (!series) {
        series = {
          id: p.key,
          pid: p.pid,
          ppid: p.ppid,
          command: p.command,
          root: p.root,
          firstT: t,
          samples: [],
        };
        this.byId.set(p.key, series);
        this.run.processes.push(series);
        if (!p.root) added.push(series);
      } else if (series.command !== p.command) {
        series.command = p.command; // the child exec'd after we first saw it
      }
      seen.add(p.key);
      const sample: Sample = p.swap !== undefined ? { t, rss: p.rss, swap: p.swap } : { t, rss: p.rss };
      series.samples.push(sample);
      perProcess.push({ id: p.key, pid: p.pid, rss: p.rss });
      total += p.rss;
      if (p.swap !== undefined) {
        swap += p.swap;
        anySwap = true;
      }
    }
    const exited: ProcessSeries[] = [];
    for (const series of this.run.processes) {
      if (series.exitedT === undefined && !seen.has(series.id)) {
        series.exitedT = t;
        exited.push(series);
      }
    }
    const sample: Sample = anySwap ? { t, rss: total, swap } : { t, rss: total };
    this.run.samples.push(sample);
    for (const w of reading.warnings ?? []) {
      if (this.warned.has(w.key)) continue;
      this.warned.add(w.key);
      const entry: RunError = { t, code: 'permission-denied', message: w.message, fatal: false };
      this.run.errors.push(entry);
      this.emit('error', entry);
    }
    for (const series of added) this.emit('child-added', series);
    for (const series of exited) this.emit('child-exited', series);
    this.emit('sample', sample, perProcess);
  }

  private finish(reason: StopReason, message?: string, t?: number): void {
    if (this.currentState === 'stopped') return;
    this.clearTimer();
    this.source.close();
    const last = this.run.samples[this.run.samples.length - 1];
    const info: StopInfo = { reason, t: t ?? last?.t ?? 0 };
    if (message) info.message = message;
    this.run.stop = info;
    this.setState('stopped');
    this.emit('stopped', info);
    this.resolveDone(info);
  }

  /** A method, not a field comparison: the state changes across awaits, which narrowing ignores. */
  private is(state: SamplerState): boolean {
    return this.currentState === state;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setState(state: SamplerState): void {
    this.currentState = state;
    this.emit('state', state);
  }

  private emit<E extends keyof SamplerEvents>(event: E, ...args: SamplerEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as unknown as Listener<SamplerEvents[E]>)(...args);
      } catch (err) {
        // Said once per event: a broken listener must neither stop sampling nor flood the log.
        if (!this.warned.has(`listener:${event}`)) {
          this.warned.add(`listener:${event}`);
          process.emitWarning(
            `Leak Lens sampler: a '${event}' listener threw: ${(err as Error)?.stack ?? err}`,
          );
        }
      }
    }
  }
}
