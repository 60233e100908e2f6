// Real Python processes with known memory shapes, sampled like `leak-lens detect` does (accelerated:
// 6 s at 0.1 s, 4 s minimum duration). The shapes run side by side to keep the suite short.
import * as assert from 'node:assert/strict';
import { analyzeMonitorRun, type DetectResult } from '../../client/src/monitor/detect';
import type { MonitorRun } from '../../client/src/monitor/types';
import { assertNoSamplesLost, FAST, killAll, sample, startShape } from './support';

const INTERVAL = 0.1;
const DURATION = 6;
const MIB = 1024 * 1024;

interface Outcome {
  run: MonitorRun;
  result: DetectResult;
  pids: Record<string, number>;
  /** What the process printed (sawtooth: one `cycle N T` line per cycle). */
  lines: string[];
}

async function observe(mode: string, args: string[], children = false): Promise<Outcome> {
  const proc = await startShape(mode, args, mode === 'workers' ? /^workers / : undefined);
  const { run } = await sample({ pid: proc.pid, children }, { interval: INTERVAL, duration: DURATION });
  const pids: Record<string, number> = { root: proc.pid };
  for (const line of proc.lines) {
    for (const m of line.matchAll(/(\w+)=(\d+)/g)) pids[m[1]] = Number(m[2]);
  }
  return { run, result: analyzeMonitorRun(run, FAST), pids, lines: proc.lines };
}

function describeOutcome(o: Outcome): string {
  return `${o.result.verdict} (${o.result.shape}): ${o.result.reason}`;
}

