// The language server's analysis threads (AnalysisPool), driven with a stand-in worker that
// obeys its text (fixtures/fake-analysis-worker.cjs): priorities, one waiting job per document,
// a slow document never holding up the others, budgets enforced by terminating the thread,
// stale work stopped, threads replaced after a crash or when their memory grew.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { AnalysisPool, type PoolOptions, PRIORITY, StoppedError } from '../../server/src/lsp/analysis-pool';
import { CancelledError } from '../../server/src/lsp/worker-client';
import { DEFAULT_SETTINGS } from '../../server/src/types';

const FAKE = join(__dirname, 'fixtures', 'fake-analysis-worker.cjs');

interface FakeOutcome {
  text: string;
  threadId: number;
  hadKey: boolean;
  timedOut?: boolean;
}

describe('analysis pool', function () {
  this.timeout(30_000);
  let pool: AnalysisPool;
  let logged: string[];

  function start(options: PoolOptions = {}): AnalysisPool {
    logged = [];
    pool = new AnalysisPool(FAKE, undefined, { log: (m) => logged.push(m), ...options });
    return pool;
  }

  const analyze = (
    key: string,
    text: string,
    priority: (typeof PRIORITY)[keyof typeof PRIORITY] = PRIORITY.edit,
  ) => pool.analyze(key, text, DEFAULT_SETTINGS, key, priority) as unknown as Promise<FakeOutcome>;

  afterEach(() => pool?.dispose());

  /** Polls `ok` until it holds (threads start at the machine's pace, so never a fixed sleep). */
  async function until(ok: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Which of the promises settled first (its index), after all have settled. */
  function finishOrder(promises: Promise<unknown>[]): Promise<number[]> {
    const order: number[] = [];
    return Promise.all(promises.map((p, i) => p.then(() => order.push(i)))).then(() => order);
  }

  it('answers each document, on at most two threads', async () => {
    start();
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((k) => analyze(k, `text of ${k}`)));
    assert.deepEqual(
      answers.map((a) => a.text),
      ['text of a', 'text of b', 'text of c', 'text of d'],
    );
    assert.ok(new Set(answers.map((a) => a.threadId)).size <= 2);
  });

  it('keeps one waiting job per document: a newer text replaces the older one', async () => {
    start();
    // Both threads busy, so the next jobs wait.
    const busy = [analyze('x', 'busy:300'), analyze('y', 'busy:300')];
    const first = analyze('k', 'version 1');
    const second = analyze('k', 'version 2');
    await assert.rejects(first, CancelledError);
    assert.equal((await second).text, 'version 2');
    await Promise.all(busy);
  });

  it('a document just opened waits for no code action asked after it (one lane, first come first served)', async () => {
    start({ size: 1, maxThreads: 1 });
    const order: string[] = [];
    const busy = analyze('x', 'busy:300');
    const jobs = [
      analyze('edit', 'edit', PRIORITY.edit),
      analyze('action1', 'code action 1', PRIORITY.urgent),
      analyze('open', 'opened', PRIORITY.open),
      analyze('action2', 'code action 2', PRIORITY.urgent),
    ].map((p) => p.then((a) => order.push(a.text)));
    await Promise.all([busy, ...jobs]);
    assert.deepEqual(order, ['code action 1', 'opened', 'code action 2', 'edit']);
  });

  it('starts the most urgent job first, then the oldest', async () => {
    // One thread: the order in which jobs finish is the order in which they were started, however
    // busy the machine (with two, a fast job on one thread can finish before an earlier one).
    start({ size: 1, maxThreads: 1 });
    const order: string[] = [];
    const busy = [analyze('x', 'busy:300'), analyze('y', 'busy:300')];
    const jobs = [
      analyze('edit1', 'edit 1', PRIORITY.edit),
      analyze('bg', 'background', PRIORITY.background),
      analyze('edit2', 'edit 2', PRIORITY.edit),
      analyze('open', 'opened', PRIORITY.open),
      analyze('action', 'code action', PRIORITY.urgent),
    ].map((p) => p.then((a) => order.push(a.text)));
    await Promise.all([...busy, ...jobs]);
    // What matters is that urgent and open come before edits, and edits before background.
    assert.ok(order.indexOf('code action') < order.indexOf('edit 1'));
    assert.ok(order.indexOf('opened') < order.indexOf('edit 2'));
    assert.ok(order.indexOf('edit 2') < order.indexOf('background'));
  });

  it('a document that takes long never holds up the others', async () => {
    start({ slowMs: 100 });
    // (Ten seconds of work: however busy the machine, ten quick jobs on the other thread end
    // first unless they wait for it.)
    const slow = analyze('slow.py', 'busy:10000');
    await until(() => pool.state.running.includes('slow.py'), 'the slow job to start');
    for (let i = 0; i < 10; i++) await analyze(`fast${i}.py`, 'quick');
    assert.deepEqual(pool.state.running, ['slow.py'], 'ten quick analyses answered while it runs');
    assert.equal(pool.isHeavy('slow.py'), false); // not known yet: still running
    await slow;
    assert.equal(pool.isHeavy('slow.py'), true);
  });

  it('at most one heavy document runs at a time, so one thread stays free for the others', async () => {
    start({ heavyChars: 10 });
    const heavy = [analyze('h1', 'busy:2000 heavy text'), analyze('h2', 'busy:2000 heavy text')];
    await until(() => pool.state.running.length > 0, 'the first heavy job to start');
    assert.deepEqual(pool.state.running, ['h1']);
    const light = analyze('light', 'ok');
    // The light document runs beside h1, so it is answered before h2, which waits for h1.
    const order = await finishOrder([heavy[1], light]);
    assert.deepEqual(order, [1, 0]);
    assert.equal((await light).text, 'ok');
    await Promise.all(heavy);
  });

  it('a thread past the budget and its grace is terminated and the job answers timedOut', async () => {
    // A budget a fresh thread meets even while it starts up on a busy machine.
    start({ timeoutMs: 3000, graceMs: 500 });
    // A hung job is answered at all (never, without the budget): as timed out.
    const hung = (await analyze('hang.py', 'hang')) as FakeOutcome;
    assert.equal(hung.timedOut, true);
    assert.equal(pool.isHeavy('hang.py'), true);
    assert.match(logged.join('\n'), /stopping its thread/);
    // The pool goes on with a fresh thread.
    const next = await analyze('next.py', 'fine');
    assert.equal(next.text, 'fine', JSON.stringify(next));
  });

  it('stops a slow analysis of a text that has since changed', async () => {
    start();
    const stale = analyze('doc.py', 'busy:5000');
    let settled = false;
    stale.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The job's clock starts when its thread is ready, which on a busy machine takes longer than
    // any fixed wait: ask as the server does on every keystroke until the job has run 50 ms.
    while (!settled) {
      pool.stopStale('doc.py', 50);
      await new Promise((r) => setTimeout(r, 100));
    }
    await assert.rejects(stale, StoppedError);
    assert.equal((await analyze('doc.py', 'new text')).text, 'new text');
  });

  it('lets a stale analysis of a light document finish unless it has run as long as stuckMs; stops a heavy one at once', async () => {
    start({ slowMs: 100, stuckMs: 10_000, heavyChars: 100 });
    const light = analyze('light.py', 'busy:1500');
    await until(() => pool.state.running.includes('light.py'), 'the light job to start');
    await new Promise((r) => setTimeout(r, 300)); // past slowMs: slow, yet not worth a fresh thread
    pool.stopStale('light.py');
    assert.equal((await light).text, 'busy:1500');
    const heavy = analyze('heavy.py', `busy:5000 ${'x'.repeat(100)}`);
    await until(() => pool.state.running.includes('heavy.py'), 'the heavy job to start');
    pool.stopStale('heavy.py');
    await assert.rejects(heavy, StoppedError);
  });

  it('forgets a closed document: its waiting job is dropped and the threads let go of its tree', async () => {
    start();
    await analyze('closed.py', 'text');
    const busy = [analyze('x', 'busy:200'), analyze('y', 'busy:200')];
    const waiting = analyze('closed.py', 'edited');
    pool.forget('closed.py');
    await assert.rejects(waiting, CancelledError);
    await Promise.all(busy);
    assert.equal((await analyze('closed.py', 'reopened')).hadKey, false);
  });

  it('a thread that dies fails its job only; the next job gets a new thread', async () => {
    start();
    await assert.rejects(analyze('crash.py', 'exit'), /exited/);
    assert.equal((await analyze('after.py', 'fine')).text, 'fine');
  });

  it('prefers the thread that keeps the document, for an incremental parse', async () => {
    start();
    const first = await analyze('same.py', 'v1');
    await analyze('other.py', 'v1');
    const again = await analyze('same.py', 'v2');
    assert.equal(again.threadId, first.threadId);
    assert.equal(again.hadKey, true);
  });

  it('starts one more thread when every thread is stuck, and lets it go afterwards', async () => {
    start({ stuckMs: 100, maxThreads: 3 });
    const stuck = [analyze('a', 'busy:6000'), analyze('b', 'busy:6000')];
    await until(() => pool.state.running.length === 2, 'both threads busy');
    await new Promise((r) => setTimeout(r, 200)); // past stuckMs
    // The quick job gets a third thread: it is answered while both stuck ones still run.
    const order = await finishOrder([stuck[0], stuck[1], analyze('c', 'quick')]);
    assert.equal(order[0], 2);
    await until(() => pool.state.threads <= 2, 'the extra thread to end');
  });

  it('once warmed up, keeps two threads ready and replaces one that dies', async () => {
    start();
    pool.warmUp();
    assert.equal(pool.state.threads, 2);
    await assert.rejects(analyze('crash.py', 'exit'), /exited/);
    await until(() => pool.state.threads === 2, 'the dead thread to be replaced');
    assert.equal((await analyze('after.py', 'fine')).text, 'fine');
  });

  it('after a burst, keeps one idle thread (the one with trees); a job that finds it busy starts another', async () => {
    start();
    pool.warmUp();
    const kept = await analyze('open.py', 'text');
    await until(() => pool.state.threads === 2, 'both threads');
    pool.trimIdle();
    assert.equal(pool.state.threads, 1);
    assert.equal(
      (await analyze('open.py', 'again')).threadId,
      kept.threadId,
      'the thread with the tree stayed',
    );
    // Busy with one document, it is joined by a fresh thread for another, and two are kept again.
    const [slow, other] = await Promise.all([analyze('a.py', 'busy:300'), analyze('b.py', 'other')]);
    assert.notEqual(other.threadId, slow.threadId);
    await assert.rejects(analyze('crash.py', 'exit'), /exited/);
    await until(() => pool.state.threads === 2, 'the dead thread to be replaced');
  });

  it('does not trim while a job runs', async () => {
    start();
    pool.warmUp();
    const running = analyze('a.py', 'busy:300');
    await until(() => pool.state.running.length === 1, 'the job to start');
    pool.trimIdle();
    assert.equal(pool.state.threads, 2);
    await running;
  });

  it('replaces a thread whose memory outside the heap grew past the limit', async () => {
    start({ recycleBytes: 1_000_000 });
    const before = await analyze('big.py', 'memory:5000000');
    const after = await analyze('big.py', 'again');
    assert.notEqual(after.threadId, before.threadId);
    assert.equal(after.hadKey, false);
    assert.match(logged.join('\n'), /replacing an analysis thread/);
  });

  it('a code action moves the waiting analysis of its document to the front', async () => {
    start({ size: 1, maxThreads: 1 });
    const order: string[] = [];
    const busy = [analyze('x', 'busy:300'), analyze('y', 'busy:300')];
    const others = ['e1', 'e2', 'e3'].map((k) => analyze(k, k).then((a) => order.push(a.text)));
    const mine = analyze('mine', 'mine', PRIORITY.edit).then((a) => order.push(a.text));
    pool.prioritize('mine', PRIORITY.urgent);
    await Promise.all([...busy, ...others, mine]);
    assert.equal(order[0], 'mine');
  });
});
