// Test code over a real LSP connection: files under tests/ or test/, test_*.py, *_test.py,
// conftest.py and folders that a conftest.py beside test modules marks get no diagnostics (open or closed, workspace scan and fix-all included) unless
// leakLens.includeTests or `include-tests` in pyproject.toml; a client that asks is told why
// (leakLens/documentStatus). The workspace folder itself sits under a folder named `test`.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChangeType } from 'vscode-languageserver-protocol/node';
import { DOCUMENT_STATUS_NOTIFICATION } from '../../client/src/ids';
import { codesOf, TestClient } from './support/lsp-client';
import { CACHE_LEAK, LIST_LEAK } from './support/snippets';

function write(root: string, rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

interface Scan {
  filesScanned: number;
  findings: number;
}

describe('protocol: test code', function () {
  this.timeout(120_000);
  let dir: string;
  let ws: string;
  let client: TestClient;
  let settings: Record<string, unknown> = {};
  let uri: (rel: string) => string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-testcode-'));
    ws = join(dir, 'test', 'ws');
    uri = (rel) => pathToFileURL(join(ws, rel)).href;
    write(ws, 'app/cache.py', CACHE_LEAK);
    write(ws, 'testing/tools.py', LIST_LEAK);
    write(ws, 'tests/helpers.py', LIST_LEAK);
    write(ws, 'tests/unit/test_cache.py', CACHE_LEAK);
    write(ws, 'app/cache_test.py', CACHE_LEAK);
    write(ws, 'conftest.py', CACHE_LEAK);
    // A test folder by another name: conftest.py beside more test modules than other modules.
    write(ws, 't/integration/conftest.py', '');
    write(ws, 't/integration/test_a.py', '');
    write(ws, 't/integration/test_b.py', '');
    write(ws, 't/integration/tasks.py', LIST_LEAK);
    client = await TestClient.start({
      workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
      settings: () => settings,
      initializationOptions: { documentStatus: true },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const statusOf = (target: string, since: number) =>
    client.waitFor(
      (e) =>
        e.kind === 'notification' &&
        e.method === DOCUMENT_STATUS_NOTIFICATION &&
        (e.params as { uri: string }).uri === target
          ? (e.params as { uri: string; testFile: boolean })
          : undefined,
      15000,
      since,
    );

  async function changeSettings(next: Record<string, unknown>): Promise<void> {
    settings = next;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  it('the workspace scan leaves closed test files out and does not count them', async () => {
    const summary = (await client.connection.sendRequest('leakLens/scanWorkspace')) as Scan;
    assert.equal(summary.filesScanned, 2, JSON.stringify(summary));
    assert.deepEqual(codesOf(client.latestDiagnostics(uri('app/cache.py')) ?? []), ['LEAK001']);
    // testing/ is shipped code, and `test/` above the workspace folder does not count.
    assert.deepEqual(codesOf(client.latestDiagnostics(uri('testing/tools.py')) ?? []), ['LEAK002']);
    for (const rel of [
      'tests/helpers.py',
      'tests/unit/test_cache.py',
      'app/cache_test.py',
      'conftest.py',
      't/integration/tasks.py',
    ])
      assert.equal(client.latestDiagnostics(uri(rel)), undefined, rel);
  });

  it('a module in a folder that conftest.py marks as tests is test code when opened too', async () => {
    const file = uri('t/integration/tasks.py');
    const since = client.mark;
    assert.deepEqual(await client.openAndWait(file, LIST_LEAK), []);
    assert.deepEqual(await statusOf(file, since), { uri: file, testFile: true, vendored: false });
    await client.close(file);
  });

  it('an open test file has no diagnostics, no fixes, and the client is told it is test code', async () => {
    const file = uri('tests/unit/test_cache.py');
    const since = client.mark;
    assert.deepEqual(await client.openAndWait(file, CACHE_LEAK), []);
    assert.deepEqual(await statusOf(file, since), { uri: file, testFile: true, vendored: false });
    const range = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };
    assert.deepEqual(await client.codeActions(file, range, [], ['source.fixAll.leakLens']), []);
    const fixAll = await client.connection.sendRequest('workspace/executeCommand', {
      command: 'leakLens.fixAllInFile',
      arguments: [file],
    });
    assert.deepEqual(fixAll, { applied: false, reason: 'nothing to fix' });

    // Other files are told they are analysed.
    const other = uri('app/cache.py');
    const before = client.mark;
    assert.deepEqual(codesOf(await client.openAndWait(other, CACHE_LEAK)), ['LEAK001']);
    assert.deepEqual(await statusOf(other, before), { uri: other, testFile: false, vendored: false });
  });

  it('leakLens.includeTests re-analyses open test files and rescans closed ones, and back', async () => {
    const open = uri('tests/unit/test_cache.py');
    const closed = uri('tests/helpers.py');
    let since = client.mark;
    await changeSettings({ includeTests: true });
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(open, (p) => p.diagnostics.length > 0, since)).diagnostics),
      ['LEAK001'],
    );
    assert.deepEqual(await statusOf(open, since), { uri: open, testFile: false, vendored: false });
    assert.deepEqual(codesOf((await client.diagnosticsFor(closed, () => true, since)).diagnostics), [
      'LEAK002',
    ]);
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(uri('conftest.py'), () => true, since)).diagnostics),
      ['LEAK001'],
    );

    since = client.mark;
    await changeSettings({});
    // The re-analysis that the rescan above asks for once it has indexed the workspace may still be
    // on its way (the scan's thread indexes and analyses while a pool thread re-analyses): wait
    // for the one without findings.
    assert.deepEqual(
      (await client.diagnosticsFor(open, (p) => p.diagnostics.length === 0, since)).diagnostics,
      [],
    );
    assert.deepEqual(await statusOf(open, since), { uri: open, testFile: true, vendored: false });
    assert.deepEqual((await client.diagnosticsFor(closed, () => true, since)).diagnostics, []);
    assert.deepEqual((await client.diagnosticsFor(uri('conftest.py'), () => true, since)).diagnostics, []);
  });

  it('a notebook in a tests folder is test code as a whole', async () => {
    const path = join(ws, 'tests', 'explore.ipynb');
    const notebook = pathToFileURL(path).href;
    const cell = TestClient.cellUri(path, 0);
    const since = client.mark;
    await client.openNotebook(notebook, [{ uri: cell, text: CACHE_LEAK }]);
    assert.deepEqual((await client.diagnosticsFor(cell, () => true, since)).diagnostics, []);
    assert.deepEqual(await statusOf(notebook, since), { uri: notebook, testFile: true, vendored: false });
    await client.closeNotebook(notebook, [cell]);
  });

  it('include-tests = true in pyproject.toml brings test code in (an editor `false` is "not set")', async () => {
    const open = uri('tests/unit/test_cache.py');
    let since = client.mark;
    write(ws, 'pyproject.toml', '[tool.leak-lens]\ninclude-tests = true\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: FileChangeType.Created }],
    });
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(open, (p) => p.diagnostics.length > 0, since)).diagnostics),
      ['LEAK001'],
    );
    // An editor value of false is the default, i.e. not set: the project's true applies.
    await changeSettings({ includeTests: false });
    const summary = (await client.connection.sendRequest('leakLens/scanWorkspace')) as Scan;
    // The closed files, test code included (t/integration's four among them); open ones are not scanned.
    assert.equal(summary.filesScanned, 8, JSON.stringify(summary));

    since = client.mark;
    write(ws, 'pyproject.toml', '[tool.leak-lens]\ninclude-tests = "yes"\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: FileChangeType.Changed }],
    });
    // A re-analysis for the scan above may still be on its way: wait for the one without findings.
    assert.deepEqual(
      (await client.diagnosticsFor(open, (p) => p.diagnostics.length === 0, since)).diagnostics,
      [],
    );
    const warning = await client.waitFor(
      (e) => (e.kind === 'showMessage' && e.params.message.includes('include-tests') ? e.params : undefined),
      15000,
      since,
    );
    assert.match(
      warning.message,
      /pyproject\.toml:2: \[tool\.leak-lens\] `include-tests` must be true or false/,
    );
  });

  it('sends leakLens/documentStatus only to a client that asks for it', async () => {
    const other = await TestClient.start({
      workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
    });
    try {
      write(ws, 'pyproject.toml', '[tool.leak-lens]\n');
      assert.deepEqual(await other.openAndWait(uri('tests/test_more.py'), CACHE_LEAK), []);
      assert.deepEqual(codesOf(await other.openAndWait(uri('app/more.py'), CACHE_LEAK)), ['LEAK001']);
      assert.deepEqual(
        other.events.filter((e) => e.kind === 'notification'),
        [],
      );
    } finally {
      await other.stop();
    }
  });
});
