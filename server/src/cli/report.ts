// What a finished scan hands to the output formats.
import type { ScanFinding } from './analyze-file';
import type { FixSummary } from './fix-summary';

export interface ReportedFinding extends ScanFinding {
  /** Relative to the working directory, posix separators. */
  path: string;
}

export interface ScanReport {
  /** Absolute working directory the paths are relative to. */
  cwd: string;
  filesScanned: number;
  /** Sorted by path, then position, then code. */
  findings: ReportedFinding[];
  /** Files that could not be read or decoded (also reported on stderr). */
  skipped: { path: string; reason: string }[];
  /** False when a named path could not be scanned (exit code 2). */
  complete: boolean;
  /** Test files left out (not read, not in filesScanned) because test code was not included. */
  testFiles: number;
  /** Vendored third-party files left out (not read, not in filesScanned) because vendored code was not included. */
  vendoredFiles: number;
  /** With --fix or --diff: what the fixes did (or would do). */
  fixes?: FixSummary;
}

/** Deterministic order: path (code-unit order, independent of locale), line, column, code. */
export function compareFindings(a: ReportedFinding, b: ReportedFinding): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character
  );
}
