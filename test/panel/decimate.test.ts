import * as assert from 'node:assert/strict';
import { decimateMinMax } from '../../client/src/panel/decimate';

/** Max and min of the non-null values. */
function extremes(values: readonly (number | null)[]): [number, number] {
  const v = values.filter((x): x is number => x !== null);
  return [Math.min(...v), Math.max(...v)];
}

describe('panel: min/max decimation', () => {
  it('returns small inputs unchanged (copies, not the same arrays)', () => {
    const xs = [0, 1, 2, 3];
    const ys = [10, 11, null, 13];
    const out = decimateMinMax(xs, [ys], 10);
    assert.deepEqual(out.xs, xs);
    assert.deepEqual(out.columns, [ys]);
    assert.notEqual(out.xs, xs);
  });

  it('keeps a GC sawtooth at full height: every bucket keeps its lowest and highest value', () => {
    // 10 h of 1 s samples: a 40 MB sawtooth with a 7 s period on top of a slow climb.
    const n = 36_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((t) => 100 + t / 1000 + (t % 7) * (40 / 6));
    const buckets = 800;
    const out = decimateMinMax(xs, [ys], buckets);
    assert.ok(out.xs.length <= 2 * buckets, `${out.xs.length} points for ${buckets} buckets`);
    assert.equal(out.columns[0].length, out.xs.length);
    // Same envelope overall…
    assert.deepEqual(extremes(out.columns[0]), extremes(ys));
    // …and in every bucket: the drawn band is as tall as the sawtooth (≈ 40 MB), not smoothed away.
    const width = (xs[n - 1] - xs[0]) / buckets;
    for (let b = 0; b < buckets; b += 97) {
      const inBucket = ys.filter((_, i) => Math.min(buckets - 1, Math.floor(xs[i] / width)) === b);
      const drawn = out.columns[0].filter(
        (_, i) => Math.min(buckets - 1, Math.floor(out.xs[i] / width)) === b,
      );
      assert.deepEqual(extremes(drawn), extremes(inBucket), `bucket ${b}`);
      assert.ok(extremes(drawn)[1] - extremes(drawn)[0] > 39, `bucket ${b} keeps the 40 MB swing`);
    }
  });

  it('keeps times ascending and the order of a fall within a bucket (max before min)', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ys = xs.map((t) => (t % 100 < 50 ? 200 : 100)); // high, then a drop, every 100 samples
    const out = decimateMinMax(xs, [ys], 10);
    for (let i = 1; i < out.xs.length; i++) assert.ok(out.xs[i] > out.xs[i - 1], `xs ascending at ${i}`);
    // Each bucket of 100 samples starts high and ends low: the drawn pair goes 200 → 100.
    for (let i = 0; i < out.xs.length; i += 2) assert.deepEqual(out.columns[0].slice(i, i + 2), [200, 100]);
  });

  it('decimates several series on one x axis and keeps a series that is missing as null', () => {
    const n = 5000;
    const xs = Array.from({ length: n }, (_, i) => i * 0.5);
    const total = xs.map((t) => 50 + t);
    // A worker that only exists in the second half of the run.
    const worker = xs.map((_t, i) => (i < n / 2 ? null : 10 + (i % 3)));
    const out = decimateMinMax(xs, [total, worker], 100);
    assert.equal(out.columns.length, 2);
    const half = out.xs.findIndex((x) => x >= xs[n / 2]);
    assert.ok(
      out.columns[1].slice(0, half - 2).every((v) => v === null),
      'no worker values before it started',
    );
    assert.deepEqual(extremes(out.columns[1]), [10, 12]);
    assert.deepEqual(extremes(out.columns[0]), extremes(total));
  });

  it('with a range, decimates only what is visible (plus one point each side)', () => {
    const xs = Array.from({ length: 100_000 }, (_, i) => i);
    const ys = xs.map((t) => t);
    const out = decimateMinMax(xs, [ys], 50, [1000, 2000]);
    assert.ok(out.xs.length <= 100);
    assert.equal(out.xs[0], 999, 'one point before the range');
    assert.equal(out.xs[out.xs.length - 1], 2001, 'one point after the range');
    // A narrow zoom returns the raw samples.
    const raw = decimateMinMax(xs, [ys], 50, [10, 20]);
    assert.deepEqual(raw.xs, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
  });
});
