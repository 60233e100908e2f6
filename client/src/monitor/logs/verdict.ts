// The verdict for what the logs hold, with the same analysis as `leak-lens detect`
// (analysis/series.ts: warm-up, sawtooth, steps, duration gates), plus what only logs show:
// restarts. A process that climbs, is killed (OOM, reload-on-rss, max_requests) and starts again
// looks healthy over a day — its memory keeps returning to the start — while it leaks in every
// life. A fall in memory splits a series into lives only where a log line says the process was
// killed or restarted there; a fall with no such line is left to the analysis (a GC sawtooth).
import { formatMB, formatRate, formatSeconds, shortCommand } from '../analysis/format';
import { isLeak } from '../analysis/run';
import { analyzeSeries, type SamplePoint, type SeriesAnalysis, type Verdict } from '../analysis/series';
import { type DetectSettings, MIB, resolveSettings } from '../analysis/settings';
import type { CollectedLogs, LogEvent } from './collect';
import type { LogPoint } from './series-store';

export interface Life {
  points: LogPoint[];
  /** The kill or restart line that ended this life, when the logs have one. */
  endedBy?: LogEvent;
}

export interface LifeTrend {
  fromT: number;
  toT: number;
  samples: number;
  growthMBPerMin: number;
  riseMB: number;
  climbing: boolean;
  flat: boolean;
  endedBy?: LogEvent['kind'];
}

export interface ProcessVerdict {
  key: string;
  pid?: number;
  name?: string;
  /** Seconds since `startTime` of the logs, bytes. */
  samples: SamplePoint[];
  figures: number;
  thinned: boolean;
  analysis: SeriesAnalysis;
  lives: LifeTrend[];
  restarts: number;
  /** Judged as a leak masked by restarts (its lives climb). */
  maskedByRestarts: boolean;
}

export interface RestartGroup {
  /** Who: "PID 1234 (…)" or "4 processes of gunicorn (PIDs …)". */
  label: string;
  pids: number[];
  lives: number;
  restarts: number;
  growthMBPerMin: number;
  riseBeforeRestartMB: number;
  verdict: Verdict;
  /** One process restarted in place (same PID or no PID), rather than a group of workers. */
  perProcess: boolean;
  reason: string;
}

export interface LogVerdict {
  verdict: Verdict;
  severity: SeriesAnalysis['severity'];
  reason: string;
  growthMBPerMin: number;
  /** Epoch seconds of t = 0 (the earliest time in the logs), if any time was read. */
  startTime?: number;
  processes: ProcessVerdict[];
  /** Leaks masked by restarts: per process (same PID restarted) or per group of workers. */
  restartMasked: RestartGroup[];
}

const SEVERITY_RANK = { none: 0, low: 1, high: 2 } as const;
const ENDING_KINDS = new Set(['oom-kill', 'worker-killed', 'restart']);

function describe(pid: number | undefined, name: string | undefined): string {
  if (pid !== undefined) return name ? `PID ${pid} (${shortCommand(name, 48)})` : `PID ${pid}`;
  return name ? shortCommand(name, 48) : 'the log';
}

/** Whether `e` is about the process of this series (an event without a PID may be about any). */
function concerns(e: LogEvent, pid: number | undefined): boolean {
  return e.pid === undefined || pid === undefined || e.pid === pid;
}

/** Whether `e` was logged between samples `a` and `b` (by line within a file, else by time). */
function between(e: LogEvent, a: LogPoint, b: LogPoint): boolean {
  if (e.file === a.file && e.file === b.file) return e.line > a.line && e.line < b.line;
  if (e.file === a.file && e.line < a.line) return false;
  if (e.file === b.file && e.line > b.line) return false;
  return e.time !== undefined && e.time >= a.time && e.time <= b.time;
}

function after(e: LogEvent, a: LogPoint): boolean {
  if (e.file === a.file) return e.line > a.line;
  return e.time !== undefined && e.time >= a.time;
}

