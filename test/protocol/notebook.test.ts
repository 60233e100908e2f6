// Jupyter notebooks: Python cells are analysed together (imports of earlier cells count),
// diagnostics and fixes land in the right cell, with LSP notebook sync and with cells sent as
// plain `vscode-notebook-cell:` documents.
import * as assert from 'node:assert/strict';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { codesOf, isCodeAction, pyCompile, TestClient } from './support/lsp-client';
import { LIST_LEAK } from './support/snippets';

const CACHE_CELL = `_cache = {}


def get_user(uid):
    _cache[uid] = os.getenv(uid)
    return _cache[uid]
`;

async function actionsFor(
  client: TestClient,
  uri: string,
  diagnostic: Diagnostic,
  only?: string[],
): Promise<CodeAction[]> {
  return ((await client.codeActions(uri, diagnostic.range, [diagnostic], only)) ?? []).filter(isCodeAction);
}

describe('protocol: notebooks (notebook sync)', function () {
  this.timeout(120_000);
  let client: TestClient;
  const path = '/tmp/leak-lens-nb/analysis.ipynb';
  const nb = `file://${path}`;
  const cell = (i: number) => TestClient.cellUri(path, i);
  const cells = () => [
    { uri: cell(0), text: 'import os\nfrom cachetools import LRUCache\n%matplotlib inline' },
    { uri: cell(1), text: '# Caching users', kind: 1 as const },
    { uri: cell(2), text: CACHE_CELL },
    { uri: cell(3), text: `!pip install cachetools\n${LIST_LEAK}` },
  ];

  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('publishes diagnostics per cell, with cell-relative positions', async () => {
    const since = client.mark;
    await client.openNotebook(nb, cells());
    const c2 = await client.diagnosticsFor(cell(2), () => true, since);
    const c3 = await client.diagnosticsFor(cell(3), () => true, since);
    const c0 = await client.diagnosticsFor(cell(0), () => true, since);
    assert.deepEqual(codesOf(c2.diagnostics), ['LEAK001']);
    assert.equal(c2.diagnostics[0].range.start.line, 0, '`_cache = {}` is the first line of its cell');
    assert.equal(c2.diagnostics[0].relatedInformation?.[0].location.uri, cell(2));
    assert.equal(c2.diagnostics[0].relatedInformation?.[0].location.range.start.line, 4);
    assert.deepEqual(codesOf(c3.diagnostics), ['LEAK002']);
    assert.equal(c3.diagnostics[0].range.start.line, 1, 'after the shell escape line');
    assert.deepEqual(c0.diagnostics, []);
    assert.equal(client.latestDiagnostics(cell(1)), undefined, 'markdown cells are not analysed');
  });

  it('the quick fix adds the import to the cell holding the imports and fixes the code in its cell', async () => {
    const [diagnostic] = client.latestDiagnostics(cell(2)) ?? [];
    const preferred = (await actionsFor(client, cell(2), diagnostic)).find((a) => a.isPreferred);
    assert.ok(preferred?.edit?.documentChanges);
    const touched = preferred.edit.documentChanges
      .map((c) => ('textDocument' in c ? c.textDocument.uri : ''))
      .sort();
    assert.deepEqual(touched, [cell(0), cell(2)].sort());
    const fixed = client.applyWorkspaceEdit(preferred.edit);
    assert.equal(
      fixed.get(cell(0)),
      'import os\nfrom cachetools import LRUCache\nfrom cachetools import TTLCache\n%matplotlib inline',
    );
    assert.match(fixed.get(cell(2)) ?? '', /^_cache = TTLCache\(maxsize=1024, ttl=3600\)$/m);
    // Cells run top to bottom: their concatenation (without the magic) must compile.
    const program = [fixed.get(cell(0)), fixed.get(cell(2)), LIST_LEAK]
      .join('\n')
      .replace('%matplotlib inline', '');
    assert.equal(pyCompile(program), undefined, program);
    const since = client.mark;
    await client.changeCells(
      nb,
      new Map([
        [cell(0), fixed.get(cell(0)) ?? ''],
        [cell(2), fixed.get(cell(2)) ?? ''],
      ]),
    );
    assert.deepEqual((await client.diagnosticsFor(cell(2), () => true, since)).diagnostics, []);
    assert.deepEqual(codesOf((await client.diagnosticsFor(cell(3), () => true, since)).diagnostics), [
      'LEAK002',
    ]);
  });

  it('suppression edits only the diagnostic’s cell', async () => {
    const [diagnostic] = client.latestDiagnostics(cell(3)) ?? [];
    const suppress = (await actionsFor(client, cell(3), diagnostic)).find(
      (a) => a.title === 'Suppress LEAK002 on this line',
    );
    assert.ok(suppress?.edit);
    const fixed = client.applyWorkspaceEdit(suppress.edit);
    assert.deepEqual([...fixed.keys()], [cell(3)]);
    assert.match(fixed.get(cell(3)) ?? '', /^_seen = \[\] {2}# noqa: LEAK002$/m);
  });

  it('fix-all on a cell fixes the whole notebook, each edit in its cell', async () => {
    const since = client.mark;
    await client.changeCells(
      nb,
      new Map([
        [cell(0), 'import os\nfrom cachetools import LRUCache'],
        [cell(2), CACHE_CELL],
      ]),
    );
    const [diagnostic] = (await client.diagnosticsFor(cell(2), (p) => p.diagnostics.length > 0, since))
      .diagnostics;
    const [fixAll] = await actionsFor(client, cell(2), diagnostic, ['source.fixAll.leakLens']);
    assert.ok(fixAll?.edit);
    const fixed = client.applyWorkspaceEdit(fixAll.edit);
    assert.equal(
      fixed.get(cell(0)),
      'import os\nfrom cachetools import LRUCache\nfrom cachetools import TTLCache\nfrom collections import deque',
    );
    assert.ok(!fixed.has(cell(1)));
    const program = [fixed.get(cell(0)), fixed.get(cell(2)), fixed.get(cell(3))]
      .join('\n')
      .replace('!pip install cachetools', '');
    assert.equal(pyCompile(program), undefined, program);
  });

  it('clears a removed cell, then every cell when the notebook closes', async () => {
    let since = client.mark;
    await client.removeCells(nb, 3, 1, [cell(3)]);
    assert.deepEqual((await client.diagnosticsFor(cell(3), () => true, since)).diagnostics, []);
    since = client.mark;
    await client.closeNotebook(nb, [cell(0), cell(1), cell(2)]);
    assert.deepEqual((await client.diagnosticsFor(cell(2), () => true, since)).diagnostics, []);
    assert.ok(client.alive());
  });
});

describe('protocol: notebook cells sent as plain text documents', function () {
  this.timeout(60_000);
  it('groups the cells of a notebook, in handle order, and fixes across them', async () => {
    const client = await TestClient.start();
    try {
      const path = '/tmp/leak-lens-nb/loose.ipynb';
      const c0 = TestClient.cellUri(path, 0);
      const c1 = TestClient.cellUri(path, 1);
      const since = client.mark;
      // Opened out of order: the handle in the URI gives the order.
      await client.open(c1, CACHE_CELL);
      await client.open(c0, 'import os\nfrom cachetools import LRUCache\n');
      const published = await client.diagnosticsFor(c1, (p) => p.diagnostics.length > 0, since);
      assert.deepEqual(codesOf(published.diagnostics), ['LEAK001']);
      assert.equal(published.diagnostics[0].range.start.line, 0);
      const preferred = (await actionsFor(client, c1, published.diagnostics[0])).find((a) => a.isPreferred);
      assert.ok(preferred?.edit);
      const fixed = client.applyWorkspaceEdit(preferred.edit);
      assert.equal(
        fixed.get(c0),
        'import os\nfrom cachetools import LRUCache\nfrom cachetools import TTLCache\n',
      );
      const mark = client.mark;
      await client.close(c1);
      assert.deepEqual((await client.diagnosticsFor(c1, () => true, mark)).diagnostics, []);
    } finally {
      await client.stop();
    }
  });
});
