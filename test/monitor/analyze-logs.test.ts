// `leak-lens analyze-logs`: the line parsers (memory figures, timestamps, events), the series per
// process with the detect verdict, leaks masked by restarts, the JSON contract, exit codes, and
// bad input (binary, truncated, missing, damaged gzip) — on fixtures written in each log format
// (test/monitor/fixtures/logs/make_fixtures.py).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OutStream } from '../../client/src/monitor/cli';
import { runAnalyzeLogs } from '../../client/src/monitor/logs/cli';
import { matchEvent } from '../../client/src/monitor/logs/events';
import { memoryFromJson, memoryFromText, tableHeader, tableRow } from '../../client/src/monitor/logs/figures';
import { LineParser } from '../../client/src/monitor/logs/line-parser';
import { SeriesStore } from '../../client/src/monitor/logs/series-store';
import { TimeContext } from '../../client/src/monitor/logs/time';

const FIXTURES = join(__dirname, 'fixtures', 'logs');
const MIB = 2 ** 20;

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

async function analyze(args: string[], tty = false) {
  const stdout = stream();
  const stderr = stream(tty);
  const code = await runAnalyzeLogs(args, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function analyzeJson(
  files: string[],
  extra: string[] = [],
): Promise<{ code: number; doc: any; stderr: string }> {
  const r = await analyze([...files, '--format', 'json', ...extra]);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one JSON document: ${r.stdout.slice(0, 200)}`);
  return { code: r.code, doc: JSON.parse(lines[0]), stderr: r.stderr };
}

const fixture = (name: string) => join(FIXTURES, name);

describe('analyze-logs: memory figures', () => {
  const cases: [string, number | undefined][] = [
    ['rss=512MB', 512 * MIB],
    ['rss=512M', 512 * MIB],
    ['mem_mb=731.5', Math.round(731.5 * MIB)],
    ['memory: 1.2 GiB', Math.round(1.2 * 2 ** 30)],
    ['Memory usage: 300 MiB', 300 * MIB],
    ['VmRSS:\t  123456 kB', 123456 * 1024],
    ['rss_bytes=53477376', 53477376],
    ['rss=53477376', 53477376], // no unit, but at least 1 MiB: bytes
    ['"rss_kb": 2048', 2048 * 1024],
    ['memory_usage=512.5 MiB path=/x', Math.round(512.5 * MIB)],
    ['rss=512', undefined], // no unit and small: ambiguous, skipped rather than guessed
    ['mem=45%', undefined],
    ['memory: 12 items', undefined],
    ['max_rss=1000MB', undefined], // a peak, not the current RSS
    ['vms=900MB', undefined],
    ['KiB Mem : 16305012 total', undefined], // the machine, not a process
    ['MiB Mem :  15923.4 total,   1234.5 free', undefined],
    ['memory=100MB rss=200MB', 200 * MIB], // RSS wins over a vaguer "memory"
    ['GET /memory 200 OK', undefined],
  ];
  for (const [text, bytes] of cases) {
    it(`${JSON.stringify(text)} → ${bytes ?? 'nothing'}`, () => {
      assert.equal(memoryFromText(text), bytes);
    });
  }

  it('reads JSON fields, nested ones and sizes written as strings', () => {
    assert.equal(memoryFromJson({ rss_bytes: 53477376 }), 53477376);
    assert.equal(memoryFromJson({ rss_mb: 12.5 }), 12.5 * MIB);
    assert.equal(memoryFromJson({ memory: { rss: '512MB' } }), 512 * MIB);
    assert.equal(memoryFromJson({ memory_usage: '1.5 GiB', rss: 3 * MIB }), 3 * MIB);
    assert.equal(memoryFromJson({ resident_memory_bytes: 2e8 }), 2e8);
    assert.equal(memoryFromJson({ level: 'info', msg: 'memory low', count: 5000000 }), undefined);
    assert.equal(memoryFromJson({ memory: 'high' }), undefined);
  });

  it('reads ps and top tables by their header', () => {
    const ps = tableHeader('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    assert.ok(ps);
    assert.deepEqual(
      tableRow('app  900  2.0  1.1 812345 204800 ?  Sl  12:00  0:12 python3 -m celery worker', ps),
      { pid: 900, rss: 204800 * 1024, command: 'python3 -m celery worker' },
    );
    const top = tableHeader('    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND');
    assert.ok(top);
    assert.equal(
      tableRow('2020 app 20 0 2300000 1.5g 12000 S 3.0 6.0 1:02.03 python3', top)?.rss,
      1.5 * 2 ** 30,
    );
    assert.equal(tableRow('2021 app 20 0 900000 300m 10000 S 0.3 1.9 0:10.00 python3', top)?.rss, 300 * MIB);
    assert.equal(
      tableRow('2022 app 20 0 900000 4096 10000 S 0.3 1.9 0:10.00 python3', top)?.rss,
      4096 * 1024,
    );
    assert.equal(tableRow('', top), undefined, 'a blank line ends the table');
    assert.equal(tableHeader('PID TTY TIME CMD'), undefined, 'no memory column');
  });
});

describe('analyze-logs: timestamps', () => {
  const utc = (s: string) => Date.parse(s) / 1000;
  const cases: [string, number | undefined][] = [
    ['2024-05-01T12:00:00Z rss=1MB', utc('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00.250+02:00 x', utc('2024-05-01T10:00:00.250Z')],
    ['2024-05-01 12:00:00,123 INFO app: x', utc('2024-05-01T12:00:00.123Z')],
    ['[2024-05-01 12:00:00 +0000] [1] [INFO] Booting worker', utc('2024-05-01T12:00:00Z')],
    ['[2024-05-01 12:00:00 -0500] [1] [INFO] x', utc('2024-05-01T17:00:00Z')],
    ['[2024-05-01 12:00:00,500: INFO/MainProcess] ready', utc('2024-05-01T12:00:00.5Z')],
    ['[01/May/2024 12:00:05] "GET / HTTP/1.1" 200', utc('2024-05-01T12:00:05Z')],
    ['127.0.0.1 - - [01/May/2024:12:00:05 +0200] "GET /" 200', utc('2024-05-01T10:00:05Z')],
    ['Wed May  1 12:00:00 UTC 2024', utc('2024-05-01T12:00:00Z')],
    ['[Wed May  1 12:00:00 2024] Out of memory: Killed process 1', utc('2024-05-01T12:00:00Z')],
    ['1714564800 mem_mb=1', 1714564800],
    ['1714564800123 rss=1MB', 1714564800.123],
    ['level=info ts=1714564800.5 rss=1MB', 1714564800.5],
    ['INFO:     127.0.0.1:5000 - "GET / HTTP/1.1" 200 OK', undefined], // uvicorn's default has no time
  ];
  for (const [line, epoch] of cases) {
    it(`${JSON.stringify(line.slice(0, 50))}`, () => {
      const got = new TimeContext(new Date('2024-06-01T00:00:00Z')).parse(line);
      if (epoch === undefined) assert.equal(got, undefined);
      else assert.ok(got !== undefined && Math.abs(got - epoch) < 1e-3, `${got} vs ${epoch}`);
    });
  }

  it('gives syslog lines the year of the file, stepping over New Year', () => {
    const ctx = new TimeContext(new Date('2025-01-02T00:00:00Z'));
    assert.equal(ctx.parse('Dec 31 23:59:00 host app[1]: x'), utc('2024-12-31T23:59:00Z'));
    assert.equal(ctx.parse('Jan  1 00:01:00 host app[1]: x'), utc('2025-01-01T00:01:00Z'));
  });

  it('places top snapshots (time of day only) on one axis across midnight', () => {
    const ctx = new TimeContext();
    const a = ctx.parse('top - 23:59:00 up 3 days,  4:05,  1 user') as number;
    const b = ctx.parse('top - 00:01:00 up 3 days,  4:07,  1 user') as number;
    assert.equal(b - a, 120);
  });

  it('lets traceback lines and ps rows take the time of the line before them', () => {
    const p = new LineParser();
    p.parse('2024-05-01T12:00:00Z ERROR boom');
    const tb = p.parse('MemoryError');
    assert.equal(tb.event?.kind, 'memory-error');
    assert.equal(tb.time, utc('2024-05-01T12:00:00Z'));
    const untimed = p.parse('rss=300MB');
    assert.equal(untimed.rss, undefined, 'a figure needs its own time');
    assert.equal(untimed.untimedFigure, true);
  });
});

describe('analyze-logs: events', () => {
  const cases: [string, string | undefined, number | undefined][] = [
    ['kernel: Out of memory: Killed process 1234 (python3) total-vm:1kB', 'oom-kill', 1234],
    ['Memory cgroup out of memory: Killed process 77 (gunicorn)', 'oom-kill', 77],
    ['      Reason:       OOMKilled', 'oom-kill', undefined],
    ['[ts] [1] [ERROR] Worker (pid:16) was sent SIGKILL! Perhaps out of memory?', 'worker-killed', 16],
    ['[ts] [1] [CRITICAL] WORKER TIMEOUT (pid:113)', 'worker-killed', 113],
    ["Process 'ForkPoolWorker-2' pid:1234 exited with 'signal 9 (SIGKILL)'", 'worker-killed', 1234],
    ["WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 7.')", 'worker-killed', undefined],
    ['      Exit Code:    137', 'worker-killed', undefined],
    ['app-1 exited with code 137', 'worker-killed', undefined],
    ['*** uWSGI worker 2 (pid: 4321) reload-on-rss limit reached ***', 'restart', undefined],
    ['Respawned uWSGI worker 2 (new pid: 4330)', 'restart', 4330],
    ['[ts] [101] [INFO] Autorestarting worker after current request.', 'restart', undefined],
    ['INFO:     Started server process [4242]', 'start', 4242],
    ['[ts] [1] [INFO] Booting worker with pid: 102', 'start', 102],
    ['MemoryError', 'memory-error', undefined],
    ['OSError: [Errno 12] Cannot allocate memory', 'memory-error', undefined],
    ['    raise MemoryError("too big")', undefined, undefined],
    ['except MemoryError:', undefined, undefined],
    ['Exit Code:    0', undefined, undefined],
    ['GET /items/137 200', undefined, undefined],
  ];
  for (const [line, kind, pid] of cases) {
    it(`${JSON.stringify(line.slice(0, 60))} → ${kind ?? 'none'}`, () => {
      const m = matchEvent(line);
      assert.equal(m?.kind, kind);
      if (kind) assert.equal(m?.pid, pid);
    });
  }
});

describe('analyze-logs: verdicts on logs in each format', function () {
  this.timeout(30000);

  const expectations: [string, string, number, RegExp][] = [
    ['python-logging-slow-leak.log', 'slow-leak', 1, /PID 4242: RSS grows \+0\.40 MB\/min/],
    ['json-healthy.jsonl', 'no-leak', 0, /warm-up/],
    ['syslog-sawtooth.log', 'no-leak', 0, /GC sawtooth/],
    ['ps-snapshots.log', 'rapid-leak', 1, /PID 900 \(python3 -m celery/],
    ['top-snapshots.log', 'rapid-leak', 1, /PID 2020/],
    ['celery-events.log', 'inconclusive', 3, /No memory figures.*2 kills.*3 memory errors/],
  ];
  for (const [file, verdict, code, reason] of expectations) {
    it(`${file}: ${verdict}, exit ${code}`, async () => {
      const { code: got, doc } = await analyzeJson([fixture(file)]);
      assert.equal(doc.verdict, verdict, doc.reason);
      assert.equal(got, code);
      assert.match(doc.reason, reason);
    });
  }

  it('prints the JSON contract of the issue, version first, then extras', async () => {
    const { doc } = await analyzeJson([fixture('gunicorn-restart-masked.log')]);
    assert.deepEqual(Object.keys(doc).slice(0, 7), [
      'version',
      'target',
      'processes',
      'events',
      'verdict',
      'severity',
      'reason',
    ]);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.target, { logs: [fixture('gunicorn-restart-masked.log')] });
    for (const p of doc.processes) {
      assert.deepEqual(Object.keys(p).slice(0, 4), ['pid', 'samples', 'growthMBPerMin', 'verdict']);
      assert.ok(p.samples.every((s: unknown[]) => s.length === 2 && typeof s[0] === 'number'));
    }
    for (const e of doc.events) {
      assert.deepEqual(Object.keys(e).slice(0, 6), ['time', 'kind', 'pid', 'file', 'line', 'text']);
      assert.ok(['oom-kill', 'worker-killed', 'memory-error', 'restart'].includes(e.kind));
    }
    const killed = doc.events.filter((e: { kind: string }) => e.kind === 'worker-killed');
    assert.deepEqual(
      killed.map((e: { pid: number }) => e.pid),
      [101, 102, 103, 104],
    );
    const source = readFileSync(fixture('gunicorn-restart-masked.log'), 'utf8').split('\n');
    for (const e of doc.events)
      assert.equal(source[e.line - 1].trim(), e.text, 'file:line points at the line');
    // The first "Booting worker" is the start, not a restart; the three after kills are restarts.
    assert.equal(doc.events.filter((e: { kind: string }) => e.kind === 'restart').length, 3);
    assert.deepEqual(doc.lines, {
      total: 74,
      understood: 72,
      skipped: 2,
      memoryFigures: 64,
      events: 7,
      untimedFigures: 0,
      badJson: 0,
      damaged: 0,
    });
  });

  it('finds a leak masked by restarts across worker PIDs (gunicorn kills each one)', async () => {
    const { code, doc } = await analyzeJson([fixture('gunicorn-restart-masked.log')]);
    assert.equal(code, 1);
    assert.equal(doc.verdict, 'rapid-leak');
    assert.match(doc.reason, /^Leak masked by restarts: 4 processes \(PIDs 101, 102, 103, 104\) grew \+\d/);
    assert.equal(doc.restartMasked.length, 1);
    const g = doc.restartMasked[0];
    assert.deepEqual(g.pids, [101, 102, 103, 104]);
    assert.ok(g.growthMBPerMin > 5.5 && g.growthMBPerMin < 6.5, String(g.growthMBPerMin));
    assert.ok(g.riseBeforeRestartMB > 55 && g.riseBeforeRestartMB < 65, String(g.riseBeforeRestartMB));
    assert.ok(doc.processes.every((p: { maskedByRestarts: boolean }) => p.maskedByRestarts));
  });

  it('finds a leak masked by restarts in one process restarted in place (container, no PID on figures)', async () => {
    const { code, doc } = await analyzeJson([fixture('container-restarts.log')]);
    assert.equal(code, 1);
    assert.equal(doc.processes.length, 1);
    const p = doc.processes[0];
    assert.equal(p.pid, null);
    assert.equal(p.restarts, 2);
    assert.equal(p.lives.length, 3);
    for (const life of p.lives) {
      assert.ok(life.growthMBPerMin > 2 && life.growthMBPerMin < 3, JSON.stringify(life));
      assert.ok(life.riseMB > 25 && life.riseMB < 35);
    }
    assert.match(doc.reason, /Leak masked by restarts: the log grew \+2\.\d+ MB\/min between restarts/);
    // Without the restarts, the same figures judged as one series would not be a steady leak: the
    // overall level does not rise from life to life.
    const first = p.samples[0][1];
    const last = p.samples[p.samples.length - 1][1];
    assert.ok(Math.abs(last - first) < 35 * MIB);
  });

  it('does not split a series at a fall that no kill or restart line explains (GC sawtooth)', async () => {
    const { doc } = await analyzeJson([fixture('syslog-sawtooth.log')]);
    const p = doc.processes[0];
    assert.equal(p.pid, 777);
    assert.equal(p.name, 'app');
    assert.equal(p.lives.length, 1);
    assert.equal(p.restarts, 0);
    assert.match(doc.reason, /kills of a process whose memory they do not show \(PID 9999\)/);
  });

  it('reads a series over rotated files given in any order, and .gz files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-lens-logs-'));
    try {
      const lines = readFileSync(fixture('python-logging-slow-leak.log'), 'utf8').trimEnd().split('\n');
      const half = lines.length >> 1;
      writeFileSync(join(dir, 'app.log.1.gz'), gzipSync(`${lines.slice(0, half).join('\n')}\n`));
      writeFileSync(join(dir, 'app.log'), `${lines.slice(half).join('\n')}\n`);
      const { code, doc } = await analyzeJson([join(dir, 'app.log'), join(dir, 'app.log.1.gz')]);
      assert.equal(code, 1);
      assert.equal(doc.processes.length, 1);
      assert.equal(doc.processes[0].samples.length, 81);
      assert.ok(Math.abs(doc.processes[0].growthMBPerMin - 0.4) < 0.02);
      const ts = doc.processes[0].samples.map((s: number[]) => s[0]);
      assert.deepEqual(
        ts,
        [...ts].sort((a, b) => a - b),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a readable text report with events and line counts', async () => {
    const r = await analyze([fixture('gunicorn-restart-masked.log')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Leak Lens: RAPID LEAK \(masked by restarts\) \(severity high\) — page on-call/);
    assert.match(r.stdout, /Lines: {4}74 read, 72 understood \(64 memory figures, 7 events\), 2 skipped/);
    assert.match(r.stdout, /Events: {3}4 worker-killed · 3 restart/);
    assert.match(r.stdout, /gunicorn-restart-masked\.log:20 .*worker-killed PID 101/);
  });

  it('honours the thresholds as detect does', async () => {
    const { doc } = await analyzeJson(
      [fixture('python-logging-slow-leak.log')],
      ['--rapid-mb-per-min', '0.3'],
    );
    assert.equal(doc.verdict, 'rapid-leak');
    const longer = await analyzeJson([fixture('python-logging-slow-leak.log')], ['--min-duration', '3600']);
    assert.equal(longer.doc.verdict, 'inconclusive');
    assert.equal(longer.code, 3);
  });
});

describe('analyze-logs: bad input', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-bad-logs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a binary file with one sentence and exit 2', async () => {
    const file = join(dir, 'core.bin');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    writeFileSync(file, bytes);
    const r = await analyze([file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /core\.bin is not a text log: it holds binary data \(first at byte \d+\)\./);
  });

  it('says so for a missing file and a folder, and still analyses the readable files', async () => {
    const r = await analyzeJson([join(dir, 'nope.log'), dir, fixture('ps-snapshots.log')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope\.log: no such file\./);
    assert.match(r.stderr, /is a folder: give the log files in it\./);
    assert.equal(r.doc.verdict, 'rapid-leak', 'the readable file is still judged');
    assert.equal(r.doc.files[0].error, `${join(dir, 'nope.log')}: no such file.`);
  });

  it('counts garbage as skipped lines and says that no figure was found (exit 3)', async () => {
    const file = join(dir, 'garbage.txt');
    const words = Array.from({ length: 500 }, (_, i) => `lorem ${i} ipsum ${'x'.repeat(i % 40)} dolor`);
    writeFileSync(file, `${words.join('\n')}\n`);
    const { code, doc } = await analyzeJson([file]);
    assert.equal(code, 3);
    assert.equal(doc.verdict, 'inconclusive');
    assert.match(doc.reason, /^No memory figures were found in 500 lines/);
    assert.equal(doc.lines.understood, 0);
    assert.equal(doc.lines.skipped, 500);
  });

  it('keeps the figures before a truncated last JSON line and warns about it', async () => {
    const source = readFileSync(fixture('json-healthy.jsonl'), 'utf8');
    const cut = source.slice(0, source.lastIndexOf('"rss_bytes"') + 16); // `… "rss_bytes": 9` — no end
    const file = join(dir, 'cut.jsonl');
    writeFileSync(file, cut);
    const { doc } = await analyzeJson([file]);
    assert.equal(doc.lines.memoryFigures, 60, 'every complete record is kept; the cut one is not read');
    assert.equal(doc.lines.badJson, 1);
    assert.ok(doc.warnings.some((w: string) => /last line has no end/.test(w)));
    assert.equal(doc.verdict, 'no-leak');
  });

  it('reports a damaged gzip file, keeping what was decompressed before the damage', async () => {
    const lines = readFileSync(fixture('python-logging-slow-leak.log'));
    const gz = gzipSync(lines);
    const file = join(dir, 'cut.log.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.7)));
    const r = await analyzeJson([file]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /cut\.log\.gz is a damaged or truncated gzip file .*; \d+ lines were read before it\./,
    );
    assert.ok(r.doc.lines.memoryFigures > 10, String(r.doc.lines.memoryFigures));
  });

  it('survives NUL padding after a crash and an overlong line', async () => {
    const file = join(dir, 'crash.log');
    const good = readFileSync(fixture('python-logging-slow-leak.log'));
    writeFileSync(
      file,
      Buffer.concat([
        good,
        Buffer.from(`2024-05-01 13:00:00,000 INFO ${'y'.repeat(300_000)}\n`),
        Buffer.alloc(5000),
      ]),
    );
    const { code, doc } = await analyzeJson([file]);
    assert.equal(code, 1);
    assert.equal(doc.lines.memoryFigures, 81);
    assert.ok(doc.lines.damaged >= 2, JSON.stringify(doc.lines));
  });

  it('rejects bad arguments with exit 2 and a hint', async () => {
    for (const args of [
      [],
      ['--format', 'xml', 'a.log'],
      ['--min-duration', '-1', 'a.log'],
      ['--bogus', 'a.log'],
    ]) {
      const r = await analyze(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^leak-lens analyze-logs: .*\nRun `leak-lens analyze-logs --help`/);
    }
    const help = await analyze(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: leak-lens analyze-logs FILE\.\.\./);
  });

  it('shows progress on a terminal and erases it before the report', async () => {
    const r = await analyze([fixture('ps-snapshots.log')], true);
    assert.match(r.stderr, /\rReading .*ps-snapshots\.log: .* \(100 %\), 155 lines/);
    assert.ok(r.stderr.endsWith('\r\x1b[K'));
  });
});

describe('analyze-logs: bounded series', () => {
  it('thins a long series to at most its cap, keeping its lowest and highest samples', () => {
    const store = new SeriesStore(1000);
    let low = { t: 0, rss: Number.POSITIVE_INFINITY };
    let high = { t: 0, rss: 0 };
    for (let i = 0; i < 100_000; i++) {
      const rss = 100 * MIB + (i % 97) * 1000 + i * 10 + (i === 54321 ? 50 * MIB : 0);
      if (rss < low.rss) low = { t: i, rss };
      if (rss > high.rss) high = { t: i, rss };
      store.add({ time: i, rss, file: 0, line: i + 1 });
    }
    const pts = store.finish();
    assert.ok(pts.length <= 1001, String(pts.length));
    assert.ok(pts.length >= 250, String(pts.length));
    assert.equal(store.count, 100_000);
    assert.ok(store.thinned);
    assert.ok(
      pts.some((p) => p.time === high.t && p.rss === high.rss),
      'the spike survives',
    );
    assert.ok(
      pts.some((p) => p.time === low.t),
      'the lowest sample survives',
    );
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i].time > pts[i - 1].time);
  });
});
