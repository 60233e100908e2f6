// What the sampler asks of a target: read the RSS of each watched process, now.
import type { TargetInfo } from '../types';

export interface ProcessReading {
  /** Stable identity of the process across samples (`pid:starttime`, or a label set). */
  key: string;
  pid?: number;
  ppid?: number;
  command: string;
  rss: number;
  swap?: number;
  /** The target itself, not a child. */
  root: boolean;
}

export interface Reading {
  processes: ProcessReading[];
  /** Problems that did not stop the reading (a child we may not read…), reported once each. */
  warnings?: { key: string; message: string }[];
}

export interface SampleSource {
  readonly target: TargetInfo;
  /**
   * Checks the target and takes the first reading. Throws a MonitorError when the target cannot be
   * watched (no such PID, refused URL…).
   */
  open(): Promise<Reading>;
  /** Throws a MonitorError; code `target-exited` ends the run without being a failure of ours. */
  read(): Promise<Reading>;
  /** Releases what the source holds (pidusage's cache). Safe to call twice. */
  close(): void;
}
