/// <reference lib="dom" />
// The RSS chart (uPlot, bundled): one line per series of ChartData, the trend dashed, the
// warm-up shaded. Drag to zoom, double-click to zoom out. Rebuilt only when the set of series or
// the theme changes; otherwise new data is just set.
import uPlot from 'uplot';
import type { Verdict } from '../../monitor/analysis/series';
import type { ChartData } from '../chart-data';
import { formatAxisMB, formatAxisTicks, formatElapsed, TIME_INCREMENTS } from '../chart-format';
import type { ChartTheme } from './theme';

/** A flat series spans at least this many MiB on the y axis: 0.5 MB of noise is not a mountain. */
const MIN_Y_SPAN_MB = 8;

export interface ChartView {
  data: ChartData;
  /** The x range to show: the zoomed range, or the run's (the planned duration while detecting). */
  xRange: [number, number];
  verdict?: Verdict;
  /** Epoch ms of t = 0, for clock times in the legend. */
  startedAt?: number;
  /** Events drawn as vertical lines (a log's OOM kills, restarts); clicking one reports it. */
  markers?: readonly { t: number; kind: string; label: string }[];
}

/** Pixels either side of a marker line that still count as pointing at it. */
const MARKER_HIT_PX = 6;

export class MemoryChart {
  private plot: uPlot | undefined;
  private keys = '';
  private view: ChartView | undefined;

  constructor(
    private readonly container: HTMLElement,
    private theme: ChartTheme,
    /** The user dragged across the chart (a range) or double-clicked (undefined). */
    private readonly onZoom: (range: [number, number] | undefined) => void,
    /** The user clicked a marker (its index in ChartView.markers). */
    private readonly onMarker: (index: number) => void = () => undefined,
  ) {}

  get canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  /** Series labels and colours as drawn (for the PNG legend). */
  get legend(): { label: string; color: string; dashed: boolean }[] {
    const view = this.view;
    if (!view) return [];
    return view.data.series.map((s, i) => ({
      label: s.label,
      color: this.colorOf(i, s.kind),
      dashed: s.kind === 'trend',
    }));
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.keys = ''; // forces a rebuild with the new colours
    if (this.view) this.update(this.view);
  }

  update(view: ChartView): void {
    this.view = view;
    const keys = view.data.series.map((s) => s.key).join('|');
    const aligned = [view.data.xs, ...view.data.series.map((s) => s.values)] as uPlot.AlignedData;
    if (!this.plot || keys !== this.keys) {
      this.plot?.destroy();
      this.keys = keys;
      this.plot = new uPlot(this.options(view), aligned, this.container);
    } else {
      this.plot.setData(aligned, false);
    }
    this.plot.setScale('x', { min: view.xRange[0], max: view.xRange[1] });
    showLatestInLegend(this.plot);
  }

  resize(width: number, height: number): void {
    if (this.plot && (this.plot.width !== width || this.plot.height !== height)) {
      this.plot.setSize({ width, height });
    }
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.keys = '';
  }

  /** `index`: position in ChartData.series (0 is the total, processes follow). */
  private colorOf(index: number, kind: 'total' | 'process' | 'trend'): string {
    const t = this.theme;
    if (kind === 'total') return t.total;
    if (kind === 'trend') return t.verdict[this.view?.verdict ?? 'inconclusive'];
    return t.processes[Math.max(0, index - 1) % t.processes.length];
  }

  private size(): { width: number; height: number } {
    const width = Math.max(200, Math.floor(this.container.clientWidth));
    const top = this.container.getBoundingClientRect().top;
    const height = Math.min(720, Math.max(200, Math.floor(window.innerHeight - top - 110)));
    return { width, height };
  }

