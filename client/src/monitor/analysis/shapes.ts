// Detectors for the RSS shapes that a naive "line through everything" misreads: a warm-up (steep
// rise, then plateau), a one-off step, growth that starts late, and a GC sawtooth (zig-zag pivots).
// Inputs are parallel arrays of seconds and MiB; ranges are [from, to) indices.
import { type LineFit, PrefixFits } from './stats';

export interface Break {
  /** Index of the break sample: the first segment is [from, index], the second [index, to). */
  index: number;
  first: { slope: number; sse: number };
  second: { slope: number; sse: number };
  sse: number;
}

/**
 * The split of [from, to) into two independently fitted lines (sharing the break sample) with the
 * least total squared error, the break lying at or before `latestT`.
 */
export function bestTwoLineBreak(
  ts: readonly number[],
  fits: PrefixFits,
  from: number,
  to: number,
  opts: { minFirst?: number; minSecond?: number; latestT?: number } = {},
): Break | undefined {
  const minFirst = opts.minFirst ?? 2;
  const minSecond = opts.minSecond ?? 3;
  let best: Break | undefined;
  for (let b = from + minFirst - 1; to - b >= minSecond; b++) {
    if (opts.latestT !== undefined && ts[b] > opts.latestT) break;
    const first = fits.line(from, b + 1);
    const second = fits.line(b, to);
    const sse = first.sse + second.sse;
    if (!best || sse < best.sse) best = { index: b, first, second, sse };
  }
  return best;
}

export interface Warmup {
  /** Index of the first judged sample (the plateau starts here). */
  index: number;
  seconds: number;
  riseMB: number;
}

export interface WarmupOptions {
  searchFraction: number;
  slopeRatio: number;
  minRiseMB: number;
  /** Sample-to-sample rises below this never extend a warm-up (noise). */
  minStepMB: number;
}

/**
 * A steep rise that then plateaus, in the first part of the run: two lines fit far better than
 * one, the first rises by at least `minRiseMB`, and at least `slopeRatio` times faster than the
 * second (which may still grow slowly: a leak after a warm-up stays visible).
 */
export function detectWarmup(
  ts: readonly number[],
  ys: readonly number[],
  fits: PrefixFits,
  whole: LineFit,
  opts: WarmupOptions,
): Warmup | undefined {
  const n = ts.length;
  if (n < 6) return undefined;
  const latestT = ts[0] + opts.searchFraction * (ts[n - 1] - ts[0]);
  const br = bestTwoLineBreak(ts, fits, 0, n, { minFirst: 2, minSecond: 3, latestT });
  if (!br) return undefined;
  const seconds = ts[br.index] - ts[0];
  const riseMB = ys[br.index] - ys[0];
  const fittedRise = br.first.slope * seconds;
  if (br.first.slope <= 0 || fittedRise < opts.minRiseMB || riseMB < opts.minRiseMB) return undefined;
  if (br.first.slope < opts.slopeRatio * Math.max(br.second.slope, 0)) return undefined;
  // The break must explain the shape: half the residual of a single line or better.
  if (!(br.sse <= 0.5 * whole.sse)) return undefined;
  // A line through "flat, then steep" breaks early: carry the break on over the samples that still
  // climb far faster than what follows, so no part of the climb is judged as growth.
  let index = br.index;
  const minStep = Math.max(opts.minStepMB, 0);
  while (
    index + 1 < n - 2 &&
    ts[index + 1] <= latestT &&
    ys[index + 1] - ys[index] >
      Math.max(minStep, opts.slopeRatio * Math.max(br.second.slope, 0) * (ts[index + 1] - ts[index]))
  ) {
    index++;
  }
  return { index, seconds: ts[index] - ts[0], riseMB: ys[index] - ys[0] };
}

export interface Step {
  /** First index after the step. */
  index: number;
  /** Seconds (absolute, same origin as `ts`) of the first sample after the step. */
  t: number;
  jumpMB: number;
}

