// `npm run test:vscode`: the extension-host suite in a desktop VS Code downloaded by
// @vscode/test-electron — for machines with internet access (a developer's laptop, a hosted CI).
// The offline machines of this project cannot download VS Code; there `npm run test:host` runs the
// very same suite inside code-server (test/e2e/host.mjs).
// @vscode/test-electron is not a dependency (it would be dead weight offline); install it on demand:
//   npm install --no-save @vscode/test-electron && npm run test:vscode
// Env: VSCODE_VERSION (default: the oldest version package.json's engines.vscode accepts, so the
// suite proves the minimum we claim), E2E_GREP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch {
  console.error(
    '@vscode/test-electron is not installed. On a machine that can download VS Code:\n' +
      '  npm install --no-save @vscode/test-electron && npm run test:vscode\n' +
      'Offline, run the same suite inside code-server instead: npm run test:host',
  );
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(2);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const version = process.env.VSCODE_VERSION ?? manifest.engines.vscode.replace(/^[^\d]*/, '');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-lens-vscode-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(root, 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
const resultsFile = path.join(tmp, 'results.json');

let code = 1;
try {
  code = await testElectron.runTests({
    version,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'vscode', 'suite', 'index.js'),
    launchArgs: [
      workspace,
      '--disable-extensions', // only Leak Lens: no other Python tooling publishing diagnostics
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${path.join(tmp, 'user-data')}`,
    ],
    extensionTestsEnv: { E2E_RESULTS_FILE: resultsFile, E2E_GREP: process.env.E2E_GREP ?? '' },
  });
} catch (e) {
  console.error(`VS Code test run failed: ${e?.message ?? e}`);
}
let s = { passes: 0, failures: 1, pending: 0 };
if (fs.existsSync(resultsFile)) s = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
process.exit(code === 0 && s.failures === 0 ? 0 : 1);