  private options(view: ChartView): uPlot.Options {
    const t = this.theme;
    const axis = {
      stroke: t.muted,
      font: t.font,
      grid: { stroke: t.grid, width: 1 },
      ticks: { stroke: t.grid, width: 1 },
    };
    const series: uPlot.Series[] = [
      {
        label: 'Time',
        value: (_u, v) => (v == null ? '–' : formatElapsed(v, this.view?.startedAt)),
      },
      ...view.data.series.map(
        (s, i): uPlot.Series => ({
          label: s.label,
          // A function, so a new verdict recolours the trend without a rebuild.
          stroke: () => this.colorOf(i, s.kind),
          width: s.kind === 'total' ? t.lineWidth : t.lineWidth * 0.75,
          dash: s.kind === 'trend' ? [8, 5] : undefined,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => (v == null ? '–' : formatAxisMB(v, true)),
        }),
      ),
    ];
    return {
      ...this.size(),
      class: 'leak-lens-chart',
      series,
      scales: {
        x: { time: false },
        y: {
          range: (_u, min, max): uPlot.Range.MinMax => {
            if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max))
              return [0, MIN_Y_SPAN_MB];
            const mid = (min + max) / 2;
            const span = Math.max(max - min, MIN_Y_SPAN_MB);
            const pad = span * 0.08;
            const lo = Math.max(0, Math.min(min, mid - span / 2) - pad);
            return [lo, Math.max(max, mid + span / 2) + pad];
          },
        },
      },
      axes: [
        { ...axis, incrs: TIME_INCREMENTS, values: (_u, splits) => splits.map((v) => formatElapsed(v)) },
        {
          ...axis,
          values: (_u, splits) => formatAxisTicks(splits),
          size: (_u, values) => Math.max(48, Math.max(0, ...(values ?? []).map((v) => v.length)) * 7 + 18),
        },
      ],
      legend: { show: true, live: true },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
      },
      hooks: {
        drawAxes: [(u) => this.drawWarmup(u)],
        draw: [(u) => this.drawMarkers(u)],
        // Away from the cursor, the legend shows the newest values instead of dashes.
        setLegend: [showLatestInLegend],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width > 4) {
              const from = u.posToVal(sel.left, 'x');
              const to = u.posToVal(sel.left + sel.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (to > from) this.onZoom([from, to]);
            }
          },
        ],
        ready: [
          (u) => {
            u.over.addEventListener('dblclick', () => this.onZoom(undefined));
            u.over.addEventListener('click', (e) => {
              const hit = this.markerAt(u, e.offsetX);
              if (hit !== undefined) this.onMarker(hit);
            });
            u.over.addEventListener('mousemove', (e) => {
              const hit = this.markerAt(u, e.offsetX);
              const label = hit === undefined ? '' : (this.view?.markers?.[hit]?.label ?? '');
              u.over.title = label ? `${label} (click to open the log at this line)` : '';
              u.over.style.cursor = label ? 'pointer' : '';
            });
          },
        ],
      },
    };
  }

  /** The marker nearest to x (CSS pixels in the plot area), within MARKER_HIT_PX. */
  private markerAt(u: uPlot, x: number): number | undefined {
    const markers = this.view?.markers ?? [];
    let best: number | undefined;
    let bestDist = MARKER_HIT_PX + 1;
    markers.forEach((m, i) => {
      const d = Math.abs(u.valToPos(m.t, 'x') - x);
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    });
    return bestDist <= MARKER_HIT_PX ? best : undefined;
  }

  /** Events: a vertical line each, with a small flag at the top, over the lines. */
  private drawMarkers(u: uPlot): void {
    const markers = this.view?.markers;
    if (!markers?.length) return;
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    for (const m of markers) {
      const x = Math.round(u.valToPos(m.t, 'x', true));
      if (x < left || x > left + width) continue;
      const color = m.kind === 'restart' ? this.theme.muted : this.theme.verdict['rapid-leak'];
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = ratio;
      ctx.setLineDash([3 * ratio, 3 * ratio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x - 5 * ratio, top);
      ctx.lineTo(x + 5 * ratio, top);
      ctx.lineTo(x, top + 8 * ratio);
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  }

  /** The excluded warm-up: a shaded band with a label, under the lines. */
  private drawWarmup(u: uPlot): void {
    const band = this.view?.data.warmup;
    if (!band) return;
    const { left, top, width, height } = u.bbox;
    const x0 = Math.max(left, u.valToPos(band.from, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(band.to, 'x', true));
    if (!(x1 > x0)) return;
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    ctx.globalAlpha = this.theme.kind.startsWith('high-contrast') ? 0.3 : 0.18;
    ctx.fillStyle = this.theme.warmup;
    ctx.fillRect(x0, top, x1 - x0, height);
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.theme.muted;
    ctx.font = `${Math.round(11 * ratio)}px ${this.theme.fontFamily}`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left'; // uPlot leaves the axis labels' alignment set
    const label = 'warm-up (excluded)';
    if (ctx.measureText(label).width + 8 * ratio < x1 - x0)
      ctx.fillText(label, x0 + 4 * ratio, top + 4 * ratio);
    else ctx.fillText('warm-up', x0 + 2 * ratio, top + 4 * ratio);
    ctx.restore();
  }
}

function showLatestInLegend(u: uPlot): void {
  const last = u.data[0].length - 1;
  if (u.legend.idx == null && last >= 0) u.setLegend({ idx: last }, false);
}
