// The `leak-lens analyze-logs` outputs: the JSON document (the issue's keys first, in its order,
// then extras) and the text report.
import { basename } from 'node:path';
import { formatBytes, formatRate, formatSeconds, shortCommand } from '../analysis/format';
import { VERDICT_LABEL } from '../cli';
import { round } from '../export';
import type { CollectedLogs, LogEvent } from './collect';
import type { EventKind } from './events';
import type { LogVerdict, ProcessVerdict } from './verdict';

/** ISO 8601, or null when unknown — or when the log gave a time of day only (`top`: no date). */
function iso(epoch: number | undefined): string | null {
  return epoch === undefined || epoch < 1e8 ? null : new Date(epoch * 1000).toISOString();
}

export interface LineCounts {
  total: number;
  understood: number;
  skipped: number;
  memoryFigures: number;
  events: number;
  untimedFigures: number;
  badJson: number;
  damaged: number;
}

export function lineCounts(logs: CollectedLogs): LineCounts {
  const sum = (f: (x: CollectedLogs['files'][number]) => number) => logs.files.reduce((n, x) => n + f(x), 0);
  const total = sum((f) => f.lines);
  const understood = sum((f) => f.understood);
  return {
    total,
    understood,
    skipped: total - understood,
    memoryFigures: sum((f) => f.memoryFigures),
    events: sum((f) => f.events),
    untimedFigures: sum((f) => f.untimedFigures),
    badJson: sum((f) => f.badJson),
    damaged: sum((f) => f.damagedLines),
  };
}

/** Problems a reader must know about: unreadable files, cut-off last lines, unreadable JSON. */
export function fileWarnings(logs: CollectedLogs): string[] {
  const out: string[] = [];
  for (const f of logs.files) {
    if (f.error) out.push(f.error);
    if (f.truncatedLastLine)
      out.push(`${f.path}: the last line has no end (the file is still being written, or was cut short).`);
    if (f.badJson)
      out.push(
        `${f.path}: ${f.badJson} line${f.badJson === 1 ? '' : 's'} looked like JSON but did not parse.`,
      );
    if (f.damagedLines)
      out.push(
        `${f.path}: ${f.damagedLines} line${f.damagedLines === 1 ? '' : 's'} held NUL bytes or were overlong.`,
      );
  }
  if (logs.eventsDropped)
    out.push(
      `${logs.eventsDropped} events beyond the first ${logs.events.length} are counted but not listed.`,
    );
  if (logs.figuresDropped)
    out.push(`${logs.figuresDropped} memory figures of processes beyond the first 5000 were left out.`);
  return out;
}

function eventJson(e: LogEvent, logs: CollectedLogs, startTime: number | undefined) {
  return {
    time: e.time !== undefined && startTime !== undefined ? round(e.time - startTime, 3) : null,
    kind: e.kind,
    pid: e.pid ?? null,
    file: logs.files[e.file].path,
    line: e.line,
    text: e.text,
    at: iso(e.time),
  };
}

function processJson(p: ProcessVerdict) {
  return {
    pid: p.pid ?? null,
    samples: p.samples.map((s) => [round(s.t, 3), s.rss]),
    growthMBPerMin: round(p.analysis.growthMBPerMin, 4),
    verdict: p.analysis.verdict,
    severity: p.analysis.severity,
    reason: p.analysis.reason,
    name: p.name ?? null,
    figures: p.figures,
    thinned: p.thinned,
    warmupSeconds: round(p.analysis.warmupSeconds, 3),
    shape: p.analysis.shape,
    restarts: p.restarts,
    maskedByRestarts: p.maskedByRestarts,
    lives: p.lives.map((l) => ({
      fromSeconds: round(l.fromT, 3),
      toSeconds: round(l.toT, 3),
      samples: l.samples,
      growthMBPerMin: round(l.growthMBPerMin, 4),
      riseMB: round(l.riseMB, 3),
      endedBy: l.endedBy ?? null,
    })),
  };
}

