// The leak verdict for one RSS series, following the decision tree of the issue: growth sustained
// for the minimum duration is a leak (rapid above `rapidMBPerMin`, else slow); otherwise no leak,
// or inconclusive when the run is too short or too noisy. Before that tree runs, the shapes that
// are not leaks are recognised: warm-up (excluded and reported), GC sawtooth (troughs judged, not
// peaks), a one-off step, growth that levelled off, and noise below the noise floor.
import { formatMB, formatRate, formatSeconds } from './format';
import { type DetectSettings, MIB, resolveSettings } from './settings';
import { bestTwoLineBreak, detectOneOffStep, detectWarmup, zigzag } from './shapes';
import {
  type LineFit,
  linearFit,
  maxDrawdown,
  median,
  PrefixFits,
  slopeStdErr,
  spearman,
  suffixMin,
} from './stats';

export type Verdict = 'no-leak' | 'slow-leak' | 'rapid-leak' | 'inconclusive';
export type Severity = 'none' | 'low' | 'high';
export type Shape =
  | 'insufficient'
  | 'flat'
  | 'falling'
  | 'one-off-step'
  | 'levelled-off'
  | 'slowing'
  | 'steady-growth'
  | 'stepwise-growth'
  | 'late-growth'
  | 'sawtooth'
  | 'sawtooth-growth'
  | 'noisy';

/** One RSS reading: seconds since the run started, bytes. */
export interface SamplePoint {
  t: number;
  rss: number;
}

/** `rss(t) ≈ interceptBytes + slopeBytesPerSecond × t` over [fromT, toT] (t as in the samples). */
export interface Trend {
  fromT: number;
  toT: number;
  slopeBytesPerSecond: number;
  interceptBytes: number;
}

export interface SeriesAnalysis {
  verdict: Verdict;
  severity: Severity;
  /** One or two sentences for a human: what was seen and why that verdict. */
  reason: string;
  shape: Shape;
  /** Growth of the trend the verdict rests on (judged window, or GC troughs), MiB per minute. */
  growthMBPerMin: number;
  /** R² of that trend (0 when it has no variance). */
  r2: number;
  /** Spearman rank correlation of RSS with time over the judged window. */
  spearman: number;
  /** Length of the excluded warm-up (0 when none). */
  warmupSeconds: number;
  /** t of the first judged sample (the end of the warm-up, else the first sample). */
  judgedFromT: number;
  /** Time between the first and the last sample. */
  observedSeconds: number;
  sampleCount: number;
  maxDrawdownMB: number;
  trend?: Trend;
  /** GC troughs, when the series is a sawtooth. */
  troughs?: SamplePoint[];
  /** The step, when the series is flat apart from one step. */
  step?: { t: number; jumpMB: number };
  /** Where growth began, when it began late in the run. */
  growthStartT?: number;
}

/** What the judged window looks like, before the duration and sample-count gates. */
interface Reading {
  kind: 'leak' | 'no-leak' | 'unsure';
  shape: Shape;
  /** MiB per second of the trend behind the reading. */
  rate: number;
  r2: number;
  trend?: Trend;
  /** Describes the reading and its conclusion; the reason when the run is long enough. */
  text: string;
  /** A neutral phrase for "so far …" when the run is too short to conclude. */
  summary: string;
  troughs?: SamplePoint[];
  step?: { t: number; jumpMB: number };
  growthStartT?: number;
}

