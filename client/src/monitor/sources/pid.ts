// RSS of a process, and optionally of all its descendants, re-walked at every sample (workers are
// re-spawned). A process is named by PID *and* start time: PIDs are reused, and a new process
// behind the target's PID must not be read as the target. Threads share one address space and
// never appear as separate processes here.
import pidusage from 'pidusage';
import { errorCode, MonitorError } from '../errors';
import { findProcess, listParentPids } from '../processes';
import { descendantsOf, PROC_ROOT, readAllStats, readCommand, readMemory, readStat } from '../procfs';
import type { TargetInfo } from '../types';
import type { ProcessReading, Reading, SampleSource } from './source';

export interface PidSourceOptions {
  children?: boolean;
  backend?: 'auto' | 'procfs' | 'pidusage';
  /** Linux only, for tests. */
  procRoot?: string;
}

export function createPidSource(pid: number, options: PidSourceOptions = {}): SampleSource {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new MonitorError('bad-target', `Not a process ID: ${pid}. A PID is a positive whole number.`, true);
  }
  const backend = options.backend ?? 'auto';
  const useProcfs = backend === 'procfs' || (backend === 'auto' && process.platform === 'linux');
  return useProcfs
    ? new ProcfsSource(pid, !!options.children, options.procRoot ?? PROC_ROOT)
    : new PidusageSource(pid, !!options.children);
}

function exited(pid: number, how = 'has exited'): MonitorError {
  return new MonitorError('target-exited', `The target process (PID ${pid}) ${how}.`, true);
}

function notFound(pid: number): MonitorError {
  return new MonitorError(
    'no-such-process',
    `No process with PID ${pid} is running. Check the PID (e.g. \`pgrep -af python\`).`,
    true,
  );
}

class ProcfsSource implements SampleSource {
  target: TargetInfo;
  private startTime = -1;
  private readonly commands = new Map<string, string>();

  constructor(
    private readonly pid: number,
    private readonly children: boolean,
    private readonly root: string,
  ) {
    this.target = { kind: 'pid', pid, command: '' };
  }

  async open(): Promise<Reading> {
    const stat = readStat(this.pid, this.root);
    if (!stat) throw notFound(this.pid);
    if (stat.state === 'Z' || stat.state === 'X') throw exited(this.pid, 'has already exited (zombie)');
    this.startTime = stat.startTime;
    const command = readCommand(this.pid, this.root, stat.comm);
    this.commands.set(`${this.pid}:${stat.startTime}`, command);
    this.target = { kind: 'pid', pid: this.pid, command };
    return this.read();
  }

  async read(): Promise<Reading> {
    const stat = readStat(this.pid, this.root);
    if (!stat || stat.state === 'Z' || stat.state === 'X') throw exited(this.pid);
    if (stat.startTime !== this.startTime)
      throw exited(this.pid, 'has exited and its PID now belongs to another process');
    const rootMemory = readMemory(this.pid, this.root);
    if (!rootMemory) throw exited(this.pid);
    const processes: ProcessReading[] = [
      {
        key: `${this.pid}:${stat.startTime}`,
        pid: this.pid,
        ppid: stat.ppid,
        command: this.target.kind === 'pid' ? this.target.command : '',
        rss: rootMemory.rss,
        swap: rootMemory.swap,
        root: true,
      },
    ];
    const warnings: { key: string; message: string }[] = [];
    if (this.children) {
      for (const child of descendantsOf(this.pid, readAllStats(this.root))) {
        const key = `${child.pid}:${child.startTime}`;
        let memory: ReturnType<typeof readMemory>;
        try {
          memory = readMemory(child.pid, this.root);
        } catch (err) {
          warnings.push({ key, message: `PID ${child.pid}: ${(err as Error).message}` });
          continue;
        }
        if (!memory) continue; // exited between the listing and the read: its absence is tracked
        let command = this.commands.get(key);
        // Between fork() and exec() a child still shows its parent's command line: read it again
        // until it has become its own, or a worker would be listed as a copy of its parent.
        if (command === undefined || (this.target.kind === 'pid' && command === this.target.command)) {
          command = readCommand(child.pid, this.root, child.comm);
          this.commands.set(key, command);
        }
        processes.push({
          key,
          pid: child.pid,
          ppid: child.ppid,
          command,
          rss: memory.rss,
          swap: memory.swap,
          root: false,
        });
      }
    }
    return { processes, warnings };
  }

  close(): void {}
}

/** macOS, Windows, BSD: RSS through pidusage (working set on Windows), children through ps/CIM. */
class PidusageSource implements SampleSource {
  target: TargetInfo;
  private startMs = Number.NaN;
  private readonly commands = new Map<number, string>();

  constructor(
    private readonly pid: number,
    private readonly children: boolean,
  ) {
    this.target = { kind: 'pid', pid, command: '' };
  }

  async open(): Promise<Reading> {
    let stat: pidusage.Status;
    try {
      stat = await pidusage(this.pid);
    } catch (err) {
      throw this.mapError(err, true);
    }
    this.startMs = stat.timestamp - stat.elapsed;
    this.target = { kind: 'pid', pid: this.pid, command: await this.commandOf(this.pid) };
    this.commands.set(this.pid, this.target.command);
    return this.read();
  }

  async read(): Promise<Reading> {
    let family: { pid: number; ppid: number }[] = [];
    if (this.children) {
      try {
        family = descendantsOf(this.pid, await listParentPids());
      } catch {
        family = []; // listing failed this once: sample the target alone
      }
    }
    const pids = [this.pid, ...family.map((p) => p.pid)];
    const stats = await Promise.allSettled(pids.map((pid) => pidusage(pid)));
    const rootStat = stats[0];
    if (rootStat.status === 'rejected') throw this.mapError(rootStat.reason, false);
    // `elapsed` has whole-second resolution from ps: allow slack before calling it another process.
    if (Math.abs(rootStat.value.timestamp - rootStat.value.elapsed - this.startMs) > 2500) {
      throw exited(this.pid, 'has exited and its PID now belongs to another process');
    }
    const processes: ProcessReading[] = [];
    for (let i = 0; i < pids.length; i++) {
      const s = stats[i];
      if (s.status === 'rejected') continue;
      const start = Math.round((s.value.timestamp - s.value.elapsed) / 1000);
      processes.push({
        key: i === 0 ? `${this.pid}:root` : `${pids[i]}:${start}`,
        pid: pids[i],
        ppid: s.value.ppid,
        command: await this.commandOf(pids[i]),
        rss: s.value.memory,
        root: i === 0,
      });
    }
    return { processes };
  }

  close(): void {
    pidusage.clear();
  }

  private async commandOf(pid: number): Promise<string> {
    const known = this.commands.get(pid);
    if (known !== undefined) return known;
    let command = `PID ${pid}`;
    if (process.platform === 'linux') command = readCommand(pid);
    else {
      try {
        command = (await findProcess(pid))?.command ?? command;
      } catch {
        // a name is a nicety: keep the PID
      }
    }
    this.commands.set(pid, command);
    return command;
  }

  private mapError(err: unknown, atStart: boolean): MonitorError {
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'EACCES' || code === 'EPERM' || /denied/i.test(message)) {
      return new MonitorError(
        'permission-denied',
        `Permission denied reading PID ${this.pid}: it belongs to another user. Run Leak Lens as that user.`,
        true,
      );
    }
    if (code === 'ENOENT' || code === 'ESRCH' || /no matching pid/i.test(message)) {
      return atStart ? notFound(this.pid) : exited(this.pid);
    }
    return new MonitorError('io', `Cannot read PID ${this.pid}: ${message}`, true);
  }
}
