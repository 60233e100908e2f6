// `npm run bench`: runs every bench/*.bench.{mjs,ts} in name order, each in its own process (so
// peak-RSS figures are its own), and prints their figures. Add a bench by adding a file; pass
// part of a name to run only matching benches (`node bench/run.mjs scan`). A bench never fails
// the run: figures are for reading, not for gating.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const filters = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((name) => /\.bench\.(mjs|ts)$/.test(name))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(dir, name)], { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (res.status === 0) console.log(`(${name}: ${seconds} s)`);
  else
    console.log(`(${name} did not complete: ${res.signal ?? `exit code ${res.status}`}, after ${seconds} s)`);
}
if (benches.length === 0) console.log('no benches matched');
