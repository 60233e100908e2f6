// `leak-lens run` serves one probe per Python process of the command (the parent and each forked
// or spawned worker) as one: the sum over processes, plus each process under `processes`.
import type {
  EndpointStat,
  EndpointsDoc,
  GcCollectDoc,
  GrowingLine,
  GrowingType,
  GrowthDoc,
  HistoryDoc,
  SnapshotDoc,
  TypeCount,
} from './documents';

export interface Part<T> {
  pid: number;
  command: string;
  doc: T;
}

const TOP = 20;

function sumBy<T>(items: T[], key: (item: T) => string, add: (into: T, item: T) => void): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const seen = byKey.get(k);
    if (seen) add(seen, item);
    else byKey.set(k, { ...item });
  }
  return [...byKey.values()];
}

function addArrays(a: number[] = [], b: number[] = []): number[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

export function mergeSnapshots(rootPid: number, parts: Part<SnapshotDoc>[]): SnapshotDoc {
  const gc = parts.reduce(
    (acc, p) => ({
      collections: addArrays(acc.collections, p.doc.gc.collections),
      collected: addArrays(acc.collected, p.doc.gc.collected),
      uncollectable: addArrays(acc.uncollectable, p.doc.gc.uncollectable),
      pauseSecondsTotal: acc.pauseSecondsTotal + p.doc.gc.pauseSecondsTotal,
      pauseSecondsMax: Math.max(acc.pauseSecondsMax, p.doc.gc.pauseSecondsMax),
    }),
    {
      collections: [],
      collected: [],
      uncollectable: [],
      pauseSecondsTotal: 0,
      pauseSecondsMax: 0,
    } as SnapshotDoc['gc'],
  );
  const types = sumBy<TypeCount>(
    parts.flatMap((p) => p.doc.types),
    (t) => t.type,
    (into, t) => {
      into.count += t.count;
    },
  )
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type))
    .slice(0, TOP);
  return {
    version: 1,
    pid: rootPid,
    rssBytes: parts.reduce((s, p) => s + p.doc.rssBytes, 0),
    tracedBytes: parts.reduce((s, p) => s + p.doc.tracedBytes, 0),
    gc,
    types,
    processes: parts.map((p) => ({ ...p.doc, version: undefined, pid: p.pid, command: p.command })),
  };
}

export function mergeGrowth(parts: Part<GrowthDoc>[]): GrowthDoc {
  const types = sumBy<GrowingType>(
    parts.flatMap((p) => p.doc.types),
    (t) => t.type,
    (into, t) => {
      into.count += t.count;
      into.delta += t.delta;
    },
  ).sort((a, b) => b.delta - a.delta || a.type.localeCompare(b.type));
  const lines = sumBy<GrowingLine>(
    parts.flatMap((p) => p.doc.lines),
    (l) => `${l.file}\0${l.line}`,
    (into, l) => {
      into.sizeBytes += l.sizeBytes;
      into.deltaBytes += l.deltaBytes;
      into.count += l.count;
    },
  ).sort((a, b) => b.deltaBytes - a.deltaBytes || a.file.localeCompare(b.file) || a.line - b.line);
  return {
    version: 1,
    windowSeconds: Math.max(0, ...parts.map((p) => p.doc.windowSeconds)),
    types: types.slice(0, TOP),
    lines: lines.slice(0, TOP),
    typesWindowSeconds: Math.max(0, ...parts.map((p) => Number(p.doc.typesWindowSeconds ?? 0))),
    cwd: parts.find((p) => typeof p.doc.cwd === 'string')?.doc.cwd,
    processes: parts.map((p) => ({ pid: p.pid, command: p.command, types: p.doc.types, lines: p.doc.lines })),
  };
}

