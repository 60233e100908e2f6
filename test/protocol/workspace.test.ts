// The workspace scan: closed files get diagnostics with $/progress; skipped folders, excludes and
// undecodable files are left out; file-system changes and pyproject.toml edits update them.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChangeType } from 'vscode-languageserver-protocol/node';
import { codesOf, delay, TestClient } from './support/lsp-client';
import { CACHE_LEAK, CLEAN, LIST_LEAK } from './support/snippets';

function write(root: string, rel: string, text: string | Buffer): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

describe('protocol: workspace scan', function () {
  this.timeout(120_000);
  let dir: string;
  let client: TestClient;
  let uri: (rel: string) => string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-ws-'));
    uri = (rel) => pathToFileURL(join(dir, rel)).href;
    write(dir, 'app/cache.py', CACHE_LEAK);
    write(dir, 'app/sub/records.py', LIST_LEAK);
    write(dir, 'app/clean.py', CLEAN);
    write(dir, '.venv/lib/python3.11/site-packages/dep.py', CACHE_LEAK);
    write(dir, 'node_modules/x/y.py', CACHE_LEAK);
    write(dir, 'build/lib/z.py', CACHE_LEAK);
    write(dir, 'generated/gen.py', CACHE_LEAK);
    write(dir, 'vendored/v.py', CACHE_LEAK);
    write(dir, 'pyproject.toml', '[tool.leak-lens]\nexclude = ["vendored"]\n');
    // Latin-1 bytes without a coding declaration: not decodable → skipped with a log line.
    write(dir, 'app/latin.py', Buffer.from('s = "caf\xe9"\n_c = {}\ndef f(k):\n    _c[k] = 1\n', 'latin1'));
    // The same with a PEP 263 declaration: decoded and analysed.
    write(
      dir,
      'app/declared.py',
      Buffer.from(`# -*- coding: latin-1 -*-\ns = "caf\xe9"\n${LIST_LEAK}`, 'latin1'),
    );
    client = await TestClient.start({
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
      settings: () => ({ exclude: ['generated/**'] }),
      initializationOptions: { scanOnStartup: true },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans closed files after initialized, with progress, honouring skipped folders and excludes', async () => {
    const cache = await client.diagnosticsFor(uri('app/cache.py'));
    assert.deepEqual(codesOf(cache.diagnostics), ['LEAK001']);
    assert.equal(cache.version, undefined, 'closed files have no version');
    const records = await client.diagnosticsFor(uri('app/sub/records.py'));
    assert.deepEqual(codesOf(records.diagnostics), ['LEAK002']);
    const declared = await client.diagnosticsFor(uri('app/declared.py'));
    assert.deepEqual(codesOf(declared.diagnostics), ['LEAK002']);
    // Progress: created by the server, begin … end.
    const token = await client.waitFor((e) => (e.kind === 'progressCreate' ? e.token : undefined));
    const end = await client.waitFor((e) =>
      e.kind === 'progress' && e.params.token === token && (e.params.value as { kind: string }).kind === 'end'
        ? e
        : undefined,
    );
    assert.ok(end);
    const begin = client.events.find(
      (e) =>
        e.kind === 'progress' &&
        e.params.token === token &&
        (e.params.value as { kind: string }).kind === 'begin',
    );
    assert.match(JSON.stringify(begin), /scanning workspace/);
    assert.match(JSON.stringify(begin), /"cancellable":true/);
    for (const rel of [
      '.venv/lib/python3.11/site-packages/dep.py',
      'node_modules/x/y.py',
      'build/lib/z.py',
      'generated/gen.py',
      'vendored/v.py',
      'app/clean.py',
      'app/latin.py',
    ]) {
      assert.equal(client.latestDiagnostics(uri(rel)), undefined, `${rel} not published`);
    }
    const skipped = client.events.find((e) => e.kind === 'log' && e.params.message.includes('latin.py'));
    assert.match(JSON.stringify(skipped), /not valid UTF-8/);
  });

  it('registers file watchers dynamically', async () => {
    const reg = await client.waitFor((e) =>
      e.kind === 'register'
        ? e.params.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')
        : undefined,
    );
    const globs = (reg.registerOptions as { watchers: { globPattern: string }[] }).watchers.map(
      (w) => w.globPattern,
    );
    assert.ok(globs.includes('**/*.py') && globs.includes('**/pyproject.toml'), String(globs));
  });

  it('answers leakLens/scanWorkspace with a summary', async () => {
    const summary = (await client.connection.sendRequest('leakLens/scanWorkspace')) as Record<
      string,
      unknown
    >;
    assert.equal(summary.filesScanned, 4, JSON.stringify(summary));
    assert.equal(summary.findings, 3);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.cancelled, false);
    const viaCommand = (await client.connection.sendRequest('workspace/executeCommand', {
      command: 'leakLens.scanWorkspace',
    })) as Record<string, unknown>;
    assert.equal(viaCommand.filesScanned, 4);
  });

  it('updates closed files changed, created and deleted outside the editor', async () => {
    let since = client.mark;
    write(dir, 'app/cache.py', CLEAN);
    write(dir, 'app/new.py', CACHE_LEAK);
    unlinkSync(join(dir, 'app/sub/records.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: uri('app/cache.py'), type: FileChangeType.Changed },
        { uri: uri('app/new.py'), type: FileChangeType.Created },
        { uri: uri('app/sub/records.py'), type: FileChangeType.Deleted },
        { uri: uri('app/cache.py'), type: FileChangeType.Changed },
      ],
    });
    assert.deepEqual((await client.diagnosticsFor(uri('app/cache.py'), () => true, since)).diagnostics, []);
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(uri('app/new.py'), () => true, since)).diagnostics),
      ['LEAK001'],
    );
    assert.deepEqual(
      (await client.diagnosticsFor(uri('app/sub/records.py'), () => true, since)).diagnostics,
      [],
    );
    // A deleted directory clears what was published below it.
    since = client.mark;
    rmSync(join(dir, 'app'), { recursive: true, force: true });
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('app'), type: FileChangeType.Deleted }],
    });
    assert.deepEqual((await client.diagnosticsFor(uri('app/new.py'), () => true, since)).diagnostics, []);
    assert.deepEqual(
      (await client.diagnosticsFor(uri('app/declared.py'), () => true, since)).diagnostics,
      [],
    );
  });

  it('re-reads pyproject.toml when it changes and re-analyses', async () => {
    write(dir, 'svc/a.py', `${CACHE_LEAK}\n\n${LIST_LEAK}`);
    await client.connection.sendRequest('leakLens/scanWorkspace');
    assert.deepEqual(codesOf(client.latestDiagnostics(uri('svc/a.py')) ?? []), ['LEAK001', 'LEAK002']);
    const open = uri('svc/open.py');
    assert.deepEqual(codesOf(await client.openAndWait(open, CACHE_LEAK)), ['LEAK001']);
    const since = client.mark;
    write(dir, 'pyproject.toml', '[tool.leak-lens]\nexclude = ["vendored"]\nignore = ["LEAK001"]\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: FileChangeType.Changed }],
    });
    assert.deepEqual(codesOf((await client.diagnosticsFor(open, () => true, since)).diagnostics), []);
    assert.deepEqual(codesOf((await client.diagnosticsFor(uri('svc/a.py'), () => true, since)).diagnostics), [
      'LEAK002',
    ]);
  });

  it('an opened file takes its diagnostics from the editor; closing it falls back to the file on disk', async () => {
    const file = uri('svc/a.py');
    const before = client.mark;
    write(dir, 'pyproject.toml', '[tool.leak-lens]\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: FileChangeType.Changed }],
    });
    await client.diagnosticsFor(file, (p) => p.diagnostics.length === 2, before);
    // Unsaved editor text without leaks.
    assert.deepEqual(await client.openAndWait(file, CLEAN), []);
    const since = client.mark;
    await client.close(file);
    const published = await client.diagnosticsFor(file, (p) => p.diagnostics.length > 0, since);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001', 'LEAK002']);
  });

  it('clears diagnostics of files that a new exclude covers on the next scan', async () => {
    const file = uri('svc/a.py');
    assert.equal(client.latestDiagnostics(file)?.length, 2);
    client.settings = () => ({ exclude: ['svc'] });
    const since = client.mark;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual((await client.diagnosticsFor(file, () => true, since)).diagnostics, []);
    client.settings = () => ({});
  });
});

