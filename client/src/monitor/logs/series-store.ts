// The samples of one process, kept in bounded memory: past MAX_POINTS the series is thinned by
// keeping the lowest and the highest sample of each run of samples, so GC troughs (what the
// verdict judges) and peaks survive; a 1 GB log costs the same memory as a 100 MB one.

/** One memory figure read from a log: epoch seconds, bytes, where it was read. */
export interface LogPoint {
  time: number;
  rss: number;
  file: number;
  line: number;
}

export const MAX_POINTS = 20000;

export class SeriesStore {
  readonly points: LogPoint[] = [];
  /** Raw samples each stored min/max pair stands for (1 until the first thinning). */
  private group = 1;
  private pending: { min: LogPoint; max: LogPoint; count: number } | undefined;
  /** Every figure read, thinned or not. */
  count = 0;

  constructor(private readonly maxPoints = MAX_POINTS) {}

  add(p: LogPoint): void {
    this.count++;
    if (this.group === 1) {
      this.points.push(p);
    } else {
      const g = this.pending;
      if (!g) this.pending = { min: p, max: p, count: 1 };
      else {
        if (p.rss < g.min.rss) g.min = p;
        if (p.rss >= g.max.rss) g.max = p;
        g.count++;
      }
      if ((this.pending?.count ?? 0) >= this.group) this.flush();
    }
    if (this.points.length > this.maxPoints) this.thin();
  }

  get thinned(): boolean {
    return this.group > 1;
  }

  /** The samples in time order (pending ones included). */
  finish(): LogPoint[] {
    this.flush();
    const pts = this.points;
    for (let i = 1; i < pts.length; i++) {
      if (pts[i].time < pts[i - 1].time) {
        pts.sort((a, b) => a.time - b.time || a.file - b.file || a.line - b.line);
        break;
      }
    }
    return pts;
  }

  private flush(): void {
    const g = this.pending;
    if (!g) return;
    this.pending = undefined;
    this.pushPair(g.min, g.max, this.points);
  }

  private pushPair(a: LogPoint, b: LogPoint, out: LogPoint[]): void {
    if (a === b) out.push(a);
    else if (a.time < b.time || (a.time === b.time && a.line <= b.line)) out.push(a, b);
    else out.push(b, a);
  }

  /** Halves the stored points: each run of four becomes its lowest and highest. */
  private thin(): void {
    const src = this.points.splice(0);
    for (let i = 0; i < src.length; i += 4) {
      let lo = src[i];
      let hi = src[i];
      for (let j = i + 1; j < Math.min(i + 4, src.length); j++) {
        if (src[j].rss < lo.rss) lo = src[j];
        if (src[j].rss >= hi.rss) hi = src[j];
      }
      this.pushPair(lo, hi, this.points);
    }
    this.group = this.group === 1 ? 4 : this.group * 2;
  }
}
