// What the chart draws, in MiB: the total (the sum when several processes are watched), each
// process, and the fitted trend line; plus the warm-up band. Decimated to the chart's width.
import { MIB } from '../monitor/analysis/settings';
import { decimateMinMax } from './decimate';
import type { AnalysisView } from './protocol';

export type ChartSeriesKind = 'total' | 'process' | 'trend';

export interface ChartSeries {
  /** Stable across updates (the chart keeps colours and hidden series by it). */
  key: string;
  label: string;
  kind: ChartSeriesKind;
  values: (number | null)[];
}

export interface ChartData {
  xs: number[];
  series: ChartSeries[];
  /** The excluded warm-up, in the samples' time (s). */
  warmup?: { from: number; to: number };
}

export interface ChartSource {
  xs: readonly number[];
  /** Total RSS in bytes at each time. */
  total: readonly number[];
  series: readonly {
    meta: { id: string; pid?: number; label: string };
    values: readonly (number | null)[];
  }[];
  analysis?: AnalysisView;
}

export interface ChartOptions {
  /** Pixel columns available: about two points per column are drawn. */
  buckets: number;
  /** Visible x range (zoomed); the whole run when absent. */
  range?: readonly [number, number];
}

export function processLabel(meta: { pid?: number; label: string }): string {
  if (meta.pid === undefined) return meta.label.length > 60 ? `${meta.label.slice(0, 59)}…` : meta.label;
  const name = shortCommand(meta.label);
  return `PID ${meta.pid}${name ? ` ${name}` : ''}`;
}

/** The interesting part of a command line for a legend or a message: program and arguments, paths shortened. */
export function shortCommand(command: string, max = 40): string {
  // Paths shrink to their last part (`/srv/app/.venv/bin/python3 /srv/app/main.py` → `python3 main.py`).
  const text = command
    .trim()
    .split(/\s+/)
    .map((part) =>
      /^(\/|\.{1,2}\/|~\/|[A-Za-z]:\\)/.test(part) ? (part.split(/[\\/]/).pop() ?? part) : part,
    )
    .join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function buildChartData(source: ChartSource, options: ChartOptions): ChartData {
  const perProcess = source.series.length > 1;
  const columns: (readonly (number | null)[])[] = [source.total];
  const series: Omit<ChartSeries, 'values'>[] = [
    { key: 'total', label: perProcess ? 'Sum' : 'RSS', kind: 'total' },
  ];
  if (perProcess) {
    for (const s of source.series) {
      columns.push(s.values);
      series.push({ key: `p:${s.meta.id}`, label: processLabel(s.meta), kind: 'process' });
    }
  }
  const reduced = decimateMinMax(source.xs, columns, options.buckets, options.range);
  const out: ChartSeries[] = series.map((s, k) => ({
    ...s,
    values: reduced.columns[k].map((v) => (v === null ? null : v / MIB)),
  }));

  const analysis = source.analysis;
  const trend = analysis?.trend;
  if (analysis && trend && reduced.xs.length > 0) {
    const label =
      analysis.trendOf.kind === 'process'
        ? `Trend of ${analysis.trendOf.label}`
        : analysis.shape.startsWith('sawtooth')
          ? 'Trend of the GC troughs'
          : 'Trend';
    out.push({
      key: 'trend',
      label,
      kind: 'trend',
      values: reduced.xs.map((x) =>
        x >= trend.fromT && x <= trend.toT
          ? (trend.interceptBytes + trend.slopeBytesPerSecond * x) / MIB
          : null,
      ),
    });
  }
  const data: ChartData = { xs: reduced.xs, series: out };
  if (analysis && analysis.warmupSeconds > 0) {
    data.warmup = { from: analysis.judgedFromT - analysis.warmupSeconds, to: analysis.judgedFromT };
  }
  return data;
}
