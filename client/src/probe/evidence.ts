// What the editor shows of a probe's answers (no `vscode`: tested with plain mocha): the panel's
// section, the text beside a growing line, and "confirmed at runtime" on a static finding there.
import { isAbsolute, join, normalize } from 'node:path';
import { formatSeconds } from '../monitor/analysis/format';
import type { EndpointStat, GrowingLine, GrowingType, GrowthDoc } from './documents';
import { formatSize, signed } from './top-command';

export interface ProbeLineView extends GrowingLine {
  /** Absolute path on this machine (the probe's cwd joined with `file`). */
  path: string;
  /** "+38.0 MB in 10 min, growing" */
  text: string;
}

export interface ProbeView {
  /** The probe's URL. */
  source: string;
  windowSeconds: number;
  types: GrowingType[];
  lines: ProbeLineView[];
  /** Ranked by the memory each request keeps (mean), largest first. */
  endpoints: EndpointStat[];
  /** When the probe was last read (epoch ms), and why the last read failed, if it did. */
  updatedAt: number;
  error?: string;
}

export function growingText(line: GrowingLine, windowSeconds: number): string {
  return `${signed(line.deltaBytes)} in ${formatSeconds(windowSeconds)}, growing (${formatSize(line.sizeBytes)} held here)`;
}

export function buildProbeView(
  source: string,
  growth: GrowthDoc,
  endpoints: EndpointStat[],
  fallbackCwd: string,
  now = Date.now(),
): ProbeView {
  const cwd = typeof growth.cwd === 'string' && growth.cwd ? growth.cwd : fallbackCwd;
  return {
    source,
    windowSeconds: growth.windowSeconds,
    types: growth.types,
    lines: growth.lines.map((l) => ({
      ...l,
      path: normalize(isAbsolute(l.file) ? l.file : join(cwd, l.file)),
      text: growingText(l, growth.windowSeconds),
    })),
    endpoints: [...endpoints].sort((a, b) => b.meanDeltaBytes - a.meanDeltaBytes || b.requests - a.requests),
    updatedAt: now,
  };
}

/** The growing lines of one file (by absolute path), by 0-based line number. */
export function linesOfFile(view: ProbeView | undefined, path: string): Map<number, ProbeLineView> {
  const out = new Map<number, ProbeLineView>();
  const wanted = normalize(path);
  for (const l of view?.lines ?? []) if (l.path === wanted) out.set(l.line - 1, l);
  return out;
}

/** The part of a diagnostic this module reads (vscode.Diagnostic has it). */
export interface FindingLike {
  message: string;
  range: { start: { line: number }; end: { line: number } };
}

export const CONFIRMED = 'confirmed at runtime: ';
/** A value appended to a container is usually made a line or two above the write. */
const BEFORE_WRITE = 2;

/**
 * Static findings confirmed by a growing line say "confirmed at runtime: …" and come first. A
 * finding is confirmed when a growing line lies in its range, or at one of its write sites
 * (`writes`: 0-based lines of its related locations in the same file, e.g. the `.append()` of the
 * container LEAK002 flags where it is defined) or just above one. `clone` makes the annotated copy.
 */
export function annotateFindings<T extends FindingLike>(
  findings: readonly T[],
  growing: Map<number, ProbeLineView>,
  writes: (finding: T) => number[],
  clone: (finding: T, message: string) => T,
): T[] {
  if (growing.size === 0) return [...findings];
  const confirmed: T[] = [];
  const rest: T[] = [];
  for (const f of findings) {
    const candidates: number[] = [];
    for (let line = f.range.start.line; line <= f.range.end.line; line++) candidates.push(line);
    for (const w of writes(f)) for (let line = w - BEFORE_WRITE; line <= w; line++) candidates.push(line);
    const hits = candidates.map((line) => growing.get(line)).filter((l): l is ProbeLineView => !!l);
    const hit = hits.sort((a, b) => b.deltaBytes - a.deltaBytes)[0];
    if (hit && !f.message.startsWith(CONFIRMED))
      confirmed.push(clone(f, `${CONFIRMED}${hit.text} at line ${hit.line} — ${f.message}`));
    else rest.push(f);
  }
  return [...confirmed, ...rest];
}
