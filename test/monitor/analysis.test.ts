// Table tests of the pure analysis: synthetic RSS series of every shape the issue names, with the
// verdict each must get. Series are in MiB against seconds; noise is deterministic.
import * as assert from 'node:assert/strict';
import { formatRate } from '../../client/src/monitor/analysis/format';
import {
  analyzeRun,
  analyzeSeries,
  DEFAULT_DETECT_SETTINGS,
  type DetectSettings,
  detectOneOffStep,
  linearFit,
  maxDrawdown,
  type SamplePoint,
  type Shape,
  spearman,
  type Verdict,
  zigzag,
} from '../../client/src/monitor/analysis/index';

const MIB = 1024 * 1024;

/** Deterministic noise in [-amplitude, amplitude]. */
function noise(amplitude: number, seed = 7): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state / 2147483647 - 0.5) * 2 * amplitude;
  };
}

/** `count` samples every `dt` seconds of `mb(t, i)` MiB. */
function series(count: number, dt: number, mb: (t: number, i: number) => number): SamplePoint[] {
  return Array.from({ length: count }, (_, i) => ({ t: i * dt, rss: Math.round(mb(i * dt, i) * MIB) }));
}

/** The default run: 5 minutes every 10 s. */
const run5min = (mb: (t: number, i: number) => number) => series(31, 10, mb);

interface Case {
  name: string;
  samples: SamplePoint[];
  settings?: Partial<DetectSettings>;
  verdict: Verdict;
  shape?: Shape;
  /** Expected growth, MB/min, ±10 % (or ±0.05 absolute for small rates). */
  growth?: number;
  warmup?: [number, number];
  reason?: RegExp;
}

const n1 = noise(0.15, 1);
const n2 = noise(0.15, 2);
const n3 = noise(0.15, 3);
const loud = noise(3, 9);
const loud2 = noise(2.5, 4);

