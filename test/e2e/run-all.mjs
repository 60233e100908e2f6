// `npm run test:e2e`: packages the VSIX, then runs the extension-host suite, the UI suite and the
// one-command demo's self-check (`npm run demo -- --check`) (all, even when one fails, so one run
// shows everything), and closes with the combined `N passed, N failed, N skipped` line. Exit 1 if
// anything failed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { E2E_DIR, REPO_ROOT } from './lib.mjs';

/** Runs a command with its output passed through; resolves with its exit code and last count line. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let counts;
    let partial = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const m = l.match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/);
        if (m) counts = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
      }
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, counts }));
  });
}

const total = { passed: 0, failed: 0, skipped: 0 };
const add = ({ code, counts }) => {
  const c = counts ?? { passed: 0, failed: 1, skipped: 0 }; // no count line: it crashed
  if (code !== 0 && c.failed === 0) c.failed = 1;
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
};

const pkg = await run('npm', ['run', 'package']);
if (pkg.code !== 0) {
  console.error('npm run package failed: no VSIX to test');
  add(pkg);
} else {
  console.log('\n=== extension-host suite (mocha inside code-server) ===');
  add(await run('npm', ['run', 'test:host']));
  console.log('\n=== UI suite (code-server + Chromium) ===');
  add(await run(process.execPath, [path.join(E2E_DIR, 'ui.mjs'), path.join(REPO_ROOT, 'leak-lens.vsix')]));
  console.log('\n=== one-command demo self-check (npm run demo -- --check) ===');
  add(await run(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs'), '--check', '--no-build']));
}
console.log(`\ne2e total:`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed ? 1 : 0);
