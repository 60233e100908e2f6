// Mocha entry point that VS Code's extension host loads (extensionTestsPath) — inside
// code-server for `npm run test:host`, inside a downloaded VS Code for `npm run test:vscode`.
// The host calls run(): resolving means success (exit 0), rejecting means failure (exit 1).
// The exit code alone carries no counts, so they also go to the JSON file named by
// E2E_RESULTS_FILE (the launcher is on the same machine) and to an `E2E-SUMMARY` log line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Summary {
  passes: number;
  failures: number;
  pending: number;
  tests: number;
  error?: string;
}

function report(summary: Summary): void {
  if (process.env.E2E_RESULTS_FILE) fs.writeFileSync(process.env.E2E_RESULTS_FILE, JSON.stringify(summary));
  console.log(`E2E-SUMMARY ${JSON.stringify(summary)}`);
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 60_000,
    grep: process.env.E2E_GREP || undefined,
  });
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  try {
    await mocha.loadFilesAsync();
  } catch (e) {
    // A test file that throws while loading would otherwise surface only as "exit 1".
    report({ passes: 0, failures: 1, pending: 0, tests: 0, error: String(e) });
    throw e;
  }
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats as Mocha.Stats));
  });
  report({ passes: stats.passes, failures: stats.failures, pending: stats.pending, tests: stats.tests });
  if (stats.failures > 0) throw new Error(`${stats.failures} of ${stats.tests} tests failed.`);
}
