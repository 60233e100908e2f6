// One monitoring run as the extension sees it: the sampler, every sample it took, and the live
// verdict. A session outlives its panel (the panel can be closed and reopened, the window
// reloaded): it is what the panel draws, what the exports write, and what is persisted.
// No `vscode` here, so it runs under plain mocha against real processes.
import { randomUUID } from 'node:crypto';
import type { DetectSettings } from '../monitor/analysis/settings';
import { analyzeMonitorRun, type DetectResult } from '../monitor/detect';
import { type ProcessSample, Sampler } from '../monitor/sampler';
import type { MonitorRun, MonitorTarget, RunError, Sample, StopInfo } from '../monitor/types';
import { processLabel } from './chart-data';
import type {
  AnalysisView,
  PanelSnapshot,
  PanelState,
  ProcessMeta,
  SessionMode,
  TargetView,
} from './protocol';

export interface SessionConfig {
  mode: SessionMode;
  target: MonitorTarget;
  intervalSeconds: number;
  /** Detect runs end by themselves; attach runs go on until detached. */
  durationSeconds?: number;
  /** Thresholds of the verdict (from `leakLens.detect.*`). */
  analysis: Partial<DetectSettings>;
}

export interface SampleEvent {
  sample: Sample;
  perProcess: ProcessSample[];
  added: ProcessMeta[];
  exited: { id: string; t: number }[];
}

interface SessionEvents {
  sample: SampleEvent;
  analysis: AnalysisView;
  state: PanelState;
  error: RunError;
}

/** Live analysis at most this often, and never more than ~5 % of the time (it is O(n)). */
const MIN_ANALYSIS_GAP_MS = 1000;
const ANALYSIS_COST_FACTOR = 20;

export class MonitorSession {
  readonly id: string;
  readonly run: MonitorRun;
  private currentState: PanelState;
  private readonly sampler: Sampler | undefined;
  private readonly listeners = new Map<keyof SessionEvents, Set<(value: never) => void>>();
  private readonly announced = new Set<string>();
  private readonly announcedExits = new Set<string>();
  private cached: { result: DetectResult; samples: number; stopped: boolean } | undefined;
  private nextAnalysisAt = 0;

  constructor(
    readonly config: SessionConfig,
    restored?: { id: string; run: MonitorRun },
  ) {
    if (restored) {
      this.id = restored.id;
      this.run = restored.run;
      this.currentState = 'restored';
      for (const p of this.run.processes) {
        this.announced.add(p.id);
        if (p.exitedT !== undefined) this.announcedExits.add(p.id);
      }
      return;
    }
    this.id = randomUUID();
    // Throws a MonitorError for a target that cannot be one (PID 0, a bad URL).
    this.sampler = Sampler.forTarget(config.target, {
      intervalSeconds: config.intervalSeconds,
      durationSeconds: config.durationSeconds,
    });
    this.run = this.sampler.run;
    this.currentState = 'starting';
    this.sampler.on('sample', (sample, perProcess) => this.onSample(sample, perProcess));
    this.sampler.on('error', (error) => this.emit('error', error));
    this.sampler.on('state', (state) => {
      if (state === 'running' || state === 'paused') this.setState(state);
    });
    this.sampler.on('stopped', () => {
      // Stopped before a single sample because the target could not be opened: failed.
      const failed = this.run.samples.length === 0 && this.run.stop?.reason === 'error';
      this.setState(failed ? 'failed' : 'stopped');
      this.emit('analysis', this.analysisView(true));
    });
  }

  get state(): PanelState {
    return this.currentState;
  }

  /** Sampling (or paused): the status bar shows the session while attached. */
  get attached(): boolean {
    return (
      this.currentState === 'starting' || this.currentState === 'running' || this.currentState === 'paused'
    );
  }

  /** Settles when sampling has stopped, for whatever reason (at once for a restored session). */
  get done(): Promise<StopInfo | undefined> {
    return this.sampler ? this.sampler.done : Promise.resolve(this.run.stop);
  }

  /** Takes the first sample. Rejects with a MonitorError when the target cannot be watched. */
  async start(): Promise<void> {
    if (!this.sampler) throw new Error('A restored run cannot be started; attach again instead.');
    await this.sampler.start();
  }

  pause(): void {
    this.sampler?.pause();
  }

  resume(): void {
    this.sampler?.resume();
  }

  stop(message?: string): void {
    this.sampler?.stop(message);
  }

