// Decimation of what the chart draws. Hours of 1 s samples are far more points than a chart has
// pixels; drawing them all makes every live update slow. Each pixel column (bucket) keeps the
// lowest and the highest value of every series, in the order they happened, so a garbage-collector
// sawtooth keeps its full height and a one-sample spike stays visible. The samples themselves are
// never touched: exports use them all.

export type Column = readonly (number | null)[];

export interface Decimated {
  xs: number[];
  columns: (number | null)[][];
}

/**
 * Decimates aligned series (`columns[k][i]` is series k at `xs[i]`; `xs` ascending) to at most
 * about two points per bucket. With a `range`, only the points inside it (plus one neighbour on
 * each side, so lines reach the edges) are kept and bucketed across that range.
 */
export function decimateMinMax(
  xs: readonly number[],
  columns: readonly Column[],
  buckets: number,
  range?: readonly [number, number],
): Decimated {
  let from = 0;
  let to = xs.length; // exclusive
  if (range && xs.length > 0) {
    from = Math.max(0, lowerBound(xs, range[0]) - 1);
    to = Math.min(xs.length, upperBound(xs, range[1]) + 2);
  }
  const n = to - from;
  const count = Math.max(1, Math.floor(buckets));
  if (n <= 2 * count) {
    return { xs: xs.slice(from, to), columns: columns.map((c) => c.slice(from, to)) };
  }

  const x0 = xs[from];
  const span = xs[to - 1] - x0;
  const width = span > 0 ? span / count : 1;
  const outXs: number[] = [];
  const outCols: (number | null)[][] = columns.map(() => []);
  const minIdx = new Array<number>(columns.length);
  const maxIdx = new Array<number>(columns.length);

  let i = from;
  while (i < to) {
    const bucket = Math.min(count - 1, Math.floor((xs[i] - x0) / width));
    const first = i;
    minIdx.fill(-1);
    maxIdx.fill(-1);
    for (; i < to && Math.min(count - 1, Math.floor((xs[i] - x0) / width)) === bucket; i++) {
      for (let k = 0; k < columns.length; k++) {
        const v = columns[k][i];
        if (v === null || v === undefined) continue;
        if (minIdx[k] < 0 || v < (columns[k][minIdx[k]] as number)) minIdx[k] = i;
        if (maxIdx[k] < 0 || v > (columns[k][maxIdx[k]] as number)) maxIdx[k] = i;
      }
    }
    const last = i - 1;
    if (first === last) {
      outXs.push(xs[first]);
      for (let k = 0; k < columns.length; k++) outCols[k].push(columns[k][first] ?? null);
      continue;
    }
    // Two points per bucket, at its first and last sample time: each series' extremes, in the
    // order they occurred (a falling edge stays a falling edge).
    outXs.push(xs[first], xs[last]);
    for (let k = 0; k < columns.length; k++) {
      if (minIdx[k] < 0) {
        outCols[k].push(null, null);
        continue;
      }
      const a = Math.min(minIdx[k], maxIdx[k]);
      const b = Math.max(minIdx[k], maxIdx[k]);
      outCols[k].push(columns[k][a] as number, columns[k][b] as number);
    }
  }
  return { xs: outXs, columns: outCols };
}

/** First index with xs[i] >= x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Last index with xs[i] <= x (−1 when none). */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
