// Cost of the runtime monitor (`leak-lens detect`, the memory panel): the CPU the sampler itself
// spends per sample for each kind of target, a real 1 Hz run (the budget: under 1 % of a
// core), and the analysis of long runs (the panel re-judges live). Targets are real Python processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { analyzeMonitorRun } from '../client/src/monitor/detect';
import { listPids } from '../client/src/monitor/procfs';
import { Sampler } from '../client/src/monitor/sampler';
import type { MonitorRun, MonitorTarget } from '../client/src/monitor/types';

const FIXTURE = join(__dirname, '..', 'test', 'monitor', 'fixtures', 'memshape.py');
const children: ChildProcess[] = [];

function start(mode: string, args: string[], ready: RegExp): Promise<{ pid: number; lines: string[] }> {
  const child = spawn(process.env.PYTHON ?? 'python3', [FIXTURE, mode, '--tick', '0.2', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (ready.test(line)) resolve({ pid: child.pid as number, lines });
    });
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** CPU milliseconds per sample, sampling as fast as `intervalSeconds` allows for `count` samples. */
async function perSample(target: MonitorTarget, count: number, intervalSeconds = 0.02): Promise<number> {
  const sampler = Sampler.forTarget(target, {
    intervalSeconds,
    durationSeconds: intervalSeconds * (count - 1),
  });
  const before = process.cpuUsage();
  await sampler.start();
  await sampler.done;
  return cpuMs(before) / sampler.run.samples.length;
}

function pct(msPerSecond: number): string {
  return `${((msPerSecond / 1000) * 100).toFixed(3)} % of a core`;
}

function syntheticRun(seconds: number): MonitorRun {
  const samples = Array.from({ length: seconds + 1 }, (_, t) => ({
    t,
    rss: Math.round((200 + (t % 60) * 0.5 + t / 600 + Math.sin(t) * 0.3) * 1024 * 1024),
  }));
  return {
    target: { kind: 'pid', pid: 1, command: 'synthetic' },
    followChildren: false,
    intervalSeconds: 1,
    samples,
    processes: [{ id: '1', pid: 1, command: 'synthetic', root: true, firstT: 0, samples }],
    errors: [],
    missedSlots: 0,
  };
}

async function main(): Promise<void> {
  const single = await start('flat', [], /^ready$/);
  const tree = await start('workers', ['--rate', '0'], /^workers /);
  const metrics = await start('metrics', [], /^port \d+$/);
  const port = /port (\d+)/.exec(metrics.lines.join('\n'))?.[1];
  const machineProcesses = listPids().length;

  console.log('Sampler CPU per sample (client side; 200 samples each):');
  const rows: [string, MonitorTarget][] = [
    ['PID, /proc', { pid: single.pid }],
    [`PID + children, /proc (walks all ${machineProcesses} processes)`, { pid: tree.pid, children: true }],
    ['PID, pidusage backend', { pid: single.pid, backend: 'pidusage' }],
    ['Prometheus URL (local HTTP)', { url: `http://127.0.0.1:${port}/metrics/` }],
  ];
  for (const [name, target] of rows) {
    const ms = await perSample(target, 200);
    console.log(`  ${name.padEnd(52)} ${ms.toFixed(3)} ms/sample -> ${pct(ms)} at 1 Hz`);
  }

  // process.cpuUsage counts every thread of the process, V8's compiler and GC helpers included:
  // the first samples pay for compiling the sampler, so steady state is reported apart.
  const seconds = Number(process.env.LEAK_LENS_BENCH_SECONDS ?? 30);
  const warmSamples = 10;
  const sampler = Sampler.forTarget(
    { pid: tree.pid, children: true },
    { intervalSeconds: 1, durationSeconds: seconds },
  );
  const before = process.cpuUsage();
  const wall = performance.now();
  let steadyCpu: NodeJS.CpuUsage | undefined;
  let steadyWall = 0;
  sampler.on('sample', () => {
    if (sampler.run.samples.length === warmSamples) {
      steadyCpu = process.cpuUsage();
      steadyWall = performance.now();
    }
  });
  await sampler.start();
  await sampler.done;
  const end = performance.now();
  const used = cpuMs(before);
  const steady = steadyCpu ? (cpuMs(steadyCpu) / (end - steadyWall)) * 1000 : Number.NaN;
  console.log(
    `Real 1 Hz run, PID + children (${sampler.run.processes.length} processes), ${sampler.run.samples.length} samples over ${((end - wall) / 1000).toFixed(1)} s:\n` +
      `  whole run ${pct((used / (end - wall)) * 1000)}; after the first ${warmSamples} samples ${pct(steady)} (budget: 1 %)`,
  );

  console.log('Analysis of a whole run (the panel re-judges at every sample):');
  for (const hours of [1, 8]) {
    const run = syntheticRun(hours * 3600);
    analyzeMonitorRun(run); // warm the JIT
    const t0 = performance.now();
    const rounds = 5;
    for (let i = 0; i < rounds; i++) analyzeMonitorRun(run);
    console.log(
      `  ${hours} h at 1 Hz (${run.samples.length} samples): ${((performance.now() - t0) / rounds).toFixed(1)} ms`,
    );
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
  });
