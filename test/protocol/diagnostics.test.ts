// Open → diagnostics; incremental edits → updated diagnostics; close → cleared.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { version as packageVersion } from '../../package.json';
import { codesOf, delay, ROOT, TestClient } from './support/lsp-client';
import { CACHE_LEAK, CLEAN, LIST_LEAK } from './support/snippets';

const URI = 'file:///tmp/leak-lens-protocol/service.py';

describe('protocol: diagnostics', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    assert.equal(await client.stop(), 0, 'the server exits cleanly after shutdown/exit');
  });

  it('advertises incremental sync, notebook sync, quick fixes and fix-all', () => {
    const caps = client.initializeResult?.capabilities;
    assert.deepEqual(caps?.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual(caps?.codeActionProvider, {
      codeActionKinds: ['quickfix', 'source.fixAll.leakLens'],
      resolveProvider: true,
    });
    assert.equal(caps?.notebookDocumentSync && 'notebookSelector' in caps.notebookDocumentSync, true);
    assert.deepEqual(caps?.executeCommandProvider?.commands, [
      'leakLens.scanWorkspace',
      'leakLens.fixAllInFile',
    ]);
  });

  it('publishes a diagnostic with code, source, rule link, severity and related information', async () => {
    const diagnostics = await client.openAndWait(URI, CACHE_LEAK);
    assert.deepEqual(codesOf(diagnostics), ['LEAK001']);
    const d = diagnostics[0];
    assert.equal(d.source, 'Leak Lens');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(d.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 6 } });
    assert.match(String(d.message), /_cache/);
    // No repository is configured for this build: the link opens the bundled page.
    assert.equal(d.codeDescription?.href, pathToFileURL(join(ROOT, 'docs', 'rules', 'LEAK001.md')).href);
    assert.ok(d.relatedInformation && d.relatedInformation.length > 0, 'related information present');
    assert.equal(d.relatedInformation[0].location.uri, URI);
    assert.equal(
      d.relatedInformation[0].location.range.start.line,
      7,
      'points at the write `_cache[uid] = …`',
    );
  });

  it('re-analyses after incremental edits and moves the diagnostic with the text', async () => {
    const since = client.mark;
    // Insert two lines above the cache: the finding moves down by two.
    const version = await client.change(URI, [
      {
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
        text: 'import sys\nimport re\n',
      },
    ]);
    const published = await client.diagnosticsFor(URI, (p) => p.version === version, since);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001']);
    assert.equal(published.diagnostics[0].range.start.line, 4);
  });

  it('clears the diagnostic when an edit removes the leak, and brings it back on undo', async () => {
    const text = client.text(URI);
    const line = text.split('\n').findIndex((l) => l.startsWith('_cache = {}'));
    // Evict: turn the write into a bounded pattern by adding a `clear()` when it grows.
    const evict = '    if len(_cache) > 100:\n        _cache.clear()\n';
    const insertAt = text.split('\n').findIndex((l) => l.includes('return _cache[uid]'));
    let since = client.mark;
    let version = await client.change(URI, [
      {
        range: { start: { line: insertAt, character: 0 }, end: { line: insertAt, character: 0 } },
        text: evict,
      },
    ]);
    let published = await client.diagnosticsFor(URI, (p) => p.version === version, since);
    assert.deepEqual(codesOf(published.diagnostics), [], `line ${line} should no longer be flagged`);
    since = client.mark;
    version = await client.change(URI, [
      {
        range: { start: { line: insertAt, character: 0 }, end: { line: insertAt + 2, character: 0 } },
        text: '',
      },
    ]);
    published = await client.diagnosticsFor(URI, (p) => p.version === version, since);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001']);
  });

  it('after many keystroke-sized edits (non-ASCII, CRLF) agrees with a fresh analysis of the same text', async () => {
    const uri = 'file:///tmp/leak-lens-protocol/typing.py';
    await client.openAndWait(uri, 'x = "héllo wörld 🎉"\r\n');
    const target = `${LIST_LEAK.replace(/\n/g, '\r\n')}# ünïcødé 🎉 comment\r\n${CACHE_LEAK}`;
    // Type the target one character at a time at the end, with an occasional deletion.
    let version = 1;
    for (let i = 0; i < target.length; i++) {
      const doc = client.docs.get(uri);
      if (!doc) throw new Error('closed');
      const end = doc.positionAt(doc.getText().length);
      const ch = target[i];
      version = await client.change(uri, [
        { range: { start: end, end }, text: ch === '\r' && target[i + 1] === '\n' ? '\r\n' : ch },
      ]);
      if (ch === '\r' && target[i + 1] === '\n') i++;
      const d = client.docs.get(uri);
      const last = d?.getText().slice(-1);
      if (d && i % 37 === 5 && last && !/[\r\n]/.test(last) && !/[\ud800-\udfff]/.test(last)) {
        // Backspace and retype the last character.
        const e = d.positionAt(d.getText().length);
        const s = d.positionAt(d.getText().length - 1);
        version = await client.change(uri, [{ range: { start: s, end: e }, text: '' }]);
        version = await client.change(uri, [{ range: { start: s, end: s }, text: last }]);
      }
    }
    // Replace the first line (multi-byte characters before the edit point).
    version = await client.change(uri, [
      { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 12 } }, text: 'ñ🎉' },
    ]);
    const incremental = await client.diagnosticsFor(uri, (p) => p.version === version);
    const fresh = await client.openAndWait('file:///tmp/leak-lens-protocol/fresh.py', client.text(uri));
    assert.deepEqual(
      incremental.diagnostics.map((d) => [d.code, d.range]),
      fresh.map((d) => [d.code, d.range]),
    );
    assert.deepEqual(codesOf(fresh), ['LEAK001', 'LEAK002']);
  });

  it('publishes an empty list for a clean file and clears diagnostics on close', async () => {
    assert.deepEqual(await client.openAndWait('file:///tmp/leak-lens-protocol/clean.py', CLEAN), []);
    const since = client.mark;
    await client.close(URI);
    const cleared = await client.diagnosticsFor(URI, () => true, since);
    assert.deepEqual(cleared.diagnostics, []);
  });

  it('ignores documents in other languages and stub files', async () => {
    await client.open('file:///tmp/leak-lens-protocol/notes.txt', CACHE_LEAK, 'plaintext');
    await client.open('file:///tmp/leak-lens-protocol/stubs.pyi', CACHE_LEAK);
    const marker = 'file:///tmp/leak-lens-protocol/marker.py';
    await client.openAndWait(marker, CLEAN);
    assert.equal(client.latestDiagnostics('file:///tmp/leak-lens-protocol/notes.txt'), undefined);
    assert.equal(client.latestDiagnostics('file:///tmp/leak-lens-protocol/stubs.pyi'), undefined);
  });
});

