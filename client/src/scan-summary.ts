// What the user is told after "Leak Lens: Scan Workspace". The server answers the command with a
// summary; the client only relies on the fields it finds, so an older or newer server still works.
// No `vscode` import: unit-tested under plain mocha.

export interface ScanSummaryLike {
  filesScanned: number;
  findings: number;
  skipped?: number;
  cancelled?: boolean;
  durationMs?: number;
}

export function isScanSummary(value: unknown): value is ScanSummaryLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.filesScanned === 'number' && typeof v.findings === 'number';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Scanned 120 files in 1.2 s: 8 possible leaks (3 files skipped)." */
export function describeScan(summary: ScanSummaryLike): string {
  const files = plural(summary.filesScanned, 'file', 'files');
  const time = summary.durationMs === undefined ? '' : ` in ${(summary.durationMs / 1000).toFixed(1)} s`;
  const leaks =
    summary.findings === 0
      ? 'no possible leaks'
      : plural(summary.findings, 'possible leak', 'possible leaks');
  const skipped = summary.skipped
    ? ` (${plural(summary.skipped, 'file', 'files')} skipped, see the output)`
    : '';
  if (summary.cancelled) return `Scan cancelled after ${files}${time}: ${leaks} so far${skipped}.`;
  return `Scanned ${files}${time}: ${leaks}${skipped}.`;
}
