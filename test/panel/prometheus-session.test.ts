// "Attach to Prometheus…" without VS Code: a real Prometheus scraping itself every second; the
// session plots the history of its process_resident_memory_bytes, then polls new points live
// (sample events for the panel) until stopped; a refused server and an empty query are refused
// with a sentence.
import * as assert from 'node:assert/strict';
import { PrometheusClient } from '../../client/src/monitor/fleet/prometheus-api';
import { PrometheusSession } from '../../client/src/panel/prometheus-session';
import {
  freePort,
  prometheusMissing,
  type RunningPrometheus,
  startPrometheus,
} from '../monitor/prometheus-server';

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Attach to Prometheus: the session behind the memory panel', function () {
  this.timeout(120000);
  let prom: RunningPrometheus | undefined;

  before(async function () {
    if (prometheusMissing()) this.skip();
    // The scrape target is the server itself: its port is chosen first.
    const port = await freePort();
    prom = await startPrometheus(
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ["127.0.0.1:${port}"]}]\n`,
      { port },
    );
    const client = new PrometheusClient(prom.url);
    await until('Prometheus to hold 8 scrapes of itself', async () => {
      const now = Date.now() / 1000;
      const r = await client.queryRange('process_resident_memory_bytes{job="self"}', now - 60, now, 1);
      return (r.series[0]?.points.length ?? 0) >= 8;
    });
  });
  after(async () => {
    await prom?.stop();
  });

  it('plots the history, then polls new points until stopped', async () => {
    const client = new PrometheusClient((prom as RunningPrometheus).url);
    const session = new PrometheusSession(client, {
      query: 'process_resident_memory_bytes{job="self"}',
      historySeconds: 60,
      stepSeconds: 1,
      analysis: { minDurationSeconds: 5 },
    });
    await session.load();
    const history = session.run.samples.length;
    assert.ok(history >= 5, `${history} points of history`);
    assert.equal(session.run.processes.length, 1);
    assert.match(session.run.processes[0].command, /job="self"/);
    const snap = session.snapshot(true);
    assert.equal(snap.target.kind, 'prometheus');
    assert.equal(snap.target.title, 'process_resident_memory_bytes{job="self"}');
    assert.equal(snap.t.length, history);
    const live: number[] = [];
    session.on('sample', (e) => live.push(e.sample.t));
    await session.start();
    assert.equal(session.state, 'running');
    await until('two live points', () => live.length >= 2, 30000);
    for (let i = 1; i < session.run.samples.length; i++)
      assert.ok(session.run.samples[i].t > session.run.samples[i - 1].t, 'times increase');
    assert.ok(
      session.run.samples.every((s) => s.rss > 1e6),
      'bytes of a real process',
    );
    session.stop('detached');
    const stop = await session.done;
    assert.equal(stop?.reason, 'stopped');
    assert.equal(session.state, 'stopped');
    const count = session.run.samples.length;
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(session.run.samples.length, count, 'no polling after stop');
    assert.ok(['no-leak', 'slow-leak', 'rapid-leak', 'inconclusive'].includes(session.analysis().verdict));
  });

  it('refuses a query with no series, and a server that is not there', async () => {
    const empty = new PrometheusSession(new PrometheusClient((prom as RunningPrometheus).url), {
      query: 'no_such_metric_bytes',
      historySeconds: 60,
      stepSeconds: 1,
      analysis: {},
    });
    await assert.rejects(
      empty.load(),
      /no_such_metric_bytes has no series at http:\/\/127\.0\.0\.1:\d+ over the last 1 min/,
    );
    const port = await freePort();
    const gone = new PrometheusSession(new PrometheusClient(`http://127.0.0.1:${port}`), {
      query: 'up',
      historySeconds: 60,
      stepSeconds: 1,
      analysis: {},
    });
    await assert.rejects(
      gone.load(),
      /Connection refused by http:\/\/127\.0\.0\.1:\d+: is Prometheus running/,
    );
  });
});
