// "Attach to Prometheus…" inside a real extension host: a real Prometheus (Debian's package)
// scraping itself; the command, given its argument object, plots the history in the memory panel
// and keeps polling; a refused server is said in one sentence. Skipped when prometheus is absent.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('Attach to Prometheus', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let dir = '';
  let url = '';

  before(async function () {
    if (spawnSync('prometheus', ['--version']).status !== 0) {
      console.log('      (skipped: prometheus is not installed; .ci/run installs it)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-lens-host-prom-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ["127.0.0.1:${port}"]}]\n`,
    );
    child = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    // Ready once it holds a few scrapes of itself (polled, not slept).
    await waitFor(
      async () => {
        try {
          const res = await fetch(
            `${url}/api/v1/query?query=${encodeURIComponent('count_over_time(process_resident_memory_bytes[1m])')}`,
          );
          const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
          return Number(body.data.result[0]?.value[1] ?? 0);
        } catch {
          return 0;
        }
      },
      (n) => n >= 6,
      'Prometheus to scrape itself six times',
      90_000,
    );
  });

  after(() => {
    child?.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("plots a job's history in the memory panel and keeps polling", async () => {
    const result = await vscode.commands.executeCommand<{ query: string; series: number; samples: number }>(
      'leakLens.attachToPrometheus',
      { url, query: 'process_resident_memory_bytes{job="self"}', historySeconds: 60, intervalSeconds: 1 },
    );
    assert.equal(result.query, 'process_resident_memory_bytes{job="self"}');
    assert.equal(result.series, 1);
    assert.ok(result.samples >= 4, `${result.samples} points of history`);
    await waitFor(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => t.input instanceof vscode.TabInputWebview),
      (t) => t !== undefined,
      'the memory panel',
      15_000,
    );
  });

  it('says so when the server refuses the connection', async () => {
    const port = await freePort();
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('leakLens.attachToPrometheus', {
          url: `http://127.0.0.1:${port}`,
          query: 'up',
        }),
      ),
      /Connection refused by http:\/\/127\.0\.0\.1:\d+: is Prometheus running/,
    );
  });
});
