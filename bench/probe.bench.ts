// Overhead of the Python probe (issue 10): the same app under the same load (100 requests/s over
// keep-alive connections), once plainly and once through `leak-lens run`. Prints the app's CPU
// (percent of one core) and resident memory in both runs, and what the probe adds; the targets
// are < 5 % CPU at 100 requests/s and < 5 MB of the probe's own memory.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const RATE = Number(process.env.PROBE_BENCH_RATE ?? 100);
const WARMUP_S = Number(process.env.PROBE_BENCH_WARMUP ?? 15);
const MEASURE_S = Number(process.env.PROBE_BENCH_SECONDS ?? 40);
const CLOCK_TICKS = 100; // USER_HZ on Linux
const fastapi =
  spawnSync('/usr/bin/python3', ['-c', 'import fastapi, uvicorn'], { stdio: 'ignore' }).status === 0;
const PYTHON = fastapi ? '/usr/bin/python3' : 'python3';
const APP = [
  join(ROOT, 'examples', 'healthy_app.py'),
  '--port',
  '0',
  '--impl',
  fastapi ? 'fastapi' : 'stdlib',
];
const children: ChildProcess[] = [];

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function start(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ pid: number; url: string; probe?: string }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const check = () => {
      const app = /PID (\d+) listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const probe = /probe on (http:\/\/127\.0\.0\.1:\d+)/.exec(err)?.[1];
      if (app && (command === PYTHON || probe)) resolve({ pid: Number(app[1]), url: app[2], probe });
    };
    child.stdout?.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr?.on('data', (d) => {
      err += d;
      check();
    });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${err}`)));
  });
}

/** GETs at `RATE` per second (up to 16 keep-alive connections) until stopped; counts the answers. */
function load(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let answered = 0;
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < RATE / 20; i++) {
      const req = request(`${url}/items/${n++ % 1000}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => answered++);
      });
      req.on('error', () => {});
      req.end();
    }
  }, 50);
  return {
    get answered() {
      return answered;
    },
    stop() {
      clearInterval(timer);
      agent.destroy();
    },
  };
}

async function measure(label: string, withProbe: boolean, env: NodeJS.ProcessEnv = {}) {
  const app = withProbe
    ? await start(process.execPath, [
        join(ROOT, 'dist', 'cli.js'),
        'run',
        '--port',
        '0',
        '--',
        PYTHON,
        ...APP,
      ])
    : await start(PYTHON, APP, env);
  const traffic = load(app.url);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const ticks0 = cpuTicks(app.pid);
  const answered0 = traffic.answered;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = ((cpuTicks(app.pid) - ticks0) / CLOCK_TICKS / seconds) * 100;
  const rate = (traffic.answered - answered0) / seconds;
  const rss = rssBytes(app.pid);
  let probe: { probeBytes?: number; tracedBytes?: number } = {};
  if (app.probe) {
    const doc = await (await fetch(`${app.probe}/api/debug/memory/snapshot`)).json();
    probe = (doc as { processes: { probeBytes: number; tracedBytes: number }[] }).processes[0];
  }
  traffic.stop();
  for (const c of children.splice(0)) c.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 1500));
  console.log(
    `${label.padEnd(12)} ${rate.toFixed(0).padStart(4)} req/s answered   CPU ${cpu.toFixed(1).padStart(5)} % of a core   RSS ${(rss / 2 ** 20).toFixed(1)} MB` +
      (probe.probeBytes !== undefined
        ? `   (tracemalloc's own ${(probe.probeBytes / 2 ** 20).toFixed(2)} MB, traced ${((probe.tracedBytes ?? 0) / 2 ** 20).toFixed(1)} MB)`
        : ''),
  );
  return { cpu, rss, rate };
}

async function main() {
  console.log(
    `examples/healthy_app.py (${fastapi ? 'FastAPI + uvicorn' : 'http.server'}), ${RATE} requests/s target, ${WARMUP_S} s warm-up, ${MEASURE_S} s measured, same load both runs`,
  );
  const plain = await measure('without', false);
  // tracemalloc alone (PYTHONTRACEMALLOC=1, from start-up): what tracing every allocation costs,
  // whoever starts it; the probe adds its snapshots, collections and counts to that.
  const tracing = await measure('tracemalloc', false, { PYTHONTRACEMALLOC: '1' });
  const probed = await measure('with probe', true);
  const cpuPoints = probed.cpu - plain.cpu;
  const memory = (probed.rss - plain.rss) / 2 ** 20;
  console.log(
    `probe overhead: CPU ${cpuPoints >= 0 ? '+' : ''}${cpuPoints.toFixed(1)} percentage points of a core (${((cpuPoints / plain.cpu) * 100).toFixed(0)} % more than without; target < 5)`,
  );
  console.log(`probe memory:   ${memory >= 0 ? '+' : ''}${memory.toFixed(1)} MB of RSS (target < 5)`);
  console.log(
    `of which tracemalloc alone: CPU +${(tracing.cpu - plain.cpu).toFixed(1)} points, RSS ${((tracing.rss - plain.rss) / 2 ** 20).toFixed(1)} MB (traced from start-up)`,
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
  });
