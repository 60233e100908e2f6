// The last run, kept across window reloads (in the workspace's storage). Samples are stored as
// [t, rss] pairs, which halves the size of hours of 1 s samples. What comes back from storage is
// checked: a file from another version or a corrupted entry is dropped, never half-used.
import type { MonitorRun, MonitorTarget, RunError, Sample, StopInfo, TargetInfo } from '../monitor/types';
import type { PanelState } from './protocol';
import { MonitorSession, type SessionConfig } from './session';

export const PERSIST_VERSION = 1;

/**
 * While sampling, the run is saved at most this often: a reload loses at most that much (the
 * extension host is not given time to save on its way down). Longer runs cost more to write, so
 * the gap grows with them: 3 s at first, 39 s after ten hours of 1 s samples.
 */
export function persistGapMs(samples: number): number {
  return 3000 + samples;
}

type Packed = [number, number] | [number, number, number];

interface PackedSeries {
  id: string;
  pid?: number;
  ppid?: number;
  command: string;
  root: boolean;
  firstT: number;
  exitedT?: number;
  samples: Packed[];
}

export interface PersistedSession {
  version: typeof PERSIST_VERSION;
  id: string;
  config: SessionConfig;
  /** The session's state when it was saved. */
  state: PanelState;
  savedAt: number;
  run: {
    target: TargetInfo;
    followChildren: boolean;
    intervalSeconds: number;
    startedAt?: number;
    samples: Packed[];
    processes: PackedSeries[];
    errors: RunError[];
    missedSlots: number;
    stop?: StopInfo;
  };
}

function pack(s: Sample): Packed {
  return s.swap !== undefined ? [s.t, s.rss, s.swap] : [s.t, s.rss];
}

function unpack(p: Packed): Sample {
  return p.length > 2 ? { t: p[0], rss: p[1], swap: p[2] } : { t: p[0], rss: p[1] };
}

export function persistSession(session: MonitorSession, now = Date.now()): PersistedSession {
  const run = session.run;
  return {
    version: PERSIST_VERSION,
    id: session.id,
    config: session.config,
    state: session.state,
    savedAt: now,
    run: {
      target: run.target,
      followChildren: run.followChildren,
      intervalSeconds: run.intervalSeconds,
      startedAt: run.startedAt,
      samples: run.samples.map(pack),
      processes: run.processes.map((p) => ({ ...p, samples: p.samples.map(pack) })),
      errors: run.errors,
      missedSlots: run.missedSlots,
      stop: run.stop,
    },
  };
}

/**
 * A session from storage, or undefined when the entry is not a valid saved run. A run that was
 * still sampling when the window went away gets a stop reason saying so.
 */
export function restoreSession(value: unknown): MonitorSession | undefined {
  if (!isPersisted(value)) return undefined;
  const r = value.run;
  const run: MonitorRun = {
    target: r.target,
    followChildren: r.followChildren,
    intervalSeconds: r.intervalSeconds,
    startedAt: r.startedAt,
    samples: r.samples.map(unpack),
    processes: r.processes.map((p) => ({ ...p, samples: p.samples.map(unpack) })),
    errors: r.errors,
    missedSlots: r.missedSlots,
    stop: r.stop,
  };
  if (!run.stop) {
    const last = run.samples[run.samples.length - 1];
    run.stop = { reason: 'stopped', message: 'the window was reloaded', t: last?.t ?? 0 };
  }
  return new MonitorSession(value.config, { id: value.id, run });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || v === null || check(v);
const isPacked = (v: unknown): boolean =>
  Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every(isNumber);

function isTarget(v: unknown): v is MonitorTarget {
  if (!isObject(v)) return false;
  if ('url' in v) return typeof v.url === 'string' && optional(v.timeoutSeconds, isNumber);
  return isNumber(v.pid) && optional(v.children, (c) => typeof c === 'boolean');
}

function isTargetInfo(v: unknown): v is TargetInfo {
  if (!isObject(v)) return false;
  if (v.kind === 'url') return typeof v.url === 'string';
  return v.kind === 'pid' && isNumber(v.pid) && typeof v.command === 'string';
}

function isConfig(v: unknown): v is SessionConfig {
  return (
    isObject(v) &&
    (v.mode === 'detect' || v.mode === 'attach') &&
    isTarget(v.target) &&
    isNumber(v.intervalSeconds) &&
    v.intervalSeconds > 0 &&
    optional(v.durationSeconds, isNumber) &&
    isObject(v.analysis) &&
    Object.values(v.analysis).every((x) => x === undefined || isNumber(x))
  );
}

function isSeries(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    optional(v.pid, isNumber) &&
    typeof v.command === 'string' &&
    typeof v.root === 'boolean' &&
    isNumber(v.firstT) &&
    optional(v.exitedT, isNumber) &&
    Array.isArray(v.samples) &&
    v.samples.every(isPacked)
  );
}

function isPersisted(v: unknown): v is PersistedSession {
  if (!isObject(v) || v.version !== PERSIST_VERSION || typeof v.id !== 'string' || !isConfig(v.config))
    return false;
  const r = v.run;
  return (
    isObject(r) &&
    isTargetInfo(r.target) &&
    typeof r.followChildren === 'boolean' &&
    isNumber(r.intervalSeconds) &&
    optional(r.startedAt, isNumber) &&
    Array.isArray(r.samples) &&
    r.samples.every(isPacked) &&
    Array.isArray(r.processes) &&
    r.processes.every(isSeries) &&
    Array.isArray(r.errors) &&
    r.errors.every((e) => isObject(e) && typeof e.message === 'string') &&
    isNumber(r.missedSlots) &&
    optional(r.stop, (s) => isObject(s) && typeof s.reason === 'string' && isNumber(s.t))
  );
}
