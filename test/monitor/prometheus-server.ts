// A real Prometheus server for the tests (Debian's `prometheus` package: the server and promtool;
// `.ci/run` installs it). Started on a free loopback port with its own data folder, polled until
// ready, killed after the suite. `backfill` writes series into a data folder with promtool before
// the server starts, so a test knows exactly what the server holds.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** Why the Prometheus tests cannot run here, or undefined when they can. */
export function prometheusMissing(): string | undefined {
  for (const tool of [PROMETHEUS, PROMTOOL]) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0)
      return `${tool} is not installed (apt-get install prometheus; .ci/run installs it): the tests against a real Prometheus are skipped`;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes OpenMetrics text into TSDB blocks under `dataDir` (promtool tsdb create-blocks-from). */
export function backfill(dataDir: string, openMetrics: string): void {
  const file = join(dataDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  writeFileSync(file, openMetrics);
  try {
    const r = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], {
      encoding: 'utf8',
      timeout: 120000,
    });
    if (r.status !== 0) throw new Error(`promtool backfill failed: ${r.stderr || r.stdout || r.error}`);
  } finally {
    rmSync(file, { force: true });
  }
}

async function waitReady(
  url: string,
  child: ChildProcess,
  log: () => string,
  headers?: Record<string, string>,
) {
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000), headers });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prometheus did not get ready within 90 s: ${log()}`);
}

/** Starts Prometheus with `config` (YAML) on a free port; resolves once /-/ready answers. */
export async function startPrometheus(
  config: string,
  opts: { dataDir?: string; webConfig?: string; readyHeaders?: Record<string, string>; port?: number } = {},
): Promise<RunningPrometheus> {
  const dir = tempDir('leak-lens-prom-');
  const dataDir = opts.dataDir ?? join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    '--storage.tsdb.retention.time=30d',
    '--log.level=warn',
  ];
  if (opts.webConfig) {
    const webFile = join(dir, 'web.yml');
    writeFileSync(webFile, opts.webConfig);
    args.push(`--web.config.file=${webFile}`);
  }
  let lastError: unknown;
  // A free port can be taken between our check and Prometheus binding it: try a few.
  for (let attempt = 0; attempt < (opts.port ? 1 : 3); attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(PROMETHEUS, [...args, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitReady(url, child, () => stderr, opts.readyHeaders);
      return {
        url,
        dataDir,
        child,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 10000);
          await exited;
          clearTimeout(t);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      await exited;
      if (!/address already in use/i.test(stderr)) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
