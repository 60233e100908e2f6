// Runs the mocha suites (unit, rule tables, protocol, monitor) and ends with the plain
// "N passed, N failed, N skipped" line that CI reads. Extra args are passed to mocha.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'leak-lens-tests-'));
const statsFile = join(dir, 'stats.json');
const mocha = join(import.meta.dirname, '..', 'node_modules', 'mocha', 'bin', 'mocha.js');
// Files or globs given on the command line replace the default set (the whole suite).
const args = process.argv.slice(2);
const hasSpec = args.some((a) => !a.startsWith('-') && /\.(ts|js)$|\*/.test(a));
const res = spawnSync(
  process.execPath,
  [
    mocha,
    '--reporter',
    join(import.meta.dirname, 'summary-reporter.cjs'),
    ...(hasSpec ? [] : ['test/**/*.test.ts']),
    ...args,
  ],
  { stdio: 'inherit', env: { ...process.env, LEAK_LENS_STATS_FILE: statsFile } },
);
let stats = { passes: 0, failures: 1, pending: 0 };
try {
  stats = JSON.parse(readFileSync(statsFile, 'utf8'));
} catch {
  console.error('mocha did not report its results (crashed before the end?)');
}
rmSync(dir, { recursive: true, force: true });
console.log(`${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`);
process.exit(res.status === 0 && stats.failures === 0 ? 0 : 1);
