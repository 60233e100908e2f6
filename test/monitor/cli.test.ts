// The `leak-lens detect` contract: flags, exit codes 0/1/2/3, the exact JSON document, CSV export,
// progress output, early stops (abort signal and a real SIGINT), against real Python processes.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type OutStream, runDetect } from '../../client/src/monitor/cli';
import { killAll, startShape } from './support';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function stream(isTTY = false): OutStream & { text: string } {
  const s = {
    text: '',
    isTTY,
    columns: 120,
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

async function detect(args: string[], opts: { tty?: boolean; signal?: AbortSignal } = {}): Promise<Captured> {
  const stdout = stream();
  const stderr = stream(opts.tty);
  const code = await runDetect(args, { stdout, stderr, signal: opts.signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const FAST_FLAGS = ['--interval', '0.1', '--min-duration', '2', '--rapid-mb-per-min', '100'];
const CONTRACT_KEYS = [
  'version',
  'target',
  'samples',
  'growthMBPerMin',
  'r2',
  'warmupSeconds',
  'verdict',
  'severity',
  'reason',
];

describe('monitor CLI: leak-lens detect', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-detect-'));
  });
  after(() => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly the JSON contract for a leak and exits 1', async () => {
    const proc = await startShape('leak', ['--rate', '4']);
    const r = await detect(['--pid', String(proc.pid), '--duration', '3', ...FAST_FLAGS, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '', 'no progress noise in JSON mode off a terminal');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, 'one JSON document');
    const doc = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(doc).slice(0, CONTRACT_KEYS.length), CONTRACT_KEYS);
    assert.equal(doc.version, 1);
    assert.deepEqual(Object.keys(doc.target), ['pid', 'command']);
    assert.equal(doc.target.pid, proc.pid);
    assert.match(doc.target.command, /memshape\.py leak --rate 4/);
    assert.ok(Array.isArray(doc.samples) && doc.samples.length >= 15);
    assert.deepEqual(doc.samples[0].length, 2);
    assert.equal(doc.samples[0][0], 0);
    for (const [t, rss] of doc.samples) {
      assert.equal(typeof t, 'number');
      assert.ok(Number.isInteger(rss) && rss > 0);
    }
    assert.ok(doc.samples.every((s: number[], i: number) => i === 0 || s[0] > doc.samples[i - 1][0]));
    assert.equal(doc.verdict, 'rapid-leak');
    assert.equal(doc.severity, 'high');
    assert.ok(doc.growthMBPerMin > 150 && doc.growthMBPerMin < 300);
    assert.ok(doc.r2 > 0.9 && doc.r2 <= 1);
    assert.equal(doc.warmupSeconds, 0);
    assert.match(doc.reason, /rapid leak/);
    assert.equal(doc.processes, undefined, 'no per-process list without --children');
  });

  it('prints a text verdict with live progress and exits 0 for a healthy process', async () => {
    const proc = await startShape('flat');
    const r = await detect(['--pid', String(proc.pid), '--duration', '2.5', ...FAST_FLAGS]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Leak Lens: NO LEAK \(severity none\)$/m);
    assert.match(r.stdout, new RegExp(`^Target: +PID ${proc.pid} \\(.*memshape\\.py flat\\)$`, 'm'));
    assert.match(r.stdout, /^Growth: +[+-][\d.]+ MB\/min \(R² [\d.]+\)$/m);
    assert.match(r.stdout, /^Reason: +RSS stays flat/m);
    assert.match(r.stderr, new RegExp(`Sampling PID ${proc.pid}`));
    assert.match(r.stderr, /\d+(\.\d)? s\/2\.5 s · \d+ samples · RSS [\d.]+ MB/, 'occasional progress lines');
    assert.ok(!r.stderr.includes('\r'), 'no carriage returns off a terminal');
  });

  it('rewrites the progress line in place on a terminal', async () => {
    const proc = await startShape('flat');
    const r = await detect(
      ['--pid', String(proc.pid), '--duration', '1', ...FAST_FLAGS, '--min-duration', '1'],
      {
        tty: true,
      },
    );
    assert.equal(r.code, 0);
    assert.ok(r.stderr.split('\r').length > 3, 'several in-place updates');
    assert.ok(r.stderr.includes('\x1b[K'));
  });

  it('exits 3 (inconclusive) when the run is shorter than the minimum duration, and says so up front', async () => {
    const proc = await startShape('flat');
    const r = await detect(['--pid', String(proc.pid), '--duration', '1', '--interval', '0.1']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /--duration 1 is shorter than --min-duration 300/);
    assert.match(r.stdout, /INCONCLUSIVE/);
    assert.match(r.stdout, /less than the 5\.0 min minimum/);
  });

  const badArgs: [string[], RegExp][] = [
    [[], /exactly one of --pid N or --url URL/],
    [['--pid', '1', '--url', 'http://127.0.0.1:1/metrics'], /exactly one/],
    [['--pid', 'abc'], /--pid expects a process ID/],
    [['--pid', '-4'], /--pid|argument/],
    [['--pid', '1', '--format', 'xml'], /--format expects text or json/],
    [['--pid', '1', '--duration', '0'], /--duration expects a positive number/],
    [['--pid', '1', '--interval', 'soon'], /--interval expects a positive number/],
    [['--pid', '1', '--duration', '5', '--interval', '10'], /must not exceed --duration/],
    [['--pid', '1', '--rapid-mb-per-min', '-1'], /--rapid-mb-per-min|argument/],
    [['--pid', '1', '--bogus'], /Unknown option '--bogus'/],
    [['--pid', '1', 'extra'], /positional/],
    [['--url', 'http://127.0.0.1:1/metrics', '--children'], /--children needs --pid/],
    // Issue 13: each message says what is wrong with the argument itself.
    [
      ['--pid', '99999999999999999999'],
      /--pid 99999999999999999999 is not a valid process ID: process IDs are whole numbers from 1 to 2147483647/,
    ],
    [['--pid', '1', '--duration', '-5'], /--duration expects a positive number, got "-5"/],
    [
      ['--url', 'http://127.0.0.1:1/metrics', '--timeout', '-.5'],
      /--timeout expects a positive number, got "-\.5"/,
    ],
    [['--pid', '1', '--min-duration', '-1'], /--min-duration expects a number of 0 or more, got "-1"/],
    [
      ['--pid', '1', '--interval', '0.0001'],
      /--interval must be at least 0\.1 s \(faster sampling measures the sampler, not the target\), got 0\.0001/,
    ],
  ];
  for (const [args, message] of badArgs) {
    it(`exits 2 on bad arguments: ${args.join(' ') || '(none)'}`, async () => {
      const r = await detect(args);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.match(r.stderr, /leak-lens detect --help/);
      assert.doesNotMatch(r.stderr, /ambiguous|No process with PID/);
    });
  }

  it('suggests http:// for a metrics address given without it', async () => {
    const r = await detect(['--url', 'localhost:9/metrics', '--duration', '2', '--interval', '0.1']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'leak-lens detect: localhost:9/metrics has no http:// or https://: did you mean http://localhost:9/metrics?\n',
    );
  });

  it('accepts --min-duration 0 and --noise-floor-mb 0, as the settings do', async () => {
    const proc = await startShape('flat');
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '1',
      '--interval',
      '0.1',
      '--min-duration',
      '0',
      '--noise-floor-mb',
      '0',
      '--format',
      'json',
    ]);
    assert.notEqual(r.code, 2, r.stderr);
    assert.notEqual(JSON.parse(r.stdout).verdict, undefined);
  });

  it('refuses a --csv in a folder that does not exist before sampling anything', async () => {
    const proc = await startShape('flat');
    const started = Date.now();
    const missing = join(dir, 'no', 'such');
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '60',
      '--csv',
      join(missing, 'run.csv'),
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `leak-lens detect: cannot write the CSV file ${join(missing, 'run.csv')}: the folder ${missing} does not exist.\n`,
    );
    assert.ok(Date.now() - started < 5000, 'no sampling');
  });

  it('reads at most 16 MiB of a metrics response', async () => {
    // One endpoint declares a huge body, the other streams without end and declares nothing.
    const server = createServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(400 * 2 ** 20) });
        res.write('# HELP process_resident_memory_bytes x\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      const line = `${'# padding '.repeat(100)}\n`;
      const pump = () => {
        while (res.write(line)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const path of ['declared', 'endless']) {
        const url = `http://127.0.0.1:${port}/${path}`;
        const r = await detect(['--url', url, '--duration', '2', '--interval', '0.1']);
        assert.equal(r.code, 2, path);
        assert.match(r.stderr, new RegExp(`${url} sent more than 16 MiB, far more than any metrics page`));
      }
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('prints its help and exits 0', async () => {
    const r = await detect(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: leak-lens detect \(--pid N \| --url URL\)/);
    for (const flag of [
      '--duration',
      '--interval',
      '--children',
      '--min-duration',
      '--rapid-mb-per-min',
      '--format',
      '--csv',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });

  it('exits 2 for a PID that is not running', async () => {
    const proc = await startShape('flat', ['--exit-after', '0.1']);
    await proc.exited;
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '2',
      '--interval',
      '0.1',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`No process with PID ${proc.pid}`));
  });

  it('exits 2 for a URL that refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const r = await detect([
      '--url',
      `http://127.0.0.1:${port}/metrics`,
      '--duration',
      '2',
      '--interval',
      '0.1',
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`Connection refused by http://127\\.0\\.0\\.1:${port}/metrics`));
  });

  it('describes a URL target as {"url": …} in JSON', async () => {
    const proc = await startShape('metrics', [], /^port \d+$/);
    const port = /port (\d+)/.exec(proc.lines.join('\n'))?.[1];
    const url = `http://127.0.0.1:${port}/metrics`;
    const r = await detect([
      '--url',
      url,
      '--duration',
      '2',
      '--interval',
      '0.2',
      '--min-duration',
      '1',
      '--format',
      'json',
    ]);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.target, { url });
    assert.equal(doc.verdict, 'no-leak', doc.reason);
    assert.equal(r.code, 0);
  });

  it('follows children: the sum in samples, each PID in processes, the leaking worker named', async () => {
    const proc = await startShape('workers', ['--rate', '4'], /^workers /);
    const leaky = Number(/leaky=(\d+)/.exec(proc.lines.join('\n'))?.[1]);
    const csv = join(dir, 'children.csv');
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--children',
      '--duration',
      '3',
      ...FAST_FLAGS,
      '--format',
      'json',
      '--csv',
      csv,
    ]);
    assert.equal(r.code, 1, r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc).slice(0, CONTRACT_KEYS.length), CONTRACT_KEYS);
    assert.equal(doc.verdict, 'rapid-leak');
    assert.ok(doc.processes.length >= 3);
    for (const p of doc.processes) {
      assert.deepEqual(Object.keys(p).slice(0, 3), ['pid', 'command', 'samples']);
    }
    assert.deepEqual(doc.leakingPids, [leaky]);
    assert.match(doc.reason, new RegExp(`PID ${leaky}\\b`));
    // samples is the sum of the processes at each tick
    for (const [t, total] of doc.samples) {
      const parts = doc.processes.flatMap((p: { samples: number[][] }) =>
        p.samples.filter((s) => s[0] === t),
      );
      assert.equal(
        parts.reduce((a: number, s: number[]) => a + s[1], 0),
        total,
      );
    }
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    const header = rows[0].split(',');
    assert.deepEqual(header.slice(0, 2), ['t_seconds', 'total_rss_bytes']);
    for (const p of doc.processes) assert.ok(header.includes(`pid_${p.pid}_rss_bytes`));
    assert.equal(rows.length, doc.samples.length + 1);
    assert.deepEqual(rows[1].split(',').slice(0, 2).map(Number), doc.samples[0]);
  });

  it('writes every sample to --csv and keeps the JSON and the CSV consistent', async () => {
    const proc = await startShape('flat');
    const csv = join(dir, 'single.csv');
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '1',
      ...FAST_FLAGS,
      '--format',
      'json',
      '--csv',
      csv,
    ]);
    const doc = JSON.parse(r.stdout);
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    assert.equal(rows[0], 't_seconds,rss_bytes');
    assert.deepEqual(
      rows.slice(1).map((row) => row.split(',').map(Number)),
      doc.samples,
    );
  });

  it('still prints the verdict when the CSV cannot be written at the end, and exits 2', async () => {
    const proc = await startShape('flat');
    // The folder exists when the run starts and is gone when the CSV is written.
    const folder = mkdtempSync(join(dir, 'csv-'));
    setTimeout(() => rmSync(folder, { recursive: true, force: true }), 300);
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '1',
      ...FAST_FLAGS,
      '--min-duration',
      '1',
      '--csv',
      join(folder, 'run.csv'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /NO LEAK/);
    assert.match(r.stderr, /cannot write the CSV file/);
  });

  it('gives the verdict on what was collected when the target exits mid-run', async () => {
    const proc = await startShape('leak', ['--rate', '4', '--exit-after', '1.5']);
    const r = await detect([
      '--pid',
      String(proc.pid),
      '--duration',
      '10',
      ...FAST_FLAGS,
      '--min-duration',
      '5',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.verdict, 'inconclusive');
    assert.ok(doc.samples.length >= 6, 'samples kept');
    assert.match(doc.reason, /exited/);
    assert.equal(doc.stoppedBecause, 'target-exited');
    // JSON on stdout stays the document alone; stderr says what happened, in one line.
    assert.match(
      r.stderr,
      new RegExp(
        `^leak-lens detect: The target process \\(PID ${proc.pid}\\) has exited \\(at [\\d.]+ s\\): the verdict covers the samples taken until then\\.\\n$`,
      ),
    );
  });

  it('stops early on an abort signal and judges what it has', async () => {
    const proc = await startShape('leak', ['--rate', '4']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2500);
    const t0 = performance.now();
    const r = await detect(
      ['--pid', String(proc.pid), '--duration', '30', ...FAST_FLAGS, '--format', 'json'],
      {
        signal: controller.signal,
      },
    );
    assert.ok(performance.now() - t0 < 10000);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.stoppedBecause, 'stopped');
    assert.match(doc.reason, /Stopped early/);
    assert.equal(doc.verdict, 'rapid-leak', doc.reason);
    assert.equal(r.code, 1);
  });

  it('stops on a real Ctrl+C (SIGINT) and prints the verdict on the samples so far', async () => {
    const proc = await startShape('leak', ['--rate', '4']);
    const wrapper = join(dir, 'detect-main.ts');
    const cli = resolve(__dirname, '..', '..', 'client', 'src', 'monitor', 'cli');
    writeFileSync(
      wrapper,
      `import { runDetect } from ${JSON.stringify(cli)};\nrunDetect(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`,
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', wrapper, '--pid', String(proc.pid), '--duration', '60', ...FAST_FLAGS],
      { cwd: resolve(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const sent = new Promise<void>((resolveSent) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        // Interrupt once sampling has run for a while (the progress shows the elapsed time).
        if (/\n[3-9]\.\d s\/60 s/.test(stderr) && !child.killed) {
          child.kill('SIGINT');
          resolveSent();
        }
      });
    });
    const code = await new Promise<number | null>((resolveExit) => child.on('exit', (c) => resolveExit(c)));
    await sent;
    assert.equal(code, 1, stdout + stderr);
    assert.match(stderr, /Interrupted: stopping and judging the samples collected so far/);
    assert.match(stdout, /RAPID LEAK/);
    assert.match(stdout, /Stopped early after/);
  });
});
