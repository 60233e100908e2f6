// `--format json`, the stable contract for scripts:
// {"version":1,"filesScanned":N,"findings":[{"path","code","name","severity","message","range","fixable"}],
//  "skipped":[{"path","reason"}]}
// Objects are built key by key so the order is exactly the documented one. `skipped` came later:
// it follows the original keys, which keep their order and meaning.
import type { Range } from '../types';
import type { ScanReport } from './report';

function range(r: Range): Range {
  return {
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
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
    })),
    skipped: report.skipped.map((s) => ({ path: s.path, reason: s.reason })),
  };
  return `${JSON.stringify(json)}\n`;
}