/** The `--format json` document. */
export function toAnalyzeLogsJson(logs: CollectedLogs, v: LogVerdict) {
  return {
    version: 1 as const,
    target: { logs: logs.files.map((f) => f.path) },
    processes: v.processes.map(processJson),
    events: logs.events.map((e) => eventJson(e, logs, v.startTime)),
    verdict: v.verdict,
    severity: v.severity,
    reason: v.reason,
    growthMBPerMin: round(v.growthMBPerMin, 4),
    startTime: iso(v.startTime),
    restartMasked: v.restartMasked.map((g) => ({
      label: g.label,
      pids: g.pids,
      lives: g.lives,
      restarts: g.restarts,
      growthMBPerMin: round(g.growthMBPerMin, 4),
      riseBeforeRestartMB: round(g.riseBeforeRestartMB, 3),
      verdict: g.verdict,
    })),
    lines: lineCounts(logs),
    eventCounts: logs.eventCounts,
    files: logs.files.map((f) => ({
      path: f.path,
      bytes: f.bytes,
      lines: f.lines,
      understood: f.understood,
      memoryFigures: f.memoryFigures,
      events: f.events,
      ...(f.error ? { error: f.error } : {}),
    })),
    warnings: fileWarnings(logs),
  };
}

const KIND_ORDER: EventKind[] = ['oom-kill', 'worker-killed', 'memory-error', 'restart'];
const MAX_TEXT_EVENTS = 15;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
const MAX_TEXT_PROCESSES = 20;

export function formatLogsReport(logs: CollectedLogs, v: LogVerdict): string {
  const out: string[] = [];
  const masked = v.restartMasked.some((g) => g.verdict === v.verdict) && /^Leak masked/.test(v.reason);
  const tail =
    v.verdict === 'rapid-leak' ? ' — page on-call' : v.verdict === 'slow-leak' ? ' — schedule a fix' : '';
  out.push(
    `Leak Lens: ${VERDICT_LABEL[v.verdict]}${masked ? ' (masked by restarts)' : ''} (severity ${v.severity})${tail}`,
  );
  const c = lineCounts(logs);
  const names = logs.files.map((f) => basename(f.path));
  out.push(
    `Logs:     ${names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ')}`,
  );
  out.push(
    `Lines:    ${c.total} read, ${c.understood} understood (${c.memoryFigures} memory figures, ${c.events} events), ${c.skipped} skipped`,
  );
  const ends = v.processes.flatMap((p) => (p.samples.length ? [p.samples[p.samples.length - 1].t] : []));
  if (v.startTime !== undefined && ends.length) {
    const span = Math.max(...ends);
    out.push(
      `Span:     ${formatSeconds(span)} from ${iso(v.startTime) ?? 'the first time of day logged (no date)'}`,
    );
  }
  if (v.verdict === 'slow-leak' || v.verdict === 'rapid-leak')
    out.push(`Growth:   ${formatRate(v.growthMBPerMin)}`);
  out.push(`Reason:   ${v.reason}`);
  if (v.processes.length > 0) {
    out.push('Processes:');
    const shown = [...v.processes]
      .sort((a, b) => b.samples.length - a.samples.length)
      .slice(0, MAX_TEXT_PROCESSES);
    for (const p of shown) {
      const last = p.samples[p.samples.length - 1];
      const restarts = p.restarts ? `, ${p.restarts} restart${p.restarts === 1 ? '' : 's'}` : '';
      out.push(
        `  ${String(p.pid ?? '-').padStart(7)}  ${p.analysis.verdict.padEnd(12)} ${formatRate(p.analysis.growthMBPerMin).padStart(16)}  ${p.samples.length} samples, last ${last ? formatBytes(last.rss) : '-'}${restarts}${p.maskedByRestarts ? ' (masked by restarts)' : ''}${p.name ? `  ${shortCommand(p.name, 50)}` : ''}`,
      );
    }
    if (v.processes.length > shown.length) out.push(`  … and ${v.processes.length - shown.length} more`);
  }
  const counts = KIND_ORDER.filter((k) => logs.eventCounts[k] > 0).map((k) => `${logs.eventCounts[k]} ${k}`);
  if (counts.length) {
    out.push(`Events:   ${counts.join(' · ')}`);
    for (const e of logs.events.slice(0, MAX_TEXT_EVENTS)) {
      const when =
        iso(e.time) ??
        (e.time !== undefined && v.startTime !== undefined
          ? `+${formatSeconds(e.time - v.startTime)}`
          : '(no time)');
      out.push(
        `  ${basename(logs.files[e.file].path)}:${e.line}  ${when}  ${e.kind}${e.pid !== undefined ? ` PID ${e.pid}` : ''}  ${clip(e.text, 100)}`,
      );
    }
    if (logs.events.length > MAX_TEXT_EVENTS)
      out.push(`  … ${logs.events.length - MAX_TEXT_EVENTS} more (--format json lists them)`);
  }
  for (const w of fileWarnings(logs)) out.push(`Warning:  ${w}`);
  return `${out.join('\n')}\n`;
}
