// Hostile input must not take the server down: huge documents, absurd nesting, odd characters,
// requests about documents it does not know. After each, the server still answers.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codesOf, TestClient } from './support/lsp-client';
import { CACHE_LEAK, LIST_LEAK } from './support/snippets';

const BASE = 'file:///tmp/leak-lens-robust';

describe('protocol: robustness', function () {
  this.timeout(180_000);
  let client: TestClient;
  let probe = 0;

  before(async () => {
    // (A generous budget: on a busy machine the slow files below must still finish.)
    client = await TestClient.start({
      trace: 'messages',
      initializationOptions: { analysisTimeoutMs: 60_000 },
    });
  });
  after(async () => {
    await client.stop();
  });

  /** The server is alive and still analyses a small file correctly. */
  async function stillServing(): Promise<void> {
    assert.ok(client.alive(), `server exited: ${client.stderr}`);
    probe++;
    assert.deepEqual(codesOf(await client.openAndWait(`${BASE}/probe${probe}.py`, LIST_LEAK)), ['LEAK002']);
  }

  it('analyses a 10 MB document off the main thread, cancelling the stale run when it changes', async () => {
    const cache = (i: number) =>
      `_cache_${i} = {}\n\n\ndef get_${i}(k):\n    _cache_${i}[k] = k\n    return _cache_${i}[k]\n\n\n`;
    const parts = [cache(0)];
    let size = parts[0].length;
    for (let i = 1; size < 10 * 1024 * 1024; i++) {
      const u = `def f_${i}(a, b):\n    total = a + b  # keep the file realistic\n    return total * ${i}\n\n\n`;
      parts.push(u);
      size += u.length;
    }
    parts.push(cache(1));
    const uri = `${BASE}/huge.py`;
    const since = client.mark;
    await client.open(uri, parts.join(''));
    // While the worker analyses the big file, a small file is answered at once.
    const started = Date.now();
    await stillServing();
    const latency = Date.now() - started;
    assert.ok(latency < 3000, `small file answered in ${latency} ms during the big analysis`);
    // Typing at the end makes the running analysis stale: it is cancelled, not published.
    const doc = client.docs.get(uri);
    assert.ok(doc);
    const end = doc.positionAt(doc.getText().length);
    const version = await client.change(uri, [{ range: { start: end, end }, text: LIST_LEAK }]);
    const published = await client.diagnosticsFor(uri, (p) => p.version === version, since, 150_000);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001', 'LEAK001', 'LEAK002']);
    const stale = client.events
      .slice(since)
      .filter((e) => e.kind === 'diagnostics' && e.params.uri === uri && e.params.version === 1);
    assert.deepEqual(stale, [], 'the analysis of version 1 was cancelled');
    await client.close(uri);
    await stillServing();
  });

  it('survives 5,000 nested parentheses, brackets and calls, and 2,000 nested blocks', async () => {
    const n = 5000;
    const texts = {
      parens: `x = ${'('.repeat(n)}1${')'.repeat(n)}\n${CACHE_LEAK}`,
      lists: `x = ${'['.repeat(n)}${']'.repeat(n)}\n${CACHE_LEAK}`,
      calls: `x = ${'f('.repeat(n)}${')'.repeat(n)}\n${CACHE_LEAK}`,
      lambdas: `x = ${'lambda: '.repeat(n)}1\n${CACHE_LEAK}`,
      unclosed: `x = ${'('.repeat(n)}\n${CACHE_LEAK}`,
      blocks: (() => {
        const lines: string[] = [];
        for (let i = 0; i < 2000; i++) lines.push(`${' '.repeat(i)}if x${i}:`);
        lines.push(`${' '.repeat(2000)}_c = {}`);
        return `${lines.join('\n')}\n${CACHE_LEAK}`;
      })(),
      defs: (() => {
        const lines: string[] = [];
        for (let i = 0; i < 2000; i++) lines.push(`${' '.repeat(i)}def f${i}():`);
        lines.push(`${' '.repeat(2000)}return [].append(1)`);
        return `${CACHE_LEAK}\n${lines.join('\n')}\n`;
      })(),
    };
    for (const [name, text] of Object.entries(texts)) {
      const uri = `${BASE}/deep-${name}.py`;
      const since = client.mark;
      // A second, independent leak: whatever a rule does with the deep part, this must be found.
      await client.open(uri, `${LIST_LEAK}\n${text}`);
      const published = await client.diagnosticsFor(uri, () => true, since, 60_000);
      assert.ok(
        codesOf(published.diagnostics).includes('LEAK002'),
        `${name}: ${codesOf(published.diagnostics)}`,
      );
      // …and the leak after the deep part too (unless the nesting never closes and swallows it).
      if (name !== 'unclosed')
        assert.ok(
          codesOf(published.diagnostics).includes('LEAK001'),
          `${name}: ${codesOf(published.diagnostics)}`,
        );
      await client.close(uri);
    }
    await stillServing();
  });

  it('survives odd characters: NUL, lone surrogates, U+FFFD, BOM, form feeds, lone CR', async () => {
    const texts = [
      `\ufeff${CACHE_LEAK}`,
      `x = "\u0000"\n\u0000\n${CACHE_LEAK}`,
      `s = "\ud800"\n# \udfff\n${CACHE_LEAK}`,
      `s = "\ufffd\ufffd"\n${CACHE_LEAK}`,
      `\f\nimport os\r_c = {}\rdef f(k):\r    _c[k] = 1\r`,
      '\u0000'.repeat(1000),
      String.fromCharCode(...Array.from({ length: 5000 }, (_, i) => (i * 7919) % 0xd7ff)),
    ];
    for (let i = 0; i < texts.length; i++) {
      const uri = `${BASE}/odd${i}.py`;
      const since = client.mark;
      await client.open(uri, texts[i]);
      await client.diagnosticsFor(uri, () => true, since, 30_000);
      // Edit in the middle as well.
      const doc = client.docs.get(uri);
      assert.ok(doc);
      const mid = doc.positionAt(Math.floor(doc.getText().length / 2));
      const mark = client.mark;
      const version = await client.change(uri, [{ range: { start: mid, end: mid }, text: '\n\ud83c' }]);
      await client.diagnosticsFor(uri, (p) => p.version === version, mark, 30_000);
      const actions = await client.codeActions(
        uri,
        { start: { line: 0, character: 0 }, end: mid },
        [],
        ['source.fixAll.leakLens'],
      );
      assert.ok(Array.isArray(actions));
      await client.close(uri);
    }
    await stillServing();
  });

  it('answers requests about unknown documents and ignores changes to them', async () => {
    const unknown = `${BASE}/never-opened.py`;
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: unknown, version: 2 },
      contentChanges: [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' },
      ],
    });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: unknown } });
    assert.deepEqual(
      await client.codeActions(
        unknown,
        { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        [],
      ),
      [],
    );
    await assert.rejects(
      client.connection.sendRequest('workspace/executeCommand', { command: 'leakLens.nope' }),
    );
    // A change whose range lies past the end of the document.
    const uri = `${BASE}/past-end.py`;
    await client.openAndWait(uri, 'x = 1\n');
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 50, character: 3 }, end: { line: 99, character: 0 } }, text: CACHE_LEAK },
      ],
    });
    const published = await client.diagnosticsFor(uri, (p) => p.version === 2);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001']);
    await stillServing();
  });

  it('a document that takes seconds delays neither the diagnostics nor the code actions of another', async () => {
    const heavy = `${BASE}/heavy.py`;
    const small = `${BASE}/small.py`;
    const since = client.mark;
    await client.open(heavy, slowModule(20_000));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const diagnostics = await client.openAndWait(small, CACHE_LEAK);
    assert.deepEqual(codesOf(diagnostics), ['LEAK001']);
    const actions = (await client.codeActions(small, diagnostics[0].range, diagnostics)) ?? [];
    assert.ok(actions.length > 0, 'the quick fixes of the small file');
    const answered = Date.now() - started;
    const heavyPublished = client.events
      .slice(since)
      .some((e) => e.kind === 'diagnostics' && e.params.uri === heavy && e.params.diagnostics.length > 0);
    assert.equal(
      heavyPublished,
      false,
      `the heavy file was done first (small file answered in ${answered} ms)`,
    );
    // The heavy file gets its findings in the end.
    const published = await client.diagnosticsFor(heavy, (p) => p.diagnostics.length > 0, since, 120_000);
    assert.ok(codesOf(published.diagnostics).includes('LEAK001'));
    await client.close(heavy);
    await client.close(small);
  });

  it('a burst of edits across documents: a document opened meanwhile is diagnosed, and each ends with the diagnostics of its last version', async () => {
    const uris = [0, 1, 2, 3, 4].map((i) => `${BASE}/burst-${i}.py`);
    for (const uri of uris) await client.openAndWait(uri, CACHE_LEAK);
    const since = client.mark;
    const versions = new Map<string, number>();
    // 600 keystrokes in a few milliseconds: far faster than typing.
    for (let i = 0; i < 600; i++) {
      const uri = uris[i % uris.length];
      if (i === 300) void client.open(`${BASE}/burst-opened.py`, LIST_LEAK);
      versions.set(
        uri,
        await client.change(uri, [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            text: i % 2 ? '\n' : '#',
          },
        ]),
      );
    }
    const opened = await client.diagnosticsFor(`${BASE}/burst-opened.py`, () => true, since, 30_000);
    assert.deepEqual(codesOf(opened.diagnostics), ['LEAK002']);
    for (const uri of uris) {
      const last = await client.diagnosticsFor(uri, (p) => p.version === versions.get(uri), since, 30_000);
      assert.deepEqual(codesOf(last.diagnostics), ['LEAK001']);
    }
    for (const uri of [...uris, `${BASE}/burst-opened.py`]) await client.close(uri);
  });

  it('writes nothing but JSON-RPC to stdout and nothing to stderr', () => {
    assert.equal(client.stderr, '');
  });
});