const CASES: Case[] = [
  {
    name: 'steady growth above 1 MB/min is a rapid leak',
    samples: run5min((t) => 120 + (2 * t) / 60 + n1()),
    verdict: 'rapid-leak',
    shape: 'steady-growth',
    growth: 2,
    reason: /page on-call/,
  },
  {
    name: 'steady growth below 1 MB/min is a slow leak',
    samples: run5min((t) => 120 + (0.5 * t) / 60 + n2() / 3),
    verdict: 'slow-leak',
    growth: 0.5,
  },
  {
    name: 'growth of exactly the rapid threshold is still slow',
    samples: run5min((t) => 120 + t / 60),
    verdict: 'slow-leak',
    growth: 1,
  },
  {
    name: 'flat with noise is no leak',
    samples: run5min(() => 120 + n3()),
    verdict: 'no-leak',
    shape: 'flat',
    reason: /noise floor/,
  },
  {
    name: 'growth below the noise floor over the run is no leak (malloc settling)',
    samples: run5min((t) => 120 + (0.15 * t) / 60),
    verdict: 'no-leak',
    shape: 'flat',
  },
  {
    name: 'shrinking memory is no leak',
    samples: run5min((t) => 200 - (3 * t) / 60),
    verdict: 'no-leak',
    shape: 'falling',
  },
  {
    name: 'cache warm-up (steep rise, then plateau) is excluded and not a leak',
    samples: run5min((t) => 100 + Math.min(t, 40) * 1.5 + n1()),
    verdict: 'no-leak',
    warmup: [30, 50],
    reason: /warm-up/,
  },
  {
    name: 'a saturating warm-up (exponential) is not a leak',
    samples: series(61, 5, (t) => 100 + 60 * (1 - Math.exp(-t / 25)) + n2()),
    verdict: 'no-leak',
  },
  {
    name: 'a leak after a warm-up is measured after the warm-up',
    samples: run5min((t) => 100 + Math.min(t, 40) * 1.5 + (0.6 * t) / 60),
    verdict: 'slow-leak',
    growth: 0.6,
    warmup: [30, 50],
  },
  {
    name: 'GC sawtooth with level troughs is no leak (peaks ignored)',
    samples: series(61, 5, (_t, i) => 100 + (i % 6) * 9 + n3()),
    verdict: 'no-leak',
    shape: 'sawtooth',
    reason: /troughs stay level/,
  },
  {
    name: 'GC sawtooth whose troughs rise once then stay level is no leak',
    samples: series(61, 5, (_t, i) => 100 + (i >= 12 ? 4 : 0) + (i % 6) * 9),
    verdict: 'no-leak',
    shape: 'sawtooth',
  },
  {
    name: 'GC sawtooth whose troughs keep rising is a leak',
    samples: series(61, 5, (t, i) => 100 + (1.5 * t) / 60 + (i % 6) * 9 + n1()),
    verdict: 'rapid-leak',
    shape: 'sawtooth-growth',
    growth: 1.5,
  },
  {
    name: 'a one-off step between two flat levels is no leak',
    samples: run5min((t) => 100 + (t >= 170 ? 15 : 0) + n2()),
    verdict: 'no-leak',
    shape: 'one-off-step',
    reason: /one-off/,
  },
  {
    name: 'a one-off step caught mid-allocation (a sample between the levels) is still one step',
    samples: series(61, 0.1, (_t, i) => (i < 36 ? 20.7 : i === 36 ? 28.4 : 40.7)),
    settings: { minDurationSeconds: 4 },
    verdict: 'no-leak',
    shape: 'one-off-step',
  },
  {
    name: 'step-wise growth (most deltas zero) is a leak',
    samples: series(61, 5, (t) => 100 + Math.floor(t / 40) * 2),
    verdict: 'rapid-leak',
    shape: 'stepwise-growth',
    growth: 3,
  },
  {
    name: 'growth that starts late but lasts the minimum is a leak, measured from its start',
    samples: series(61, 10, (t) => 100 + Math.max(0, t - 240) * (3 / 60)),
    verdict: 'rapid-leak',
    shape: 'late-growth',
    growth: 3,
  },
  {
    name: 'growth that starts too late to last the minimum is inconclusive',
    samples: run5min((t) => 100 + Math.max(0, t - 170) * (6 / 60)),
    verdict: 'inconclusive',
    reason: /less than the 5\.0 min minimum/,
  },
  {
    name: 'growth that stops for the last third is no leak',
    samples: run5min((t) => 100 + Math.min(t, 200) * 0.1),
    verdict: 'no-leak',
    shape: 'levelled-off',
  },
  {
    name: 'growth that slows down sharply after the warm-up is inconclusive',
    samples: run5min((t) =>
      t <= 40 ? 100 + t : t <= 170 ? 140 + (t - 40) * 0.15 : 159.5 + (t - 170) * 0.025,
    ),
    reason: /slows/,
    verdict: 'inconclusive',
  },
  {
    name: 'a small trend under big noise is inconclusive, not no leak',
    samples: run5min((t) => 100 + (0.3 * t) / 60 + loud()),
    verdict: 'inconclusive',
    reason: /not consistently|noisy|scatter/,
  },
  {
    name: 'a run shorter than the minimum duration is inconclusive even when it grows fast',
    samples: series(10, 10, (t) => 100 + (5 * t) / 60),
    verdict: 'inconclusive',
    reason: /Run longer/,
  },
  {
    name: 'a short run judged with an accelerated minimum duration gets a verdict',
    samples: series(61, 0.1, (t) => 100 + 4 * t),
    settings: { minDurationSeconds: 4, rapidMBPerMin: 100 },
    verdict: 'rapid-leak',
    growth: 240,
  },
  {
    name: 'the rapid threshold is a parameter',
    samples: run5min((t) => 120 + (2 * t) / 60),
    settings: { rapidMBPerMin: 5 },
    verdict: 'slow-leak',
  },
  {
    name: 'the noise floor is a parameter',
    samples: run5min((t) => 120 + (0.15 * t) / 60),
    settings: { noiseFloorMB: 0.25 },
    verdict: 'slow-leak',
  },
  {
    name: 'too few samples are inconclusive',
    samples: series(4, 100, (t) => 100 + t),
    verdict: 'inconclusive',
    reason: /samples/,
  },
  { name: 'no samples are inconclusive', samples: [], verdict: 'inconclusive' },
  { name: 'one sample is inconclusive', samples: [{ t: 0, rss: 100 * MIB }], verdict: 'inconclusive' },
];

