// `--format json`, the stable contract for scripts:
// {"version":1,"filesScanned":N,"findings":[{"path","code","name","severity","message","range","fixable",
//  "fix"}],"skipped":[{"path","reason"}]} and, with --fix, "fixed":N after them.
// Objects are built key by key so the order is exactly the documented one. Later keys (`skipped`,
// each finding's `fix`, `fixed`) follow the original ones, which keep their order and meaning.
// `fix` is the fix `--fix` would apply (else the one `--unsafe-fixes` would), or null:
// {"applicability":"safe"|"unsafe","title","edits":[{"range","newText"}]}, ranges in the file as
// it is now (after --fix, the fixed file).
import type { Range } from '../types';
import type { ScanFix } from './analyze-file';
import type { ScanReport } from './report';

function range(r: Range): Range {
  return {
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
  };
}

function fixJson(fix: ScanFix | null) {
  if (!fix) return null;
  return {
    applicability: fix.applicability,
    title: fix.title,
    edits: fix.edits.map((e) => ({ range: range(e.range), newText: e.newText })),
  };
}

export function formatJson(report: ScanReport): string {
  const json = {
    version: 1,
    filesScanned: report.filesScanned,
    findings: report.findings.map((f) => ({
      path: f.path,
      code: f.code,
      name: f.name,
      severity: f.severity,
      message: f.message,
      range: range(f.range),
      fixable: f.fixable,
      fix: fixJson(f.fix),
    })),
    skipped: report.skipped.map((s) => ({ path: s.path, reason: s.reason })),
    ...(report.fixes ? { fixed: report.fixes.fixed } : {}),
  };
  return `${JSON.stringify(json)}\n`;
}
