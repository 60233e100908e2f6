// `npm run test:all`: every test, in the order a change is best checked: `npm test` (build, then
// the unit, rule, protocol and monitor tests under mocha), then `npm run test:e2e` (VSIX in a real
// VS Code: extension-host suite, UI suite, demo self-check). It is the README's test command and
// what .ci/run runs. Both phases run even when the first fails, so one run shows everything; the
// last line is the sum of both in the form CI reads, `N passed, N failed, N skipped`, and the exit
// code is 1 when anything failed (or a phase crashed before printing its counts).
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const COUNTS = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

/** Runs `npm run <script>` with its output passed through; resolves with its exit code, counts and time. */
function runPhase(script) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let counts;
    let partial = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = line.trim().match(COUNTS);
        if (m) counts = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
      }
    });
    child.on('error', (e) => console.error(`npm run ${script}: ${e.message}`));
    child.on('close', (code) => {
      const m = partial.trim().match(COUNTS);
      if (m) counts = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
      resolve({ script, code: code ?? 1, counts, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const phases = [];
for (const [script, title] of [
  // Packaged first so the VSIX tests inside `npm test` check the real package, not skip.
  ['package', 'build leak-lens.vsix'],
  ['test', 'unit, rule, protocol and monitor tests'],
  ['test:e2e', 'end-to-end: VSIX in code-server + Chromium'],
]) {
  console.log(`\n=== npm run ${script}: ${title} ===\n`);
  phases.push(await runPhase(script));
}

const total = { passed: 0, failed: 0, skipped: 0 };
console.log('\n=== all tests ===');
for (const p of phases) {
  // No count line means the phase crashed: one failure. A non-zero exit with no failure counted
  // (e.g. the build broke after the tests) is one failure too.
  const expected = p.script === 'package' ? { passed: 0, failed: 0, skipped: 0 } : undefined; // prints no counts
  const c = { ...(p.counts ?? expected ?? { passed: 0, failed: 1, skipped: 0 }) };
  if (p.code !== 0 && c.failed === 0) c.failed = 1;
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
  const why = p.counts || expected ? '' : ' (no count line: crashed)';
  console.log(
    `npm run ${p.script}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, exit ${p.code}, ${p.seconds.toFixed(0)} s${why}`,
  );
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed ? 1 : 0);