export function analyzeSeries(
  samples: readonly SamplePoint[],
  overrides?: Partial<DetectSettings>,
): SeriesAnalysis {
  const s = resolveSettings(overrides);
  const points = samples.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.rss) && p.rss >= 0);
  if (points.some((p, i) => i > 0 && p.t < points[i - 1].t)) points.sort((a, b) => a.t - b.t);
  const ts = points.map((p) => p.t);
  const ys = points.map((p) => p.rss / MIB);
  const n = ts.length;
  const base = {
    spearman: 0,
    warmupSeconds: 0,
    judgedFromT: n ? ts[0] : 0,
    observedSeconds: n ? ts[n - 1] - ts[0] : 0,
    sampleCount: n,
    maxDrawdownMB: 0,
  };
  if (n < 2) {
    return {
      ...base,
      verdict: 'inconclusive',
      severity: 'none',
      shape: 'insufficient',
      growthMBPerMin: 0,
      r2: 0,
      reason:
        n === 0
          ? 'No samples were collected, so nothing can be said about a leak.'
          : 'Only one sample was collected: a trend needs a run of samples.',
    };
  }

  const fits = new PrefixFits(ts, ys);
  // The warm-up is looked for in the retained memory, so a GC dip inside it does not hide it.
  const retained = suffixMin(ys);
  const warm =
    n >= s.minSamples
      ? detectWarmup(ts, retained, new PrefixFits(ts, retained), linearFit(ts, retained), {
          searchFraction: s.warmupSearchFraction,
          slopeRatio: s.warmupSlopeRatio,
          minRiseMB: s.warmupMinRiseMB,
          minStepMB: 0.25 * s.noiseFloorMB,
        })
      : undefined;
  const from = warm?.index ?? 0;
  const observed = ts[n - 1] - ts[0];
  const reading = readWindow(ts, ys, fits, from, s);
  const judged = { ts: ts.slice(from), ys: ys.slice(from) };
  const result: SeriesAnalysis = {
    ...base,
    verdict: 'inconclusive',
    severity: 'none',
    reason: '',
    shape: reading.shape,
    growthMBPerMin: reading.rate * 60,
    r2: reading.r2,
    spearman: spearman(judged.ts, judged.ys),
    warmupSeconds: warm?.seconds ?? 0,
    judgedFromT: ts[from],
    maxDrawdownMB: maxDrawdown(ys, from, n),
    trend: reading.trend,
    troughs: reading.troughs,
    step: reading.step,
    growthStartT: reading.growthStartT,
  };
  const warmText = warm
    ? ` after a ${formatSeconds(warm.seconds)} warm-up (+${formatMB(warm.riseMB)}, excluded)`
    : '';
  const warmNote = warm
    ? ` The first ${formatSeconds(warm.seconds)} (warm-up, +${formatMB(warm.riseMB)}) were excluded.`
    : '';
  const intervals = ts.slice(1).map((t, i) => t - ts[i]);
  // A run scheduled for exactly the minimum duration ends a hair short of it; one interval of slack.
  const slack = Math.max(1.5 * median(intervals), 0.05 * s.minDurationSeconds);
  const growthSeconds = reading.growthStartT !== undefined ? ts[n - 1] - reading.growthStartT : observed;

  if (n < s.minSamples) {
    result.reason = `Only ${n} samples (at least ${s.minSamples} needed); so far ${reading.summary}.`;
  } else if (observed + slack < s.minDurationSeconds) {
    result.reason = `Only ${formatSeconds(observed)} observed, less than the ${formatSeconds(s.minDurationSeconds)} minimum; so far ${reading.summary}. Run longer to decide.`;
  } else if (reading.kind === 'no-leak') {
    result.verdict = 'no-leak';
    result.reason = reading.text + warmNote;
  } else if (reading.kind === 'unsure') {
    result.reason = reading.text + warmNote;
  } else if (growthSeconds + slack < s.minDurationSeconds) {
    result.reason = `${reading.text}, but only for ${formatSeconds(growthSeconds)}, less than the ${formatSeconds(s.minDurationSeconds)} minimum. Run longer to confirm.`;
  } else {
    const rapid = result.growthMBPerMin > s.rapidMBPerMin;
    result.verdict = rapid ? 'rapid-leak' : 'slow-leak';
    result.severity = rapid ? 'high' : 'low';
    const limit = `${s.rapidMBPerMin} MB/min`;
    result.reason =
      `${reading.text}${warmText}, sustained for ${formatSeconds(growthSeconds)}: ` +
      (rapid
        ? `rapid leak (above ${limit}) — page on-call.`
        : `slow leak (below ${limit}) — schedule a fix.`);
  }
  return result;
}

function trendOf(fit: LineFit, fromT: number, toT: number): Trend {
  return { fromT, toT, slopeBytesPerSecond: fit.slope * MIB, interceptBytes: fit.intercept * MIB };
}

