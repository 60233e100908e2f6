// The verdict for a whole run: the total series plus, when children were followed, each process on
// its own. A leak in one worker is a leak even when the total hides it; processes that start or
// exit during the run make steps in the total that are not leaks, so then each process decides.
import { formatMB, formatRate, formatSeconds, shortCommand } from './format';
import { analyzeSeries, type SamplePoint, type SeriesAnalysis } from './series';
import { type DetectSettings, MIB, resolveSettings } from './settings';

export interface ProcessSeriesInput {
  /** Unique key of the series (a PID can be reused, so not the PID alone). */
  id: string;
  pid?: number;
  /** Command line or label, for messages. */
  label: string;
  samples: readonly SamplePoint[];
}

export interface RunInput {
  /** The total (the only process's RSS, or the sum over the followed processes). */
  samples: readonly SamplePoint[];
  /** Each process's own series (omit or give one entry for a single process). */
  processes?: readonly ProcessSeriesInput[];
}

export interface ProcessAnalysis {
  id: string;
  pid?: number;
  label: string;
  analysis: SeriesAnalysis;
}

export interface RunAnalysis extends SeriesAnalysis {
  /** The series whose figures are reported at the top level: the total or one process. */
  decidedBy: 'total' | { id: string; pid?: number; label: string };
  total: SeriesAnalysis;
  processes: ProcessAnalysis[];
  /** Processes judged to leak on their own. */
  leaking: ProcessAnalysis[];
}

const SEVERITY_RANK = { none: 0, low: 1, high: 2 } as const;

export function isLeak(a: Pick<SeriesAnalysis, 'verdict'>): boolean {
  return a.verdict === 'slow-leak' || a.verdict === 'rapid-leak';
}

export function describeProcess(p: { pid?: number; label: string }): string {
  const label = shortCommand(p.label);
  return p.pid !== undefined ? `PID ${p.pid} (${label})` : label;
}

export function analyzeRun(run: RunInput, overrides?: Partial<DetectSettings>): RunAnalysis {
  const settings = resolveSettings(overrides);
  const total = analyzeSeries(run.samples, settings);
  const inputs = run.processes ?? [];
  const processes = inputs.map((p) => ({
    id: p.id,
    pid: p.pid,
    label: p.label,
    analysis: inputs.length === 1 ? total : analyzeSeries(p.samples, settings),
  }));
  const leaking = processes.filter((p) => isLeak(p.analysis));
  const fromTotal = (extra: Partial<RunAnalysis> = {}): RunAnalysis => ({
    ...total,
    decidedBy: 'total',
    total,
    processes,
    leaking,
    ...extra,
  });
  if (processes.length <= 1) return fromTotal();

  const others = (except: ProcessAnalysis[]) => {
    const rest = processes.filter((p) => !except.includes(p));
    const flat = rest.filter((p) => p.analysis.verdict === 'no-leak').length;
    if (rest.length === 0) return '';
    return flat === rest.length
      ? ` The other ${rest.length === 1 ? 'process is' : `${rest.length} processes are`} not leaking.`
      : ` Of the other ${rest.length} processes, ${flat} ${flat === 1 ? 'is' : 'are'} not leaking.`;
  };

  if (leaking.length > 0) {
    const worst = [...leaking].sort(
      (a, b) =>
        SEVERITY_RANK[b.analysis.severity] - SEVERITY_RANK[a.analysis.severity] ||
        b.analysis.growthMBPerMin - a.analysis.growthMBPerMin,
    )[0];
    const names = leaking
      .map((p) => `${describeProcess(p)} ${formatRate(p.analysis.growthMBPerMin)}`)
      .join(', ');
    const intro = `${leaking.length === 1 ? 'Leaking process' : 'Leaking processes'}: ${names}.`;
    const totalWins =
      isLeak(total) && SEVERITY_RANK[total.severity] >= SEVERITY_RANK[worst.analysis.severity];
    const head = totalWins ? total : worst.analysis;
    return {
      ...head,
      reason: `${intro} ${worst.analysis.reason}${others(leaking)}`,
      decidedBy: totalWins ? 'total' : { id: worst.id, pid: worst.pid, label: worst.label },
      total,
      processes,
      leaking,
    };
  }

  const firstT = run.samples.length ? run.samples[0].t : 0;
  const lastT = run.samples.length ? run.samples[run.samples.length - 1].t : 0;
  const slack = 1.5 * medianInterval(run.samples);
  const changed = inputs.filter(
    (p) =>
      p.samples.length === 0 ||
      p.samples[0].t > firstT + slack ||
      p.samples[p.samples.length - 1].t < lastT - slack,
  );
  const judgeable = processes.filter(
    (p) => p.analysis.observedSeconds + slack >= settings.minDurationSeconds * 0.95,
  );
  const allFlat = judgeable.length > 0 && judgeable.every((p) => p.analysis.verdict === 'no-leak');

  if (changed.length === 0 && total.verdict !== 'inconclusive') return fromTotal();
  if (changed.length === 0 && allFlat && judgeable.length === processes.length) {
    return fromTotal({
      verdict: 'no-leak',
      severity: 'none',
      reason: `Each of the ${processes.length} processes is flat on its own (the total is noisier than any of them): no leak.`,
    });
  }
  if (changed.length > 0) {
    // Did the total grow because processes grew, or because processes arrived? A worker that
    // started a moment after the run and leaks from then on is too short to judge alone, but its
    // growth is the total's.
    if (isLeak(total)) {
      const grew = inputs
        .map((p, i) => ({
          p: processes[i],
          growth: p.samples.length ? p.samples[p.samples.length - 1].rss - p.samples[0].rss : 0,
        }))
        .filter((g) => g.growth > 0)
        .sort((a, b) => b.growth - a.growth);
      const internal = grew.reduce((sum, g) => sum + g.growth, 0) / MIB;
      const totalRise = (total.growthMBPerMin / 60) * total.observedSeconds;
      if (internal >= settings.noiseFloorMB && internal >= 0.5 * totalRise) {
        const names = grew
          .slice(0, 3)
          .map((g) => `${describeProcess(g.p)} +${formatMB(g.growth / MIB)}`)
          .join(', ');
        return fromTotal({
          reason: `${total.reason} The growth is inside the processes (${names}), not from processes starting.`,
        });
      }
    }
    const membership = `${changed.length} of ${processes.length} processes started or exited during the ${formatSeconds(total.observedSeconds)} run, so the total has steps that are not leaks`;
    if (allFlat) {
      return fromTotal({
        verdict: 'no-leak',
        severity: 'none',
        reason: `${membership}; every process observed long enough to judge (${judgeable.length}) is flat on its own: no leak.`,
      });
    }
    const unsure = judgeable.find((p) => p.analysis.verdict === 'inconclusive');
    return fromTotal({
      verdict: 'inconclusive',
      severity: 'none',
      reason: unsure
        ? `${membership}. ${describeProcess(unsure)}: ${unsure.analysis.reason}`
        : `${membership}, and no process was observed for the ${formatSeconds(settings.minDurationSeconds)} minimum. Run longer to decide.`,
    });
  }
  return fromTotal();
}

function medianInterval(samples: readonly SamplePoint[]): number {
  const d = samples
    .slice(1)
    .map((p, i) => p.t - samples[i].t)
    .sort((a, b) => a - b);
  return d.length ? d[d.length >> 1] : 0;
}
