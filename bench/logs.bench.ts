// `leak-lens analyze-logs` on generated logs of 100 MB and 1 GB (LEAK_LENS_LOG_BENCH_MB changes
// the larger size): throughput and the CLI process's peak RSS (VmHWM), which must stay about the
// same for both sizes — the log is streamed and long series are thinned. Figures only: it never
// fails. The log mixes gunicorn lines (memory figures of 8 workers, kills, boots) with access
// lines that carry no figure, as a busy service's log does.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

async function generate(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let t = Date.parse('2024-05-01T00:00:00Z') / 1000;
  let lines = 0;
  const rss = new Array(8).fill(0).map(() => 120);
  while (written < bytes) {
    const parts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      t += 0.05;
      const stamp = new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
      const w = lines % 8;
      if (lines % 10 === 0) {
        rss[w] += 0.01;
        parts.push(`[${stamp} +0000] [${100 + w}] [INFO] memory: ${rss[w].toFixed(2)} MiB`);
      } else if (lines % 200003 === 7) {
        parts.push(
          `[${stamp} +0000] [1] [ERROR] Worker (pid:${100 + w}) was sent SIGKILL! Perhaps out of memory?`,
        );
      } else {
        parts.push(
          `[${stamp} +0000] [${100 + w}] [INFO] 10.0.0.${lines % 250} - - "GET /api/items/${lines} HTTP/1.1" 200 512 "-" "python-requests/2.31"`,
        );
      }
      lines++;
    }
    const chunk = `${parts.join('\n')}\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return lines;
}

function hwm(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function run(file: string): Promise<{ seconds: number; peak: number; verdict: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'analyze-logs', file, '--format', 'json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, hwm(child.pid as number) ?? 0);
  }, 100);
  await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const seconds = (performance.now() - t0) / 1000;
  let verdict = '?';
  try {
    verdict = JSON.parse(out).verdict;
  } catch {
    verdict = `no JSON (${out.slice(0, 80)})`;
  }
  return { seconds, peak, verdict };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-logs-bench-'));
  try {
    const large = Number(process.env.LEAK_LENS_LOG_BENCH_MB ?? 1024);
    for (const mb of [100, large]) {
      const file = join(dir, `gen-${mb}.log`);
      const lines = await generate(file, mb * 2 ** 20);
      const size = statSync(file).size;
      const r = await run(file);
      console.log(
        `${(size / 2 ** 20).toFixed(0)} MB, ${lines} lines: ${r.seconds.toFixed(1)} s (${(size / 2 ** 20 / r.seconds).toFixed(0)} MB/s), peak RSS of the CLI ${(r.peak / 2 ** 20).toFixed(0)} MB, verdict ${r.verdict}`,
      );
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