/** Classifies the judged window [from, n): the shape, its trend, and whether it reads as a leak. */
function readWindow(ts: number[], ys: number[], fits: PrefixFits, from: number, s: DetectSettings): Reading {
  const n = ts.length;
  const floor = s.noiseFloorMB;
  const span = ts[n - 1] - ts[from];
  const fit = linearFit(ts, ys, from, n);
  const trend = trendOf(fit, ts[from], ts[n - 1]);
  const rise = fit.slope * span;
  const drawdown = maxDrawdown(ys, from, n);

  // Falls larger than the noise floor that recur: a GC sawtooth. Judge its troughs.
  const pivots = zigzag(ys, from, n, Math.max(floor, 0.25 * drawdown));
  if (pivots.peaks.length >= 2) return readSawtooth(ts, ys, from, pivots, s);

  const base = { rate: fit.slope, r2: fit.r2, trend };
  const riseBound = (fit.slope + 2 * slopeStdErr(ts, fit, from, n)) * span;
  if (rise < floor && riseBound >= floor && riseBound - rise > floor) {
    return {
      ...base,
      kind: 'unsure',
      shape: 'noisy',
      summary: `RSS is flat on average but noisy (±${formatMB((riseBound - rise) / 2)})`,
      text: `RSS is flat on average (${rise >= 0 ? '+' : ''}${formatMB(rise)} over ${formatSeconds(span)}) but too noisy to rule out growth of up to ${formatMB(riseBound)}: inconclusive. Run longer or under steadier load.`,
    };
  }
  if (rise < floor) {
    const falling = rise <= -floor;
    return {
      ...base,
      kind: 'no-leak',
      shape: falling ? 'falling' : 'flat',
      summary: `RSS changed by ${rise >= 0 ? '+' : ''}${formatMB(rise)} (flat)`,
      text: falling
        ? `RSS falls (${formatMB(rise)} over ${formatSeconds(span)}): no leak.`
        : `RSS stays flat (${rise >= 0 ? '+' : ''}${formatMB(rise)} over ${formatSeconds(span)}, within the ${formatMB(floor)} noise floor): no leak.`,
    };
  }

  const step = detectOneOffStep(ts, ys, from, n, floor, fits);
  if (step) {
    // Report the trend after the step: the level the process now holds.
    const after = linearFit(ts, ys, step.index, n);
    return {
      rate: after.slope,
      r2: after.r2,
      trend: trendOf(after, step.t, ts[n - 1]),
      kind: 'no-leak',
      shape: 'one-off-step',
      step: { t: step.t, jumpMB: step.jumpMB },
      summary: `RSS stepped up once by ${formatMB(step.jumpMB)} and is otherwise flat`,
      text: `RSS stepped up once by ${formatMB(step.jumpMB)} at t=${formatSeconds(step.t)} and stayed flat before and after: a one-off allocation, not a leak.`,
    };
  }

  // Growth that stops is not a leak: a steep rise and then a plateau long enough to count (a
  // warm-up that ended after the part of the run where warm-ups are searched for).
  const end = bestTwoLineBreak(ts, fits, from, n, { minFirst: 2, minSecond: 3 });
  if (end && end.sse <= 0.5 * fit.sse) {
    const endT = ts[end.index];
    const plateau = ts[n - 1] - endT;
    const plateauRise = end.second.slope * plateau;
    if (
      plateau >= s.sustainedFraction * span &&
      plateauRise < floor &&
      end.first.slope > 0 &&
      end.first.slope >= s.warmupSlopeRatio * Math.max(end.second.slope, 0)
    ) {
      const grew = ys[end.index] - ys[from];
      const plateauFit = linearFit(ts, ys, end.index, n);
      return {
        rate: plateauFit.slope,
        r2: plateauFit.r2,
        trend: trendOf(plateauFit, endT, ts[n - 1]),
        kind: 'no-leak',
        shape: 'levelled-off',
        summary: `RSS rose ${formatMB(grew)}, then levelled off`,
        text: `RSS rose ${formatMB(grew)} until t=${formatSeconds(endT)}, then levelled off for ${formatSeconds(plateau)} (${plateauRise >= 0 ? '+' : ''}${formatMB(plateauRise)}): growth that stops is a warm-up or a filling cache, not a leak.`,
      };
    }
  }

  // Growth must continue through the window: compare each half with the overall trend.
  const midT = ts[from] + span / 2;
  let mid = from;
  while (mid < n && ts[mid] < midT) mid++;
  const halfRise = (a: number, b: number) => (b - a >= 2 ? fits.line(a, b).slope * (ts[b - 1] - ts[a]) : 0);
  const firstRise = halfRise(from, mid);
  const secondRise = halfRise(mid, n);
  const expectedHalf = rise / 2;
  if (secondRise < floor && secondRise < s.sustainedFraction * expectedHalf) {
    return {
      ...base,
      kind: 'no-leak',
      shape: 'levelled-off',
      summary: `RSS rose ${formatMB(firstRise)}, then levelled off`,
      text: `RSS rose ${formatMB(firstRise)} in the first half, then levelled off (${secondRise >= 0 ? '+' : ''}${formatMB(secondRise)} in the second half): growth that stops is a warm-up or a filling cache, not a leak.`,
    };
  }
  if (secondRise < s.sustainedFraction * firstRise) {
    const halfMinutes = span / 2 / 60;
    return {
      ...base,
      kind: 'unsure',
      shape: 'slowing',
      summary: `RSS growth slows from ${formatRate(firstRise / halfMinutes)} to ${formatRate(secondRise / halfMinutes)}`,
      text: `RSS growth slows from ${formatRate(firstRise / halfMinutes)} in the first half to ${formatRate(secondRise / halfMinutes)} in the second: a warm-up still settling or a leak that slowed down. Run longer to tell.`,
    };
  }

  const rho = spearman(ts.slice(from), ys.slice(from));
  const allowedDrawdown = Math.max(floor, s.drawdownTolerance * rise);
  if (rho < s.spearmanMin || drawdown > allowedDrawdown) {
    return {
      ...base,
      kind: 'unsure',
      shape: 'noisy',
      summary: `RSS rises ${formatMB(rise)} but not consistently`,
      text: `RSS rises ${formatMB(rise)} over ${formatSeconds(span)} but not consistently (Spearman ${rho.toFixed(2)}, largest fall ${formatMB(drawdown)}): too noisy to call. Run longer or under steadier load.`,
    };
  }

  if (firstRise < s.sustainedFraction * expectedHalf) {
    // Flat, then growing: measure the growth from where it began.
    const br = bestTwoLineBreak(ts, fits, from, n, { minFirst: 2, minSecond: 3 });
    if (br && br.second.slope > 0) {
      const lateFit = linearFit(ts, ys, br.index, n);
      const startT = ts[br.index];
      return {
        kind: 'leak',
        shape: 'late-growth',
        rate: lateFit.slope,
        r2: lateFit.r2,
        trend: trendOf(lateFit, startT, ts[n - 1]),
        growthStartT: startT,
        summary: `RSS grows ${formatRate(lateFit.slope * 60)} since t=${formatSeconds(startT)}`,
        text: `RSS was flat until t=${formatSeconds(startT)}, then grew ${formatRate(lateFit.slope * 60)} (R² ${lateFit.r2.toFixed(2)})`,
      };
    }
  }

  const stepwise = isStepwise(ys, from, floor);
  return {
    ...base,
    kind: 'leak',
    shape: stepwise ? 'stepwise-growth' : 'steady-growth',
    summary: `RSS grows ${formatRate(fit.slope * 60)}${stepwise ? ' step-wise' : ''}`,
    text: stepwise
      ? `RSS grows step-wise ${formatRate(fit.slope * 60)} (most samples unchanged, yet Spearman ${rho.toFixed(2)}; R² ${fit.r2.toFixed(2)})`
      : `RSS grows ${formatRate(fit.slope * 60)} (R² ${fit.r2.toFixed(2)}, Spearman ${rho.toFixed(2)})`,
  };
}