/**
 * A single jump between two flat levels: the best two-level split beats a line, the jump exceeds
 * `tolerance`, and neither side grows by more than `tolerance` on its own. A step-wise leak fails
 * the last test (its sides hold further steps). Up to `maxTransition` samples caught mid-jump
 * (a large allocation being filled while sampled) may sit between the two levels.
 */
export function detectOneOffStep(
  ts: readonly number[],
  ys: readonly number[],
  from: number,
  to: number,
  tolerance: number,
  fits = new PrefixFits(ts, ys),
  maxTransition = 2,
): Step | undefined {
  if (to - from < 3) return undefined;
  let best: { k: number; gap: number; sse: number } | undefined;
  // Short series (a few GC troughs) get no transition samples: each point is an event there.
  const maxGap = Math.min(maxTransition, Math.floor((to - from) / 10));
  for (let k = from + 1; k < to; k++) {
    for (let gap = 0; gap <= maxGap && k + gap < to; gap++) {
      const sse = fits.level(from, k).sse + fits.level(k + gap, to).sse;
      if (!best || sse < best.sse) best = { k, gap, sse };
    }
  }
  if (!best) return undefined;
  const { k, gap } = best;
  const before = fits.level(from, k).mean;
  const after = fits.level(k + gap, to).mean;
  const jump = after - before;
  if (jump <= tolerance || !(best.sse < fits.line(from, to).sse)) return undefined;
  for (let i = k; i < k + gap; i++) {
    if (ys[i] < before - tolerance || ys[i] > after + tolerance) return undefined; // not in transit
  }
  const sideRise = (a: number, b: number) =>
    b - a >= 2 ? Math.abs(fits.line(a, b).slope * (ts[b - 1] - ts[a])) : 0;
  if (sideRise(from, k) > tolerance || sideRise(k + gap, to) > tolerance) return undefined;
  return { index: k + gap, t: ts[k + gap], jumpMB: jump };
}

export interface ZigZag {
  /** Indices of confirmed peaks: each was followed by a fall of at least `threshold`. */
  peaks: number[];
  /** Indices of confirmed troughs: each was followed by a rise of at least `threshold`. */
  troughs: number[];
  /** Size (MiB) of each fall from a confirmed peak to the lowest point after it. */
  drops: number[];
}

/**
 * Zig-zag pivots: a move counts only once it reverses by `threshold`, so noise smaller than the
 * threshold never makes a peak or a trough. The last, unconfirmed trough is left out on purpose:
 * a run that ends in the middle of a fall would report a trough higher than the real one.
 */
export function zigzag(ys: readonly number[], from: number, to: number, threshold: number): ZigZag {
  const peaks: number[] = [];
  const troughs: number[] = [];
  const drops: number[] = [];
  let mode: 0 | 1 | -1 = 0;
  let hi = from;
  let lo = from;
  for (let i = from + 1; i < to; i++) {
    const y = ys[i];
    if (mode === 0) {
      if (y > ys[hi]) hi = i;
      if (y < ys[lo]) lo = i;
      if (ys[hi] - ys[lo] >= threshold) {
        if (hi > lo) {
          troughs.push(lo);
          mode = 1;
        } else {
          peaks.push(hi);
          mode = -1;
        }
      }
    } else if (mode === 1) {
      if (y > ys[hi]) hi = i;
      else if (ys[hi] - y >= threshold) {
        peaks.push(hi);
        mode = -1;
        lo = i;
      }
    } else {
      if (y < ys[lo]) lo = i;
      else if (y - ys[lo] >= threshold) {
        troughs.push(lo);
        drops.push(ys[peaks[peaks.length - 1]] - ys[lo]);
        mode = 1;
        hi = i;
      }
    }
  }
  if (mode === -1 && peaks.length > drops.length) drops.push(ys[peaks[peaks.length - 1]] - ys[lo]);
  return { peaks, troughs, drops };
}
