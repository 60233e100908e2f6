// Ruff's WebAssembly build (@astral-sh/ruff-wasm-nodejs) over a tree, as the comparison point
// of bench/targets.bench.mjs: the same directories, the same folders skipped as `leak-lens scan`,
// Ruff limited to five rules that look for what Leak Lens looks for, on THREADS worker threads
// (default 2, one Ruff workspace each). Prints one JSON line: files, lines, diagnostics per rule,
// seconds, and the peak RSS of this process (threads included).
// Usage: node --import tsx bench/support/ruff-wasm-scan.mjs DIR... (env THREADS)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** B006 mutable default (LEAK002), B019 lru_cache on methods (LEAK001), SIM115 open without `with`
 * (LEAK008), RUF006 dangling asyncio task (LEAK007), PLW0603 `global` rebinding (module state). */
export const RUFF_RULES = ['B006', 'B019', 'SIM115', 'RUF006', 'PLW0603'];
function pythonFiles(dir, out, isSkippedDirectoryName) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      // The folders `leak-lens scan` skips, so both tools read the same files.
      if (!isSkippedDirectoryName(e.name)) pythonFiles(join(dir, e.name), out, isSkippedDirectoryName);
    } else if (e.isFile() && e.name.endsWith('.py')) out.push(join(dir, e.name));
  }
  return out;
}

function lint(files) {
  const { Workspace } = createRequire(import.meta.url)('@astral-sh/ruff-wasm-nodejs');
  const workspace = new Workspace({ lint: { select: RUFF_RULES } });
  const perRule = {};
  let lines = 0;
  let failed = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    lines += text.split('\n').length;
    try {
      for (const d of workspace.check(text)) perRule[d.code] = (perRule[d.code] ?? 0) + 1;
    } catch {
      failed++;
    }
  }
  return { lines, perRule, failed };
}

if (!isMainThread) {
  parentPort.postMessage(lint(workerData.files));
} else {
  const threads = Number(process.env.THREADS ?? 2);
  const started = performance.now();
  // Imported here, not at the top: the worker threads run without the TypeScript loader.
  const { isSkippedDirectoryName } = await import('../../server/src/exclude.ts');
  const files = process.argv.slice(2).flatMap((dir) => pythonFiles(dir, [], isSkippedDirectoryName));
  const shares = Array.from({ length: threads }, (_, i) => files.filter((_, j) => j % threads === i));
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: { files: share } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  const perRule = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.perRule)) perRule[code] = (perRule[code] ?? 0) + n;
  console.log(
    JSON.stringify({
      files: files.length,
      lines: results.reduce((n, r) => n + r.lines, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      perRule,
      threads,
      seconds: (performance.now() - started) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}