describe('protocol: `leak-lens server --stdio`', function () {
  this.timeout(60_000);
  it('serves the same language server from the CLI bundle', async () => {
    const client = await TestClient.start({ args: [join(ROOT, 'dist', 'cli.js'), 'server', '--stdio'] });
    try {
      assert.deepEqual(
        codesOf(await client.openAndWait('file:///tmp/leak-lens-protocol/cli.py', CACHE_LEAK)),
        ['LEAK001'],
      );
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});

describe('protocol: diagnostics wait for a pause in typing', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({ initializationOptions: { debounceMs: 1500 } });
  });
  after(async () => {
    await client.stop();
  });

  it('typing for longer than the pause: each keystroke moves the analysis later, only the last version is published', async () => {
    const uri = 'file:///tmp/leak-lens-protocol/typing.py';
    await client.openAndWait(uri, CACHE_LEAK);
    const since = client.mark;
    let version = 1;
    // 25 keystrokes ~100 ms apart: 2.5 s of typing, gaps far shorter than the 1.5 s pause.
    for (let i = 0; i < 25; i++) {
      const at = { line: 0, character: 0 };
      version = await client.change(uri, [{ range: { start: at, end: at }, text: i % 5 === 4 ? '\n' : '#' }]);
      await delay(100);
    }
    const last = await client.diagnosticsFor(uri, (p) => p.version === version, since);
    assert.deepEqual(codesOf(last.diagnostics), ['LEAK001']);
    const versions = client.events
      .slice(since)
      .flatMap((e) => (e.kind === 'diagnostics' && e.params.uri === uri ? [e.params.version] : []));
    assert.deepEqual(versions, [version]);
    await client.close(uri);
  });
});