/** Most sample-to-sample changes are (near) zero: the growth comes in steps. */
function isStepwise(ys: number[], from: number, floor: number): boolean {
  let still = 0;
  for (let i = from + 1; i < ys.length; i++) if (Math.abs(ys[i] - ys[i - 1]) < 0.02 * floor) still++;
  return still >= 0.5 * (ys.length - from - 1);
}

function readSawtooth(
  ts: number[],
  ys: number[],
  from: number,
  pivots: ReturnType<typeof zigzag>,
  s: DetectSettings,
): Reading {
  const reading = judgeTroughs(ts, ys, pivots, s);
  if (reading.kind === 'no-leak') return reading;
  // A run that ends at (or near) its lowest level has kept nothing, however few cycles it saw.
  const lowest = Math.min(...ys.slice(from));
  const last = ys[ys.length - 1];
  const tolerance = Math.max(s.noiseFloorMB, s.troughToleranceFraction * median(pivots.drops));
  if (last - lowest > tolerance) return reading;
  const swing = Math.max(...pivots.drops);
  return {
    ...reading,
    kind: 'no-leak',
    shape: 'sawtooth',
    summary: `RSS swings by up to ${formatMB(swing)} and ends at its lowest level`,
    text: `RSS rises and falls (GC sawtooth) by up to ${formatMB(swing)} over ${pivots.peaks.length} cycles and ends at its lowest level (within ${formatMB(last - lowest)}): memory is returned, no leak.`,
  };
}

