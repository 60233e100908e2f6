// How the editor finds the probe of a process started by `leak-lens run` from its PID: the run
// writes `<pid>.json` ({url, pid, runDir, …}) in a per-user folder of the temp dir; the run folder
// holds one `<pid>.json` per probed Python process (workers included).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunRecord {
  version: 1;
  /** PID of the command `leak-lens run` started. */
  pid: number;
  /** PID of `leak-lens run` itself. */
  runnerPid: number;
  url: string;
  command: string;
  runDir: string;
  tokenRequired: boolean;
}

export interface ProcessRecord {
  pid: number;
  ppid: number;
  port: number;
  command: string;
  startedAt: number;
}

export function discoveryDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `leak-lens-runs-${uid}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeRunRecord(record: RunRecord): string {
  const dir = discoveryDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${record.pid}.json`);
  writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
  return file;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The probed processes of a run (stale records of exited processes are removed). */
export function listProcessRecords(runDir: string): ProcessRecord[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  const out: ProcessRecord[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const record = readJson<ProcessRecord>(join(runDir, name));
    if (!record || typeof record.port !== 'number') continue;
    if (!isAlive(record.pid)) {
      rmSync(join(runDir, name), { force: true });
      continue;
    }
    out.push(record);
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
}

/** Live runs of this user (records of finished runs are removed). */
export function listRuns(): RunRecord[] {
  const dir = discoveryDir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const name of names) {
    const record = readJson<RunRecord>(join(dir, name));
    if (!record || record.version !== 1) continue;
    if (!isAlive(record.runnerPid)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    out.push(record);
  }
  return out;
}

/** The run serving `pid`: started as the command, or one of its probed workers. */
export function findRunForPid(pid: number): RunRecord | undefined {
  const runs = listRuns();
  return (
    runs.find((r) => r.pid === pid || r.runnerPid === pid) ??
    runs.find((r) => listProcessRecords(r.runDir).some((p) => p.pid === pid))
  );
}
