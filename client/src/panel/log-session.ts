// A run read from log files, shown in the memory panel like a finished run: one series per
// process (the busiest ones; every one is judged), the log verdict (restarts included), and the
// log's events as markers that open the log at their line. Nothing to sample or attach to again.
// No `vscode` here: built and tested under plain mocha.
import { basename } from 'node:path';
import type { RunAnalysis } from '../monitor/analysis/run';
import type { CollectedLogs } from '../monitor/logs/collect';
import { toAnalyzeLogsJson } from '../monitor/logs/report';
import type { LogVerdict, ProcessVerdict } from '../monitor/logs/verdict';
import type { MonitorRun, ProcessSeries } from '../monitor/types';
import type { PanelMarker, PanelSnapshot, PanelState, TargetView } from './protocol';
import { MonitorSession, type SessionConfig } from './session';

/** Processes drawn at most (the leaking ones first); all of them are in the verdict and the JSON. */
export const MAX_DRAWN_PROCESSES = 12;
/** Markers drawn at most (the JSON keeps every event read). */
export const MAX_MARKERS = 500;

function processId(p: ProcessVerdict): string {
  return p.key;
}

function label(p: ProcessVerdict, files: readonly string[]): string {
  return p.name ?? (p.pid === undefined ? basename(files[0] ?? 'log') : '');
}

/** Which processes to draw: leaks first, then the ones with the most samples. */
function drawn(processes: readonly ProcessVerdict[]): ProcessVerdict[] {
  const rank = (p: ProcessVerdict) =>
    p.analysis.verdict === 'rapid-leak'
      ? 0
      : p.analysis.verdict === 'slow-leak' || p.maskedByRestarts
        ? 1
        : 2;
  return [...processes]
    .filter((p) => p.samples.length > 0)
    .sort((a, b) => rank(a) - rank(b) || b.samples.length - a.samples.length)
    .slice(0, MAX_DRAWN_PROCESSES);
}

/**
 * The total at each sample time: the sum of each drawn process's latest figure while it is alive
 * (between its first and last figure). With one process, that process.
 */
function totalSeries(series: readonly ProcessSeries[]): { t: number; rss: number }[] {
  const times = [...new Set(series.flatMap((p) => p.samples.map((s) => s.t)))].sort((a, b) => a - b);
  const cursor = series.map(() => -1);
  return times.map((t) => {
    let sum = 0;
    series.forEach((p, k) => {
      const samples = p.samples;
      while (cursor[k] + 1 < samples.length && samples[cursor[k] + 1].t <= t) cursor[k]++;
      const last = samples[samples.length - 1];
      if (cursor[k] >= 0 && last && t <= last.t) sum += samples[cursor[k]].rss;
    });
    return { t, rss: sum };
  });
}

export function logMarkers(logs: CollectedLogs, verdict: LogVerdict): PanelMarker[] {
  const start = verdict.startTime;
  const out: PanelMarker[] = [];
  for (const e of logs.events) {
    if (e.time === undefined || start === undefined) continue;
    const who = e.pid !== undefined ? ` PID ${e.pid}` : '';
    out.push({
      t: e.time - start,
      kind: e.kind,
      label: `${e.kind}${who} — ${basename(logs.files[e.file].path)}:${e.line}: ${e.text.slice(0, 160)}`,
      file: logs.files[e.file].path,
      line: e.line,
    });
    if (out.length >= MAX_MARKERS) break;
  }
  return out;
}

