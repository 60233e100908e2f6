// The JSON documents the Python probe serves under /api/debug/memory/ (probe/leak_lens_probe/_api.py).
// Every one starts with "version": 1; keys are only ever added.

export const PROBE_PREFIX = '/api/debug/memory';

export interface ProbeGc {
  collections: number[];
  collected: number[];
  uncollectable: number[];
  pauseSecondsTotal: number;
  pauseSecondsMax: number;
  [extra: string]: unknown;
}

export interface TypeCount {
  type: string;
  count: number;
}

export interface SnapshotDoc {
  version: 1;
  pid: number;
  rssBytes: number;
  tracedBytes: number;
  gc: ProbeGc;
  types: TypeCount[];
  [extra: string]: unknown;
}

export interface GrowingType extends TypeCount {
  delta: number;
}

export interface GrowingLine {
  /** Relative to the probed process's working directory when below it, else absolute. */
  file: string;
  line: number;
  sizeBytes: number;
  deltaBytes: number;
  count: number;
}

export interface GrowthDoc {
  version: 1;
  windowSeconds: number;
  types: GrowingType[];
  lines: GrowingLine[];
  [extra: string]: unknown;
}

export interface EndpointStat {
  method: string;
  route: string;
  requests: number;
  /** Mean over the requests after the first (in each process). */
  meanDeltaBytes: number;
  /** Kept by the requests after each process's first one. */
  totalDeltaBytes: number;
  /** Kept by each process's first request (lazy set-up: imports, caches filled on first use). */
  firstRequestDeltaBytes?: number;
}

export interface EndpointsDoc {
  version: 1;
  endpoints: EndpointStat[];
  [extra: string]: unknown;
}

export interface HistoryDoc {
  version: 1;
  /** [epoch seconds, rssBytes, tracedBytes] */
  samples: [number, number, number][];
  [extra: string]: unknown;
}

export interface GcCollectDoc {
  version: 1;
  collected: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  [extra: string]: unknown;
}
