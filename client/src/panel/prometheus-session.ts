// Series of a Prometheus server in the memory panel: their history first (one range query), then
// new points polled every step, live, until detached. One line per series (pod/instance), the sum,
// and the detect verdict on what is shown. No `vscode` here: tested under plain mocha against a
// real Prometheus.
import { randomUUID } from 'node:crypto';
import { MonitorError } from '../monitor/errors';
import { formatLabels, type PrometheusClient, type RangeSeries } from '../monitor/fleet/prometheus-api';
import type { ProcessSample } from '../monitor/sampler';
import type { MonitorRun, ProcessSeries, StopInfo } from '../monitor/types';
import type { TargetView } from './protocol';
import { MonitorSession, type SessionConfig } from './session';

export interface PrometheusSessionOptions {
  /** A PromQL selector giving bytes, e.g. `process_resident_memory_bytes{job="api"}`. */
  query: string;
  /** How much history to plot at first (seconds). */
  historySeconds: number;
  /** Resolution and polling period (seconds). */
  stepSeconds: number;
  analysis: SessionConfig['analysis'];
}

/** Consecutive failed polls after which the session stops (the server went away). */
const MAX_POLL_FAILURES = 5;

export class PrometheusSession extends MonitorSession {
  readonly query: string;
  private origin = 0;
  private lastEpoch = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private readonly byKey = new Map<string, ProcessSeries>();
  private resolveDone!: (stop: StopInfo | undefined) => void;
  private readonly finished: Promise<StopInfo | undefined>;

  constructor(
    private readonly client: PrometheusClient,
    private readonly options: PrometheusSessionOptions,
  ) {
    const run: MonitorRun = {
      target: { kind: 'url', url: client.baseUrl },
      followChildren: false,
      intervalSeconds: options.stepSeconds,
      samples: [],
      processes: [],
      errors: [],
      missedSlots: 0,
    };
    super(
      {
        mode: 'attach',
        target: { url: client.baseUrl },
        intervalSeconds: options.stepSeconds,
        analysis: options.analysis,
      },
      { id: randomUUID(), run },
    );
    this.query = options.query;
    this.finished = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.setState('starting');
  }

  override get done(): Promise<StopInfo | undefined> {
    return this.finished;
  }

  override targetView(): TargetView {
    const n = this.run.processes.length;
    return {
      kind: 'prometheus',
      title: this.query,
      detail: `${this.client.baseUrl} · ${n} series`,
    };
  }

  /**
   * Reads the history. Rejects with a MonitorError when the server cannot be read or the query
   * gives no series (nothing to plot).
   */
  async load(now = Date.now() / 1000): Promise<void> {
    const step = this.options.stepSeconds;
    const end = Math.floor(now / step) * step;
    const start = end - this.options.historySeconds;
    const result = await this.client.queryRange(this.query, start, end, step);
    if (result.series.length === 0) {
      throw new MonitorError(
        'malformed-metrics',
        `${this.query} has no series at ${this.client.baseUrl} over the last ${Math.round(this.options.historySeconds / 60)} min.`,
        true,
      );
    }
    this.origin = start;
    this.run.startedAt = start * 1000;
    this.add(result.series, false);
  }

  /** Polls for new points every step until stopped. */
  override async start(): Promise<void> {
    if (this.run.samples.length === 0) await this.load();
    this.setState('running');
    this.schedule();
  }

  override pause(): void {
    if (this.state !== 'running') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.setState('paused');
  }

  override resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.schedule(0);
  }

  override stop(message?: string): void {
    if (!this.attached) return;
    this.end({ reason: 'stopped', message, t: this.lastT() });
  }

  private lastT(): number {
    const last = this.run.samples[this.run.samples.length - 1];
    return last ? last.t : 0;
  }

  private end(stop: StopInfo): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.run.stop = stop;
    this.setState('stopped');
    this.emit('analysis', this.analysisView(true));
    this.resolveDone(stop);
  }

  private schedule(delayMs = this.options.stepSeconds * 1000): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    if (this.state !== 'running') return;
    const step = this.options.stepSeconds;
    const end = Math.floor(Date.now() / 1000 / step) * step;
    try {
      if (end > this.lastEpoch) {
        const result = await this.client.queryRange(this.query, this.lastEpoch + step, end, step);
        if (this.state !== 'running') return;
        this.add(result.series, true);
      }
      this.failures = 0;
    } catch (err) {
      const e = err instanceof MonitorError ? err : new MonitorError('io', String(err));
      this.failures++;
      const fatal = this.failures >= MAX_POLL_FAILURES;
      const error = { t: this.lastT(), code: e.code, message: e.message, fatal };
      this.run.errors.push(error);
      this.emit('error', error);
      if (fatal) {
        this.end({
          reason: 'error',
          message: `${e.message} (${this.failures} reads in a row failed)`,
          t: this.lastT(),
        });
        return;
      }
    }
    if (this.state === 'running') this.schedule();
  }

  /** Adds the points newer than the last one, time by time (each a sample of the sum). */
  private add(series: RangeSeries[], live: boolean): void {
    const byEpoch = new Map<number, ProcessSample[]>();
    for (const s of series) {
      const key = formatLabels(s.labels);
      let ps = this.byKey.get(key);
      for (const [epoch, value] of s.points) {
        if (epoch <= this.lastEpoch) continue;
        const t = epoch - this.origin;
        if (!ps) {
          const pid = Number(s.labels.pid);
          ps = {
            id: key,
            pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
            command: key,
            root: false,
            firstT: t,
            samples: [],
          };
          this.byKey.set(key, ps);
          this.run.processes.push(ps);
        }
        ps.samples.push({ t, rss: value });
        const at = byEpoch.get(epoch) ?? [];
        at.push({ id: key, pid: ps.pid, rss: value });
        byEpoch.set(epoch, at);
      }
    }
    this.run.followChildren = this.run.processes.length > 1;
    for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
      const perProcess = byEpoch.get(epoch) ?? [];
      const sample = { t: epoch - this.origin, rss: perProcess.reduce((sum, p) => sum + p.rss, 0) };
      this.run.samples.push(sample);
      this.lastEpoch = epoch;
      if (live) this.onSample(sample, perProcess);
    }
  }
}