function judgeTroughs(
  ts: number[],
  ys: number[],
  pivots: ReturnType<typeof zigzag>,
  s: DetectSettings,
): Reading {
  const troughs = pivots.troughs.map((i) => ({ t: ts[i], rss: ys[i] * MIB }));
  const swing = Math.max(...pivots.drops);
  const tolerance = Math.max(s.noiseFloorMB, s.troughToleranceFraction * median(pivots.drops));
  const cycles = pivots.peaks.length;
  const head = `RSS rises and falls (GC sawtooth) by up to ${formatMB(swing)} over ${cycles} cycles`;
  // glibc may keep a few MiB after the first large free (its mmap threshold rises once): the
  // first trough is allowed to sit lower than the rest.
  const tail = pivots.troughs.length >= 3 ? pivots.troughs.slice(1) : pivots.troughs;
  const tt = tail.map((i) => ts[i]);
  const ty = tail.map((i) => ys[i]);
  const fit = linearFit(tt, ty);
  const trend = tt.length >= 2 ? trendOf(fit, tt[0], tt[tt.length - 1]) : undefined;
  const base = { rate: fit.slope, r2: fit.r2, trend, troughs };
  if (tt.length < 2) {
    return {
      ...base,
      kind: 'unsure',
      shape: 'sawtooth',
      summary: `RSS swings by up to ${formatMB(swing)} (GC sawtooth)`,
      text: `${head}, but fewer than two complete troughs to compare: too few cycles to judge. Run longer.`,
    };
  }
  const troughRise = fit.slope * (tt[tt.length - 1] - tt[0]);
  const spread = Math.max(...ty) - Math.min(...ty);
  const step = detectOneOffStep(tt, ty, 0, tt.length, tolerance);
  const riseBound =
    tt.length >= 3 ? (fit.slope + 2 * slopeStdErr(tt, fit)) * (tt[tt.length - 1] - tt[0]) : troughRise;
  if (!step && troughRise <= tolerance && riseBound > tolerance && riseBound - troughRise > tolerance) {
    return {
      ...base,
      kind: 'unsure',
      shape: 'noisy',
      summary: `RSS swings by up to ${formatMB(swing)} and its troughs scatter by ${formatMB(spread)}`,
      text: `${head}; its troughs show no clear trend but scatter by ${formatMB(spread)}, too much to rule out growth of up to ${formatMB(riseBound)}: inconclusive. Run longer or under steadier load.`,
    };
  }
  if (troughRise <= tolerance || step) {
    return {
      ...base,
      kind: 'no-leak',
      shape: 'sawtooth',
      summary: `RSS swings by up to ${formatMB(swing)} with level troughs (GC sawtooth)`,
      text: step
        ? `${head}; its troughs rose once by ${formatMB(step.jumpMB)} and then stayed level: memory is returned, no leak.`
        : `${head}, and its troughs stay level (within ${formatMB(Math.max(spread, 0))}): memory is returned, no leak.`,
    };
  }
  const rho = spearman(tt, ty);
  // Few troughs make a weak sample: the rise must also be clear of its own uncertainty.
  const riseLow = (fit.slope - 2 * slopeStdErr(tt, fit)) * (tt[tt.length - 1] - tt[0]);
  if (tt.length < 3 || rho < s.spearmanMin || riseLow <= 0) {
    return {
      ...base,
      kind: 'unsure',
      shape: 'sawtooth',
      summary: `RSS swings by up to ${formatMB(swing)} and its troughs rise ${formatMB(troughRise)}`,
      text: `${head}; its troughs rise ${formatMB(troughRise)} but ${tt.length < 3 ? 'over too few cycles' : `not consistently (Spearman ${rho.toFixed(2)}, R² ${fit.r2.toFixed(2)})`} to call. Run longer.`,
    };
  }
  return {
    ...base,
    kind: 'leak',
    shape: 'sawtooth-growth',
    summary: `the GC troughs rise ${formatRate(fit.slope * 60)}`,
    text: `${head}, and its troughs — the memory never given back — rise ${formatRate(fit.slope * 60)} (R² ${fit.r2.toFixed(2)})`,
  };
}