describe('protocol: analysis budget', function () {
  this.timeout(180_000);
  let client: TestClient;

  before(async () => {
    // A budget far above what a small file takes even on a busy machine, far below the slow one.
    client = await TestClient.start({ initializationOptions: { analysisTimeoutMs: 1500 } });
  });
  after(async () => {
    await client.stop();
  });

  it('a document past the budget gets one notice instead of findings, and the others go on', async () => {
    const slow = `${BASE}/budget/slow.py`;
    const since = client.mark;
    // (About 3 MB: its budget grows by a second per MiB, its analysis by about 2.5 s per MiB even
    // on an idle machine, so it stays well past the budget however fast the engine runs today.)
    await client.open(slow, slowModule(160_000));
    // Another document meanwhile: analysed as usual.
    assert.deepEqual(codesOf(await client.openAndWait(`${BASE}/budget/other.py`, LIST_LEAK)), ['LEAK002']);
    const published = await client.diagnosticsFor(slow, () => true, since, 60_000);
    assert.equal(published.diagnostics.length, 1);
    const [notice] = published.diagnostics;
    assert.match(
      String(notice.message),
      /^Leak Lens stopped analysing this file after [\d.]+ s \(analysis timed out\)/,
    );
    assert.equal(notice.source, 'Leak Lens');
    assert.equal(notice.code, undefined);
    assert.deepEqual(notice.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    // Made small again, the file gets its findings back.
    assert.deepEqual(codesOf(await client.setText(slow, CACHE_LEAK)), ['LEAK001']);
  });
});

/** A module with a leak every few lines (`lines` long): seconds of analysis. */
function slowModule(lines: number): string {
  const unit = (i: number) => `
_cache_${i} = {}
_events_${i} = []


class Handler${i}:
    def __init__(self, bus):
        self.bus = bus
        bus.subscribe("evt${i}", self.on_event)

    def on_event(self, payload):
        _events_${i}.append(payload)


def load_${i}(path, key):
    _cache_${i}[key] = open(path).read()
    return _cache_${i}[key]
`;
  const parts: string[] = ['import os\n'];
  let count = 1;
  for (let i = 0; count < lines; i++) {
    const u = unit(i);
    parts.push(u);
    count += u.split('\n').length - 1;
  }
  return parts.join('');
}

describe('protocol: parser failure (the built server, a real wasm abort)', function () {
  this.timeout(180_000);
  /** About 0.9 MB of valid Python that exhausts a parser heap capped at 48 MB: a quick `Aborted()`. */
  // (`_d[0] = 0` writes to the dict: without a write no rule could fire and the file would not be parsed.)
  const ABORTS = `_d = {${'1: 2, '.repeat(30000)}}\n_d[0] = 0\n`.repeat(5);
  let dir: string;
  let client: TestClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-parser-'));
    writeFileSync(join(dir, 'a_big.py'), ABORTS);
    writeFileSync(join(dir, 'b_leaky.py'), LIST_LEAK);
    writeFileSync(join(dir, 'c_leaky.py'), CACHE_LEAK);
    client = await TestClient.start({
      // Every analysis thread's parser heap is capped, so the big file aborts it as a 20 MB one would.
      env: { LEAK_LENS_PARSER_MEMORY_MB: '48' },
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
      initializationOptions: { scanOnStartup: true, analysisTimeoutMs: 60_000 },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const fileUri = (name: string) => pathToFileURL(join(dir, name)).href;

  it('the workspace scan skips the file that aborts the parser and still finds the leaks after it', async () => {
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(fileUri('b_leaky.py'), undefined, 0, 60_000)).diagnostics),
      ['LEAK002'],
    );
    assert.deepEqual(
      codesOf((await client.diagnosticsFor(fileUri('c_leaky.py'), undefined, 0, 60_000)).diagnostics),
      ['LEAK001'],
    );
    const skipped = await client.waitFor(
      (e) => (e.kind === 'log' && e.params.message.includes('a_big.py') ? e.params.message : undefined),
      60_000,
    );
    assert.match(skipped, /skipped .*a_big\.py: parser failed \(Aborted\(\)\)/);
  });

  it('open documents: each that aborts the parser gets a notice, the next ones are analysed normally', async () => {
    const since = client.mark;
    // Two at once: the second would go to the thread whose parser just failed, were it kept.
    const big = [`${BASE}/parser/big1.py`, `${BASE}/parser/big2.py`];
    for (const uri of big) await client.open(uri, ABORTS);
    const leaky = Array.from({ length: 4 }, (_, i) => `${BASE}/parser/leaky${i}.py`);
    for (const uri of leaky) await client.open(uri, LIST_LEAK);
    for (const uri of big) {
      const published = await client.diagnosticsFor(uri, () => true, since, 120_000);
      assert.deepEqual(
        published.diagnostics.map((d) => d.message),
        [
          'Leak Lens could not parse this file (parser failed (Aborted())): its possible leaks are not shown.',
        ],
        uri,
      );
    }
    for (const uri of leaky)
      assert.deepEqual(codesOf((await client.diagnosticsFor(uri, () => true, since, 60_000)).diagnostics), [
        'LEAK002',
      ]);
    // Made small again, a document that aborted the parser gets its findings.
    assert.deepEqual(codesOf(await client.setText(big[0], CACHE_LEAK)), ['LEAK001']);
    assert.ok(client.alive(), client.stderr);
    const failures = client.events.filter(
      (e) => e.kind === 'log' && /analysing .* failed|thread exited/.test(e.params.message),
    );
    assert.deepEqual(failures, [], 'no analysis was lost with a thread whose parser failed');
  });
});