/** Splits a series where memory falls and a kill/restart line about it lies in between. */
export function splitLives(points: LogPoint[], pid: number | undefined, events: LogEvent[]): Life[] {
  const relevant = events.filter((e) => ENDING_KINDS.has(e.kind) && concerns(e, pid));
  const lives: Life[] = [];
  let start = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (b.rss >= a.rss) continue;
    const cause = relevant.find((e) => between(e, a, b));
    if (cause) {
      lives.push({ points: points.slice(start, i), endedBy: cause });
      start = i;
    }
  }
  const last = points[points.length - 1];
  // The last life ended too when a line names this very process after its last figure.
  const end = last
    ? relevant.find((e) => e.pid !== undefined && e.pid === pid && !e.start && after(e, last))
    : undefined;
  lives.push({ points: points.slice(start), endedBy: end });
  return lives;
}

function toSamples(points: readonly LogPoint[], t0: number): SamplePoint[] {
  return points.map((p) => ({ t: p.time - t0, rss: p.rss }));
}

/**
 * Whether one life climbs: the detect analysis without its duration gate (a life is often shorter
 * than the minimum; the lives together must cover it). A life with fewer than `minSamples`
 * figures is not judged: its few points may all lie in the warm-up.
 */
export function lifeTrend(life: Life, t0: number, s: DetectSettings): LifeTrend {
  const samples = toSamples(life.points, t0);
  const n = samples.length;
  const fromT = n ? samples[0].t : 0;
  const toT = n ? samples[n - 1].t : 0;
  const peak = n ? Math.max(...samples.map((p) => p.rss)) : 0;
  const riseMB = n ? (peak - samples[0].rss) / MIB : 0;
  const base = { fromT, toT, samples: n, riseMB, endedBy: life.endedBy?.kind };
  if (n >= s.minSamples) {
    const a = analyzeSeries(samples, { ...s, minDurationSeconds: 0 });
    return {
      ...base,
      growthMBPerMin: a.growthMBPerMin,
      climbing: isLeak(a),
      flat: a.verdict === 'no-leak',
    };
  }
  return { ...base, growthMBPerMin: 0, climbing: false, flat: false };
}

const ENDED_TEXT: Record<string, string> = {
  'oom-kill': 'OOM-killed',
  'worker-killed': 'killed',
  restart: 'restarted',
};

/**
 * A leak masked by restarts: at least two lives climb, at least one was ended by a kill or
 * restart, climbing lives are the majority of those long enough to judge, and together they cover
 * the minimum duration.
 */
export function judgeLives(
  trends: LifeTrend[],
  label: string,
  pids: number[],
  perProcess: boolean,
  s: DetectSettings,
): RestartGroup | undefined {
  const judged = trends.filter((t) => t.samples >= 3);
  const climbing = judged.filter((t) => t.climbing);
  const ended = trends.filter((t) => t.endedBy !== undefined);
  const climbSeconds = climbing.reduce((sum, t) => sum + (t.toT - t.fromT), 0);
  if (climbing.length < 2 || ended.length < 1 || climbing.length * 2 <= judged.length) return undefined;
  if (climbSeconds + 1e-9 < s.minDurationSeconds) return undefined;
  const growth =
    climbSeconds > 0
      ? climbing.reduce((sum, t) => sum + t.growthMBPerMin * (t.toT - t.fromT), 0) / climbSeconds
      : 0;
  const endedClimbs = climbing.filter((t) => t.endedBy !== undefined);
  const rises = (endedClimbs.length ? endedClimbs : climbing).map((t) => t.riseMB).sort((a, b) => a - b);
  const group = {
    label,
    pids,
    lives: trends.length,
    restarts: ended.length,
    growthMBPerMin: growth,
    riseBeforeRestartMB: rises[rises.length >> 1],
    verdict: (growth > s.rapidMBPerMin ? 'rapid-leak' : 'slow-leak') as Verdict,
    perProcess,
  };
  return { ...group, reason: maskedReason(group, trends) };
}

function maskedReason(g: Omit<RestartGroup, 'reason'>, trends: LifeTrend[]): string {
  const kinds = new Map<string, number>();
  for (const t of trends) if (t.endedBy) kinds.set(t.endedBy, (kinds.get(t.endedBy) ?? 0) + 1);
  const how = [...kinds].map(([k, n]) => `${n} ${ENDED_TEXT[k] ?? k}`).join(', ');
  return `Leak masked by restarts: ${g.label} grew ${formatRate(g.growthMBPerMin)} between restarts, about +${formatMB(g.riseBeforeRestartMB)} per life before a kill or restart (${g.lives} lives; ${how}). Each restart hides the leak without fixing it.`;
}

