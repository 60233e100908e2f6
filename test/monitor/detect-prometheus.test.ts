// `leak-lens detect --prometheus` against a real Prometheus server (Debian's package):
//  - a fleet of 305 series written into its TSDB with promtool (leaks, flat, GC sawtooth,
//    warm-up), read back through /api/v1/query_range: a verdict per series and for the fleet;
//  - bad PromQL, an empty result, a refused port, a URL that is not the API, basic auth;
//  - live: Prometheus scraping examples/leaky_app.py and healthy_app.py under load.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { OutStream } from '../../client/src/monitor/cli';
import { runDetect } from '../../client/src/monitor/cli';
import { parseDuration } from '../../client/src/monitor/fleet/fleet';
import {
  backfill,
  freePort,
  prometheusMissing,
  type RunningPrometheus,
  startPrometheus,
  tempDir,
} from './prometheus-server';
import { EXAMPLES, killAll, PYTHON, startPython } from './support';

const MIB = 2 ** 20;

function stream(): OutStream & { text: string } {
  const s = {
    text: '',
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

async function detect(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = stream();
  const stderr = stream();
  const code = await runDetect(args, { stdout, stderr, env } as Parameters<typeof runDetect>[1]);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A deterministic pseudo-random generator (the fleet is the same on every run). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const STEP = 60;
const POINTS = 121; // two hours at one a minute

/** The fleet: 3 leaks (one rapid), 200 flat, 60 GC sawtooth, 37 warm-up then flat; 5 more in `batch`. */
function fleetOpenMetrics(end: number): string {
  const start = end - (POINTS - 1) * STEP;
  const rand = rng(42);
  const lines = ['# TYPE process_resident_memory_bytes gauge'];
  const add = (job: string, instance: string, value: (minute: number) => number) => {
    for (let i = 0; i < POINTS; i++) {
      const v = Math.round(value(i) * MIB);
      lines.push(
        `process_resident_memory_bytes{job="${job}",instance="${instance}"} ${v} ${start + i * STEP}`,
      );
    }
  };
  const noise = (mb: number) => (rand() - 0.5) * 2 * mb;
  add('api', 'leak-rapid:8000', (m) => 200 + 5 * m + noise(0.2));
  add('api', 'leak-slow-a:8000', (m) => 200 + 0.5 * m + noise(0.1));
  add('api', 'leak-slow-b:8000', (m) => 250 + 0.3 * m + noise(0.05));
  for (let k = 0; k < 200; k++) add('api', `flat-${k}:8000`, () => 150 + k * 0.1 + noise(0.2));
  for (let k = 0; k < 60; k++) add('api', `saw-${k}:8000`, (m) => 300 + (m % 10) * 5 + noise(0.2));
  for (let k = 0; k < 37; k++) add('api', `warm-${k}:8000`, (m) => 100 + Math.min(m, 10) * 5 + noise(0.2));
  for (let k = 0; k < 5; k++) add('batch', `batch-${k}:9000`, () => 80 + noise(0.1));
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

describe('detect --prometheus: durations', () => {
  it('reads Prometheus durations and plain seconds', () => {
    assert.equal(parseDuration('6h'), 21600);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('500ms'), 0.5);
    assert.equal(parseDuration('2d'), 172800);
    assert.equal(parseDuration('45'), 45);
    assert.equal(parseDuration('6 hours'), undefined);
    assert.equal(parseDuration('h'), undefined);
  });

  it('refuses a range Prometheus would refuse (over 11,000 points), before asking it', async () => {
    const r = await detect(['--prometheus', 'http://127.0.0.1:1', '--range', '7d', '--step', '15s']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /40320 points per series; Prometheus allows 11000: raise --step to 55s or more/);
  });

  it('does not mix --prometheus with the sampling options', async () => {
    const r = await detect(['--prometheus', 'http://127.0.0.1:1', '--pid', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--prometheus reads history; it does not go with --pid/);
  });
});

describe('detect --prometheus: a real Prometheus holding a fleet', function () {
  this.timeout(180000);
  let prom: RunningPrometheus | undefined;
  let end: number;

  before(async function () {
    const missing = prometheusMissing();
    if (missing) {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
    const dir = tempDir('leak-lens-fleet-');
    const dataDir = join(dir, 'data');
    end = Math.floor(Date.now() / 1000 / 60) * 60 - 3600;
    backfill(dataDir, fleetOpenMetrics(end));
    prom = await startPrometheus('global:\n  scrape_interval: 1m\n', { dataDir });
  });
  after(async () => {
    await prom?.stop();
  });

  const window = () => ['--end', String(end), '--range', '2h', '--step', '60s'];

  it('judges every one of 300 series and names the leaking ones (exit 1)', async () => {
    const r = await detect([
      '--prometheus',
      (prom as RunningPrometheus).url,
      '--query',
      'process_resident_memory_bytes{job="api"}',
      ...window(),
      '--format',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc).slice(0, 9), [
      'version',
      'target',
      'samples',
      'growthMBPerMin',
      'r2',
      'warmupSeconds',
      'verdict',
      'severity',
      'reason',
    ]);
    assert.equal(doc.series.length, 300);
    assert.equal(doc.verdict, 'rapid-leak');
    assert.equal(doc.severity, 'high');
    assert.equal(doc.decidedBy.instance, 'leak-rapid:8000');
    assert.ok(Math.abs(doc.growthMBPerMin - 5) < 0.1, String(doc.growthMBPerMin));
    assert.equal(doc.samples.length, POINTS);
    const byInstance = new Map(
      doc.series.map((s: { labels: { instance: string }; verdict: string }) => [s.labels.instance, s]),
    );
    const verdictOf = (i: string) => (byInstance.get(i) as { verdict: string }).verdict;
    assert.equal(verdictOf('leak-rapid:8000'), 'rapid-leak');
    assert.equal(verdictOf('leak-slow-a:8000'), 'slow-leak');
    assert.equal(verdictOf('leak-slow-b:8000'), 'slow-leak');
    const wrong = doc.series.filter(
      (s: { labels: { instance: string }; verdict: string }) =>
        !s.labels.instance.startsWith('leak-') && s.verdict !== 'no-leak',
    );
    assert.deepEqual(
      wrong.map((s: { labels: { instance: string }; reason: string }) => `${s.labels.instance}: ${s.reason}`),
      [],
      'flat, sawtooth and warm-up series are not leaks',
    );
    assert.deepEqual(doc.fleet, {
      series: 300,
      leaking: 3,
      'no-leak': 297,
      'slow-leak': 2,
      'rapid-leak': 1,
      inconclusive: 0,
    });
    assert.match(
      doc.reason,
      /^\{instance="leak-rapid:8000", job="api"\}: RSS grows \+5\.\d+ MB\/min.* 2 more series leak\./,
    );
  });

  it('prints a fleet summary in text, worst first', async () => {
    const r = await detect([
      '--prometheus',
      (prom as RunningPrometheus).url,
      '--query',
      'process_resident_memory_bytes{job="api"}',
      ...window(),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Leak Lens: RAPID LEAK \(severity high\) — page on-call/);
    assert.match(r.stdout, /Fleet: {4}300 series: 1 rapid leak, 2 slow leak, 297 no leak, 0 inconclusive/);
    const listed = r.stdout.split('\nSeries:\n')[1].split('\n');
    assert.match(listed[0], /rapid-leak .*leak-rapid:8000/);
    assert.match(listed[1], /slow-leak .*leak-slow-a:8000/);
    assert.match(r.stdout, /… and 275 more/);
  });

  it('says no leak for a healthy job (exit 0)', async () => {
    const r = await detect([
      '--prometheus',
      (prom as RunningPrometheus).url,
      '--query',
      'process_resident_memory_bytes{job="batch"}',
      ...window(),
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.verdict, 'no-leak');
    assert.equal(doc.series.length, 5);
  });

  it('explains bad PromQL, an empty result, a page that is not the API (exit 2)', async () => {
    const url = (prom as RunningPrometheus).url;
    const bad = await detect([
      '--prometheus',
      url,
      '--query',
      'process_resident_memory_bytes{job=',
      ...window(),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^leak-lens detect: Prometheus rejected the query: .*parse error/);
    const empty = await detect(['--prometheus', url, '--query', 'no_such_metric_bytes', ...window()]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the query no_such_metric_bytes returned no series over the last 2\.0 h/);
    const page = await detect(['--prometheus', `${url}/metrics`, ...window()]);
    assert.equal(page.code, 2);
    assert.match(
      page.stderr,
      /did not answer as a Prometheus HTTP API .*HTTP 404.*Give the server's base URL/,
    );
  });

  it('explains a refused connection (exit 2)', async () => {
    const port = await freePort();
    const r = await detect(['--prometheus', `http://127.0.0.1:${port}`, ...window()]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `leak-lens detect: Connection refused by http://127.0.0.1:${port}: is Prometheus running and listening there?\n`,
    );
  });
});

describe('detect --prometheus: basic auth on a real Prometheus', function () {
  this.timeout(120000);
  let prom: RunningPrometheus | undefined;
  // bcrypt of "s3cret" (cost 5): Prometheus's web config keeps only the hash.
  const HASH = '$2b$05$7KbqzVynR9cURGrIW1GPfeSwouxHmsgt.fGP7hIfGeh/riRZJV2YS';
  const auth = { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` };

  before(async function () {
    if (prometheusMissing()) this.skip();
    prom = await startPrometheus('global:\n  scrape_interval: 1m\n', {
      webConfig: `basic_auth_users:\n  ops: ${HASH}\n`,
      readyHeaders: auth,
    });
  });
  after(async () => {
    await prom?.stop();
  });

  it('asks for credentials on 401 and gets in with --basic-auth-user and the password variable', async () => {
    const url = (prom as RunningPrometheus).url;
    // vector(…) needs no stored data: a flat 100 MB series over the range.
    const args = [
      '--prometheus',
      url,
      '--query',
      'vector(100000000)',
      '--range',
      '5m',
      '--step',
      '15s',
      '--format',
      'json',
    ];
    const denied = await detect(args);
    assert.equal(denied.code, 2);
    assert.match(
      denied.stderr,
      /answered HTTP 401 Unauthorized: give credentials with --bearer-token-file FILE or --basic-auth-user USER/,
    );
    const wrong = await detect([...args, '--basic-auth-user', 'ops'], {
      LEAK_LENS_PROMETHEUS_PASSWORD: 'nope',
    });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /HTTP 401/);
    const ok = await detect([...args, '--basic-auth-user', 'ops'], {
      LEAK_LENS_PROMETHEUS_PASSWORD: 's3cret',
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).series[0].samples[0][1], 100000000);
    const inUrl = await detect([
      '--prometheus',
      url.replace('http://', 'http://ops:s3cret@'),
      ...args.slice(2),
    ]);
    assert.equal(inUrl.code, 0, inUrl.stderr);
  });
});

describe('detect --prometheus: Prometheus scraping the demo apps live', function () {
  this.timeout(180000);
  let prom: RunningPrometheus | undefined;
  after(async () => {
    killAll();
    await prom?.stop();
  });

  it('calls leaky_app.py a leak and healthy_app.py healthy from what Prometheus scraped', async function () {
    if (prometheusMissing()) this.skip();
    const apps = await Promise.all(
      ['leaky_app', 'healthy_app'].map(async (app) => {
        const server = await startPython(
          join(EXAMPLES, `${app}.py`),
          ['--port', '0', '--impl', 'stdlib'],
          /listening on http/,
        );
        const base = /http:\/\/127\.0\.0\.1:\d+/.exec(server.lines.join('\n'))?.[0];
        assert.ok(base);
        return { app, base };
      }),
    );
    const target = (base: string) => base.replace('http://', '');
    // The load runs before Prometheus starts and until the verdicts are in: every scrape sees it.
    const loads = apps.map(({ base }) =>
      spawn(PYTHON, [join(EXAMPLES, 'load.py'), `${base}/items/{n}`, '--rate', '30', '--duration', '170'], {
        stdio: 'ignore',
      }),
    );
    try {
      prom = await startPrometheus(
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          ...apps.map(
            ({ app, base }) => `  - job_name: ${app}\n    static_configs: [{targets: ["${target(base)}"]}]`,
          ),
        ].join('\n'),
      );
      const url = prom.url;
      // Wait (by polling Prometheus, not by the clock) until each app has 20 samples stored.
      const deadline = Date.now() + 120000;
      for (;;) {
        const res = await fetch(
          `${url}/api/v1/query?query=${encodeURIComponent('count_over_time(process_resident_memory_bytes[2m])')}`,
        );
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        const counts = body.data.result.map((r) => Number(r.value[1]));
        if (counts.length === 2 && counts.every((c) => c >= 20)) break;
        if (Date.now() > deadline)
          throw new Error(`Prometheus has not scraped enough: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const flags = [
        '--range',
        '2m',
        '--step',
        '1s',
        '--min-duration',
        '8',
        '--rapid-mb-per-min',
        '10000',
        '--format',
        'json',
      ];
      const q = (job: string) => [
        '--prometheus',
        url,
        '--query',
        `process_resident_memory_bytes{job="${job}"}`,
        ...flags,
      ];
      const leaky = await detect(q('leaky_app'));
      const healthy = await detect(q('healthy_app'));
      const leakyDoc = JSON.parse(leaky.stdout);
      const healthyDoc = JSON.parse(healthy.stdout);
      assert.equal(leaky.code, 1, leakyDoc.reason);
      assert.equal(leakyDoc.verdict, 'slow-leak', leakyDoc.reason);
      assert.ok(leakyDoc.growthMBPerMin > 20, String(leakyDoc.growthMBPerMin));
      assert.equal(healthy.code, 0, healthyDoc.reason);
      assert.equal(healthyDoc.verdict, 'no-leak');
    } finally {
      for (const l of loads) l.kill('SIGKILL');
    }
  });
});
