// The workspace scan's analysis thread (AnalysisWorker) lets go of its memory when the scan is
// done (stopIfIdle), without ever stopping a job that is still running. Driven with the pool
// tests' stand-in worker, which says which thread answered.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { AnalysisWorker } from '../../server/src/lsp/worker-client';
import { DEFAULT_SETTINGS } from '../../server/src/types';

const FAKE = join(__dirname, 'fixtures', 'fake-analysis-worker.cjs');

interface FakeOutcome {
  text: string;
  threadId: number;
}

describe('analysis worker (workspace scan thread)', function () {
  this.timeout(30_000);
  let worker: AnalysisWorker;
  const analyze = (text: string) =>
    worker.analyze(text, DEFAULT_SETTINGS, 'x.py') as unknown as Promise<FakeOutcome>;

  beforeEach(() => {
    worker = new AnalysisWorker(FAKE);
  });
  afterEach(() => worker.dispose());

  it('keeps its thread between jobs', async () => {
    const a = await analyze('one');
    const b = await analyze('two');
    assert.equal(a.threadId, b.threadId);
  });

  it('stopIfIdle ends an idle thread; the next job runs on a fresh one', async () => {
    const a = await analyze('one');
    worker.stopIfIdle();
    assert.equal(worker.busy, false);
    const b = await analyze('two');
    assert.equal(b.text, 'two');
    assert.notEqual(b.threadId, a.threadId, 'a new thread answered');
  });

  it('stopIfIdle leaves a running job alone', async () => {
    const running = analyze('busy:300');
    worker.stopIfIdle();
    const outcome = await running;
    assert.equal(outcome.text, 'busy:300', 'the job finished, not cancelled');
  });
});
