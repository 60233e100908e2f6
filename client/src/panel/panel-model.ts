// The webview's copy of a run: every sample, aligned on the sample times so the chart can draw all
// series against one x axis. Built from a snapshot, then grown by `append` messages; no DOM, so it
// is tested under plain mocha.
import { decimateMinMax } from './decimate';
import type {
  AnalysisView,
  ExtensionMessage,
  PanelSnapshot,
  PanelState,
  ProcessMeta,
  SnapshotSeries,
} from './protocol';

export interface ModelSeries {
  meta: ProcessMeta;
  /** RSS in bytes at each of the model's times; null where the process was not read. */
  values: (number | null)[];
}

type Info = Omit<PanelSnapshot, 't' | 'rss' | 'processes'>;

export class PanelModel {
  info: Info | undefined;
  xs: number[] = [];
  total: number[] = [];
  series: ModelSeries[] = [];
  canAttach = false;
  private byId = new Map<string, ModelSeries>();

  get empty(): boolean {
    return this.info === undefined;
  }

  reset(snapshot: PanelSnapshot | null, canAttach = snapshot?.canAttach ?? false): void {
    this.canAttach = canAttach;
    this.byId.clear();
    if (!snapshot) {
      this.info = undefined;
      this.xs = [];
      this.total = [];
      this.series = [];
      return;
    }
    const { t, rss, processes, ...info } = snapshot;
    this.info = { ...info, canAttach };
    this.xs = [...t];
    this.total = [...rss];
    this.series = processes.map((p) => this.align(p));
    for (const s of this.series) this.byId.set(s.meta.id, s);
  }

  /** Applies one message; false when it is for another run than the one shown (ignored). */
  apply(message: ExtensionMessage): boolean {
    switch (message.type) {
      case 'reset':
        this.reset(message.snapshot, message.canAttach);
        return true;
      case 'append':
        return this.append(message);
      case 'analysis':
        if (!this.isCurrent(message.sessionId) || !this.info) return false;
        this.info.analysis = message.analysis;
        return true;
      case 'state':
        if (!this.isCurrent(message.sessionId) || !this.info) return false;
        this.info.state = message.state;
        this.info.stop = message.stop;
        this.info.errors = message.errors;
        return true;
      default:
        return false;
    }
  }

  get state(): PanelState | undefined {
    return this.info?.state;
  }

  get analysis(): AnalysisView | undefined {
    return this.info?.analysis;
  }

  /**
   * The snapshot this model stands for. With `maxPoints`, longer runs are decimated (min/max per
   * bucket): that is what the webview keeps in its own state, to draw at once when it is shown
   * again, before the extension resends the full run.
   */
  toSnapshot(maxPoints?: number): PanelSnapshot | null {
    if (!this.info) return null;
    let xs: number[] = this.xs;
    let total: (number | null)[] = this.total;
    let values: (number | null)[][] = this.series.map((s) => s.values);
    if (maxPoints !== undefined && xs.length > maxPoints) {
      const reduced = decimateMinMax(xs, [total, ...values], Math.max(1, Math.floor(maxPoints / 2)));
      xs = reduced.xs;
      [total, ...values] = reduced.columns;
    }
    const t: number[] = [];
    const rss: number[] = [];
    total.forEach((v, i) => {
      if (v !== null) {
        t.push(xs[i]);
        rss.push(v);
      }
    });
    return {
      ...this.info,
      t,
      rss,
      processes: this.series.map((s, k) => {
        const pt: number[] = [];
        const prss: number[] = [];
        values[k].forEach((v, i) => {
          if (v !== null) {
            pt.push(xs[i]);
            prss.push(v);
          }
        });
        return { ...s.meta, t: pt, rss: prss };
      }),
    };
  }

  private isCurrent(sessionId: string): boolean {
    return this.info?.sessionId === sessionId;
  }

  private append(m: Extract<ExtensionMessage, { type: 'append' }>): boolean {
    if (!this.isCurrent(m.sessionId)) return false;
    // A sample never goes back in time; a repeated one (a resent message) is dropped.
    if (this.xs.length > 0 && m.t <= this.xs[this.xs.length - 1]) return false;
    for (const meta of m.added ?? []) {
      if (this.byId.has(meta.id)) continue;
      const series: ModelSeries = { meta: { ...meta }, values: new Array(this.xs.length).fill(null) };
      this.series.push(series);
      this.byId.set(meta.id, series);
    }
    for (const e of m.exited ?? []) {
      const series = this.byId.get(e.id);
      if (series) series.meta.exitedT = e.t;
    }
    this.xs.push(m.t);
    this.total.push(m.rss);
    const read = new Map(m.procs);
    for (const s of this.series) s.values.push(read.get(s.meta.id) ?? null);
    return true;
  }

  /** Lays a series' own samples onto the model's times (each sample sits on one of them). */
  private align(p: SnapshotSeries): ModelSeries {
    const { t, rss, ...meta } = p;
    const values = new Array<number | null>(this.xs.length).fill(null);
    let j = 0;
    for (let i = 0; i < t.length; i++) {
      while (j < this.xs.length && this.xs[j] < t[i]) j++;
      if (j < this.xs.length && this.xs[j] === t[i]) values[j] = rss[i];
    }
    return { meta, values };
  }
}
