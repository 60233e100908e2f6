// Vendored third-party code over a real LSP connection: files under a `vendor/` folder or a `lib/`
// of copied libraries get no diagnostics (open or closed, workspace scan included) unless
// leakLens.includeVendored; a client that asks is told why (leakLens/documentStatus). The
// project's own `src/lib/` stays analysed, and the workspace folder itself sits under a folder
// named `vendor`.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DOCUMENT_STATUS_NOTIFICATION } from '../../client/src/ids';
import { codesOf, TestClient } from './support/lsp-client';
import { CACHE_LEAK, LIST_LEAK } from './support/snippets';

function write(root: string, rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

interface Scan {
  filesScanned: number;
  findings: number;
}

describe('protocol: vendored code', function () {
  this.timeout(120_000);
  let dir: string;
  let ws: string;
  let client: TestClient;
  let settings: Record<string, unknown> = {};
  let uri: (rel: string) => string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-vendored-'));
    ws = join(dir, 'vendor', 'ws');
    uri = (rel) => pathToFileURL(join(ws, rel)).href;
    write(ws, 'app/cache.py', CACHE_LEAK);
    write(ws, 'src/lib/redis.py', LIST_LEAK);
    write(ws, 'myapp/vendor/sockjs/session.py', LIST_LEAK);
    write(ws, 'lib/requests/sessions.py', LIST_LEAK);
    write(ws, 'lib/tornado/web.py', CACHE_LEAK);
    write(ws, 'lib/bs4/element.py', '');
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
          ? e.params
          : undefined,
      15000,
      since,
    );

  it('the workspace scan leaves closed vendored files out and does not count them', async () => {
    const summary = (await client.connection.sendRequest('leakLens/scanWorkspace')) as Scan;
    assert.equal(summary.filesScanned, 2, JSON.stringify(summary));
    assert.deepEqual(codesOf(client.latestDiagnostics(uri('app/cache.py')) ?? []), ['LEAK001']);
    assert.deepEqual(codesOf(client.latestDiagnostics(uri('src/lib/redis.py')) ?? []), ['LEAK002']);
    for (const rel of ['myapp/vendor/sockjs/session.py', 'lib/requests/sessions.py', 'lib/tornado/web.py'])
      assert.equal(client.latestDiagnostics(uri(rel)), undefined, rel);
  });

  it('an open vendored file has no diagnostics and the client is told it is vendored code', async () => {
    const file = uri('lib/tornado/web.py');
    const since = client.mark;
    assert.deepEqual(await client.openAndWait(file, CACHE_LEAK), []);
    assert.deepEqual(await statusOf(file, since), { uri: file, testFile: false, vendored: true });
  });

  it('leakLens.includeVendored re-analyses open vendored files and rescans closed ones', async () => {
    const open = uri('lib/tornado/web.py');
    const closed = uri('myapp/vendor/sockjs/session.py');
    const since = client.mark;
    settings = { includeVendored: true };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(open, (p) => p.diagnostics.length > 0, since)).diagnostics),
      ['LEAK001'],
    );
    assert.deepEqual(await statusOf(open, since), { uri: open, testFile: false, vendored: false });
    assert.deepEqual(codesOf((await client.diagnosticsFor(closed, () => true, since)).diagnostics), [
      'LEAK002',
    ]);
  });
});
