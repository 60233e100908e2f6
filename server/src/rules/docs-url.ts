// Where each rule's documentation page lives: the generated docs/rules/LEAK00k.md in the
// repository named by package.json. Diagnostics (codeDescription.href), SARIF (helpUri) and the
// docs generator all use this one helper so the links cannot drift apart.
import { repository } from '../../../package.json';

/** `https://github.com/owner/repo` from package.json's `repository` (string or object form). */
export function repositoryUrl(): string {
  const raw = typeof repository === 'string' ? repository : repository.url;
  return raw
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

/** Path of a rule's page inside the repository. */
export function ruleDocsPath(code: string): string {
  return `docs/rules/${code}.md`;
}

export function ruleDocsUrl(code: string): string {
  return `${repositoryUrl()}/blob/main/${ruleDocsPath(code)}`;
}
