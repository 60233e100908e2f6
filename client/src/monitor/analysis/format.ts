// Human-readable figures for reasons, progress lines and the panel. MB means MiB.
import { MIB } from './settings';

export function formatMB(mb: number): string {
  const abs = Math.abs(mb);
  return `${abs >= 100 ? mb.toFixed(0) : abs >= 10 ? mb.toFixed(1) : mb.toFixed(2)} MB`;
}

export function formatBytes(bytes: number): string {
  return formatMB(bytes / MIB);
}

/** Signed rate, e.g. "+2.10 MB/min". */
export function formatRate(mbPerMin: number): string {
  const abs = Math.abs(mbPerMin);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 0.1 ? 2 : 3;
  return `${mbPerMin >= 0 ? '+' : '-'}${abs.toFixed(digits)} MB/min`;
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 120) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds >= 10) return `${seconds.toFixed(0)} s`;
  const rounded = Number(seconds.toFixed(seconds < 1 ? 2 : 1));
  return `${Number.isInteger(rounded) ? rounded.toFixed(1) : rounded} s`;
}

/**
 * A command line short enough for a message: the program's path becomes its name, and what is
 * still too long loses its middle (the script and its arguments at the end are what tell).
 */
export function shortCommand(command: string, max = 72): string {
  const trimmed = command.replace(/^("?)([^\s"]*[\\/])([^\s"\\/]+)\1(?=\s|$)/, '$3');
  if (trimmed.length <= max) return trimmed;
  const head = Math.ceil(max * 0.3);
  return `${trimmed.slice(0, head)}…${trimmed.slice(trimmed.length - (max - head - 1))}`;
}
