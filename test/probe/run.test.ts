// `leak-lens run`, `top` and `probe-path` on real processes: the probe injected without a code
// change (PYTHONPATH + sitecustomize, chaining to the user's own), forked and spawned workers
// each probed and summed, the example app's leaking line and endpoint named, and one clear
// sentence with exit code 2 for each way the command can fail.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunForPid } from '../../client/src/probe/discovery';
import type { EndpointsDoc, GrowthDoc, SnapshotDoc } from '../../client/src/probe/documents';
import {
  CLI,
  DETECT_KEYS,
  FIXTURES,
  getJson,
  killAll,
  load,
  markedLine,
  PYTHON,
  pollUntil,
  pythonHas,
  ROOT,
  SYSTEM_PYTHON,
  startProcess,
  waitForLine,
} from './support';

const API = '/api/debug/memory';
const DEADLINE_MS = 150000;
const PROBE_URL = /probe on (http:\/\/127\.0\.0\.1:\d+) \(PID (\d+)/;

function leakLens(args: string[], env: NodeJS.ProcessEnv = {}) {
  return startProcess(process.execPath, [CLI, ...args], env);
}

async function finished(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = leakLens(args, env);
  const code = await proc.exited;
  await new Promise((r) => setTimeout(r, 50)); // the last lines
  return { code, stdout: proc.stdout.join('\n'), stderr: proc.stderr.join('\n') };
}

describe('leak-lens run (real Python processes)', function () {
  this.timeout(DEADLINE_MS + 60000);
  const hasFastapi = pythonHas(SYSTEM_PYTHON, ['fastapi', 'uvicorn']);
  const stops: (() => Promise<number>)[] = [];
  let example:
    | { url: string; pid: number; appUrl: string; growth?: GrowthDoc; endpoints?: EndpointsDoc }
    | undefined;
  const hasGunicorn = existsSync('/usr/bin/gunicorn') && pythonHas(SYSTEM_PYTHON, ['flask']);
  let gunicorn: { url: string; master: number; growth?: GrowthDoc; endpoints?: EndpointsDoc } | undefined;
  let forking:
    | { url: string; forkPid: number; spawnPid: number; growth?: GrowthDoc; snapshot?: SnapshotDoc }
    | undefined;

  before(async () => {
    const exampleLine = markedLineOf(
      join(ROOT, 'examples', 'leaky_app.py'),
      'payload = bytearray(payload_bytes)',
    );
    const forkLine = markedLine(join(FIXTURES, 'forking.py'), '# FORK-LEAK');
    const spawnLine = markedLine(join(FIXTURES, 'forking.py'), '# SPAWN-LEAK');
    const tasks: Promise<unknown>[] = [];
    if (hasFastapi) {
      tasks.push(
        (async () => {
          const run = leakLens([
            'run',
            '--port',
            '0',
            '--',
            SYSTEM_PYTHON,
            'examples/leaky_app.py',
            '--port',
            '0',
            '--impl',
            'fastapi',
            '--payload-kb',
            '4',
          ]);
          const [, url, pid] = await waitForLine(run, PROBE_URL, 'stderr');
          const [, appUrl] = await waitForLine(run, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
          example = { url, pid: Number(pid), appUrl };
          stops.push(load(appUrl, (n) => (n % 2 ? `/items/${n}` : '/health')));
          const r = await pollUntil(
            () => getJson<GrowthDoc>(`${url}${API}/growth`),
            (d) =>
              d.lines.some((l) => l.file === 'examples/leaky_app.py' && l.line === exampleLine) &&
              d.types.some((t) => t.type === 'bytearray'),
            DEADLINE_MS,
          );
          example.growth = r.value;
          example.endpoints = await getJson<EndpointsDoc>(`${url}${API}/endpoints`);
        })(),
      );
    }
    if (hasGunicorn) {
      tasks.push(
        (async () => {
          // A Flask app with no probe code under gunicorn's pre-fork master and two sync workers.
          const run = leakLens([
            'run',
            '--port',
            '0',
            '--',
            '/usr/bin/gunicorn',
            '-w',
            '2',
            '-b',
            '127.0.0.1:0',
            '--chdir',
            FIXTURES,
            'leaky_flask:app',
          ]);
          const [, url, master] = await waitForLine(run, PROBE_URL, 'stderr');
          const [, appUrl] = await waitForLine(run, /Listening at: (http:\/\/127\.0\.0\.1:\d+)/, 'stderr');
          gunicorn = { url, master: Number(master) };
          stops.push(load(appUrl, (n) => (n % 2 ? `/users/${n}` : '/health')));
          const line = markedLine(join(FIXTURES, 'leaky_flask.py'));
          const r = await pollUntil(
            () => getJson<GrowthDoc>(`${url}${API}/growth`),
            (d) => d.lines.some((l) => l.file === 'leaky_flask.py' && l.line === line),
            DEADLINE_MS,
          );
          gunicorn.growth = r.value;
          gunicorn.endpoints = await getJson<EndpointsDoc>(`${url}${API}/endpoints`);
        })(),
      );
    }
    tasks.push(
      (async () => {
        const run = leakLens(['run', '--port', '0', '--', PYTHON, 'test/probe/fixtures/forking.py']);
        const [, url] = await waitForLine(run, PROBE_URL, 'stderr');
        const [, forkPid, spawnPid] = await waitForLine(run, /^ready (\d+) (\d+)$/);
        forking = { url, forkPid: Number(forkPid), spawnPid: Number(spawnPid) };
        const r = await pollUntil(
          () => getJson<GrowthDoc>(`${url}${API}/growth`),
          (d) =>
            d.lines.some((l) => l.line === forkLine && l.file === 'test/probe/fixtures/forking.py') &&
            d.lines.some((l) => l.line === spawnLine && l.file === 'test/probe/fixtures/forking.py'),
          DEADLINE_MS,
        );
        forking.growth = r.value;
        forking.snapshot = await getJson<SnapshotDoc>(`${url}${API}/snapshot`);
      })(),
    );
    await Promise.all(tasks);
  });

  after(async () => {
    await Promise.all(stops.map((s) => s()));
    killAll();
  });

  it('the example app, unchanged: names its leaking line, type and endpoint (route template)', function () {
    if (!hasFastapi) this.skip();
    assert.ok(example?.growth && example.endpoints);
    const line = markedLineOf(join(ROOT, 'examples', 'leaky_app.py'), 'payload = bytearray(payload_bytes)');
    assert.deepEqual(
      { file: example.growth.lines[0]?.file, line: example.growth.lines[0]?.line },
      { file: 'examples/leaky_app.py', line },
      JSON.stringify(example.growth.lines),
    );
    assert.ok(example.growth.types.some((t) => t.type === 'bytearray' && t.delta > 50));
    // Nothing else grows in that app: in particular not the probe's own records.
    assert.deepEqual(
      example.growth.types.map((t) => t.type),
      ['bytearray'],
      JSON.stringify(example.growth.types),
    );
    const top = example.endpoints.endpoints[0];
    assert.deepEqual({ method: top.method, route: top.route }, { method: 'GET', route: '/items/{item_id}' });
    // 4 KiB kept per /items request. (/health is a sync endpoint: the reference cycles of its
    // thread-pool hand-over count as kept until collected, so it is not near zero.)
    assert.ok(top.meanDeltaBytes > 3000, JSON.stringify(example.endpoints.endpoints));
    const byMean = [...example.endpoints.endpoints].sort((a, b) => b.meanDeltaBytes - a.meanDeltaBytes);
    assert.equal(byMean[0].route, '/items/{item_id}', JSON.stringify(byMean));
  });

  it('leak-lens top prints the growing line and the endpoint; --format json gives the same', async function () {
    if (!hasFastapi) this.skip();
    assert.ok(example);
    const text = await finished(['top', '--url', example.url]);
    assert.equal(text.code, 0, text.stderr);
    const line = markedLineOf(join(ROOT, 'examples', 'leaky_app.py'), 'payload = bytearray(payload_bytes)');
    assert.match(text.stdout, new RegExp(`examples/leaky_app\\.py:${line}\\b`));
    assert.match(text.stdout, /GET \/items\/\{item_id\}/);
    const json = await finished(['top', '--url', `${example.url}/metrics`, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.version, 1);
    assert.ok(
      doc.lines.some(
        (l: { file: string; line: number }) => l.file === 'examples/leaky_app.py' && l.line === line,
      ),
    );
    assert.ok(doc.endpoints.some((e: { route: string }) => e.route === '/items/{item_id}'));
  });

  it('the editor finds the probe from the command PID (or a worker PID)', function () {
    if (!hasFastapi) this.skip();
    assert.ok(example);
    assert.equal(findRunForPid(example.pid)?.url, example.url);
  });

  it('gunicorn + Flask, unchanged: each worker probed, the line and the Flask route named, summed', function () {
    if (!hasGunicorn) this.skip(); // apt: gunicorn python3-flask
    assert.ok(gunicorn?.growth && gunicorn.endpoints);
    const line = markedLine(join(FIXTURES, 'leaky_flask.py'));
    assert.deepEqual(
      { file: gunicorn.growth.lines[0]?.file, line: gunicorn.growth.lines[0]?.line },
      { file: 'leaky_flask.py', line },
      JSON.stringify(gunicorn.growth.lines),
    );
    const top = gunicorn.endpoints.endpoints[0];
    assert.deepEqual({ method: top.method, route: top.route }, { method: 'GET', route: '/users/{user_id}' });
    assert.ok(top.meanDeltaBytes > 3000, JSON.stringify(gunicorn.endpoints.endpoints));
    const health = gunicorn.endpoints.endpoints.find((e) => e.route === '/health');
    assert.ok(health && health.meanDeltaBytes < 2000, JSON.stringify(health));
    // The workers (not the master, which serves no requests) measured the requests, and the
    // summed figure is theirs.
    const perProcess = gunicorn.endpoints.processes as {
      pid: number;
      endpoints: { route: string; requests: number }[];
    }[];
    const workers = perProcess.filter((p) => p.pid !== gunicorn?.master && p.endpoints.length > 0);
    assert.ok(workers.length >= 1, JSON.stringify(perProcess));
    const served = (p: (typeof perProcess)[number]) =>
      p.endpoints.find((e) => e.route === '/users/{user_id}')?.requests ?? 0;
    assert.equal(
      workers.reduce((s, p) => s + served(p), 0),
      top.requests,
    );
  });

  it('forked and spawned workers are each probed, and summed', () => {
    assert.ok(forking?.growth && forking.snapshot);
    const pids = (forking.snapshot.processes as { pid: number; rssBytes: number }[]).map((p) => p.pid);
    assert.ok(pids.includes(forking.forkPid), `fork child ${forking.forkPid} not in ${pids}`);
    assert.ok(pids.includes(forking.spawnPid), `spawned child ${forking.spawnPid} not in ${pids}`);
    const sum = (forking.snapshot.processes as { rssBytes: number }[]).reduce((s, p) => s + p.rssBytes, 0);
    assert.equal(forking.snapshot.rssBytes, sum);
    const perProcess = forking.growth.processes as { pid: number; lines: { line: number }[] }[];
    const forkLine = markedLine(join(FIXTURES, 'forking.py'), '# FORK-LEAK');
    const spawnLine = markedLine(join(FIXTURES, 'forking.py'), '# SPAWN-LEAK');
    assert.ok(perProcess.find((p) => p.pid === forking?.forkPid)?.lines.some((l) => l.line === forkLine));
    assert.ok(perProcess.find((p) => p.pid === forking?.spawnPid)?.lines.some((l) => l.line === spawnLine));
  });

  it('/metrics labels each process with its pid; /leaks is the detect verdict', async () => {
    assert.ok(forking);
    const page = await (await fetch(`${forking.url}/metrics`)).text();
    assert.match(page, new RegExp(`process_resident_memory_bytes\\{pid="${forking.forkPid}"\\} `));
    assert.equal((page.match(/^# TYPE process_resident_memory_bytes /gm) ?? []).length, 1);
    const leaks = await getJson(`${forking.url}${API}/leaks`);
    assert.deepEqual(Object.keys(leaks).slice(0, 9), DETECT_KEYS);
    assert.ok(Array.isArray(leaks.processes) && (leaks.processes as unknown[]).length >= 3);
  });
});

function markedLineOf(file: string, text: string): number {
  return markedLine(file, text);
}

describe('leak-lens run: set-up, exit codes and errors', function () {
  this.timeout(60000);
  after(killAll);

  it("chains to the user's own sitecustomize and still starts the probe (Python on PATH)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-lens-site-'));
    writeFileSync(join(dir, 'sitecustomize.py'), 'import os\nos.environ["USER_SITECUSTOMIZE"] = "ran"\n');
    const script =
      'import os, sys; print("chained", os.environ.get("USER_SITECUSTOMIZE"), "probe", "leak_lens_probe._runmode" in sys.modules)';
    const res = await finished(['run', '--port', '0', '--', PYTHON, '-c', script], { PYTHONPATH: dir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^chained ran probe True$/m);
  });

  it("ends with the command's exit code and cleans up its records", async () => {
    const res = await finished(['run', '--port', '0', '--', PYTHON, '-c', 'import sys; sys.exit(3)']);
    assert.equal(res.code, 3);
    const pid = Number(res.stderr.match(PROBE_URL)?.[2]);
    assert.ok(pid > 0, res.stderr);
    assert.equal(findRunForPid(pid), undefined);
  });

  it('a port in use: exit 2 and one sentence, the command not started', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const marker = join(mkdtempSync(join(tmpdir(), 'leak-lens-')), 'started');
    const res = await finished([
      'run',
      '--port',
      String(port),
      '--',
      PYTHON,
      '-c',
      `open(${JSON.stringify(marker)}, "w")`,
    ]);
    server.close();
    assert.equal(res.code, 2);
    assert.match(res.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.equal(existsSync(marker), false);
  });

  it('a command that does not exist, or none: exit 2 and one sentence', async () => {
    const missing = await finished(['run', '--port', '0', '--', 'no-such-command-leak-lens']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot start "no-such-command-leak-lens": no such command/);
    const none = await finished(['run']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give the command to run after --/);
    const badPort = await finished(['run', '--port', 'x', '--', 'true']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port expects a port number/);
  });

  it('leak-lens top on a refused or malformed URL: exit 2 and one sentence', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const refused = await finished(['top', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /connection was refused/);
    const bad = await finished(['top', '--url', 'not a url']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a URL/);
  });

  it('leak-lens probe-path prints the folder to put on PYTHONPATH', async () => {
    const res = await finished(['probe-path']);
    assert.equal(res.code, 0);
    const dir = res.stdout.trim();
    assert.ok(existsSync(join(dir, 'leak_lens_probe', '__init__.py')));
    assert.ok(readdirSync(join(dir, 'leak_lens_probe', '_boot')).includes('sitecustomize.py'));
  });
});
