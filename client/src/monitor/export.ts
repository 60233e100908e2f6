// Exports of a run: CSV (every sample, one column per process when several were watched) and the
// `leak-lens detect --format json` document, whose leading keys are a fixed contract.
import type { DetectResult } from './detect';
import type { MonitorRun, ProcessSeries } from './types';

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  return Number.isFinite(r) ? r : 0;
}

function hasProcessColumns(run: MonitorRun): boolean {
  return run.followChildren || run.processes.length > 1;
}

function columnName(series: ProcessSeries, used: Set<string>): string {
  const base =
    series.pid !== undefined
      ? `pid_${series.pid}_rss_bytes`
      : `${series.id.replace(/[^A-Za-z0-9]+/g, '_')}_rss_bytes`;
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** CSV of all samples: `t_seconds,rss_bytes`, or the total plus one column per process. */
export function toCsv(run: MonitorRun): string {
  const lines: string[] = [];
  if (!hasProcessColumns(run)) {
    lines.push('t_seconds,rss_bytes');
    for (const s of run.samples) lines.push(`${s.t},${s.rss}`);
    return `${lines.join('\n')}\n`;
  }
  const used = new Set<string>();
  const columns = run.processes.map((p) => ({
    name: columnName(p, used),
    byT: new Map(p.samples.map((s) => [s.t, s.rss])),
  }));
  lines.push(['t_seconds', 'total_rss_bytes', ...columns.map((c) => c.name)].join(','));
  for (const s of run.samples) {
    lines.push([s.t, s.rss, ...columns.map((c) => c.byT.get(s.t) ?? '')].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** `{"url": …}`, plus the PID when the page labels its one series with `pid`. */
function urlTarget(run: MonitorRun, url: string): { url: string; pid?: number } {
  const only = run.processes.length === 1 ? run.processes[0] : undefined;
  return only?.pid !== undefined ? { url, pid: only.pid } : { url };
}

export interface DetectJson {
  version: 1;
  target: { pid: number; command: string } | { url: string; pid?: number };
  samples: [number, number][];
  growthMBPerMin: number;
  r2: number;
  warmupSeconds: number;
  verdict: DetectResult['verdict'];
  severity: DetectResult['severity'];
  reason: string;
  [extra: string]: unknown;
}

/** The JSON document of `leak-lens detect --format json`. Extra keys come after the contract's. */
export function toDetectJson(run: MonitorRun, result: DetectResult): DetectJson {
  const doc: DetectJson = {
    version: 1,
    target:
      run.target.kind === 'pid'
        ? { pid: run.target.pid, command: run.target.command }
        : urlTarget(run, run.target.url),
    samples: run.samples.map((s) => [s.t, s.rss]),
    growthMBPerMin: round(result.growthMBPerMin, 4),
    r2: round(result.r2, 4),
    warmupSeconds: round(result.warmupSeconds, 3),
    verdict: result.verdict,
    severity: result.severity,
    reason: result.reason,
  };
  if (hasProcessColumns(run)) {
    const byId = new Map(result.processes.map((p) => [p.id, p.analysis]));
    doc.processes = run.processes.map((p) => {
      const a = byId.get(p.id);
      return {
        pid: p.pid ?? null,
        command: p.command,
        samples: p.samples.map((s) => [s.t, s.rss]),
        root: p.root,
        firstSeconds: p.firstT,
        exitedSeconds: p.exitedT ?? null,
        growthMBPerMin: a ? round(a.growthMBPerMin, 4) : 0,
        verdict: a?.verdict ?? 'inconclusive',
      };
    });
    doc.leakingPids = result.leaking.map((p) => p.pid ?? p.id);
  }
  doc.intervalSeconds = run.intervalSeconds;
  doc.observedSeconds = round(result.observedSeconds, 3);
  doc.shape = result.shape;
  doc.stoppedBecause = run.stop?.reason ?? null;
  doc.missedSlots = run.missedSlots;
  if (run.errors.length) doc.errors = run.errors;
  return doc;
}
