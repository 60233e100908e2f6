// Running processes for the target quick pick, Python servers first, with their command lines.
// Linux reads /proc. No maintained CommonJS library lists processes with full command lines and
// parent PIDs on macOS and Windows (ps-list is ESM-only and has no command lines on Windows), so
// there `ps` and PowerShell's Win32_Process are asked directly, with small tested parsers.
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { PROC_ROOT, readAllStats, readCommand, readMemory } from './procfs';

const execFileAsync = promisify(execFile);

export type ProcessKind = 'uvicorn' | 'gunicorn' | 'celery' | 'python' | 'other';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Executable name. */
  name: string;
  /** Full command line (the name when the system does not give one). */
  command: string;
  kind: ProcessKind;
  /** Resident memory in bytes, when the listing gives it. */
  rssBytes?: number;
}

const KIND_ORDER: Record<ProcessKind, number> = { uvicorn: 0, gunicorn: 0, celery: 0, python: 1, other: 2 };

/** Python application servers first, then other Python processes. */
export function classifyCommand(command: string, name = ''): ProcessKind {
  const server = /(?:^|[\s/\\:[])(uvicorn|gunicorn|celery)(?:$|[\s:.\]])/i.exec(command);
  if (server) return server[1].toLowerCase() as ProcessKind;
  // argv[0] may be quoted (Windows paths with spaces) and use either slash.
  const quoteEnd = command.indexOf('"', 1);
  const first = command.startsWith('"')
    ? command.slice(1, quoteEnd < 0 ? undefined : quoteEnd)
    : command.split(/\s+/, 1)[0];
  const argv0 = (first ?? '').split(/[\\/]/).pop()?.toLowerCase() ?? '';
  const isPython = (s: string) => /^(python|pypy)[\d.]*(w|\.exe|w\.exe)?$/.test(s);
  return isPython(argv0) || isPython(name.toLowerCase()) ? 'python' : 'other';
}

/** Sort for the quick pick: servers, then Python, then the rest; parents (lower PIDs) first. */
export function sortForPicking(list: ProcessInfo[]): ProcessInfo[] {
  return [...list].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.pid - b.pid);
}

export interface ListOptions {
  /** Keep every process, not only Python ones (default true: the quick pick also accepts any PID). */
  all?: boolean;
  /** Linux only, for tests. */
  procRoot?: string;
}

export async function listProcesses(options: ListOptions = {}): Promise<ProcessInfo[]> {
  let list: ProcessInfo[];
  if (process.platform === 'linux') list = listLinux(options.procRoot ?? PROC_ROOT);
  else if (process.platform === 'win32') list = parseWindowsProcesses(await runPowerShellProcessQuery());
  else list = parsePsOutput((await execFileAsync('ps', ['-A', '-ww', '-o', 'pid=,ppid=,rss=,args='])).stdout);
  list = list.filter((p) => p.pid !== process.pid);
  if (options.all === false) list = list.filter((p) => p.kind !== 'other');
  return sortForPicking(list);
}

/** One process by PID, or undefined when it does not exist. */
export async function findProcess(pid: number, procRoot = PROC_ROOT): Promise<ProcessInfo | undefined> {
  if (process.platform === 'linux') return listLinux(procRoot, pid)[0];
  return (await listProcesses()).find((p) => p.pid === pid);
}

function listLinux(root: string, only?: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const stat of readAllStats(root)) {
    if (only !== undefined && stat.pid !== only) continue;
    let rss: number | undefined;
    try {
      rss = readMemory(stat.pid, root)?.rss;
    } catch {
      rss = undefined;
    }
    // Kernel threads have no memory of their own and no command line.
    if (rss === undefined && (stat.ppid === 2 || stat.pid === 2)) continue;
    const command = readCommand(stat.pid, root, stat.comm);
    out.push({
      pid: stat.pid,
      ppid: stat.ppid,
      name: stat.comm,
      command,
      kind: classifyCommand(command, stat.comm),
      rssBytes: rss,
    });
  }
  return out;
}

/** Parses `ps -A -ww -o pid=,ppid=,rss=,args=` (macOS, BSD). RSS is in KiB. */
export function parsePsOutput(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*\S)\s*$/.exec(line);
    if (!m) continue;
    const command = m[4];
    const name = basename(command.split(/\s+/, 1)[0]);
    out.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      name,
      command,
      kind: classifyCommand(command, name),
      rssBytes: Number(m[3]) * 1024,
    });
  }
  return out;
}

const WINDOWS_QUERY =
  'Get-CimInstance -ClassName Win32_Process | Select-Object ProcessId,ParentProcessId,Name,CommandLine,WorkingSetSize | ConvertTo-Json -Compress';

async function runPowerShellProcessQuery(): Promise<string> {
  const { stdout } = await execFileAsync(
    'powershell.exe',
    ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_QUERY],
    {
      maxBuffer: 64 * 1024 * 1024,
      windowsHide: true,
    },
  );
  return stdout;
}

/** Parses the JSON of `Win32_Process` rows (one object or an array). */
export function parseWindowsProcesses(json: string): ProcessInfo[] {
  const text = json.trim();
  if (!text) return [];
  const parsed: unknown = JSON.parse(text);
  const rows = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  const out: ProcessInfo[] = [];
  for (const row of rows) {
    const pid = Number(row.ProcessId);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const name = typeof row.Name === 'string' ? row.Name : '';
    const command = typeof row.CommandLine === 'string' && row.CommandLine ? row.CommandLine : name;
    const rss = Number(row.WorkingSetSize);
    out.push({
      pid,
      ppid: Number(row.ParentProcessId) || 0,
      name,
      command,
      kind: classifyCommand(command, name),
      rssBytes: Number.isFinite(rss) ? rss : undefined,
    });
  }
  return out;
}

/** PID → parent PID for every process, on systems without /proc (children following). */
export async function listParentPids(): Promise<{ pid: number; ppid: number }[]> {
  if (process.platform === 'win32') return parseWindowsProcesses(await runPowerShellProcessQuery());
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=']);
  const out: { pid: number; ppid: number }[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]) });
  }
  return out;
}
