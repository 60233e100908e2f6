// The verdict for a fleet: every series a range query returned (one per pod/instance) is judged
// on its own with the detect analysis, and the fleet's verdict is the worst leak, else "no leak"
// when every series long enough to judge is flat, else inconclusive. All series are analysed;
// only the plot decimates.
import { formatSeconds } from '../analysis/format';
import { isLeak } from '../analysis/run';
import { analyzeSeries, type SeriesAnalysis, type Verdict } from '../analysis/series';
import { type DetectSettings, resolveSettings } from '../analysis/settings';
import { formatLabels, type RangeSeries } from './prometheus-api';

export interface SeriesVerdict {
  labels: Record<string, string>;
  /** `{instance="…", job="…"}` */
  name: string;
  /** Seconds since the start of the queried range, bytes. */
  samples: { t: number; rss: number }[];
  analysis: SeriesAnalysis;
}

export interface FleetVerdict {
  verdict: Verdict;
  severity: SeriesAnalysis['severity'];
  reason: string;
  series: SeriesVerdict[];
  /** The series whose figures lead the report (the worst leak, else the longest judged one). */
  decidedBy?: SeriesVerdict;
  counts: Record<Verdict, number>;
}

const SEVERITY_RANK = { none: 0, low: 1, high: 2 } as const;

export function judgeFleet(
  result: RangeSeries[],
  startEpoch: number,
  overrides?: Partial<DetectSettings>,
): FleetVerdict {
  const s = resolveSettings(overrides);
  const series: SeriesVerdict[] = result.map((r) => {
    const samples = r.points.map(([t, v]) => ({ t: t - startEpoch, rss: v }));
    return { labels: r.labels, name: formatLabels(r.labels), samples, analysis: analyzeSeries(samples, s) };
  });
  const counts: Record<Verdict, number> = { 'no-leak': 0, 'slow-leak': 0, 'rapid-leak': 0, inconclusive: 0 };
  for (const x of series) counts[x.analysis.verdict]++;
  const n = series.length;
  const summary = `${n} series: ${counts['rapid-leak'] + counts['slow-leak']} leaking, ${counts['no-leak']} not leaking, ${counts.inconclusive} inconclusive`;

  const leaking = series
    .filter((x) => isLeak(x.analysis))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.analysis.severity] - SEVERITY_RANK[a.analysis.severity] ||
        b.analysis.growthMBPerMin - a.analysis.growthMBPerMin,
    );
  if (leaking.length > 0) {
    const worst = leaking[0];
    const others = leaking.length > 1 ? ` ${leaking.length - 1} more series leak.` : '';
    return {
      verdict: worst.analysis.verdict,
      severity: worst.analysis.severity,
      reason: `${worst.name}: ${worst.analysis.reason}${others} (${summary}.)`,
      series,
      decidedBy: worst,
      counts,
    };
  }
  const judgeable = series.filter(
    (x) =>
      x.analysis.sampleCount >= s.minSamples && x.analysis.observedSeconds + 1e-9 >= s.minDurationSeconds,
  );
  const longest = [...series].sort((a, b) => b.analysis.observedSeconds - a.analysis.observedSeconds)[0];
  if (judgeable.length > 0 && judgeable.every((x) => x.analysis.verdict === 'no-leak')) {
    const short = n - judgeable.length;
    return {
      verdict: 'no-leak',
      severity: 'none',
      reason:
        n === 1
          ? series[0].analysis.reason
          : `No series leaks: ${judgeable.length} observed for ${formatSeconds(s.minDurationSeconds)} or more are flat${short ? `, ${short} too short to judge` : ''}. (${summary}.)`,
      series,
      decidedBy: longest,
      counts,
    };
  }
  const unsure = judgeable.find((x) => x.analysis.verdict === 'inconclusive') ?? longest;
  return {
    verdict: 'inconclusive',
    severity: 'none',
    reason: unsure
      ? `${unsure.name}: ${unsure.analysis.reason} (${summary}.)`
      : 'The query returned no samples to judge.',
    series,
    decidedBy: unsure,
    counts,
  };
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds from a Prometheus duration (`6h`, `1h30m`, `90s`, `500ms`) or a plain number of seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (!/^(?:\d+(?:ms|s|m|h|d|w|y))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNITS[m[2]];
  return total;
}