/** The detect-shaped analysis the panel and status bar read, from the log verdict. */
export function logRunAnalysis(verdict: LogVerdict, run: MonitorRun): RunAnalysis {
  const deciding =
    verdict.processes.find(
      (p) => p.analysis.verdict === verdict.verdict && p.analysis.growthMBPerMin === verdict.growthMBPerMin,
    ) ?? [...verdict.processes].sort((a, b) => b.samples.length - a.samples.length)[0];
  const base = deciding?.analysis;
  const processes = verdict.processes.map((p) => ({
    id: processId(p),
    pid: p.pid,
    label: p.name ?? '',
    analysis: p.analysis,
  }));
  const head = {
    shape: base?.shape ?? 'insufficient',
    r2: base?.r2 ?? 0,
    spearman: base?.spearman ?? 0,
    warmupSeconds: base?.warmupSeconds ?? 0,
    judgedFromT: base?.judgedFromT ?? 0,
    observedSeconds: run.samples.length ? run.samples[run.samples.length - 1].t - run.samples[0].t : 0,
    sampleCount: run.samples.length,
    maxDrawdownMB: base?.maxDrawdownMB ?? 0,
    trend: undefined, // a trend of one process over the sum of several would mislead
    verdict: verdict.verdict,
    severity: verdict.severity,
    reason: verdict.reason,
    growthMBPerMin: verdict.growthMBPerMin,
  };
  return {
    ...head,
    decidedBy: deciding
      ? { id: processId(deciding), pid: deciding.pid, label: deciding.name ?? '' }
      : 'total',
    total: head,
    processes,
    leaking: processes.filter(
      (p) => p.analysis.verdict === 'slow-leak' || p.analysis.verdict === 'rapid-leak',
    ),
  };
}

export class LogSession extends MonitorSession {
  readonly files: string[];
  readonly markers: PanelMarker[];
  private readonly result: RunAnalysis;
  private readonly json: ReturnType<typeof toAnalyzeLogsJson>;

  constructor(logs: CollectedLogs, verdict: LogVerdict, config: Pick<SessionConfig, 'analysis'>) {
    const files = logs.files.map((f) => f.path);
    const series: ProcessSeries[] = drawn(verdict.processes).map((p) => ({
      id: processId(p),
      pid: p.pid,
      command: label(p, files),
      root: false,
      firstT: p.samples[0]?.t ?? 0,
      samples: p.samples.map((s) => ({ t: s.t, rss: s.rss })),
    }));
    const total = totalSeries(series);
    const run: MonitorRun = {
      target: { kind: 'url', url: files[0] ?? '' },
      followChildren: series.length > 1,
      intervalSeconds: medianGap(total.map((s) => s.t)),
      startedAt:
        verdict.startTime !== undefined && verdict.startTime > 1e8 ? verdict.startTime * 1000 : undefined,
      samples: total,
      processes: series,
      errors: [],
      missedSlots: 0,
      stop: { reason: 'duration', t: total.length ? total[total.length - 1].t : 0 },
    };
    super(
      {
        mode: 'detect',
        target: { url: files[0] ?? '' },
        intervalSeconds: run.intervalSeconds,
        analysis: config.analysis,
      },
      { id: `logs:${Date.now()}`, run },
    );
    this.files = files;
    this.markers = logMarkers(logs, verdict);
    this.result = logRunAnalysis(verdict, run);
    this.json = toAnalyzeLogsJson(logs, verdict);
  }

  override get state(): PanelState {
    return 'stopped';
  }

  override get attached(): boolean {
    return false;
  }

  override analysis(): RunAnalysis {
    return this.result;
  }

  /** What `leak-lens analyze-logs --format json` prints for these files. */
  analyzeLogsJson(): ReturnType<typeof toAnalyzeLogsJson> {
    return this.json;
  }

  override targetView(): TargetView {
    const names = this.files.map((f) => basename(f));
    return {
      kind: 'logs',
      title:
        names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', '),
      detail: `log file${this.files.length === 1 ? '' : 's'}: ${this.json.lines.memoryFigures} memory figures, ${this.json.lines.events} events`,
    };
  }

  override snapshot(canAttach: boolean): PanelSnapshot {
    return { ...super.snapshot(canAttach), state: 'stopped', markers: this.markers };
  }
}

function medianGap(ts: readonly number[]): number {
  const gaps = ts
    .slice(1)
    .map((t, i) => t - ts[i])
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  return gaps.length ? gaps[gaps.length >> 1] : 1;
}
