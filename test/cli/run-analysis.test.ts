// The scan's worker supervision (server/src/cli/run-analysis.ts) with stand-in workers that speak
// the protocol and misbehave on cue: a file that never finishes, a worker that dies, a parser that
// fails, a worker that cannot start. Each costs one file (or none), never the scan.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileTask } from '../../server/src/cli/analyze-file';
import { chooseWorkerCount, hardLimitMs, runAnalysis } from '../../server/src/cli/run-analysis';
import { DEFAULT_SETTINGS } from '../../server/src/types';

/** A worker that answers each file by its name: `hang`, `die`, `parserfail`, anything else is fine. */
const FAKE = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type !== 'task') return;
  const { task } = m;
  if (task.rel.includes('hang')) for (;;) {}
  if (task.rel.includes('die')) throw new Error('boom');
  parentPort.postMessage({ type: 'outcome', outcome: {
    task, findings: [], bytes: 1, hasSyntaxErrors: false, ruleErrors: [], analysisMs: 1,
    error: task.rel.includes('parserfail') ? 'parser failed (Aborted())' : undefined,
    parserFailed: task.rel.includes('parserfail') || undefined,
    // Which thread analysed the file: a replaced worker has a new id.
    lines: threadId,
  } });
});
parentPort.postMessage({ type: 'ready' });
`;

describe('scan worker supervision', () => {
  let dir: string;
  let script: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-workers-'));
    script = join(dir, 'fake-worker.js');
    writeFileSync(script, FAKE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tasks = (...names: string[]): FileTask[] =>
    names.map((rel) => ({ path: join(dir, rel), rel, settingsId: 0, explicit: false, timeoutMs: 300 }));
  const byName = (outcomes: { task: FileTask; error?: string; lines: number }[]) =>
    new Map(outcomes.map((o) => [o.task.rel, o]));

  it('stops a file that never finishes at its hard limit and hands the rest to a fresh worker', async function () {
    this.timeout(20_000);
    const started = performance.now();
    const run = await runAnalysis(tasks('a.py', 'hang.py', 'b.py', 'c.py'), [DEFAULT_SETTINGS], {
      workers: 1,
      script,
    });
    const ms = performance.now() - started;
    const out = byName(run.outcomes);
    assert.equal(run.outcomes.length, 4);
    assert.match(out.get('hang.py')?.error ?? '', /^analysis timed out \(over 0\.3 s/);
    for (const name of ['a.py', 'b.py', 'c.py']) assert.equal(out.get(name)?.error, undefined, name);
    assert.notEqual(out.get('a.py')?.lines, out.get('c.py')?.lines, 'b.py and c.py ran on a new worker');
    assert.equal(run.workersStarted, 2);
    assert.ok(ms >= hardLimitMs(300) && ms < 10_000, `${Math.round(ms)} ms`);
  });

  it('reports the file a worker died on, and only that file', async function () {
    this.timeout(20_000);
    const run = await runAnalysis(tasks('a.py', 'die.py', 'b.py', 'c.py', 'd.py'), [DEFAULT_SETTINGS], {
      workers: 2,
      script,
    });
    const out = byName(run.outcomes);
    assert.equal(run.outcomes.length, 5);
    assert.match(out.get('die.py')?.error ?? '', /^analysis failed \(the worker stopped: boom\)$/);
    for (const name of ['a.py', 'b.py', 'c.py', 'd.py']) assert.equal(out.get(name)?.error, undefined, name);
  });

  it('never lets a worker whose parser failed analyse another file', async function () {
    this.timeout(20_000);
    const run = await runAnalysis(tasks('a.py', 'parserfail.py', 'b.py'), [DEFAULT_SETTINGS], {
      workers: 1,
      script,
    });
    const out = byName(run.outcomes);
    assert.equal(out.get('parserfail.py')?.error, 'parser failed (Aborted())');
    assert.equal(out.get('b.py')?.error, undefined);
    assert.notEqual(out.get('b.py')?.lines, out.get('parserfail.py')?.lines);
    assert.equal(run.workersStarted, 2);
  });

  it('analyses in the main thread, with one warning, when workers cannot start', async function () {
    this.timeout(30_000);
    const broken = join(dir, 'broken-worker.js');
    writeFileSync(broken, 'throw new Error("cannot load");\n');
    writeFileSync(join(dir, 'leaky.py'), '_items = []\n\n\ndef add(item):\n    _items.append(item)\n');
    const warnings: string[] = [];
    const run = await runAnalysis(tasks('leaky.py'), [DEFAULT_SETTINGS], {
      workers: 1,
      script: broken,
      warn: (m) => warnings.push(m),
    });
    assert.equal(run.outcomes.length, 1);
    assert.deepEqual(
      run.outcomes[0].findings.map((f) => f.code),
      ['LEAK002'],
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^a scan worker failed to start \(cannot load\); the files are analysed in the main thread$/,
    );
  });

  it('uses one worker for a small scan (so its budget holds) and more for a large one', () => {
    assert.equal(chooseWorkerCount(0, {}), 0);
    assert.equal(chooseWorkerCount(1, {}), 1);
    assert.equal(chooseWorkerCount(47, {}), 1);
    assert.ok(chooseWorkerCount(500, {}) >= 1);
    assert.equal(chooseWorkerCount(500, { LEAK_LENS_SCAN_WORKERS: '0' }), 0);
    assert.equal(chooseWorkerCount(5, { LEAK_LENS_SCAN_WORKERS: '3' }), 3);
  });
});