function maskedAnalysis(base: SeriesAnalysis, g: RestartGroup): SeriesAnalysis {
  return {
    ...base,
    verdict: g.verdict,
    severity: g.verdict === 'rapid-leak' ? 'high' : 'low',
    growthMBPerMin: g.growthMBPerMin,
    reason: g.reason,
  };
}

/** Per-process verdicts, leaks masked by restarts, and the verdict for all the logs together. */
export function judgeLogs(logs: CollectedLogs, overrides?: Partial<DetectSettings>): LogVerdict {
  const s = resolveSettings(overrides);
  const all = logs.series.map((series) => ({ series, points: series.store.finish() }));
  let t0 = Number.POSITIVE_INFINITY;
  for (const { points } of all) if (points.length) t0 = Math.min(t0, points[0].time);
  for (const e of logs.events) if (e.time !== undefined) t0 = Math.min(t0, e.time);
  const startTime = Number.isFinite(t0) ? t0 : undefined;
  if (!Number.isFinite(t0)) t0 = 0;

  const restartMasked: RestartGroup[] = [];
  const single: { pv: ProcessVerdict; trend: LifeTrend; name: string }[] = [];
  const processes: ProcessVerdict[] = all.map(({ series, points }) => {
    const lives = splitLives(points, series.pid, logs.events);
    const trends = lives.map((l) => lifeTrend(l, t0, s));
    const samples = toSamples(points, t0);
    let analysis = analyzeSeries(samples, s);
    let masked = false;
    if (lives.length > 1) {
      const who = describe(series.pid, series.name);
      const group = judgeLives(trends, who, series.pid !== undefined ? [series.pid] : [], true, s);
      if (group) {
        restartMasked.push(group);
        analysis = maskedAnalysis(analysis, group);
        masked = true;
      } else {
        // Judge each life on its own: the falls between them are restarts, not the process's GC.
        const longest = lives.reduce((a, b) =>
          b.points.length &&
          b.points[b.points.length - 1].time - b.points[0].time >
            (a.points.length ? a.points[a.points.length - 1].time - a.points[0].time : -1)
            ? b
            : a,
        );
        const lifeAnalysis = analyzeSeries(toSamples(longest.points, t0), s);
        analysis = {
          ...lifeAnalysis,
          reason: `${lifeAnalysis.reason} (${lives.length} lives between restarts; the longest is judged.)`,
        };
      }
    }
    const pv: ProcessVerdict = {
      key: series.key,
      pid: series.pid,
      name: series.name,
      samples,
      figures: series.store.count,
      thinned: series.store.thinned,
      analysis,
      lives: trends,
      restarts: lives.filter((l) => l.endedBy).length,
      maskedByRestarts: masked,
    };
    if (lives.length === 1 && series.pid !== undefined)
      single.push({ pv, trend: trends[0], name: series.name ?? '' });
    return pv;
  });

  // Workers that each live once (gunicorn/uWSGI/Celery recycle them under new PIDs): their lives
  // together, per program, tell whether every worker climbs until it is killed.
  const byName = new Map<string, typeof single>();
  for (const entry of single) {
    const key = shortCommand(entry.name, 200);
    byName.set(key, [...(byName.get(key) ?? []), entry]);
  }
  for (const [name, members] of byName) {
    if (members.length < 2) continue;
    const pids = members.map((m) => m.pv.pid as number);
    const label = `${members.length} processes${name ? ` of ${shortCommand(name, 40)}` : ''} (PIDs ${pids.slice(0, 5).join(', ')}${pids.length > 5 ? ', …' : ''})`;
    const trends = members.map((m) => m.trend);
    const group = judgeLives(trends, label, pids, false, s);
    if (!group) continue;
    restartMasked.push(group);
    for (const m of members) m.pv.maskedByRestarts = true;
  }

  return { ...overall(processes, restartMasked, logs, s), startTime, processes, restartMasked };
}

