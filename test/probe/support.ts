// Helpers for the probe tests: real Python processes (apps with the probe, `leak-lens run`), a
// steady keep-alive load, and polling for what the probe says. Every process started here is
// killed after the suite (its whole process group).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(__dirname, '..', '..');
export const PROBE_ROOT = join(ROOT, 'probe');
export const FIXTURES = join(__dirname, 'fixtures');
export const CLI = join(ROOT, 'dist', 'cli.js');
/** The leading keys of `leak-lens detect --format json`: the /leaks contract. */
export const DETECT_KEYS = [
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
/** Python 3 from PATH (pyenv's 3.11 here; Debian's on CI). */
export const PYTHON = process.env.PYTHON ?? 'python3';
/** Debian's interpreter, which has FastAPI and uvicorn (python3-fastapi, python3-uvicorn). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export function pythonHas(python: string, modules: string[]): boolean {
  const res = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
  return res.status === 0;
}

/** 1-based number of the line of `file` marked with `marker`. */
export function markedLine(file: string, marker = '# LEAK-LINE'): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker));
  if (index < 0) throw new Error(`${file} has no ${marker}`);
  return index + 1;
}

export interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Spawns a command in its own process group and collects its output lines. */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = ROOT,
): Started {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, LEAK_LENS_PROBE_PATH: PROBE_ROOT, PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

/** Waits until a line of `lines` matches; returns the match. Fails if the process exits first. */
export async function waitForLine(
  proc: Started,
  pattern: RegExp,
  which: 'stdout' | 'stderr' = 'stdout',
  timeoutMs = 60000,
): Promise<RegExpMatchArray> {
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => {
    exitCode = c;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of proc[which]) {
      const m = line.match(pattern);
      if (m) return m;
    }
    if (exitCode !== undefined)
      throw new Error(`exited with ${exitCode} before printing ${pattern}:\n${proc.stderr.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${proc.stderr.join('\n')}`);
    await sleep(100);
  }
}

/** Starts a fixture app and resolves with its port once it printed "ready <port>". */
export async function startApp(python: string, script: string, env: NodeJS.ProcessEnv = {}) {
  const proc = startProcess(python, [join(FIXTURES, script)], env);
  const m = await waitForLine(proc, /^ready (\d+)$/);
  return { ...proc, port: Number(m[1]) };
}

export function killAll(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface HttpAnswer {
  status: number;
  body: string;
  type: string;
}

export function http(
  url: string,
  options: { method?: string; token?: string; agent?: Agent } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const req = request(
      url,
      { method: options.method ?? 'GET', headers, agent: options.agent, timeout: 20000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T = Record<string, unknown>>(url: string, token?: string): Promise<T> {
  const answer = await http(url, { token });
  if (answer.status !== 200) throw new Error(`${url}: HTTP ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as T;
}

/**
 * Sends GET requests to `paths()` at about `perSecond`, one at a time over a keep-alive
 * connection (as a client behind a load balancer does). Returns a function that stops it and
 * resolves with the number of requests answered.
 */
export function load(base: string, paths: (n: number) => string, perSecond = 20): () => Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let n = 0;
  let answered = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = Date.now();
      try {
        await http(`${base}${paths(n++)}`, { agent });
        answered++;
      } catch {
        // a busy moment; the next request tries again
      }
      await sleep(Math.max(0, 1000 / perSecond - (Date.now() - t)));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    agent.destroy();
    return answered;
  };
}

/** Polls `probe()` every second until `done(value)` holds; returns the last value either way. */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (done(last)) return { value: last, ok: true };
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) return { value: last, ok: false };
    await sleep(1000);
  }
}
