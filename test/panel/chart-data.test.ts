import * as assert from 'node:assert/strict';
import { buildChartData, processLabel, shortCommand } from '../../client/src/panel/chart-data';
import type { AnalysisView } from '../../client/src/panel/protocol';

const MIB = 1024 * 1024;

function analysis(over: Partial<AnalysisView> = {}): AnalysisView {
  return {
    verdict: 'slow-leak',
    severity: 'low',
    shape: 'steady-growth',
    reason: 'grows',
    growthMBPerMin: 0.6,
    r2: 0.98,
    warmupSeconds: 0,
    judgedFromT: 0,
    observedSeconds: 9,
    sampleCount: 10,
    trendOf: { kind: 'total' },
    leakingIds: [],
    final: true,
    ...over,
  };
}

describe('panel: chart data', () => {
  const xs = Array.from({ length: 10 }, (_, i) => i);
  const total = xs.map((t) => (100 + t) * MIB);

  it('one process: a single "RSS" line in MiB, no per-process lines', () => {
    const data = buildChartData(
      { xs, total, series: [{ meta: { id: 'a', pid: 7, label: 'python3 app.py' }, values: total }] },
      { buckets: 500 },
    );
    assert.deepEqual(
      data.series.map((s) => [s.key, s.label, s.kind]),
      [['total', 'RSS', 'total']],
    );
    assert.deepEqual(
      data.series[0].values,
      xs.map((t) => 100 + t),
    );
  });

  it('several processes: the sum plus one line per process', () => {
    const data = buildChartData(
      {
        xs,
        total,
        series: [
          {
            meta: { id: 'a', pid: 7, label: '/usr/bin/python3 -m uvicorn app:app --workers 2' },
            values: total.map((v) => v / 2),
          },
          { meta: { id: 'b', pid: 8, label: 'python3 worker' }, values: total.map(() => null) },
        ],
      },
      { buckets: 500 },
    );
    assert.deepEqual(
      data.series.map((s) => s.label),
      ['Sum', 'PID 7 python3 -m uvicorn app:app --workers 2', 'PID 8 python3 worker'],
    );
    assert.equal(data.series[1].values[4], 52);
    assert.ok(data.series[2].values.every((v) => v === null));
  });

  it('draws the trend over its window only, and the warm-up band', () => {
    const trend = { fromT: 3, toT: 9, slopeBytesPerSecond: MIB, interceptBytes: 100 * MIB };
    const data = buildChartData(
      { xs, total, series: [], analysis: analysis({ trend, warmupSeconds: 3, judgedFromT: 3 }) },
      { buckets: 500 },
    );
    const line = data.series.find((s) => s.kind === 'trend');
    assert.ok(line);
    assert.equal(line.label, 'Trend');
    assert.deepEqual(line.values, [null, null, null, 103, 104, 105, 106, 107, 108, 109]);
    assert.deepEqual(data.warmup, { from: 0, to: 3 });
  });

  it('names the trend after the process that decided the verdict, or the GC troughs', () => {
    const trend = { fromT: 0, toT: 9, slopeBytesPerSecond: 0, interceptBytes: 0 };
    const worker = buildChartData(
      {
        xs,
        total,
        series: [],
        analysis: analysis({ trend, trendOf: { kind: 'process', id: 'b', label: 'PID 8 worker' } }),
      },
      { buckets: 500 },
    );
    assert.equal(worker.series.at(-1)?.label, 'Trend of PID 8 worker');
    const gc = buildChartData(
      { xs, total, series: [], analysis: analysis({ trend, shape: 'sawtooth' }) },
      { buckets: 500 },
    );
    assert.equal(gc.series.at(-1)?.label, 'Trend of the GC troughs');
    assert.equal(
      buildChartData({ xs, total, series: [], analysis: analysis() }, { buckets: 500 }).warmup,
      undefined,
    );
  });

  it('short labels for legends', () => {
    assert.equal(
      shortCommand('/home/u/.pyenv/versions/3.11/bin/python3.11 leaky.py 4 300'),
      'python3.11 leaky.py 4 300',
    );
    assert.equal(
      shortCommand('/srv/app/.venv/bin/python3 /srv/app/main.py --port 80', 60),
      'python3 main.py --port 80',
    );
    assert.equal(shortCommand('python3 -m app --url http://x/y'), 'python3 -m app --url http://x/y');
    assert.equal(shortCommand('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    assert.equal(processLabel({ label: 'http://h:8000/metrics' }), 'http://h:8000/metrics');
  });
});
