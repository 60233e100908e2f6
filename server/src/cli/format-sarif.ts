// `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it (upload with
// github/codeql-action/upload-sarif). Every registered rule is described in tool.driver.rules
// with its documentation and help URI; results point at them by id and index.
import { pathToFileURL } from 'node:url';
import { version } from '../../../package.json';
import { ruleHelpMarkdown, ruleHelpText } from '../rules/docs-markdown';
import { repositoryUrl, ruleDocsUrl } from '../rules/docs-url';
import { RULES } from '../rules/index';
import type { Range, Rule, Severity } from '../types';
import type { ReportedFinding, ScanReport } from './report';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note';

/** SARIF has no "information"/"hint": both are notes. */
export function sarifLevel(severity: Severity): Level {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** A relative URI reference for a posix path: each segment percent-encoded (spaces, `#`, `%`). */
export function pathToUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function region(r: Range) {
  // SARIF counts from 1; columns are UTF-16 code units (the run's columnKind), end exclusive.
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

function location(path: string, r?: Range) {
  return {
    physicalLocation: {
      artifactLocation: { uri: pathToUri(path), uriBaseId: SRCROOT },
      ...(r ? { region: region(r) } : {}),
    },
  };
}

function describeRule(rule: Rule) {
  return {
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: ruleHelpText(rule).split('\n\n')[0] },
    help: { text: ruleHelpText(rule), markdown: ruleHelpMarkdown(rule) },
    // Only a published page: a path on the machine that ran the scan means nothing to a SARIF viewer.
    ...(ruleDocsUrl(rule.code) ? { helpUri: ruleDocsUrl(rule.code) } : {}),
    defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
    properties: { tags: ['memory-leak', 'reliability'] },
  };
}

function result(f: ReportedFinding, ruleIndex: Map<string, number>) {
  const index = ruleIndex.get(f.code);
  return {
    ruleId: f.code,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [location(f.path, f.range)],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, id) => ({
            id,
            ...location(f.path, r.range),
            message: { text: r.message },
          })),
        }
      : {}),
  };
}

export function formatSarif(report: ScanReport, rules: readonly Rule[] = RULES): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.code, i]));
  const sarif = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Leak Lens',
            ...(repositoryUrl() ? { informationUri: repositoryUrl() } : {}),
            version,
            semanticVersion: version,
            rules: rules.map(describeRule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(report.cwd).href.replace(/\/?$/, '/')}` } },
        invocations: [
          {
            executionSuccessful: report.complete,
            toolExecutionNotifications: report.skipped.map((s) => ({
              level: 'warning',
              message: { text: `${s.path} was skipped: ${s.reason}` },
              locations: [location(s.path)],
            })),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f) => result(f, ruleIndex)),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
