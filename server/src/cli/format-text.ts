// `--format text`: one `path:line:col: CODE message` line per finding (1-based, as compilers and
// Ruff print them, so editors and terminals make them clickable), then a summary line, which
// says how many files could not be analysed: "No leaks found" never stands for files not read.
import { describeFixes } from './fix-summary';
import type { ScanReport } from './report';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatText(report: ScanReport): string {
  const lines = report.findings.map(
    (f) =>
      `${f.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.message.replace(/\s*\n\s*/g, ' ')}`,
  );
  const files = new Set(report.findings.map((f) => f.path)).size;
  const tests =
    report.testFiles > 0
      ? `; ${plural(report.testFiles, 'test file')} not analysed, use --include-tests to include them`
      : '';
  const vendored =
    report.vendoredFiles > 0
      ? `; ${plural(report.vendoredFiles, 'vendored file')} not analysed, use --include-vendored to include them`
      : '';
  const skipped =
    report.skipped.length > 0
      ? `; ${plural(report.skipped.length, 'file')} skipped, see the messages on stderr`
      : '';
  const scanned = `${plural(report.filesScanned, 'file')} scanned${skipped}${tests}${vendored}`;
  if (report.fixes) lines.push(describeFixes(report.fixes, report.fixes.dryRun));
  lines.push(
    report.findings.length === 0
      ? `No leaks found (${scanned}).`
      : `Found ${plural(report.findings.length, 'finding')} in ${plural(files, 'file')} (${scanned}).`,
  );
  return `${lines.join('\n')}\n`;
}
