// Prometheus text endpoints: the parser, and the URL source against a local node server (redirects,
// refused, timeout, HTML, malformed, flaky, restarted) and a real Python process serving its RSS.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyzeMonitorRun } from '../../client/src/monitor/detect';
import { MonitorError } from '../../client/src/monitor/errors';
import { readMemory } from '../../client/src/monitor/procfs';
import { Sampler } from '../../client/src/monitor/sampler';
import { parseMetric, RSS_METRIC } from '../../client/src/monitor/sources/prometheus';
import { assertNoSamplesLost, FAST, killAll, sample, startShape } from './support';

const MIB = 1024 * 1024;

describe('monitor prometheus: text format parser', () => {
  const page = [
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 3.8170624e+07',
    'process_resident_memory_bytes_total 1',
    'process_resident_memory_bytes{pid="12",job="a \\"quoted\\" \\\\ name\\nx",} 1.5E6 1732550000000',
    'process_resident_memory_bytes{ pid = "13" } +Inf',
    '',
  ].join('\r\n');

  it('reads exponent floats, labels with escapes, timestamps, and skips metrics sharing the prefix', () => {
    const samples = parseMetric(page, RSS_METRIC);
    assert.equal(samples.length, 3);
    assert.deepEqual(samples[0], { labels: {}, value: 38170624, line: 3 });
    assert.deepEqual(samples[1].labels, { pid: '12', job: 'a "quoted" \\ name\nx' });
    assert.equal(samples[1].value, 1.5e6);
    assert.equal(samples[2].value, Number.POSITIVE_INFINITY);
  });

  it('returns nothing when the metric is absent', () => {
    assert.deepEqual(parseMetric('# nothing here\nup 1\n', RSS_METRIC), []);
  });

  const malformed: [string, RegExp][] = [
    ['process_resident_memory_bytes abc', /line 1 \(bad value\)/],
    ['process_resident_memory_bytes', /bad value/],
    ['process_resident_memory_bytes{pid="1" 12', /expected , or \}/],
    ['process_resident_memory_bytes{pid=1} 12', /quoted label value/],
    ['process_resident_memory_bytes{pid="1} 12', /unterminated/],
    ['process_resident_memory_bytes 12 soon', /bad timestamp/],
    ['up 1\nprocess_resident_memory_bytes 1 2 3', /line 2/],
  ];
  for (const [text, message] of malformed) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseMetric(text, RSS_METRIC),
        (err: unknown) =>
          err instanceof MonitorError && err.code === 'malformed-metrics' && message.test(err.message),
      );
    });
  }
});

