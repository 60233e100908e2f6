import * as assert from 'node:assert/strict';
import { analyzeMonitorRun } from '../../client/src/monitor/detect';
import type { MonitorRun } from '../../client/src/monitor/types';
import {
  exportFileName,
  formatClock,
  notificationLevel,
  processPickItems,
  progressMessage,
  statusBarText,
  verdictMessage,
} from '../../client/src/panel/texts';

const MIB = 1024 * 1024;
const FAST = { minDurationSeconds: 10, rapidMBPerMin: 1, noiseFloorMB: 1 };

function run(rssAt: (t: number) => number, seconds = 20, over: Partial<MonitorRun> = {}): MonitorRun {
  const samples = Array.from({ length: seconds + 1 }, (_, t) => ({ t, rss: Math.round(rssAt(t)) }));
  return {
    target: { kind: 'pid', pid: 4242, command: '/usr/bin/python3 leaky_worker.py 4 300' },
    followChildren: false,
    intervalSeconds: 1,
    samples,
    processes: [{ id: '4242:1', pid: 4242, command: 'python3', root: true, firstT: 0, samples }],
    errors: [],
    missedSlots: 0,
    stop: { reason: 'duration', t: seconds },
    ...over,
  };
}

describe('panel: notification and status texts', () => {
  it('a rapid leak: error style, page on-call, the figures', () => {
    const r = run((t) => 50 * MIB + t * 4 * MIB);
    const result = analyzeMonitorRun(r, FAST);
    assert.equal(result.verdict, 'rapid-leak');
    assert.equal(notificationLevel(result), 'error');
    const text = verdictMessage(r, result);
    assert.match(
      text,
      /^Leak Lens: Rapid leak in PID 4242 \(python3 leaky_worker\.py 4 300\): page on-call\./,
    );
    assert.match(text, /Growing \+240 MB\/min, R² 1\.00, severity high \(21 samples over 20 s\)\./);
    assert.doesNotMatch(text, /no[- ]leak|inconclusive/i);
  });

  it('a slow leak is a warning; a flat process an info with "No leak"', () => {
    const slow = run((t) => 50 * MIB + t * 0.015 * MIB, 120);
    const slowResult = analyzeMonitorRun(slow, FAST);
    assert.equal(slowResult.verdict, 'slow-leak');
    assert.equal(notificationLevel(slowResult), 'warning');
    assert.match(verdictMessage(slow, slowResult), /Slow leak in PID 4242 .*schedule a fix/);
    const flat = run(() => 50 * MIB);
    const flatResult = analyzeMonitorRun(flat, FAST);
    assert.equal(flatResult.verdict, 'no-leak');
    assert.equal(notificationLevel(flatResult), 'info');
    assert.match(verdictMessage(flat, flatResult), /^Leak Lens: No leak in PID 4242/);
  });

  it('says the warm-up was excluded, and why a run ended early', () => {
    const warm = run((t) => (t < 4 ? 20 * MIB + t * 10 * MIB : 60 * MIB + t * 2 * MIB), 30, {
      stop: { reason: 'target-exited', t: 30, message: 'The target process (PID 4242) has exited.' },
    });
    const result = analyzeMonitorRun(warm, FAST);
    // A steep 4 s warm-up, then 2 MB/s: the warm-up is set aside, the rest is a rapid leak.
    assert.equal(result.verdict, 'rapid-leak', result.reason);
    assert.ok(result.warmupSeconds >= 3, `warm-up ${result.warmupSeconds} s`);
    const text = verdictMessage(warm, result);
    assert.match(text, /Growing \+120 MB\/min, R² 1\.00, severity high; warm-up of 4\.0 s excluded/);
    assert.match(text, /The target exited at 30 s; judged on the samples before\./);
  });

  it('an inconclusive run gives the reason', () => {
    const short = run((t) => 50 * MIB + t * MIB, 3);
    const result = analyzeMonitorRun(short, FAST);
    assert.equal(result.verdict, 'inconclusive');
    assert.match(
      verdictMessage(short, result),
      /^Leak Lens: Inconclusive for PID 4242 .*\(4 samples over 3\.0 s\): \S/,
    );
  });

  it('status bar text', () => {
    assert.equal(
      statusBarText({ rss: 182 * MIB, growthMBPerMin: 2.1, paused: false }),
      '$(pulse) 182 MB +2.10 MB/min',
    );
    assert.equal(statusBarText({ rss: 182 * MIB, paused: false }), '$(pulse) 182 MB');
    assert.equal(
      statusBarText({ rss: 182 * MIB, growthMBPerMin: 2.1, paused: true }),
      '$(debug-pause) 182 MB paused',
    );
    assert.equal(statusBarText({ paused: false }), '$(pulse) …');
  });

  it('progress line and clock', () => {
    assert.equal(formatClock(75), '1:15');
    assert.equal(formatClock(3725), '1:02:05');
    assert.equal(
      progressMessage({
        remainingSeconds: 42.4,
        samples: 12,
        rss: 64 * MIB,
        growthMBPerMin: -0.5,
        processes: 3,
      }),
      '0:42 left · 12 samples · RSS 64.0 MB in 3 processes · trend -0.50 MB/min',
    );
    assert.equal(progressMessage({ remainingSeconds: -1, samples: 1, processes: 1 }), '0:00 left · 1 sample');
  });

  it('export file names', () => {
    const when = new Date(2024, 0, 31, 3, 15, 9);
    assert.equal(exportFileName({ pid: 42 }, 'csv', when), 'leak-lens-pid-42-20240131-031509.csv');
    assert.equal(
      exportFileName({ kind: 'url', url: 'http://api:8000/metrics' }, 'json', when),
      'leak-lens-api-8000-20240131-031509.json',
    );
  });

  it('quick-pick rows: program, PID and memory, command line underneath, in sections', () => {
    const items = processPickItems([
      {
        pid: 10,
        ppid: 1,
        name: 'uvicorn',
        command: '/venv/bin/python3 /venv/bin/uvicorn app:app',
        kind: 'uvicorn',
        rssBytes: 80 * MIB,
      },
      { pid: 11, ppid: 1, name: 'python3', command: 'python3 leaky_worker.py', kind: 'python' },
      { pid: 12, ppid: 1, name: 'bash', command: 'x'.repeat(300), kind: 'other' },
    ]);
    assert.deepEqual(items[0], {
      label: 'uvicorn (uvicorn)',
      description: 'PID 10 · 80.0 MB',
      detail: '/venv/bin/python3 /venv/bin/uvicorn app:app',
      pid: 10,
      section: 'Python servers',
    });
    assert.equal(items[1].description, 'PID 11');
    assert.equal(items[1].section, 'Python');
    assert.equal(items[2].detail?.length, 240);
    assert.equal(items[2].section, 'Other processes');
  });
});
