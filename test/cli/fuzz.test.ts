// A small fixed-seed slice of `npm run fuzz` (scripts/fuzz.ts): every pathological shape of
// issues 12 and 13 (wide ERROR nodes, thousands of classes, deep nesting, slow error recovery…) at
// a tenth of its reported size, and mutated standard-library files, through the scan's supervised
// workers: nothing crashes, the canaries after each file are found, every file stays in its bound.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mutate, random, runFuzz, SHAPES, summary } from '../../scripts/fuzz';

const REPO = join(__dirname, '..', '..');

describe('fuzz slice (npm run fuzz, fixed seed)', () => {
  before(function () {
    this.timeout(300_000);
    if (existsSync(join(REPO, 'dist', 'scan-worker.js'))) return;
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
  });

  it('is reproducible: a seed gives the same mutations', () => {
    const text = 'def f(x):\n    cache = {}\n    return [x for x in range(10)]\n';
    const other = () => 'class A:\n    pass\n';
    const a = random(7);
    const b = random(7);
    for (let i = 0; i < 20; i++) assert.equal(mutate(text, a, other), mutate(text, b, other));
    assert.ok(SHAPES.some((s) => s.name === 'wide-error') && SHAPES.some((s) => s.name === 'classes'));
  });

  it('runs the shapes and mutated files without a crash, a poisoned file or an unbounded one', async function () {
    this.timeout(120_000);
    const timeoutMs = 5000;
    const report = await runFuzz({
      seed: 20261207,
      durationMs: 2000,
      batchSize: 40,
      scale: 0.1,
      timeoutMs,
      maxBytes: 10 * 1024 * 1024,
      workers: 2,
      log: () => {},
    });
    assert.deepEqual(report.failures, [], summary(report));
    assert.ok(report.files >= 40, summary(report));
    assert.ok(report.shapes >= SHAPES.length, 'every shape ran');
    assert.ok(report.canaries >= 2);
    // A file stopped at its budget costs nothing after it (the canaries above). Whether one is
    // stopped depends on the machine's load (budgets are wall-clock), so how long the shapes take
    // is a figure of bench/shapes.bench.ts and `npm run fuzz`, not asserted here.
  });
});
