// Helpers for the monitor tests: real Python processes with known memory shapes, and a run of the
// sampler against them. Every process started here is killed after the suite.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Sampler } from '../../client/src/monitor/sampler';
import type { MonitorRun, MonitorTarget } from '../../client/src/monitor/types';

export const PYTHON = process.env.PYTHON ?? 'python3';
export const FIXTURE = join(__dirname, 'fixtures', 'memshape.py');
export const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** Accelerated thresholds: a 6 s run at 0.1 s stands for the default 5 min at 10 s. */
export const FAST = { minDurationSeconds: 4, rapidMBPerMin: 100, noiseFloorMB: 1 } as const;

export interface PythonProcess {
  pid: number;
  child: ChildProcess;
  /** Lines printed so far. */
  lines: string[];
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Starts `python3 script args…` and resolves once a line matches `ready` (default: "ready"). */
export function startPython(
  script: string,
  args: string[],
  ready: RegExp = /^ready$/,
  python = PYTHON,
): Promise<PythonProcess> {
  const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} ${args.join(' ')} did not get ready: ${stderr}`)),
      15000,
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve({ pid: child.pid as number, child, lines, exited });
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before getting ready: ${stderr}`));
    });
  });
}

export function startShape(mode: string, args: string[] = [], ready?: RegExp): Promise<PythonProcess> {
  return startPython(FIXTURE, [mode, ...args], ready);
}

export function killAll(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Samples a target until the duration ends (or the run stops by itself) and returns the run. */
export async function sample(
  target: MonitorTarget,
  options: { interval: number; duration: number },
): Promise<{ run: MonitorRun; sampler: Sampler; wallSeconds: number }> {
  const sampler = Sampler.forTarget(target, {
    intervalSeconds: options.interval,
    durationSeconds: options.duration,
  });
  const t0 = performance.now();
  await sampler.start();
  await sampler.done;
  return { run: sampler.run, sampler, wallSeconds: (performance.now() - t0) / 1000 };
}

/**
 * No sample lost: every scheduled slot over the time sampled holds a sample, a failed read, or is
 * accounted for as missed (the machine was too busy to take it); times strictly increase, and the
 * total at each tick is the sum of its processes. The other helpers share this 2-core machine, so
 * slots may be missed; a third of them missed would mean something is wrong with the sampler.
 */
export function assertNoSamplesLost(run: MonitorRun, interval: number): void {
  const samples = run.samples;
  if (samples.length === 0) throw new Error('no samples at all');
  const span = samples[samples.length - 1].t - samples[0].t;
  const slots = Math.round(span / interval) + 1;
  const failed = run.errors.filter((e) => !e.fatal).length;
  const accounted = samples.length + run.missedSlots + failed;
  if (Math.abs(accounted - slots) > 1) {
    throw new Error(
      `${slots} slots over ${span} s at ${interval} s, but ${samples.length} samples + ${run.missedSlots} missed + ${failed} failed`,
    );
  }
  if (run.missedSlots > slots / 3) throw new Error(`${run.missedSlots} of ${slots} slots missed`);
  for (let i = 1; i < samples.length; i++) {
    if (!(samples[i].t > samples[i - 1].t)) throw new Error(`sample times not increasing at ${i}`);
  }
  const ticks = new Set(samples.map((s) => s.t));
  for (const p of run.processes) {
    for (const s of p.samples)
      if (!ticks.has(s.t)) throw new Error(`PID ${p.pid} has a sample off the ticks`);
  }
  for (const s of samples) {
    const parts = run.processes.flatMap((p) => p.samples.filter((x) => x.t === s.t));
    const sum = parts.reduce((a, x) => a + x.rss, 0);
    if (sum !== s.rss) throw new Error(`total ${s.rss} at t=${s.t} is not the sum of its processes (${sum})`);
  }
}