describe('monitor: real Python memory shapes', function () {
  this.timeout(60000);
  const outcomes: Record<string, Outcome> = {};

  before(async () => {
    const cases: [string, string, string[], boolean?][] = [
      ['steady', 'leak', ['--rate', '4']],
      ['slow', 'leak', ['--rate', '0.5']],
      ['flat', 'flat', []],
      ['warmup', 'warmup', ['--delay', '1', '--warmup-mb', '40', '--warmup-seconds', '0.6']],
      ['sawtooth', 'sawtooth', ['--peak-mb', '48', '--chunk-mb', '8', '--period', '1']],
      // 2 MiB kept per cycle, whatever its pace: the troughs rise more than their tolerance (5 %
      // of the 24 MiB swing, or the 1 MiB noise floor) at every cycle. Short cycles of little
      // memory: a busy machine (load 6 on 2 cores) still lets it run enough of them in 6 s.
      [
        'sawtoothLeak',
        'sawtooth',
        ['--peak-mb', '24', '--chunk-mb', '8', '--period', '0.5', '--keep-mb', '2'],
      ],
      ['stepwise', 'stepwise', ['--step-mb', '3', '--every', '0.8']],
      ['step', 'step', ['--at', '3.6', '--step-mb', '20']],
      ['workers', 'workers', ['--rate', '4'], true],
    ];
    const results = await Promise.all(cases.map(([, mode, args, children]) => observe(mode, args, children)));
    cases.forEach(([name], i) => {
      outcomes[name] = results[i];
    });
  });

  after(killAll);

  it('calls a steady leak a rapid leak', () => {
    const o = outcomes.steady;
    assert.equal(o.result.verdict, 'rapid-leak', describeOutcome(o));
    assert.equal(o.result.severity, 'high');
    // 4 MiB/s is 240 MiB/min; allow for the interpreter's own pace.
    assert.ok(o.result.growthMBPerMin > 150 && o.result.growthMBPerMin < 300, describeOutcome(o));
    assert.ok(o.result.r2 > 0.9);
    assertNoSamplesLost(o.run, INTERVAL);
    assert.equal(o.run.stop?.reason, 'duration');
  });

  it('calls a slow leak a slow leak', () => {
    const o = outcomes.slow;
    assert.equal(o.result.verdict, 'slow-leak', describeOutcome(o));
    assert.equal(o.result.severity, 'low');
    assert.ok(o.result.growthMBPerMin > 15 && o.result.growthMBPerMin < 100, describeOutcome(o));
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('calls a process at rest healthy', () => {
    const o = outcomes.flat;
    assert.equal(o.result.verdict, 'no-leak', describeOutcome(o));
    assert.equal(o.result.severity, 'none');
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('excludes a warm-up and calls the plateau after it healthy', () => {
    const o = outcomes.warmup;
    assert.equal(o.result.verdict, 'no-leak', describeOutcome(o));
    assert.ok(o.result.warmupSeconds >= 0.8 && o.result.warmupSeconds <= 3, describeOutcome(o));
    assert.match(o.result.reason, /warm-up/);
    const rss = o.run.samples.map((s) => s.rss);
    assert.ok(Math.max(...rss) - rss[0] > 30 * MIB, 'the warm-up really allocated');
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('calls a GC sawtooth that returns memory to the OS healthy, judging its troughs', () => {
    const o = outcomes.sawtooth;
    assert.equal(o.result.verdict, 'no-leak', describeOutcome(o));
    assert.equal(o.result.shape, 'sawtooth');
    assert.ok((o.result.troughs?.length ?? 0) >= 3, 'several troughs found');
    // Memory really went back: after the highest peak RSS fell by more than 30 MiB.
    const rss = o.run.samples.map((s) => s.rss);
    const top = rss.indexOf(Math.max(...rss));
    const afterTop = rss.slice(top);
    const lowestAfterTop = Math.min(...(afterTop.length > 1 ? afterTop : rss));
    assert.ok(rss[top] - Math.min(lowestAfterTop, ...rss.slice(0, top)) > 30 * MIB);
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('calls a sawtooth whose troughs rise a leak', () => {
    const o = outcomes.sawtoothLeak;
    assert.ok(o.result.verdict === 'slow-leak' || o.result.verdict === 'rapid-leak', describeOutcome(o));
    assert.equal(o.result.shape, 'sawtooth-growth');
    assert.ok((o.result.troughs?.length ?? 0) >= 3, describeOutcome(o));
    // The troughs rise 2 MiB per cycle: the rate to expect is that over the cycles the process
    // really ran (a busy machine stretches them), within a factor of two either way.
    const cycles = o.lines.flatMap((l) => {
      const m = /^cycle \d+ ([\d.]+)$/.exec(l);
      return m ? [Number(m[1])] : [];
    });
    assert.ok(cycles.length >= 4, `cycles seen: ${cycles.length}`);
    const period = (cycles[cycles.length - 1] - cycles[0]) / (cycles.length - 1);
    const expected = (2 * 60) / period;
    const rate = o.result.growthMBPerMin;
    assert.ok(
      rate > expected / 2 && rate < expected * 2,
      `${rate.toFixed(0)} MiB/min for ${expected.toFixed(0)} expected (2 MiB per ${period.toFixed(2)} s cycle): ${describeOutcome(o)}`,
    );
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('calls a step-wise leak (mostly unchanged samples) a leak', () => {
    const o = outcomes.stepwise;
    assert.ok(o.result.verdict === 'slow-leak' || o.result.verdict === 'rapid-leak', describeOutcome(o));
    assert.equal(o.result.shape, 'stepwise-growth');
    const deltas = o.run.samples.slice(1).map((s, i) => s.rss - o.run.samples[i].rss);
    assert.ok(deltas.filter((d) => Math.abs(d) < 64 * 1024).length > deltas.length / 2, 'most deltas are ~0');
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('does not call a one-off step a leak', () => {
    const o = outcomes.step;
    assert.equal(o.result.verdict, 'no-leak', describeOutcome(o));
    assert.equal(o.result.shape, 'one-off-step');
    assert.ok(o.result.step && o.result.step.jumpMB > 15 && o.result.step.jumpMB < 25, describeOutcome(o));
    assertNoSamplesLost(o.run, INTERVAL);
  });

  it('finds the one leaking worker of a flat parent and names its PID', () => {
    const o = outcomes.workers;
    assert.ok(o.pids.leaky && o.pids.flat, `worker PIDs printed: ${JSON.stringify(o.pids)}`);
    assert.ok(o.result.verdict === 'rapid-leak', describeOutcome(o));
    assert.deepEqual(
      o.result.leaking.map((p) => p.pid),
      [o.pids.leaky],
    );
    assert.match(o.result.reason, new RegExp(`PID ${o.pids.leaky}\\b`));
    const byPid = new Map(o.result.processes.map((p) => [p.pid, p.analysis.verdict]));
    assert.equal(byPid.get(o.pids.root), 'no-leak');
    assert.equal(byPid.get(o.pids.flat), 'no-leak');
    assert.ok(o.run.processes.every((p) => p.exitedT === undefined));
    assertNoSamplesLost(o.run, INTERVAL);
  });
});
