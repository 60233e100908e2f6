// Small numeric helpers for the leak verdict. Series arrive here in seconds and MiB (not bytes):
// squares of byte counts (~1e16) lose precision in doubles, squares of MiB do not.

export interface LineFit {
  /** MiB per second. */
  slope: number;
  /** Fitted value at t = 0. */
  intercept: number;
  /** Share of the variance the line explains, 0..1 (0 when the series has no variance). */
  r2: number;
  /** Sum of squared residuals. */
  sse: number;
  n: number;
}

/** Ordinary least squares of `ys` on `ts` over indices [from, to). Centred sums keep it exact. */
export function linearFit(ts: readonly number[], ys: readonly number[], from = 0, to = ts.length): LineFit {
  const n = to - from;
  if (n <= 0) return { slope: 0, intercept: 0, r2: 0, sse: 0, n: 0 };
  let tMean = 0;
  let yMean = 0;
  for (let i = from; i < to; i++) {
    tMean += ts[i];
    yMean += ys[i];
  }
  tMean /= n;
  yMean /= n;
  let stt = 0;
  let sty = 0;
  let syy = 0;
  for (let i = from; i < to; i++) {
    const dt = ts[i] - tMean;
    const dy = ys[i] - yMean;
    stt += dt * dt;
    sty += dt * dy;
    syy += dy * dy;
  }
  const slope = stt > 0 ? sty / stt : 0;
  const sse = Math.max(0, syy - slope * sty);
  return { slope, intercept: yMean - slope * tMean, r2: syy > 0 ? Math.max(0, 1 - sse / syy) : 0, sse, n };
}

/**
 * Standard error of a fitted slope: how far the true trend may lie from the fitted one. Twice this
 * bounds the slope at about 95 %; a series "flat within the noise floor" must be flat at that bound.
 */
export function slopeStdErr(ts: readonly number[], fit: LineFit, from = 0, to = ts.length): number {
  const n = to - from;
  if (n < 3) return Number.POSITIVE_INFINITY;
  let mean = 0;
  for (let i = from; i < to; i++) mean += ts[i];
  mean /= n;
  let stt = 0;
  for (let i = from; i < to; i++) stt += (ts[i] - mean) ** 2;
  return stt > 0 ? Math.sqrt(fit.sse / (n - 2) / stt) : Number.POSITIVE_INFINITY;
}

/** Ranks 1..n, ties get their average rank (so step-wise series with equal values rank fairly). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; 0 when either side has no variance. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Spearman rank correlation: how consistently `ys` rises with `xs`, whatever the shape. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  return pearson(ranks(xs), ranks(ys));
}

/** The largest fall from a running peak to a later value. */
export function maxDrawdown(ys: readonly number[], from = 0, to = ys.length): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (let i = from; i < to; i++) {
    if (ys[i] > peak) peak = ys[i];
    else worst = Math.max(worst, peak - ys[i]);
  }
  return worst;
}

/**
 * The lowest value at or after each point: the memory that is never given back from then on. Peaks
 * that a garbage collector later returns vanish from it; retained growth stays.
 */
export function suffixMin(ys: readonly number[]): number[] {
  const out = new Array<number>(ys.length);
  let low = Number.POSITIVE_INFINITY;
  for (let i = ys.length - 1; i >= 0; i--) {
    low = Math.min(low, ys[i]);
    out[i] = low;
  }
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Prefix sums that give the least-squares line (or constant) of any index range in O(1), so the
 * break searches (warm-up, one-off step, late onset) stay linear in the number of samples.
 */
export class PrefixFits {
  private readonly st: Float64Array;
  private readonly sy: Float64Array;
  private readonly stt: Float64Array;
  private readonly sty: Float64Array;
  private readonly syy: Float64Array;
  private readonly y0: number;

  constructor(ts: readonly number[], ys: readonly number[]) {
    const n = ts.length;
    // Offsets keep the sums small: exactness matters when subtracting them.
    const t0 = n ? ts[0] : 0;
    const y0 = n ? ys[0] : 0;
    this.y0 = y0;
    this.st = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.stt = new Float64Array(n + 1);
    this.sty = new Float64Array(n + 1);
    this.syy = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const t = ts[i] - t0;
      const y = ys[i] - y0;
      this.st[i + 1] = this.st[i] + t;
      this.sy[i + 1] = this.sy[i] + y;
      this.stt[i + 1] = this.stt[i] + t * t;
      this.sty[i + 1] = this.sty[i] + t * y;
      this.syy[i + 1] = this.syy[i] + y * y;
    }
  }

  /** Slope and residual sum of squares of the line fitted to [from, to). */
  line(from: number, to: number): { slope: number; sse: number } {
    const n = to - from;
    if (n < 2) return { slope: 0, sse: 0 };
    const st = this.st[to] - this.st[from];
    const sy = this.sy[to] - this.sy[from];
    const ctt = this.stt[to] - this.stt[from] - (st * st) / n;
    const cty = this.sty[to] - this.sty[from] - (st * sy) / n;
    const cyy = this.syy[to] - this.syy[from] - (sy * sy) / n;
    const slope = ctt > 1e-12 ? cty / ctt : 0;
    return { slope, sse: Math.max(0, cyy - slope * cty) };
  }

  /** Mean and residual sum of squares of the constant fitted to [from, to). */
  level(from: number, to: number): { mean: number; sse: number } {
    const n = to - from;
    if (n < 1) return { mean: this.y0, sse: 0 };
    const sy = this.sy[to] - this.sy[from];
    const cyy = this.syy[to] - this.syy[from] - (sy * sy) / n;
    return { mean: this.y0 + sy / n, sse: Math.max(0, cyy) };
  }
}