describe('monitor prometheus: URL targets', function () {
  this.timeout(60000);
  let server: Server;
  let base: string;
  const counts = new Map<string, number>();
  const metricsText = (rss: string, start = '1.7325e+09', labels = '') =>
    `# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes${labels} ${rss}\nprocess_start_time_seconds ${start}\n`;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const text = (body: string, status = 200, type = 'text/plain; version=0.0.4') => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      switch (path) {
        case '/metrics':
          res.writeHead(307, { location: '/metrics/' });
          res.end();
          return;
        case '/metrics/':
          return text(metricsText('3.8170624e+07'));
        case '/html':
          return text('<!DOCTYPE html><html><body>Not metrics</body></html>', 200, 'text/html');
        case '/bad':
          return text('# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes lots\n');
        case '/negative':
          return text('process_resident_memory_bytes -5\n');
        case '/404':
          return text('not found', 404);
        case '/slow':
          return; // never answers
        case '/flaky':
          return n <= 3 ? text(metricsText(String(50 * MIB + n))) : text('oops');
        case '/restart':
          return text(metricsText(String(50 * MIB), n <= 3 ? '1.7325e+09' : '1.7326e+09'));
        case '/multi':
          return text(
            `process_resident_memory_bytes{pid="101"} ${40 * MIB}\nprocess_resident_memory_bytes{pid="102"} ${60 * MIB + n * MIB}\n`,
          );
        default:
          return text('no', 404);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    killAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('follows the 307 from /metrics to /metrics/ and reads the exponent value', async () => {
    const { run } = await sample({ url: `${base}/metrics` }, { interval: 0.05, duration: 0.3 });
    assert.deepEqual(run.target, { kind: 'url', url: `${base}/metrics` });
    assert.ok(run.samples.length >= 2);
    assertNoSamplesLost(run, 0.05);
    assert.ok(run.samples.every((s) => s.rss === 38170624));
    assert.ok((counts.get('/metrics/') ?? 0) >= run.samples.length);
  });

  async function startError(path: string, timeoutSeconds?: number): Promise<MonitorError> {
    const sampler = Sampler.forTarget(
      { url: `${base}${path}`, timeoutSeconds },
      { intervalSeconds: 0.1, durationSeconds: 1 },
    );
    try {
      await sampler.start();
    } catch (err) {
      assert.ok(err instanceof MonitorError);
      assert.equal(sampler.run.samples.length, 0);
      assert.equal((await sampler.done).reason, 'error');
      return err;
    }
    throw new Error(`${path} was accepted`);
  }

  it('refuses a URL nobody listens on, clearly', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sampler = Sampler.forTarget({ url: `http://127.0.0.1:${port}/metrics` }, { intervalSeconds: 0.1 });
    await assert.rejects(sampler.start(), (err: unknown) => {
      assert.ok(err instanceof MonitorError);
      assert.equal(err.code, 'connection-refused');
      assert.match(err.message, /Connection refused by http:\/\/127\.0\.0\.1:\d+\/metrics/);
      return true;
    });
  });

  it('times out on a URL that never answers', async () => {
    const t0 = performance.now();
    const err = await startError('/slow', 0.3);
    assert.equal(err.code, 'timeout');
    assert.match(err.message, /did not answer within 0\.3 s/);
    assert.ok(performance.now() - t0 < 5000);
  });

  it('says when the page is HTML, malformed, negative or missing', async () => {
    const html = await startError('/html');
    assert.equal(html.code, 'malformed-metrics');
    assert.match(html.message, /HTML page/);
    const bad = await startError('/bad');
    assert.match(bad.message, /line 2 \(bad value\)/);
    const negative = await startError('/negative');
    assert.match(negative.message, /not a size in bytes/);
    const missing = await startError('/404');
    assert.equal(missing.code, 'http-status');
    assert.match(missing.message, /HTTP 404/);
  });

  it('rejects URLs that are not http(s)', () => {
    assert.throws(
      () => Sampler.forTarget({ url: 'ftp://x/metrics' }, { intervalSeconds: 1 }),
      /http and https/,
    );
    assert.throws(() => Sampler.forTarget({ url: 'not a url' }, { intervalSeconds: 1 }), /Not a URL/);
  });

  it('keeps the samples when a page turns malformed mid-run, giving up after three failures', async () => {
    const sampler = Sampler.forTarget(
      { url: `${base}/flaky` },
      { intervalSeconds: 0.05, durationSeconds: 5 },
    );
    const errors: { fatal: boolean; message: string }[] = [];
    sampler.on('error', (e) => errors.push(e));
    await sampler.start();
    const stop = await sampler.done;
    assert.equal(stop.reason, 'error');
    assert.deepEqual(
      sampler.run.samples.map((s) => s.rss),
      [50 * MIB + 1, 50 * MIB + 2, 50 * MIB + 3],
    );
    assert.deepEqual(
      errors.map((e) => e.fatal),
      [false, false, true],
    );
    assert.match(stop.message ?? '', /no process_resident_memory_bytes.*3 failed reads in a row/);
    const result = analyzeMonitorRun(sampler.run, FAST);
    assert.equal(result.verdict, 'inconclusive');
    assert.match(result.reason, /Sampling failed after .* \(3 samples kept\)/);
  });

  it('ends the run when the service restarts (its start time changes)', async () => {
    const { run } = await sample({ url: `${base}/restart` }, { interval: 0.05, duration: 5 });
    assert.equal(run.stop?.reason, 'target-exited');
    assert.match(run.stop?.message ?? '', /restarted/);
    assert.equal(run.samples.length, 3);
  });

  it('keeps one series per labelled process when the page has several', async () => {
    const { run } = await sample({ url: `${base}/multi` }, { interval: 0.05, duration: 0.3 });
    assert.equal(run.processes.length, 2);
    assert.deepEqual(
      run.processes.map((p) => p.pid),
      [101, 102],
    );
    assertNoSamplesLost(run, 0.05);
  });

  it('judges a real leaking Python service through its metrics endpoint', async () => {
    const proc = await startShape('metrics', ['--rate', '4'], /^port \d+$/);
    const port = /port (\d+)/.exec(proc.lines.join('\n'))?.[1];
    assert.ok(port, 'the service printed its port');
    const { run } = await sample({ url: `http://127.0.0.1:${port}/metrics` }, { interval: 0.1, duration: 5 });
    const result = analyzeMonitorRun(run, FAST);
    assert.equal(result.verdict, 'rapid-leak', result.reason);
    assertNoSamplesLost(run, 0.1);
    const vmRss = readMemory(proc.pid)?.rss ?? 0;
    assert.ok(Math.abs(run.samples[run.samples.length - 1].rss - vmRss) < 4 * MIB, 'the metric is the VmRSS');
  });

  it('keeps the samples of a service that goes away mid-run', async () => {
    const proc = await startShape('metrics', ['--exit-after', '1.2'], /^port \d+$/);
    const port = /port (\d+)/.exec(proc.lines.join('\n'))?.[1];
    const { run } = await sample(
      { url: `http://127.0.0.1:${port}/metrics/` },
      { interval: 0.1, duration: 5 },
    );
    assert.equal(run.stop?.reason, 'error');
    assert.match(run.stop?.message ?? '', /Connection refused|Cannot reach/);
    assert.ok(run.samples.length >= 5, `${run.samples.length} samples kept`);
    assert.deepEqual(
      run.errors.map((e) => e.fatal),
      [false, false, true],
    );
    assert.ok(run.errors.some((e) => e.code === 'connection-refused'));
  });
});