  on<E extends keyof SessionEvents>(event: E, listener: (value: SessionEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const stored = listener as (value: never) => void;
    set.add(stored);
    return () => set.delete(stored);
  }

  /** The verdict on everything collected so far (cached until a new sample arrives). */
  analysis(): DetectResult {
    const stopped = !this.attached;
    const samples = this.run.samples.length;
    if (this.cached && this.cached.samples === samples && this.cached.stopped === stopped)
      return this.cached.result;
    const started = performance.now();
    const result = analyzeMonitorRun(this.run, this.config.analysis);
    const cost = performance.now() - started;
    this.nextAnalysisAt = Date.now() + Math.max(MIN_ANALYSIS_GAP_MS, cost * ANALYSIS_COST_FACTOR);
    this.cached = { result, samples, stopped };
    return result;
  }

  analysisView(final = !this.attached): AnalysisView {
    return toAnalysisView(this.analysis(), final);
  }

  targetView(): TargetView {
    return describeTarget(this.run, this.config.target);
  }

  snapshot(canAttach: boolean): PanelSnapshot {
    const run = this.run;
    return {
      sessionId: this.id,
      mode: this.config.mode,
      state: this.currentState,
      target: this.targetView(),
      followChildren: run.followChildren,
      intervalSeconds: run.intervalSeconds,
      durationSeconds: this.config.durationSeconds,
      startedAt: run.startedAt,
      t: run.samples.map((s) => s.t),
      rss: run.samples.map((s) => s.rss),
      processes: run.processes.map((p) => ({
        ...processMeta(p),
        t: p.samples.map((s) => s.t),
        rss: p.samples.map((s) => s.rss),
      })),
      analysis: run.samples.length > 0 ? this.analysisView() : undefined,
      errors: [...run.errors],
      stop: run.stop,
      canAttach,
    };
  }

  protected onSample(sample: Sample, perProcess: ProcessSample[]): void {
    const added: ProcessMeta[] = [];
    const exited: { id: string; t: number }[] = [];
    for (const p of this.run.processes) {
      if (!this.announced.has(p.id)) {
        this.announced.add(p.id);
        added.push(processMeta(p));
      }
      if (p.exitedT !== undefined && !this.announcedExits.has(p.id)) {
        this.announcedExits.add(p.id);
        exited.push({ id: p.id, t: p.exitedT });
      }
    }
    this.emit('sample', { sample, perProcess, added, exited });
    if (Date.now() >= this.nextAnalysisAt && this.run.samples.length >= 2) {
      this.emit('analysis', this.analysisView(false));
    }
  }

  protected setState(state: PanelState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  protected emit<E extends keyof SessionEvents>(event: E, value: SessionEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (value: SessionEvents[E]) => void)(value);
      } catch (err) {
        // A broken listener (a disposed webview…) must not stop the run.
        console.error(`Leak Lens session: a '${event}' listener threw`, err);
      }
    }
  }
}

export function processMeta(p: MonitorRun['processes'][number]): ProcessMeta {
  const meta: ProcessMeta = { id: p.id, label: p.command, root: p.root, firstT: p.firstT };
  if (p.pid !== undefined) meta.pid = p.pid;
  if (p.exitedT !== undefined) meta.exitedT = p.exitedT;
  return meta;
}

export function describeTarget(run: MonitorRun, target: MonitorTarget): TargetView {
  if (run.target.kind === 'url') return { kind: 'url', title: run.target.url, detail: 'Prometheus metrics' };
  if ('url' in target) return { kind: 'url', title: target.url, detail: 'Prometheus metrics' };
  const pid = run.target.kind === 'pid' ? run.target.pid : target.pid;
  const command = run.target.kind === 'pid' ? run.target.command : '';
  const children = run.followChildren ? ' (and its children)' : '';
  return { kind: 'pid', title: `PID ${pid}${children}`, detail: command };
}

export function toAnalysisView(result: DetectResult, final: boolean): AnalysisView {
  const decided = result.decidedBy;
  return {
    verdict: result.verdict,
    severity: result.severity,
    shape: result.shape,
    reason: result.reason,
    growthMBPerMin: result.growthMBPerMin,
    r2: result.r2,
    warmupSeconds: result.warmupSeconds,
    judgedFromT: result.judgedFromT,
    observedSeconds: result.observedSeconds,
    sampleCount: result.sampleCount,
    trend: result.trend,
    trendOf:
      decided === 'total'
        ? { kind: 'total' }
        : {
            kind: 'process',
            id: decided.id,
            label: processLabel({ pid: decided.pid, label: decided.label }),
          },
    leakingIds: result.leaking.map((p) => p.id),
    final,
  };
}
