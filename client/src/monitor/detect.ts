// Joins a run and the analysis: the verdict for what a sampler collected, with the reason telling
// why the run ended early when it did, and a note when swap hides part of the memory.
import { analyzeRun, formatBytes, formatSeconds, type RunAnalysis } from './analysis/index';
import type { DetectSettings } from './analysis/settings';
import type { MonitorRun } from './types';

export type DetectResult = RunAnalysis;

/** Analyses everything a run collected (it may still be running: the panel calls this live). */
export function analyzeMonitorRun(run: MonitorRun, settings?: Partial<DetectSettings>): DetectResult {
  const perProcess = run.followChildren || run.processes.length > 1;
  const result = analyzeRun(
    {
      samples: run.samples,
      processes: perProcess
        ? run.processes.map((p) => ({ id: p.id, pid: p.pid, label: p.command, samples: p.samples }))
        : undefined,
    },
    settings,
  );
  const notes: string[] = [];
  const stop = run.stop;
  if (stop && stop.reason !== 'duration') {
    const after = `after ${formatSeconds(stop.t)} (${run.samples.length} samples kept)`;
    // Messages ("interrupted", "… giving up)") do not always end a sentence; the reason goes on.
    const sentence = (text: string) => text.replace(/\.?\s*$/, '.');
    if (stop.reason === 'target-exited')
      notes.push(`Run ended ${after}: ${sentence(stop.message ?? 'the target exited')}`);
    else if (stop.reason === 'error')
      notes.push(`Sampling failed ${after}: ${sentence(stop.message ?? 'unknown error')}`);
    else notes.push(`Stopped early ${after}${stop.message ? `: ${sentence(stop.message)}` : '.'}`);
  }
  const last = run.samples[run.samples.length - 1];
  if (last?.swap && last.swap >= 1024 * 1024) {
    notes.push(
      `Note: ${formatBytes(last.swap)} is swapped out, which RSS does not count: a leak can look flatter than it is.`,
    );
  }
  if (notes.length === 0) return result;
  const before = notes.filter((n) => !n.startsWith('Note:'));
  const after = notes.filter((n) => n.startsWith('Note:'));
  return { ...result, reason: [...before, result.reason, ...after].join(' ') };
}