function overall(
  processes: ProcessVerdict[],
  masked: RestartGroup[],
  logs: CollectedLogs,
  s: DetectSettings,
): Pick<LogVerdict, 'verdict' | 'severity' | 'reason' | 'growthMBPerMin'> {
  type Leak = { verdict: Verdict; severity: SeriesAnalysis['severity']; growth: number; reason: string };
  const leaks: Leak[] = [];
  for (const p of processes) {
    if (!isLeak(p.analysis)) continue;
    if (p.lives.length === 1 && p.maskedByRestarts) continue; // its group of workers speaks for it
    const masked = p.lives.length > 1 && p.maskedByRestarts; // its reason already names it
    leaks.push({
      verdict: p.analysis.verdict,
      severity: p.analysis.severity,
      growth: p.analysis.growthMBPerMin,
      reason: masked ? p.analysis.reason : `${describe(p.pid, p.name)}: ${p.analysis.reason}`,
    });
  }
  for (const g of masked) {
    if (g.perProcess) continue; // its process carries it
    leaks.push({
      verdict: g.verdict,
      severity: g.verdict === 'rapid-leak' ? 'high' : 'low',
      growth: g.growthMBPerMin,
      reason: g.reason,
    });
  }
  if (leaks.length > 0) {
    leaks.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.growth - a.growth);
    const [worst, ...rest] = leaks;
    const more = rest.length
      ? ` ${rest.length} more leak${rest.length === 1 ? '' : 's'}: see the processes.`
      : '';
    return {
      verdict: worst.verdict,
      severity: worst.severity,
      growthMBPerMin: worst.growth,
      reason: worst.reason + more,
    };
  }

  const untimed = logs.files.reduce((n, f) => n + f.untimedFigures, 0);
  const lines = logs.files.reduce((n, f) => n + f.lines, 0);
  const figures = logs.files.reduce((n, f) => n + f.memoryFigures, 0);
  const kills = logs.events.filter((e) => e.kind === 'oom-kill' || e.kind === 'worker-killed');
  const errors = logs.eventCounts['memory-error'];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let killNote = '';
  if (figures === 0 && (kills.length > 0 || errors > 0)) {
    const what = [
      kills.length ? `${plural(kills.length, 'kill')} (OOM or SIGKILL)` : '',
      errors ? plural(errors, 'memory error') : '',
    ]
      .filter(Boolean)
      .join(' and ');
    killNote = ` The logs record ${what}: memory ran out, but without figures they do not show whether it leaked.`;
  } else if (kills.length > 0) {
    const known = new Set(processes.map((p) => p.pid));
    const others = [
      ...new Set(kills.filter((e) => e.pid !== undefined && !known.has(e.pid)).map((e) => e.pid)),
    ];
    if (others.length)
      killNote = ` The logs also record kills of ${others.length === 1 ? 'a process' : 'processes'} whose memory they do not show (PID ${others.slice(0, 5).join(', ')}).`;
  }
  if (figures === 0) {
    const why =
      untimed > 0
        ? `${untimed} memory figure${untimed === 1 ? '' : 's'} were found, but on lines without a timestamp, so no trend can be measured (log the time with each figure).`
        : `No memory figures were found in ${lines} line${lines === 1 ? '' : 's'}: log RSS as key=value (rss=512MB), as a JSON field (rss_bytes), or as ps/top snapshots.`;
    return { verdict: 'inconclusive', severity: 'none', growthMBPerMin: 0, reason: why + killNote };
  }
  const judgeable = processes.filter(
    (p) =>
      p.analysis.sampleCount >= s.minSamples && p.analysis.observedSeconds + 1e-9 >= s.minDurationSeconds,
  );
  const flat = judgeable.filter((p) => p.analysis.verdict === 'no-leak');
  if (judgeable.length > 0 && flat.length === judgeable.length) {
    const short = processes.length - judgeable.length;
    const head =
      judgeable.length === 1
        ? `${describe(judgeable[0].pid, judgeable[0].name)}: ${judgeable[0].analysis.reason}`
        : `None of the ${judgeable.length} processes observed for ${formatSeconds(s.minDurationSeconds)} or more leaks.`;
    const tail =
      short > 0 ? ` ${short} process${short === 1 ? ' was' : 'es were'} seen too briefly to judge.` : '';
    return { verdict: 'no-leak', severity: 'none', growthMBPerMin: 0, reason: head + tail + killNote };
  }
  const unsure = judgeable.find((p) => p.analysis.verdict === 'inconclusive');
  const longest = [...processes].sort((a, b) => b.analysis.observedSeconds - a.analysis.observedSeconds)[0];
  const pick = unsure ?? longest;
  return {
    verdict: 'inconclusive',
    severity: 'none',
    growthMBPerMin: pick.analysis.growthMBPerMin,
    reason: `${describe(pick.pid, pick.name)}: ${pick.analysis.reason}${killNote}`,
  };
}
