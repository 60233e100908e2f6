// The demo apps under examples/: under load, the leaky one must be called a leak and the one with a
// bounded cache healthy — with plain python3 (standard-library server) and, where the system Python
// has them, with FastAPI + uvicorn + prometheus_client (metrics read through the 307 redirect).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzeMonitorRun, type DetectResult } from '../../client/src/monitor/detect';
import { Sampler } from '../../client/src/monitor/sampler';
import type { MonitorRun } from '../../client/src/monitor/types';
import { assertNoSamplesLost, EXAMPLES, killAll, PYTHON, startPython } from './support';

const SYSTEM_PYTHON = '/usr/bin/python3';
const SETTINGS = { minDurationSeconds: 4, rapidMBPerMin: 10000, noiseFloorMB: 1 };

interface AppRun {
  impl: string;
  byPid: { run: MonitorRun; result: DetectResult };
  byUrl: { run: MonitorRun; result: DetectResult };
  load: { code: number | null; output: string };
}

/** Starts an example app, puts it under load, and samples it by PID and by its /metrics URL at once. */
async function exercise(
  app: string,
  python: string,
  impl: 'auto' | 'stdlib' | 'fastapi',
  seconds = 7,
): Promise<AppRun> {
  const script = join(EXAMPLES, `${app}.py`);
  const server = await startPython(script, ['--port', '0', '--impl', impl], /listening on http/, python);
  const banner = server.lines.find((l) => l.includes('listening on')) ?? '';
  const base = /http:\/\/127\.0\.0\.1:\d+/.exec(banner)?.[0];
  assert.ok(base, banner);
  if (app === 'healthy_app') await fillCache(base);
  const load = spawn(
    PYTHON,
    [join(EXAMPLES, 'load.py'), `${base}/items/{n}`, '--rate', '60', '--duration', '10'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  // Watching starts once requests are answered: on a busy machine the load generator itself can
  // take seconds to start, and a leak seen for less than the minimum is (rightly) inconclusive.
  let answered: () => void = () => {};
  const firstAnswer = new Promise<void>((resolve) => {
    answered = resolve;
  });
  load.stdout.on('data', (d) => {
    output += d;
    if (output.includes('first answer after')) answered();
  });
  load.stderr.on('data', (d) => {
    output += d;
  });
  const loadDone = new Promise<number | null>((resolve) => load.on('exit', resolve));
  await Promise.race([firstAnswer, loadDone]);
  const options = { intervalSeconds: 0.2, durationSeconds: seconds };
  const pidSampler = Sampler.forTarget({ pid: server.pid }, options);
  const urlSampler = Sampler.forTarget({ url: `${base}/metrics` }, options);
  await Promise.all([pidSampler.start(), urlSampler.start()]);
  await Promise.all([pidSampler.done, urlSampler.done]);
  const code = await loadDone;
  return {
    impl: /\((?:leaky|healthy), (\w+)\)/.exec(banner)?.[1] ?? '?',
    byPid: { run: pidSampler.run, result: analyzeMonitorRun(pidSampler.run, SETTINGS) },
    byUrl: { run: urlSampler.run, result: analyzeMonitorRun(urlSampler.run, SETTINGS) },
    load: { code, output },
  };
}

/**
 * Fills the healthy app's bounded cache (128 entries) before it is watched, and waits for every
 * request: how long the cache takes to fill depends on how busy the machine is, and a warm-up
 * stretched over most of a 7 s window cannot be told from a leak by anyone. (The detector's
 * warm-up handling is tested on its own in shapes.test.ts.) What is judged here is the steady
 * state: a full bounded cache whose entries are replaced stays flat.
 */
async function fillCache(base: string): Promise<void> {
  const warm = spawn(
    PYTHON,
    [join(EXAMPLES, 'load.py'), `${base}/items/{n}`, '--rate', '200', '--duration', '1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  warm.stdout.on('data', (d) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => warm.on('exit', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /^200 ok, 0 failed/m);
}

function assertLeak(r: AppRun): void {
  for (const [how, { run, result }] of Object.entries({ pid: r.byPid, url: r.byUrl })) {
    assert.ok(
      result.verdict === 'slow-leak' || result.verdict === 'rapid-leak',
      `${how}: ${result.verdict}: ${result.reason}`,
    );
    assert.ok(result.growthMBPerMin > 60, `${how}: ${result.growthMBPerMin} MB/min`);
    assertNoSamplesLost(run, 0.2);
  }
}

function assertHealthy(r: AppRun): void {
  for (const [how, { run, result }] of Object.entries({ pid: r.byPid, url: r.byUrl })) {
    assert.equal(result.verdict, 'no-leak', `${how}: ${result.reason}`);
    assertNoSamplesLost(run, 0.2);
  }
}

describe('monitor examples: the demo apps', function () {
  this.timeout(60000);
  after(killAll);

  describe('with plain python3 (standard-library server)', () => {
    let leaky: AppRun;
    let healthy: AppRun;
    before(async () => {
      [leaky, healthy] = await Promise.all([
        exercise('leaky_app', PYTHON, 'auto'),
        exercise('healthy_app', PYTHON, 'stdlib'),
      ]);
    });

    it('serves under load (the load generator succeeds)', () => {
      for (const r of [leaky, healthy]) {
        assert.equal(r.load.code, 0, r.load.output);
        assert.match(r.load.output, /^600 ok, 0 failed/m);
      }
    });

    it('calls leaky_app.py a leak, by PID and by its metrics URL', () => {
      assertLeak(leaky);
    });

    it('calls healthy_app.py (bounded cache) healthy', () => {
      assertHealthy(healthy);
    });
  });

  describe('with FastAPI, uvicorn and prometheus_client', () => {
    let leaky: AppRun;
    let healthy: AppRun;
    before(async function () {
      const probe = spawnSync(
        SYSTEM_PYTHON,
        ['-c', 'import fastapi, uvicorn, prometheus_client, cachetools'],
        {
          encoding: 'utf8',
        },
      );
      if (probe.status !== 0) {
        // Optional: `apt-get install python3-fastapi python3-uvicorn python3-prometheus-client python3-cachetools`.
        this.skip();
      }
      [leaky, healthy] = await Promise.all([
        exercise('leaky_app', SYSTEM_PYTHON, 'fastapi'),
        exercise('healthy_app', SYSTEM_PYTHON, 'fastapi'),
      ]);
    });

    it('runs the FastAPI flavour', () => {
      assert.equal(leaky.impl, 'fastapi');
      assert.equal(healthy.impl, 'fastapi');
    });

    it('calls the FastAPI leaky app a leak, through /metrics → /metrics/ too', () => {
      assertLeak(leaky);
    });

    it('calls the FastAPI healthy app healthy', () => {
      assertHealthy(healthy);
    });
  });

  it('load.py refuses anything but a loopback address', () => {
    const r = spawnSync(PYTHON, [join(EXAMPLES, 'load.py'), 'http://192.0.2.1/items/1', '--duration', '1'], {
      encoding: 'utf8',
      timeout: 10000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /only sends to loopback addresses/);
  });
});
