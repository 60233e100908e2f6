// Renders a rule's documentation (the `docs` on its rule object) as Markdown: the full page
// written to docs/rules/LEAK00k.md by scripts/gen-docs.ts, and the body reused as SARIF `help`.
// Headings follow Ruff's rule pages: What it does / Why is this bad? / Example / Use instead / References.
import { dedent } from '../fixes/edits';
import type { Rule } from '../types';

function prose(text: string): string {
  return dedent(text).trim();
}

function python(code: string): string {
  return `\`\`\`python\n${dedent(code).replace(/^\n+|\s+$/g, '')}\n\`\`\``;
}

function reference(ref: string): string {
  const trimmed = ref.trim();
  return /^https?:\/\/\S+$/.test(trimmed) ? `- <${trimmed}>` : `- ${trimmed}`;
}

/** What it does, why it is bad, the example and the fix, under headings of `level` (`##`). */
function sections(rule: Rule, level: string, whatItDoes: string): string[] {
  return [
    `${level} What it does`,
    whatItDoes,
    `${level} Why is this bad?`,
    prose(rule.docs.whyIsThisBad),
    `${level} Example`,
    python(rule.docs.example),
    `${level} Use instead`,
    python(rule.docs.useInstead),
  ];
}

/** The documentation sections, without the page title (SARIF `help.markdown`). */
export function ruleHelpMarkdown(rule: Rule): string {
  const parts = sections(rule, '##', prose(rule.docs.whatItDoes));
  const refs = rule.docs.references ?? [];
  if (refs.length > 0) parts.push('## References', refs.map(reference).join('\n'));
  return parts.join('\n\n');
}

/** The plain-text help (SARIF `help.text`): what the rule does and why it matters. */
export function ruleHelpText(rule: Rule): string {
  return `${prose(rule.docs.whatItDoes)}\n\n${prose(rule.docs.whyIsThisBad)}`;
}

/** The whole docs/rules/<code>.md page. */
export function ruleDocsPage(rule: Rule): string {
  const header = [
    `# ${rule.code} ${rule.name}`,
    '<!-- Generated from the rule object by `npm run docs` (scripts/gen-docs.ts). Do not edit by hand. -->',
    prose(rule.summary),
    [
      `- Default severity: ${rule.defaultSeverity}`,
      `- Fixable: ${rule.fixable ? 'yes (quick fix in the editor)' : 'no (suppress with `# noqa` if intended)'}`,
    ].join('\n'),
  ];
  return `${header.join('\n\n')}\n\n${ruleHelpMarkdown(rule)}\n`;
}

/** The first paragraph of a prose section (the rest stays on the full page). */
function lead(text: string): string {
  return prose(text).split(/\n\s*\n/)[0];
}

/**
 * What hovering a finding shows: the rule's name and summary, what it does (first paragraph),
 * why it leaks, the example and the fix — the sections of its docs page, shorter where the page
 * goes into detail — and a link to the whole page when there is one.
 */
export function ruleHoverMarkdown(rule: Rule, fullPage?: { label: string; target: string }): string {
  const parts = [
    `**${rule.code} ${rule.name}** — ${prose(rule.summary)}`,
    ...sections(rule, '####', lead(rule.docs.whatItDoes)),
  ];
  if (fullPage) parts.push(`[${fullPage.label}](${fullPage.target})`);
  return parts.join('\n\n');
}
