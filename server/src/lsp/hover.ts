// Hover over a finding: the documentation of its rule (what, why it leaks, example, fix), so the
// explanation is where the squiggle is. VS Code shows it under the diagnostic's own message.
import { type Hover, MarkupKind } from 'vscode-languageserver';
import { ruleHoverMarkdown } from '../rules/docs-markdown';
import { ruleDocsHref } from '../rules/docs-url';
import { ruleByCode } from '../rules/index';
import type { Position, Range } from '../types';

/** A finding as the client sees it: its rule and its range in the hovered document or cell. */
export interface HoveredFinding {
  code: string;
  range: Range;
}

/** How the link to the whole page is made: a client command (VS Code: Markdown preview) or a plain link. */
export interface HoverOptions {
  /** A command taking the rule code, e.g. `leakLens.showRuleDocumentation`; else the page's own URL. */
  ruleDocsCommand?: string;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether `p` lies inside `r`, both ends included (the cursor just after a name still hovers it). */
export function contains(r: Range, p: Position): boolean {
  return !before(p, r.start) && !before(r.end, p);
}

function fullPageLink(code: string, options: HoverOptions): { label: string; target: string } | undefined {
  const label = `Open the ${code} documentation`;
  if (options.ruleDocsCommand) {
    const args = encodeURIComponent(JSON.stringify([code]));
    return { label, target: `command:${options.ruleDocsCommand}?${args}` };
  }
  const href = ruleDocsHref(code);
  return href ? { label, target: href } : undefined;
}

/** The hover for `position`, or null when no finding of a known rule covers it. */
export function ruleHover(
  findings: readonly HoveredFinding[],
  position: Position,
  options: HoverOptions = {},
): Hover | null {
  const under = findings.filter((f) => contains(f.range, position));
  const sections: string[] = [];
  const seen = new Set<string>();
  let range: Range | undefined;
  for (const f of under) {
    const rule = ruleByCode(f.code);
    if (!rule || seen.has(f.code)) continue;
    seen.add(f.code);
    range ??= f.range;
    sections.push(ruleHoverMarkdown(rule, fullPageLink(f.code, options)));
  }
  if (sections.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') }, range };
}
