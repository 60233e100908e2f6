// Engine findings → LSP diagnostics: code, source, a link to the rule's page, severity and the
// related locations (the write site, the creating call…) in the same document or cell.
import {
  type Diagnostic,
  type DiagnosticRelatedInformation,
  DiagnosticSeverity,
} from 'vscode-languageserver';
import { ruleDocsHref } from '../rules/docs-url';
import type { Finding, Range, Severity } from '../types';

export const SOURCE = 'Leak Lens';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Maps an analysed range to the document (or notebook cell) it belongs to. */
export type Locator = (range: Range) => { uri: string; range: Range } | undefined;

/** What code actions need to find the finding again: its position in the analysed text. */
export interface DiagnosticData {
  /** The finding's range in the analysed text (differs from the diagnostic's for notebook cells). */
  at: Range;
}

/**
 * Each rule's `codeDescription`, looked up once per server: finding the bundled page asks the
 * file system, which cost more than the rest of the conversion for a file of hundreds of findings.
 */
const descriptions = new Map<string, { href: string } | undefined>();

function codeDescription(code: string): { href: string } | undefined {
  if (descriptions.has(code)) return descriptions.get(code);
  const href = ruleDocsHref(code);
  const description = href ? { href } : undefined;
  descriptions.set(code, description);
  return description;
}

export function toDiagnostic(finding: Finding, range: Range, locate: Locator): Diagnostic {
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of finding.related) {
    const where = locate(r.range);
    if (where) related.push({ location: { uri: where.uri, range: where.range }, message: r.message });
  }
  const data: DiagnosticData = { at: finding.range };
  return {
    range,
    severity: SEVERITY[finding.severity] ?? DiagnosticSeverity.Warning,
    code: finding.code,
    codeDescription: codeDescription(finding.code),
    source: SOURCE,
    message: finding.message,
    relatedInformation: related.length > 0 ? related : undefined,
    data,
  };
}

/** Whether a diagnostic sent back by the client (code action context) is one of ours. */
export function isOurs(diagnostic: Diagnostic): boolean {
  return diagnostic.source === SOURCE && typeof diagnostic.code === 'string';
}