describe('monitor analysis: verdict table', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const a = analyzeSeries(c.samples, c.settings);
      const detail = `${a.verdict}/${a.shape} ${a.growthMBPerMin.toFixed(3)} MB/min, warm-up ${a.warmupSeconds}: ${a.reason}`;
      assert.equal(a.verdict, c.verdict, detail);
      assert.equal(
        a.severity,
        c.verdict === 'rapid-leak' ? 'high' : c.verdict === 'slow-leak' ? 'low' : 'none',
      );
      if (c.shape) assert.equal(a.shape, c.shape, detail);
      if (c.growth !== undefined) {
        assert.ok(Math.abs(a.growthMBPerMin - c.growth) <= Math.max(0.05, 0.1 * c.growth), detail);
      }
      if (c.warmup) assert.ok(a.warmupSeconds >= c.warmup[0] && a.warmupSeconds <= c.warmup[1], detail);
      else assert.equal(a.warmupSeconds === 0 || c.verdict !== 'rapid-leak', true, detail);
      if (c.reason) assert.match(a.reason, c.reason);
      assert.ok(a.reason.length > 20, 'a human reason');
      assert.ok(Number.isFinite(a.growthMBPerMin) && Number.isFinite(a.r2));
    });
  }

  it('uses the default thresholds of the issue', () => {
    assert.equal(DEFAULT_DETECT_SETTINGS.minDurationSeconds, 300);
    assert.equal(DEFAULT_DETECT_SETTINGS.rapidMBPerMin, 1);
    assert.equal(DEFAULT_DETECT_SETTINGS.noiseFloorMB, 1);
  });

  it('ignores unusable samples and sorts by time', () => {
    const good = run5min((t) => 120 + (2 * t) / 60);
    const messy = [...good].reverse();
    messy.push({ t: Number.NaN, rss: 1 }, { t: 5, rss: Number.POSITIVE_INFINITY }, { t: 6, rss: -1 });
    const a = analyzeSeries(messy);
    assert.equal(a.sampleCount, good.length);
    assert.equal(a.verdict, 'rapid-leak');
  });

  it('reports the trend line the verdict rests on (for the panel)', () => {
    const a = analyzeSeries(run5min((t) => 100 + Math.min(t, 40) * 1.5 + (0.6 * t) / 60));
    assert.ok(a.trend);
    assert.equal(a.trend.fromT, a.judgedFromT);
    assert.equal(a.trend.toT, 300);
    const at300 = a.trend.interceptBytes + a.trend.slopeBytesPerSecond * 300;
    assert.ok(Math.abs(at300 / MIB - (160 + 3)) < 0.5, `trend at 300 s: ${at300 / MIB}`);
  });

  it('lists the GC troughs of a sawtooth', () => {
    const a = analyzeSeries(series(61, 5, (_t, i) => 100 + (i % 6) * 9));
    assert.ok(a.troughs && a.troughs.length >= 8);
    for (const p of a.troughs) assert.equal(p.rss, 100 * MIB);
  });
});

