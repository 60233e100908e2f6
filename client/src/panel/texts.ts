// Words the monitor shows outside the panel: the verdict notification, the status bar item, the
// progress line, the target quick pick and default export file names. Pure functions of the data.
import { formatBytes, formatRate, formatSeconds } from '../monitor/analysis/format';
import type { DetectResult } from '../monitor/detect';
import type { ProcessInfo, ProcessKind } from '../monitor/processes';
import type { MonitorRun, MonitorTarget } from '../monitor/types';
import { shortCommand } from './chart-data';

export const VERDICT_WORDS = {
  'rapid-leak': 'Rapid leak',
  'slow-leak': 'Slow leak',
  'no-leak': 'No leak',
  inconclusive: 'Inconclusive',
} as const;

export type NotificationLevel = 'error' | 'warning' | 'info';

/** Error style for a rapid leak (page on-call), warning for a slow one, info otherwise. */
export function notificationLevel(result: Pick<DetectResult, 'verdict'>): NotificationLevel {
  return result.verdict === 'rapid-leak' ? 'error' : result.verdict === 'slow-leak' ? 'warning' : 'info';
}

export function describeRunTarget(run: MonitorRun): string {
  if (run.target.kind === 'url') return run.target.url;
  const command = run.target.command ? ` (${shortCommand(run.target.command, 60)})` : '';
  return `PID ${run.target.pid}${command}${run.followChildren ? ' and its children' : ''}`;
}

/**
 * The verdict notification: verdict, growth, severity, R², the excluded warm-up, and why the run
 * ended early when it did. The full reason is in the panel.
 */
export function verdictMessage(run: MonitorRun, result: DetectResult): string {
  const who = describeRunTarget(run);
  const figures = `${formatRate(result.growthMBPerMin)}, R² ${result.r2.toFixed(2)}, severity ${result.severity}`;
  const warm = result.warmupSeconds > 0 ? `; warm-up of ${formatSeconds(result.warmupSeconds)} excluded` : '';
  const over = `${run.samples.length} samples over ${formatSeconds(result.observedSeconds)}`;
  let head: string;
  switch (result.verdict) {
    case 'rapid-leak':
      head = `Rapid leak in ${who}: page on-call. Growing ${figures}${warm} (${over}).`;
      break;
    case 'slow-leak':
      head = `Slow leak in ${who}: schedule a fix. Growing ${figures}${warm} (${over}).`;
      break;
    case 'no-leak':
      head = `No leak in ${who}: ${figures}${warm} (${over}).`;
      break;
    default:
      head = `Inconclusive for ${who} (${over}): ${result.reason}`;
  }
  const stop = run.stop;
  if (result.verdict !== 'inconclusive' && stop && stop.reason !== 'duration') {
    const at = formatSeconds(stop.t);
    head +=
      stop.reason === 'target-exited'
        ? ` The target exited at ${at}; judged on the samples before.`
        : stop.reason === 'error'
          ? ` Sampling failed at ${at} (${stop.message ?? 'unknown error'}); judged on the samples before.`
          : ` Stopped early at ${at}; judged on the samples so far.`;
  }
  return `Leak Lens: ${head}`;
}

/** The status bar text while attached, e.g. "$(pulse) 182 MB +2.10 MB/min". */
export function statusBarText(state: { rss?: number; growthMBPerMin?: number; paused: boolean }): string {
  const icon = state.paused ? '$(debug-pause)' : '$(pulse)';
  const rss = state.rss === undefined ? '…' : formatBytes(state.rss);
  const trend = state.paused
    ? ' paused'
    : state.growthMBPerMin === undefined
      ? ''
      : ` ${formatRate(state.growthMBPerMin)}`;
  return `${icon} ${rss}${trend}`;
}

/** The progress notification's line: time left, samples, current RSS and the trend so far. */
export function progressMessage(o: {
  remainingSeconds: number;
  samples: number;
  rss?: number;
  growthMBPerMin?: number;
  processes: number;
}): string {
  const parts = [
    `${formatClock(Math.max(0, o.remainingSeconds))} left`,
    `${o.samples} sample${o.samples === 1 ? '' : 's'}`,
  ];
  if (o.rss !== undefined)
    parts.push(`RSS ${formatBytes(o.rss)}${o.processes > 1 ? ` in ${o.processes} processes` : ''}`);
  if (o.growthMBPerMin !== undefined) parts.push(`trend ${formatRate(o.growthMBPerMin)}`);
  return parts.join(' · ');
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatClock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A default file name for an export: `leak-lens-pid-4242-20240131-031500.csv`. */
export function exportFileName(
  target: MonitorTarget | MonitorRun['target'],
  extension: string,
  when = new Date(),
): string {
  const who =
    'url' in target
      ? (() => {
          try {
            const u = new URL(target.url);
            return `${u.hostname}-${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
          } catch {
            return 'metrics';
          }
        })()
      : `pid-${target.pid}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  return `leak-lens-${who.replace(/[^A-Za-z0-9.-]+/g, '_')}-${stamp}.${extension}`;
}

export interface TargetPickItem {
  label: string;
  description?: string;
  detail?: string;
  pid?: number;
  /** Section header (a separator in the quick pick). */
  section?: string;
}

const SECTION: Record<ProcessKind, string> = {
  uvicorn: 'Python servers',
  gunicorn: 'Python servers',
  celery: 'Python servers',
  python: 'Python',
  other: 'Other processes',
};

/**
 * Quick-pick rows for running processes, in the order given (servers first): the program name,
 * PID and memory, and the full command line underneath.
 */
export function processPickItems(processes: readonly ProcessInfo[], maxCommand = 240): TargetPickItem[] {
  return processes.map((p) => {
    const command = p.command.length > maxCommand ? `${p.command.slice(0, maxCommand - 1)}…` : p.command;
    const memory = p.rssBytes !== undefined ? ` · ${formatBytes(p.rssBytes)}` : '';
    return {
      label: p.kind === 'other' || p.kind === 'python' ? p.name : `${p.kind} (${p.name})`,
      description: `PID ${p.pid}${memory}`,
      detail: command,
      pid: p.pid,
      section: SECTION[p.kind],
    };
  });
}
