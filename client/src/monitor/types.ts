// The data a monitoring run collects. Plain JSON-friendly objects: the panel keeps them across
// reloads, the CLI exports them, the analysis reads them.

/** One reading: seconds since the run's first sample, bytes. */
export interface Sample {
  t: number;
  rss: number;
  /** Swapped-out bytes (Linux `VmSwap`), when known: RSS leaves these out, so a leak can hide there. */
  swap?: number;
}

/** Which of the two kinds of target a run watches. */
export type MonitorTarget =
  | {
      pid: number;
      /** Follow the target's descendants (re-walked at every sample). */
      children?: boolean;
      /** `procfs` (Linux), `pidusage` (elsewhere, or forced for tests); `auto` picks. */
      backend?: 'auto' | 'procfs' | 'pidusage';
    }
  | {
      /** A Prometheus text endpoint exposing `process_resident_memory_bytes`. */
      url: string;
      /** Per-request timeout (default 5 s). */
      timeoutSeconds?: number;
    };

/** What is being watched, as described to a human and in the JSON output. */
export type TargetInfo = { kind: 'pid'; pid: number; command: string } | { kind: 'url'; url: string };

/** The RSS series of one process (or one labelled series of a metrics page). */
export interface ProcessSeries {
  /** Unique within the run: `pid:starttime` (a reused PID makes a new series), or a label set. */
  id: string;
  pid?: number;
  ppid?: number;
  command: string;
  /** The target itself (as opposed to a followed child). */
  root: boolean;
  /** t of its first sample. */
  firstT: number;
  /** t of the first sample it was missing from, once it exited. */
  exitedT?: number;
  samples: Sample[];
}

export interface RunError {
  t: number;
  code: string;
  message: string;
  /** Whether it ended the run. */
  fatal: boolean;
}

export type StopReason = 'duration' | 'stopped' | 'target-exited' | 'error';

export interface StopInfo {
  reason: StopReason;
  /** Why, for a human (absent for a plain duration end or stop()). */
  message?: string;
  /** Seconds since the first sample (0 when the run never started). */
  t: number;
}

/** Everything a run has collected. `samples` is the total (the sum over processes) per tick. */
export interface MonitorRun {
  target: TargetInfo;
  followChildren: boolean;
  intervalSeconds: number;
  /** Epoch milliseconds of the first sample. */
  startedAt?: number;
  samples: Sample[];
  processes: ProcessSeries[];
  errors: RunError[];
  /**
   * Scheduled samples that were skipped because the host was too busy to take them in time (a
   * read or the event loop ran later than a whole interval). Pauses do not count.
   */
  missedSlots: number;
  stop?: StopInfo;
}
