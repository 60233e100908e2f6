// `npm run package`: builds leak-lens.vsix with vsce. The repository a release is published from
// is a setting of that release, not part of the sources: set it first with
// `npm pkg set repository.url=https://github.com/owner/repo`, and the rule links (diagnostics,
// SARIF) and the README's relative links point there. Without it the package is still complete:
// rule links open the pages bundled in the VSIX, and vsce is told not to expect a repository.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;

const args = ['package', '--no-dependencies', '--out', 'leak-lens.vsix'];
if (!repository) args.push('--allow-missing-repository', '--no-rewrite-relative-links');
const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
const run = spawnSync(process.execPath, [vsce, ...args, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (run.error) console.error(`npm run package: could not start vsce: ${run.error.message}`);
process.exit(run.status ?? 1);
