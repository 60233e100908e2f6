// Where each rule's documentation page lives. Every build carries the generated
// docs/rules/LEAK00k.md pages (the VSIX ships them), so a link always has something to open: the
// bundled page as a file URI. A release that is published somewhere sets `repository` in
// package.json (e.g. `npm pkg set repository.url=https://github.com/owner/repo` before
// `npm run package`); only then do links point at that repository's copy of the page. Diagnostics
// (codeDescription.href), hovers, SARIF (helpUri) and the docs tests all use these helpers so the
// links cannot drift apart.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import manifest from '../../../package.json';

type Repository = string | { url?: string } | undefined;

/** `https://github.com/owner/repo` from a `repository` field (string or object form), if any. */
export function normalizeRepositoryUrl(repository: Repository): string | undefined {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw?.trim()) return undefined;
  return raw
    .trim()
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

/** The repository this release is published from, or undefined for an unpublished build. */
export function repositoryUrl(): string | undefined {
  return normalizeRepositoryUrl((manifest as { repository?: Repository }).repository);
}

/** Path of a rule's page inside the repository (and inside the VSIX). */
export function ruleDocsPath(code: string): string {
  return `docs/rules/${code}.md`;
}

/** The published page of a rule, when the release names its repository. */
export function ruleDocsUrl(code: string): string | undefined {
  const repo = repositoryUrl();
  return repo ? `${repo}/blob/main/${ruleDocsPath(code)}` : undefined;
}

let bundledRoot: string | null | undefined;

/**
 * The folder holding docs/rules: next to dist/ in the VSIX and in a checkout (dist/server.js,
 * dist/cli.js), three levels up when running from the sources (server/src/rules).
 */
export function bundledDocsRoot(): string | undefined {
  if (bundledRoot === undefined) {
    bundledRoot = null;
    for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
      if (existsSync(join(dir, 'docs', 'rules'))) {
        bundledRoot = dir;
        break;
      }
    }
  }
  return bundledRoot ?? undefined;
}

/** The bundled page of a rule, if this installation has it. */
export function bundledRuleDocsFile(code: string): string | undefined {
  const root = bundledDocsRoot();
  const file = root ? join(root, ruleDocsPath(code)) : undefined;
  return file && existsSync(file) ? file : undefined;
}

/** The link a diagnostic carries: the published page if there is one, else the bundled page. */
export function ruleDocsHref(code: string): string | undefined {
  const published = ruleDocsUrl(code);
  if (published) return published;
  const file = bundledRuleDocsFile(code);
  return file ? pathToFileURL(file).href : undefined;
}
