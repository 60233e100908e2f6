// The workspace scan's analysis thread (AnalysisWorker) lets go of its memory when the scan is
// done (stopIfIdle), without ever stopping a job that is still running. Driven with the pool
// tests' stand-in worker, which says which thread answered.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { analyzeText } from '../../server/src/lsp/analysis';
import { ProjectIndexService } from '../../server/src/lsp/project-index-service';
import { AnalysisWorker, retireThread } from '../../server/src/lsp/worker-client';
import type { WorkerJob, WorkerReply } from '../../server/src/lsp/worker-protocol';
import { ProjectIndex } from '../../server/src/model/project-index';
import { DEFAULT_SETTINGS } from '../../server/src/types';
import { CALLED_AT_IMPORT, JOB_LOGGER_HELPER } from '../support/job-logger';

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

// The real thread (dist/analysis-worker.js, built by `npm run build`) reads the workspace scan's
// files itself and builds the project index there: the main thread never holds their texts.
describe('analysis worker: files read and indexed on the thread', function () {
  this.timeout(60_000);
  const WORKER = join(__dirname, '..', '..', 'dist', 'analysis-worker.js');
  const HELPER = JOB_LOGGER_HELPER;
  const AT_IMPORT = CALLED_AT_IMPORT;
  let dir: string;
  let paths: string[];
  let worker: AnalysisWorker;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-worker-'));
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'jobs', 'helpers.py'), HELPER);
    writeFileSync(join(dir, 'jobs', 'tasks.py'), AT_IMPORT);
    writeFileSync(
      join(dir, 'jobs', 'latin.py'),
      Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x27, 0xe9, 0x27, 0x0a]),
    );
    paths = ['helpers.py', 'tasks.py', 'latin.py', 'gone.py'].map((f) => join(dir, 'jobs', f));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    worker = new AnalysisWorker(WORKER);
  });
  afterEach(() => worker.dispose());

  it('builds the same project index as the main thread, from the files it can read', async () => {
    const built = await worker.index(paths, 1024 * 1024);
    const here = new ProjectIndex();
    for (const path of paths.slice(0, 2)) here.addFile(path, readFileSync(path, 'utf8'));
    here.compact();
    assert.equal(built.files, 2, 'the undecodable and the missing file are left out');
    assert.equal(built.index, here.serialize());
  });

  it('analyses a file it reads as the text it is given, and says why one cannot be read', async () => {
    const project = new ProjectIndexService();
    const settings = DEFAULT_SETTINGS;
    const read = await worker.analyzeFile(paths[0], 1024 * 1024, settings, project);
    const given = await worker.analyze(HELPER, settings, paths[0], false, project);
    assert.deepEqual(read.findings, given.findings);
    assert.ok(read.findings.length > 0, 'the helper alone is reported');
    assert.equal(
      (await worker.analyzeFile(paths[3], 1024 * 1024, settings, project)).unreadable,
      'cannot be read (ENOENT)',
    );
    assert.match(
      (await worker.analyzeFile(paths[2], 1024 * 1024, settings, project)).unreadable ?? '',
      /UTF-8/,
    );
    assert.equal((await worker.analyzeFile(paths[0], 10, settings, project)).unreadable, 'larger than 0 MB');
  });

  it('analyses with the index it built once that is the project’s, as the main thread does with it', async () => {
    const project = new ProjectIndexService();
    const settings = DEFAULT_SETTINGS;
    const built = await worker.index(paths, 1024 * 1024);
    worker.adoptIndex(project.install(built.index));
    const read = await worker.analyzeFile(paths[0], 1024 * 1024, settings, project);
    const here = analyzeText(HELPER, settings, paths[0], { project: project.index });
    assert.deepEqual(read.findings, here.findings);
    // (The other module calls the helper only at import: silent, unlike the file alone.)
    assert.deepEqual(read.findings, []);
  });

  it('a thread let go while idle ends by itself once it has freed its memory (not terminated)', async () => {
    const thread = new Worker(WORKER, { stdout: true, stderr: true });
    thread.stdout.resume();
    thread.stderr.resume();
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    await new Promise<void>((resolve) =>
      thread.on('message', (m: WorkerReply) => m.kind === 'ready' && resolve()),
    );
    const job = { id: 1, kind: 'index', paths, maxBytes: 1024 * 1024 } satisfies WorkerJob;
    const built = await new Promise<WorkerReply>((resolve) => {
      thread.on('message', (m: WorkerReply) => m.kind !== 'ready' && resolve(m));
      thread.postMessage(job);
    });
    assert.equal(built.kind, 'done');
    retireThread(thread);
    // process.exit(0) in the thread; terminate() (the fallback, after 5 s) would exit with 1.
    assert.equal(await exited, 0);
  });
});