describe('monitor analysis: a run of several processes', () => {
  const flat = (offset: number) => run5min(() => offset + n1());
  const leaky = run5min((t) => 40 + (3 * t) / 60);
  const sum = (...parts: SamplePoint[][]) =>
    parts[0].map((p, i) => ({ t: p.t, rss: parts.reduce((a, s) => a + s[i].rss, 0) }));

  it('a leak in one worker while the parent is flat is a leak, naming the worker', () => {
    const parent = flat(60);
    const worker2 = flat(45);
    const a = analyzeRun({
      samples: sum(parent, leaky, worker2),
      processes: [
        { id: '10:1', pid: 10, label: 'gunicorn: master', samples: parent },
        { id: '11:1', pid: 11, label: 'gunicorn: worker', samples: leaky },
        { id: '12:1', pid: 12, label: 'gunicorn: worker', samples: worker2 },
      ],
    });
    assert.equal(a.verdict, 'rapid-leak');
    assert.deepEqual(
      a.leaking.map((p) => p.pid),
      [11],
    );
    assert.match(a.reason, /PID 11\b/);
    assert.match(a.reason, /other 2 processes are not leaking/);
  });

  it('a small leak in one worker hidden by the noise of the total is still found', () => {
    const parent = run5min(() => 300 + loud2());
    const worker = run5min((t) => 40 + (0.5 * t) / 60);
    const a = analyzeRun({
      samples: sum(parent, worker),
      processes: [
        { id: 'a', pid: 1, label: 'parent', samples: parent },
        { id: 'b', pid: 2, label: 'worker', samples: worker },
      ],
    });
    assert.equal(a.total.verdict === 'slow-leak', false, 'the total alone would not say it');
    assert.equal(a.verdict, 'slow-leak');
    assert.deepEqual(a.decidedBy, { id: 'b', pid: 2, label: 'worker' });
  });

  it('workers that are replaced mid-run are not a leak when every process is flat', () => {
    const parent = flat(60);
    const first = run5min(() => 45).filter((p) => p.t < 150);
    const second = run5min(() => 48).filter((p) => p.t >= 150);
    const other = flat(45);
    const total = parent.map((p, i) => ({
      t: p.t,
      rss:
        p.rss +
        other[i].rss +
        (first.find((x) => x.t === p.t)?.rss ?? second.find((x) => x.t === p.t)?.rss ?? 0),
    }));
    const a = analyzeRun({
      samples: total,
      processes: [
        { id: 'p', pid: 1, label: 'master', samples: parent },
        { id: 'w1', pid: 2, label: 'worker', samples: first },
        { id: 'w2', pid: 3, label: 'worker', samples: second },
        { id: 'w3', pid: 4, label: 'worker', samples: other },
      ],
    });
    assert.equal(a.verdict, 'no-leak', a.reason);
    assert.match(a.reason, /started or exited/);
  });

  it('a worker that starts just after the run began and leaks makes the run a leak', () => {
    const parent = flat(60);
    const late = run5min((t) => 40 + (3 * t) / 60).filter((p) => p.t >= 30);
    const total = parent.map((p) => ({ t: p.t, rss: p.rss + (late.find((x) => x.t === p.t)?.rss ?? 0) }));
    const a = analyzeRun({
      samples: total,
      processes: [
        { id: 'p', pid: 1, label: 'master', samples: parent },
        { id: 'w', pid: 2, label: 'worker', samples: late },
      ],
    });
    assert.equal(a.processes[1].analysis.verdict, 'inconclusive', 'the worker alone is too short to judge');
    assert.equal(a.verdict, 'rapid-leak', a.reason);
    assert.match(a.reason, /inside the processes \(PID 2 \(worker\)/);
  });

  it('a single process is judged on the total alone', () => {
    const a = analyzeRun({ samples: leaky, processes: [{ id: 'x', pid: 5, label: 'app', samples: leaky }] });
    assert.equal(a.verdict, 'rapid-leak');
    assert.equal(a.decidedBy, 'total');
  });
});

describe('monitor analysis: building blocks', () => {
  it('fits a line exactly and reports R²', () => {
    const ts = [0, 1, 2, 3, 4];
    const fit = linearFit(
      ts,
      ts.map((t) => 3 + 2 * t),
    );
    assert.ok(Math.abs(fit.slope - 2) < 1e-12 && Math.abs(fit.intercept - 3) < 1e-12);
    assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
    assert.equal(linearFit([0, 1, 2], [5, 5, 5]).r2, 0);
  });

  it('keeps precision with byte-sized values (centred sums)', () => {
    const ts = Array.from({ length: 1000 }, (_, i) => i);
    const fit = linearFit(
      ts,
      ts.map((t) => 4e9 + t),
    );
    assert.ok(Math.abs(fit.slope - 1) < 1e-6);
  });

  it('rank-correlates step-wise series with ties', () => {
    const ts = [0, 1, 2, 3, 4, 5, 6, 7];
    assert.equal(spearman(ts, [1, 1, 1, 2, 2, 2, 3, 3]) > 0.9, true);
    assert.equal(spearman(ts, [5, 5, 5, 5, 5, 5, 5, 5]), 0);
    assert.equal(spearman(ts, [8, 7, 6, 5, 4, 3, 2, 1]), -1);
  });

  it('measures the largest fall from a running peak', () => {
    assert.equal(maxDrawdown([1, 5, 2, 6, 5.5]), 3);
    assert.equal(maxDrawdown([1, 2, 3]), 0);
  });

  it('finds zig-zag peaks and troughs above a threshold only', () => {
    const ys = [0, 5, 0.2, 5.1, 0.1, 5, 4.9, 5.2, 0];
    const z = zigzag(ys, 0, ys.length, 2);
    assert.deepEqual(z.peaks, [1, 3, 7]);
    assert.deepEqual(z.troughs, [0, 2, 4]);
    assert.equal(z.drops.length, 3);
    assert.deepEqual(zigzag([0, 0.5, 0, 0.5, 0], 0, 5, 1).peaks, []);
  });

  it('detects a one-off step only when both sides are flat', () => {
    const ts = Array.from({ length: 20 }, (_, i) => i);
    const step = detectOneOffStep(
      ts,
      ts.map((t) => (t >= 12 ? 10 : 0)),
      0,
      20,
      1,
    );
    assert.equal(step?.index, 12);
    assert.equal(step?.jumpMB, 10);
    const stairs = detectOneOffStep(
      ts,
      ts.map((t) => Math.floor(t / 4) * 3),
      0,
      20,
      1,
    );
    assert.equal(stairs, undefined);
  });

  it('formats signed rates', () => {
    assert.equal(formatRate(2.104), '+2.10 MB/min');
    assert.equal(formatRate(-0.0123), '-0.012 MB/min');
    assert.equal(formatRate(240.4), '+240 MB/min');
  });
});
