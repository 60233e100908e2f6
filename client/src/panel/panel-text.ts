// The words of the memory panel (status line, verdict badge, figures), as pure functions of what
// the webview knows, so they are tested without a browser.
import { formatBytes, formatRate, formatSeconds } from '../monitor/analysis/format';
import type { RunError } from '../monitor/types';
import type { AnalysisView, PanelSnapshot } from './protocol';
import { formatClock } from './texts';

type Info = Omit<PanelSnapshot, 't' | 'rss' | 'processes'>;

export interface StatusLine {
  state: Info['state'] | 'empty';
  text: string;
}

/**
 * The status line. `lastT`: time of the newest sample; `sinceLastSeconds`: how long ago it arrived
 * (the countdown keeps moving between samples).
 */
export function statusLine(
  info: Info | undefined,
  sampleCount: number,
  lastT: number | undefined,
  sinceLastSeconds = 0,
): StatusLine {
  if (!info) {
    return {
      state: 'empty',
      text: 'Nothing attached. Run “Leak Lens: Attach to Process” to watch a process live, or “Leak Lens: Detect Memory Leak” for a verdict.',
    };
  }
  const every = `every ${formatSeconds(info.intervalSeconds)}`;
  const stop = info.stop;
  const kept = `${sampleCount} sample${sampleCount === 1 ? '' : 's'} kept`;
  switch (info.state) {
    case 'starting':
      return { state: 'starting', text: `Attaching to ${info.target.title}…` };
    case 'running': {
      if (info.mode === 'detect' && info.durationSeconds !== undefined) {
        const elapsed = (lastT ?? 0) + Math.max(0, sinceLastSeconds);
        const left = Math.max(0, info.durationSeconds - elapsed);
        return { state: 'running', text: `Detecting: sampling ${every}, ${formatClock(left)} left.` };
      }
      return { state: 'running', text: `Watching live: sampling ${every} until detached.` };
    }
    case 'paused':
      return { state: 'paused', text: 'Paused: no samples are taken until you resume.' };
    case 'failed': {
      const error = info.errors.find((e) => e.fatal) ?? info.errors[0];
      return {
        state: 'failed',
        text: `Could not attach: ${error?.message ?? stop?.message ?? 'unknown error'}`,
      };
    }
    case 'restored': {
      const when =
        stop?.message === 'the window was reloaded'
          ? 'The window was reloaded'
          : 'Run from before a window reload';
      return {
        state: 'restored',
        text: `${when}: showing the ${kept}. Nothing is attached now; re-attach to watch again.`,
      };
    }
    default: {
      if (!stop || stop.reason === 'duration') {
        return {
          state: 'stopped',
          text: `Finished: sampled ${every} for ${formatSeconds(stop?.t ?? lastT ?? 0)}.`,
        };
      }
      const at = formatClock(stop.t);
      if (stop.reason === 'target-exited') {
        return {
          state: 'stopped',
          text: `The target exited at ${at}: ${stop.message ?? ''} The ${kept}.`.replace(/\s+/g, ' '),
        };
      }
      if (stop.reason === 'error') {
        return {
          state: 'stopped',
          text: `Sampling failed at ${at}: ${stop.message ?? 'unknown error'}. The ${kept}.`,
        };
      }
      return {
        state: 'stopped',
        text: `Stopped at ${at}${stop.message ? ` (${stop.message})` : ''}. The ${kept}.`,
      };
    }
  }
}

export interface BadgeText {
  /** The verdict id ("rapid-leak"…), or "none" before there is one. */
  verdict: string;
  text: string;
  final: boolean;
  title: string;
}

export function verdictBadge(analysis: AnalysisView | undefined): BadgeText {
  if (!analysis) return { verdict: 'none', text: 'no data', final: false, title: 'No samples yet.' };
  const severity =
    analysis.severity === 'high'
      ? ' (severity high: page on-call)'
      : analysis.severity === 'low'
        ? ' (severity low)'
        : '';
  return {
    verdict: analysis.verdict,
    text: analysis.verdict,
    final: analysis.final,
    title: `${analysis.verdict}${severity}${analysis.final ? '' : ', so far'}: ${analysis.reason}`,
  };
}

export function growthText(analysis: AnalysisView | undefined): string {
  return analysis && analysis.sampleCount >= 2 ? formatRate(analysis.growthMBPerMin) : '–';
}

export function rssText(bytes: number | undefined): string {
  return bytes === undefined ? '–' : formatBytes(bytes);
}

export function errorLine(e: RunError): string {
  return `${formatClock(e.t)} ${e.fatal ? 'error' : 'warning'}: ${e.message}`;
}