export function mergeEndpoints(parts: Part<EndpointsDoc>[]): EndpointsDoc {
  // Each process reports its first request of an endpoint apart (lazy set-up, not a leak): the
  // mean is over the requests after it, in every process.
  const measured = (e: EndpointStat) =>
    typeof e.firstRequestDeltaBytes === 'number' ? Math.max(0, e.requests - 1) : e.requests;
  const all = parts.flatMap((p) => p.doc.endpoints);
  const steady = new Map<string, number>();
  for (const e of all)
    steady.set(`${e.method} ${e.route}`, (steady.get(`${e.method} ${e.route}`) ?? 0) + measured(e));
  const endpoints = sumBy<EndpointStat>(
    all,
    (e) => `${e.method} ${e.route}`,
    (into, e) => {
      into.requests += e.requests;
      into.totalDeltaBytes += e.totalDeltaBytes;
      if (typeof e.firstRequestDeltaBytes === 'number')
        into.firstRequestDeltaBytes = (into.firstRequestDeltaBytes ?? 0) + e.firstRequestDeltaBytes;
    },
  )
    .map((e) => {
      const n = steady.get(`${e.method} ${e.route}`) ?? e.requests;
      return { ...e, meanDeltaBytes: n ? Math.round((e.totalDeltaBytes / n) * 10) / 10 : 0 };
    })
    .sort((a, b) => b.totalDeltaBytes - a.totalDeltaBytes || a.route.localeCompare(b.route));
  return {
    version: 1,
    endpoints,
    processes: parts.map((p) => ({ pid: p.pid, command: p.command, endpoints: p.doc.endpoints })),
  };
}

export function mergeGcCollect(parts: Part<GcCollectDoc>[]): GcCollectDoc {
  return {
    version: 1,
    collected: parts.reduce((s, p) => s + p.doc.collected, 0),
    rssBeforeBytes: parts.reduce((s, p) => s + p.doc.rssBeforeBytes, 0),
    rssAfterBytes: parts.reduce((s, p) => s + p.doc.rssAfterBytes, 0),
    processes: parts.map((p) => ({ pid: p.pid, ...p.doc, version: undefined })),
  };
}

/**
 * The summed history on a grid of `interval` seconds: at each point, each process's latest
 * sample not older than two intervals (a process counts from its first sample until it stops
 * answering).
 */
export function mergeHistory(parts: Part<HistoryDoc>[], interval = 1): HistoryDoc {
  const series = parts.map((p) => p.doc.samples).filter((s) => s.length > 0);
  const samples: [number, number, number][] = [];
  if (series.length) {
    const t0 = Math.min(...series.map((s) => s[0][0]));
    const t1 = Math.max(...series.map((s) => s[s.length - 1][0]));
    const cursors = series.map(() => 0);
    for (let t = t0; t <= t1 + 1e-9; t += interval) {
      let rss = 0;
      let traced = 0;
      series.forEach((s, i) => {
        while (cursors[i] + 1 < s.length && s[cursors[i] + 1][0] <= t + 1e-9) cursors[i]++;
        const sample = s[cursors[i]];
        if (sample[0] <= t + 1e-9 && t - sample[0] <= 2 * interval) {
          rss += sample[1];
          traced += sample[2];
        }
      });
      samples.push([Math.round(t * 1000) / 1000, rss, traced]);
    }
  }
  return {
    version: 1,
    samples,
    processes: parts.map((p) => ({ pid: p.pid, command: p.command, samples: p.doc.samples })),
  };
}

/** Prometheus pages of several processes as one: each sample gets a `pid` label, each family's
 *  HELP/TYPE lines appear once, before its samples. */
export function mergeMetrics(parts: Part<string>[]): string {
  const families = new Map<string, { meta: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { meta: [], samples: [] }));
    return f;
  };
  for (const part of parts) {
    let current = '';
    for (const raw of part.doc.split('\n')) {
      const line = raw.trimEnd();
      if (!line) continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        current = meta[2];
        const f = family(current);
        if (!f.meta.some((m) => m.startsWith(`# ${meta[1]} `))) f.meta.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?(\s.*)$/.exec(line);
      if (!m) continue;
      const labels = m[2] ? `{pid="${part.pid}",${m[2].slice(1)}` : `{pid="${part.pid}"}`;
      const name = current && m[1].startsWith(current) ? current : m[1];
      family(name).samples.push(`${m[1]}${labels.replace(',}', '}')}${m[3]}`);
    }
  }
  const out: string[] = [];
  for (const f of families.values()) out.push(...f.meta, ...f.samples);
  return `${out.join('\n')}\n`;
}
