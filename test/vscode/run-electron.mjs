// `npm run test:vscode`: the extension-host suite in a desktop VS Code, run by
// @vscode/test-electron (a devDependency). Which VS Code:
//   - VSCODE_EXECUTABLE, if set: an installed VS Code (its executable, e.g. /usr/share/code/code);
//   - otherwise one downloaded into .vscode-test/ (VSCODE_VERSION, default: the oldest version
//     package.json's engines.vscode accepts, so the suite proves the minimum we claim).
// Offline, with no VSCODE_EXECUTABLE, the download fails and the run is skipped with one message
// (`0 passed, 0 failed, 1 skipped`, exit 0): the same suite runs inside code-server with
// `npm run test:host`, which is what CI runs. Env: E2E_GREP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOWNLOAD_IDLE_TIMEOUT_MS = 15_000;

function finish(passed, failed, skipped, code) {
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code);
}

let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch {
  console.error('@vscode/test-electron is missing from node_modules: run `npm ci` (it is a devDependency).');
  finish(0, 1, 0, 2);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const version = process.env.VSCODE_VERSION ?? manifest.engines.vscode.replace(/^[^\d]*/, '');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
if (vscodeExecutablePath) {
  if (!fs.existsSync(vscodeExecutablePath)) {
    console.error(
      `VSCODE_EXECUTABLE=${vscodeExecutablePath} does not exist: point it at an installed VS Code's executable.`,
    );
    finish(0, 1, 0, 1);
  }
} else {
  try {
    vscodeExecutablePath = await testElectron.downloadAndUnzipVSCode({
      version,
      cachePath: path.join(root, '.vscode-test'),
      timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
    });
  } catch (e) {
    const reason = String(e?.message ?? e).split('\n')[0];
    console.log(
      `test:vscode skipped: VS Code ${version} could not be downloaded (${reason}). Set VSCODE_EXECUTABLE to an installed VS Code, or run the same suite in code-server: npm run test:host`,
    );
    finish(0, 0, 1, 0);
  }
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-lens-vscode-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(root, 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
const resultsFile = path.join(tmp, 'results.json');

let code = 1;
try {
  code = await testElectron.runTests({
    vscodeExecutablePath,
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
