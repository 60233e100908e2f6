// docs/rules/*.md must be exactly what the generator makes from the rule objects, so the pages
// cannot drift from the code. On failure: run `npm run docs` and commit the result.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DOCS_DIR, expectedPages, isRulePage } from '../../scripts/gen-docs';
import { ruleDocsPage, ruleHelpMarkdown } from '../../server/src/rules/docs-markdown';
import {
  bundledRuleDocsFile,
  normalizeRepositoryUrl,
  repositoryUrl,
  ruleDocsHref,
  ruleDocsUrl,
} from '../../server/src/rules/docs-url';
import { RULES } from '../../server/src/rules/index';
import type { Rule } from '../../server/src/types';

const sample: Rule = {
  code: 'LEAK999',
  name: 'sample-rule',
  defaultSeverity: 'information',
  summary: 'A sample summary.',
  fixable: true,
  docs: {
    whatItDoes: `
      Checks for a sample.
      Second line.`,
    whyIsThisBad: 'Because.',
    example: `
      x = open(p).read()
    `,
    useInstead: `
      with open(p) as f:
          x = f.read()
    `,
    references: [
      'https://docs.python.org/3/library/functions.html#open',
      '[PEP 343](https://peps.python.org/pep-0343/)',
    ],
  },
  check() {},
};

describe('rule documentation pages', () => {
  for (const [name, content] of expectedPages()) {
    it(`docs/rules/${name} is up to date (npm run docs)`, () => {
      const path = join(DOCS_DIR, name);
      assert.ok(existsSync(path), `${path} is missing: run \`npm run docs\``);
      assert.equal(
        readFileSync(path, 'utf8'),
        content,
        `${path} differs from its rule object: run \`npm run docs\``,
      );
    });
  }

  it('has no page for a rule that is not registered', () => {
    const pages = existsSync(DOCS_DIR) ? readdirSync(DOCS_DIR).filter(isRulePage) : [];
    const registered = new Set(RULES.map((r) => `${r.code}.md`));
    assert.deepEqual(
      pages.filter((p) => !registered.has(p)),
      [],
    );
  });

  it('renders the title, severity, fixability and the sections in order', () => {
    const page = ruleDocsPage(sample);
    assert.ok(page.startsWith('# LEAK999 sample-rule\n'));
    assert.match(page, /- Default severity: information/);
    assert.match(page, /- Fixable: yes/);
    const headings = [...page.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'References']);
    assert.match(page, /## What it does\n\nChecks for a sample\.\nSecond line\.\n/);
    assert.match(page, /## Example\n\n```python\nx = open\(p\)\.read\(\)\n```/);
    assert.match(page, /```python\nwith open\(p\) as f:\n {4}x = f\.read\(\)\n```/);
    assert.match(page, /- <https:\/\/docs\.python\.org\/3\/library\/functions\.html#open>/);
    assert.match(page, /- \[PEP 343\]\(https:\/\/peps\.python\.org\/pep-0343\/\)/);
    assert.ok(page.endsWith('```\n') || page.endsWith(')\n'));
  });

  it('leaves out References when a rule has none', () => {
    const md = ruleHelpMarkdown({ ...sample, docs: { ...sample.docs, references: [] } });
    assert.doesNotMatch(md, /References/);
  });

  it('links each rule to its bundled page, since this build names no repository', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    assert.equal(pkg.repository, undefined, 'the repository is a setting of the release, not a guess');
    assert.equal(repositoryUrl(), undefined);
    assert.equal(ruleDocsUrl('LEAK001'), undefined);
    const file = bundledRuleDocsFile('LEAK001');
    assert.equal(file, join(__dirname, '..', '..', 'docs', 'rules', 'LEAK001.md'));
    assert.equal(ruleDocsHref('LEAK001'), pathToFileURL(file ?? '').href);
    assert.equal(bundledRuleDocsFile('LEAK999'), undefined, 'no page for an unknown rule');
    assert.equal(ruleDocsHref('LEAK999'), undefined, 'so no link either');
  });

  it('reads a release repository in either form of the field', () => {
    const url = 'https://github.com/owner/repo';
    assert.equal(normalizeRepositoryUrl(url), url);
    assert.equal(normalizeRepositoryUrl({ url: `git+${url}.git` }), url);
    assert.equal(normalizeRepositoryUrl({ url: `${url}/` }), url);
    assert.equal(normalizeRepositoryUrl({ url: '  ' }), undefined);
    assert.equal(normalizeRepositoryUrl(undefined), undefined);
  });
});
