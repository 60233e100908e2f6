// Writes docs/rules/<code>.md for every registered rule from its rule object, and removes pages
// of rules that no longer exist. Run with `npm run docs`; test/docs/docs.test.ts fails when the
// committed pages differ from what this produces.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleDocsPage } from '../server/src/rules/docs-markdown';
import { RULES } from '../server/src/rules/index';

export const DOCS_DIR = join(__dirname, '..', 'docs', 'rules');

/** The pages the generator produces: file name → content. */
export function expectedPages(): Map<string, string> {
  return new Map(RULES.map((rule) => [`${rule.code}.md`, ruleDocsPage(rule)]));
}

/** Whether `name` is a generated rule page (other files in docs/rules are left alone). */
export function isRulePage(name: string): boolean {
  return /^LEAK\d{3}\.md$/.test(name);
}

function main(): void {
  mkdirSync(DOCS_DIR, { recursive: true });
  const pages = expectedPages();
  for (const [name, content] of pages) writeFileSync(join(DOCS_DIR, name), content);
  const stale = readdirSync(DOCS_DIR).filter((name) => isRulePage(name) && !pages.has(name));
  for (const name of stale) rmSync(join(DOCS_DIR, name));
  console.log(
    `wrote ${pages.size} rule page(s) to docs/rules${stale.length ? `, removed ${stale.join(', ')}` : ''}`,
  );
}

if (require.main === module) main();