describe('protocol: workspace scan cancellation', function () {
  this.timeout(120_000);
  it('stops when the client cancels the progress, and edits are answered while it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-lens-cancel-'));
    const body = `${CACHE_LEAK}\n${'\n'.repeat(10)}${'def f%d(x):\n    return [i * x for i in range(10)]\n\n'.repeat(150)}`;
    for (let i = 0; i < 400; i++)
      write(
        dir,
        `pkg${i % 10}/m${i}.py`,
        body.replace(/%d/g, () => String(i)),
      );
    const client = await TestClient.start({
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'big' }],
    });
    try {
      const scan = client.connection.sendRequest('leakLens/scanWorkspace') as Promise<
        Record<string, unknown>
      >;
      const token = await client.waitFor((e) => (e.kind === 'progressCreate' ? e.token : undefined));
      await client.waitFor((e) => (e.kind === 'diagnostics' ? e : undefined));
      // An edit during the scan still gets its diagnostics promptly.
      const started = Date.now();
      assert.deepEqual(codesOf(await client.openAndWait('file:///tmp/leak-lens-cancel/open.py', LIST_LEAK)), [
        'LEAK002',
      ]);
      const latency = Date.now() - started;
      await client.connection.sendNotification('window/workDoneProgress/cancel', { token });
      const summary = await scan;
      assert.equal(summary.cancelled, true);
      assert.ok((summary.filesScanned as number) < 400, JSON.stringify(summary));
      assert.ok(latency < 5000, `open during scan answered in ${latency} ms`);
      await delay(100);
      assert.ok(client.alive());
    } finally {
      await client.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
