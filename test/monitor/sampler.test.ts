// The sampler against real Python processes: targets that exit, PIDs that do not exist, children
// that come and go, pause/resume/stop, the pidusage backend; and against a fake /proc for the
// cases a real system will not produce on demand (a PID reused by another process).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeMonitorRun } from '../../client/src/monitor/detect';
import { MonitorError } from '../../client/src/monitor/errors';
import { readMemory } from '../../client/src/monitor/procfs';
import { Sampler } from '../../client/src/monitor/sampler';
import { createPidSource } from '../../client/src/monitor/sources/pid';
import type { ProcessSeries } from '../../client/src/monitor/types';
import { assertNoSamplesLost, FAST, killAll, sample, startShape } from './support';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('monitor sampler: real processes', function () {
  this.timeout(60000);
  after(killAll);

  it('keeps the samples of a target that exits mid-run and says why the verdict is inconclusive', async () => {
    const proc = await startShape('leak', ['--rate', '4', '--exit-after', '2']);
    const sampler = Sampler.forTarget({ pid: proc.pid }, { intervalSeconds: 0.1, durationSeconds: 6 });
    const exits: { t: number; message: string }[] = [];
    sampler.on('target-exited', (e) => exits.push(e));
    await sampler.start();
    const stop = await sampler.done;
    assert.equal(stop.reason, 'target-exited');
    assert.equal(exits.length, 1);
    assert.match(exits[0].message, new RegExp(`PID ${proc.pid}`));
    const run = sampler.run;
    assert.ok(stop.t > 1.5 && stop.t < 4, `stopped at ${stop.t}`);
    assertNoSamplesLost(run, 0.1);
    assert.ok(run.samples.length >= 10, `${run.samples.length} samples kept`);
    assert.equal(run.processes[0].exitedT, stop.t);
    const result = analyzeMonitorRun(run, FAST);
    assert.equal(result.verdict, 'inconclusive', result.reason);
    assert.match(result.reason, /Run ended after .* samples kept.*exited/);
    assert.match(result.reason, /grows/, 'says what was seen before the exit');
  });

  it('refuses a PID that does not exist, with a clear message and nothing recorded', async () => {
    const proc = await startShape('flat', ['--exit-after', '0.1']);
    await proc.exited; // its PID is now free
    const sampler = Sampler.forTarget({ pid: proc.pid }, { intervalSeconds: 0.1, durationSeconds: 1 });
    await assert.rejects(sampler.start(), (err: unknown) => {
      assert.ok(err instanceof MonitorError);
      assert.equal(err.code, 'no-such-process');
      assert.match(err.message, new RegExp(`No process with PID ${proc.pid}`));
      return true;
    });
    assert.equal(sampler.state, 'stopped');
    assert.equal((await sampler.done).reason, 'error');
    assert.equal(sampler.run.samples.length, 0);
    assert.equal(sampler.run.errors[0].code, 'no-such-process');
  });

  it('rejects PIDs that cannot be PIDs', () => {
    for (const pid of [0, -3, 1.5, Number.NaN]) {
      assert.throws(() => Sampler.forTarget({ pid }, { intervalSeconds: 1 }), /Not a process ID/);
    }
    assert.throws(() => Sampler.forTarget({ pid: 1 }, { intervalSeconds: 0 }), /interval/);
  });

  it('tracks children that appear and exit during the run without treating them as errors', async () => {
    const proc = await startShape('spawner', ['--every', '0.8', '--child-seconds', '0.5']);
    const sampler = Sampler.forTarget(
      { pid: proc.pid, children: true },
      { intervalSeconds: 0.1, durationSeconds: 4 },
    );
    const added: ProcessSeries[] = [];
    const exited: ProcessSeries[] = [];
    const errors: unknown[] = [];
    sampler.on('child-added', (p) => added.push(p));
    sampler.on('child-exited', (p) => exited.push(p));
    sampler.on('error', (e) => errors.push(e));
    await sampler.start();
    assert.equal((await sampler.done).reason, 'duration');
    const spawned = proc.lines.flatMap((l) =>
      /spawned=(\d+)/.exec(l) ? [Number(/spawned=(\d+)/.exec(l)?.[1])] : [],
    );
    assert.ok(added.length >= 3, `${added.length} children seen`);
    assert.ok(exited.length >= 2, `${exited.length} children exits seen`);
    for (const child of added) {
      assert.ok(spawned.includes(child.pid as number), `child ${child.pid} is one the parent spawned`);
      assert.match(child.command, /memshape\.py flat/);
      assert.equal(child.root, false);
    }
    for (const child of exited) assert.ok(child.exitedT !== undefined && child.exitedT > child.firstT);
    assert.deepEqual(errors, []);
    assertNoSamplesLost(sampler.run, 0.1);
    assert.equal(sampler.run.processes[0].pid, proc.pid);
    assert.equal(sampler.run.processes[0].root, true);
  });

  it('never counts threads as processes', async () => {
    // The fixture runs a watcher thread; the run must hold one series, not one per thread.
    const proc = await startShape('flat');
    const { run } = await sample({ pid: proc.pid, children: true }, { interval: 0.1, duration: 0.5 });
    assert.equal(run.processes.length, 1);
    const vmRss = readMemory(proc.pid)?.rss ?? 0;
    assert.ok(
      Math.abs(run.samples[run.samples.length - 1].rss - vmRss) < 2 * MIB,
      'the total is the VmRSS of one process',
    );
  });

  it('pauses, resumes and stops, keeping every sample', async () => {
    const proc = await startShape('flat');
    const sampler = Sampler.forTarget({ pid: proc.pid }, { intervalSeconds: 0.1 });
    const states: string[] = [];
    sampler.on('state', (s) => states.push(s));
    await sampler.start();
    await sleep(450);
    sampler.pause();
    const atPause = sampler.run.samples.length;
    const pausedAt = performance.now();
    await sleep(500);
    assert.equal(sampler.run.samples.length, atPause, 'no sample while paused');
    sampler.resume();
    const resumedT = (performance.now() - pausedAt) / 1000;
    await sleep(450);
    sampler.stop();
    const stop = await sampler.done;
    assert.equal(stop.reason, 'stopped');
    const samples = sampler.run.samples;
    assert.ok(atPause >= 2 && samples.length >= atPause + 2, `${atPause} then ${samples.length}`);
    const gap = samples[atPause].t - samples[atPause - 1].t;
    assert.ok(gap >= resumedT - 0.05, `the pause shows as a gap in time (${gap} s)`);
    assert.deepEqual(states, ['starting', 'running', 'paused', 'running', 'stopped']);
    const count = samples.length;
    await sleep(250);
    assert.equal(sampler.run.samples.length, count, 'nothing after stop');
  });

  it('keeps sampling when a listener throws', async () => {
    const proc = await startShape('flat');
    const sampler = Sampler.forTarget({ pid: proc.pid }, { intervalSeconds: 0.05, durationSeconds: 0.5 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    sampler.on('sample', () => {
      throw new Error('listener bug');
    });
    try {
      await sampler.start();
      assert.equal((await sampler.done).reason, 'duration');
    } finally {
      process.off('warning', onWarning);
    }
    assert.ok(sampler.run.samples.length >= 3);
    assertNoSamplesLost(sampler.run, 0.05);
    assert.ok(warnings.some((w) => w.includes('listener bug')));
  });

  it('reads RSS through pidusage too (the macOS/Windows path), with the same verdict', async () => {
    const proc = await startShape('leak', ['--rate', '4']);
    const { run } = await sample({ pid: proc.pid, backend: 'pidusage' }, { interval: 0.1, duration: 5 });
    const result = analyzeMonitorRun(run, FAST);
    assert.equal(result.verdict, 'rapid-leak', result.reason);
    assert.match(run.target.kind === 'pid' ? run.target.command : '', /memshape\.py leak/);
    const procfs = readMemory(proc.pid)?.rss ?? 0;
    assert.ok(
      Math.abs(run.samples[run.samples.length - 1].rss - procfs) < 8 * MIB,
      'pidusage agrees with VmRSS',
    );
    assertNoSamplesLost(run, 0.1);
  });

  it('notices a target exit through pidusage as well', async () => {
    const proc = await startShape('flat', ['--exit-after', '1']);
    const { run } = await sample({ pid: proc.pid, backend: 'pidusage' }, { interval: 0.1, duration: 5 });
    assert.equal(run.stop?.reason, 'target-exited');
    assert.ok(run.samples.length >= 3);
  });
});

describe('monitor sampler: a fake /proc', () => {
  let root: string;
  const pid = 4242;
  const writeProc = (startTime: number, rssKb: number) => {
    mkdirSync(join(root, String(pid)), { recursive: true });
    writeFileSync(
      join(root, String(pid), 'stat'),
      `${pid} (python3) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${startTime} 1000 250 0\n`,
    );
    writeFileSync(
      join(root, String(pid), 'status'),
      `Name:\tpython3\nVmRSS:\t  ${rssKb} kB\nVmSwap:\t 2048 kB\n`,
    );
    writeFileSync(join(root, String(pid), 'cmdline'), 'python3\0app.py\0');
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'leak-lens-proc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('ends the run when the PID is reused by another process, keeping the samples', async () => {
    writeProc(5000, 10240);
    const sampler = new Sampler(createPidSource(pid, { backend: 'procfs', procRoot: root }), {
      intervalSeconds: 0.05,
      durationSeconds: 5,
    });
    await sampler.start();
    assert.deepEqual(sampler.run.target, { kind: 'pid', pid, command: 'python3 app.py' });
    await sleep(300);
    writeProc(9999, 20480); // same PID, later start time: another process
    const stop = await sampler.done;
    assert.equal(stop.reason, 'target-exited');
    assert.match(stop.message ?? '', /now belongs to another process/);
    assert.ok(sampler.run.samples.length >= 4);
    assert.ok(
      sampler.run.samples.every((s) => s.rss === 10240 * 1024),
      'no sample of the impostor',
    );
    assert.equal(sampler.run.samples[0].swap, 2048 * 1024, 'swap is noted');
  });

  it('stops with an error, keeping the samples, when the status file becomes unreadable', async () => {
    writeProc(5000, 10240);
    const sampler = new Sampler(createPidSource(pid, { backend: 'procfs', procRoot: root }), {
      intervalSeconds: 0.05,
      durationSeconds: 5,
    });
    const errors: string[] = [];
    sampler.on('error', (e) => errors.push(e.message));
    await sampler.start();
    await sleep(200);
    const status = join(root, String(pid), 'status');
    rmSync(status);
    mkdirSync(status); // reading a directory fails with EISDIR
    const stop = await sampler.done;
    assert.equal(stop.reason, 'error');
    assert.match(stop.message ?? '', /Cannot read .*status/);
    assert.equal(errors.length, 1);
    assert.ok(sampler.run.samples.length >= 3);
    assert.equal(sampler.run.errors[0].fatal, true);
  });
});
