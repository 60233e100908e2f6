// What `--fix` / `--diff` did, in numbers and in one sentence: fixes applied (or that would be),
// files changed, findings left, and how many of those an unsafe fix would remove.

import type { FileOutcome } from './analyze-file';
import { plural } from './format-text';
import type { ScanArgs } from './scan-args';

export interface FixSummary {
  /** Fixes applied (with --diff: that would be applied). */
  fixed: number;
  /** Files changed (with --diff: that would change). */
  files: number;
  /** Findings left after the fixes. */
  remaining: number;
  /** Of those, the ones with an unsafe fix that `--unsafe-fixes` would apply. */
  unsafeFixable: number;
  /** Files whose fixes were not written (changed on disk, encoding…): reported on stderr. */
  notWritten: number;
  /** Whether this was --diff (nothing written). */
  dryRun: boolean;
}

export function summarizeFixes(
  outcomes: readonly FileOutcome[],
  args: Pick<ScanArgs, 'diff' | 'unsafeFixes'>,
): FixSummary {
  const summary: FixSummary = {
    fixed: 0,
    files: 0,
    remaining: 0,
    unsafeFixable: 0,
    notWritten: 0,
    dryRun: args.diff,
  };
  for (const o of outcomes) {
    if (o.error !== undefined) continue;
    summary.fixed += o.fixed ?? 0;
    if ((o.fixed ?? 0) > 0) summary.files++;
    if (o.notFixed) summary.notWritten++;
    summary.remaining += o.remaining ?? o.findings.length;
  }
  // (Counted on the findings as reported: after --fix the remaining ones, with --diff all of them.)
  if (!args.unsafeFixes)
    for (const o of outcomes)
      for (const f of o.findings) if (f.fix?.applicability === 'unsafe') summary.unsafeFixable++;
  return summary;
}

/** "Fixed 3 findings in 2 files; 1 remains (1 fixable with --unsafe-fixes)." */
export function describeFixes(s: FixSummary, dryRun: boolean): string {
  const hint = s.unsafeFixable > 0 ? ` (${s.unsafeFixable} fixable with --unsafe-fixes)` : '';
  const left =
    s.remaining === 0
      ? 'none remains'
      : `${plural(s.remaining, 'finding')} ${dryRun ? 'would remain' : 'remain'}`;
  const left1 = s.remaining === 1 ? (dryRun ? '1 finding would remain' : '1 finding remains') : left;
  const unwritten =
    s.notWritten > 0 ? `; ${plural(s.notWritten, 'file')} not written, see the messages above` : '';
  if (s.fixed === 0) return `No fixes ${dryRun ? 'to apply' : 'applied'}; ${left1}${hint}${unwritten}.`;
  const did = dryRun ? 'Would apply' : 'Applied';
  const fixes = s.fixed === 1 ? '1 fix' : `${s.fixed} fixes`;
  return `${did} ${fixes} to ${plural(s.files, 'file')}; ${left1}${hint}${unwritten}.`;
}
