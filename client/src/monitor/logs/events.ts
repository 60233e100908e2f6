// Memory events in log lines: the kernel's OOM killer, Kubernetes OOMKilled / exit code 137,
// gunicorn's "Perhaps out of memory?" and worker timeouts, Celery's "exited by signal 9 (SIGKILL)",
// uWSGI's reload-on-rss and respawns, MemoryError tracebacks, "Cannot allocate memory", and the
// lines that say a worker (re)started. `start` lines become `restart` events only when something
// was logged before them (a first boot is not a restart).

export type EventKind = 'oom-kill' | 'worker-killed' | 'memory-error' | 'restart';

export interface EventMatch {
  kind: EventKind | 'start';
  /** The process the event is about (the victim of a kill, the worker that restarted). */
  pid?: number;
}

interface Pattern {
  kind: EventMatch['kind'];
  re: RegExp;
  /** Capture group holding the PID, if any. */
  pid?: number;
}

const PATTERNS: Pattern[] = [
  // Kernel: "Out of memory: Killed process 1234 (python3) total-vm:…", cgroup v1/v2 variants.
  { kind: 'oom-kill', re: /\bout of memory: Kill(?:ed)? process (\d+)/i, pid: 1 },
  { kind: 'oom-kill', re: /\bOOMKilled\b/ },
  // gunicorn arbiter: "Worker (pid:16) was sent SIGKILL! Perhaps out of memory?"
  { kind: 'worker-killed', re: /\bWorker \(pid:\s*(\d+)\) was sent SIGKILL/, pid: 1 },
  { kind: 'worker-killed', re: /\bWORKER TIMEOUT \(pid:\s*(\d+)\)/, pid: 1 },
  // Celery (billiard): "Process 'ForkPoolWorker-2' pid:1234 exited with 'signal 9 (SIGKILL)'".
  { kind: 'worker-killed', re: /\bpid:\s*(\d+) exited with 'signal 9 \(SIGKILL\)'/, pid: 1 },
  { kind: 'worker-killed', re: /\bWorker exited prematurely: signal 9 \(SIGKILL\)/ },
  // Kubernetes / Docker: "Exit Code: 137", "exitCode":137, "exited with code 137".
  {
    kind: 'worker-killed',
    re: /\b(?:exit[ _]?code|exitcode|exited with (?:exit )?code|exit status)["']?\s*[:=]?\s*137\b/i,
  },
  // uWSGI recycling a worker for its RSS, and respawning one.
  { kind: 'restart', re: /\breload[-_]on[-_]rss\b/i },
  { kind: 'restart', re: /\bRespawned uWSGI worker \d+ \(new pid: (\d+)\)/, pid: 1 },
  // gunicorn max_requests: "Autorestarting worker after current request." (the worker's own PID).
  { kind: 'restart', re: /\bAutorestarting worker after current request/ },
  { kind: 'restart', re: /\bBack-off restarting failed container\b/ },
  { kind: 'restart', re: /\bScheduled restart job, restart counter is at \d+/ },
  // A process (re)starting: uvicorn, gunicorn worker boot.
  { kind: 'start', re: /\bStarted server process \[(\d+)\]/, pid: 1 },
  { kind: 'start', re: /\bBooting worker with pid: (\d+)/, pid: 1 },
  { kind: 'memory-error', re: /\bCannot allocate memory\b|\bENOMEM\b/ },
];

// "MemoryError" as an exception raised (a traceback's last line, a logged repr), not code that
// mentions it (`raise MemoryError`, `except MemoryError:`).
const MEMORY_ERROR = /\bMemoryError\b/;
const MEMORY_ERROR_CODE = /\b(?:raise|except)\b[^\n]*\bMemoryError\b/;

/** Cheap pre-check: most lines of a large log mention none of these words. */
const ANY =
  /memory|oom|SIGKILL|TIMEOUT|137|restart|uWSGI|pid:|server process|Booting worker|ENOMEM|reload|signal 9/i;

export function matchEvent(line: string): EventMatch | undefined {
  if (!ANY.test(line)) return undefined;
  for (const p of PATTERNS) {
    const m = p.re.exec(line);
    if (m) return { kind: p.kind, pid: p.pid ? Number(m[p.pid]) : undefined };
  }
  if (MEMORY_ERROR.test(line) && !MEMORY_ERROR_CODE.test(line)) return { kind: 'memory-error' };
  return undefined;
}
