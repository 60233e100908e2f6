// Quick fixes, suppression and fix-all through the real protocol: apply the returned edits as an
// editor would, then the result must compile and the rule must be silent.
import * as assert from 'node:assert/strict';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { dedent } from '../../server/src/fixes/edits';
import { RULES } from '../../server/src/rules/index';
import { codesOf, isCodeAction, pyCompile, TestClient } from './support/lsp-client';
import { CACHE_LEAK, LIST_LEAK, TWO_CACHES } from './support/snippets';

const BASE = 'file:///tmp/leak-lens-protocol-actions';

async function actionsFor(client: TestClient, uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
  const actions = (await client.codeActions(uri, diagnostic.range, [diagnostic])) ?? [];
  return actions.filter(isCodeAction);
}

describe('protocol: code actions', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  for (const [name, snippet, code] of [
    ['LEAK001 unbounded cache', CACHE_LEAK, 'LEAK001'],
    ['LEAK002 global accumulation', LIST_LEAK, 'LEAK002'],
  ] as const) {
    it(`${name}: the preferred quick fix compiles and silences the rule`, async () => {
      const uri = `${BASE}/${code}.py`;
      const diagnostics = await client.openAndWait(uri, snippet);
      const diagnostic = diagnostics.find((d) => d.code === code);
      assert.ok(diagnostic, `${code} reported`);
      const actions = await actionsFor(client, uri, diagnostic);
      const preferred = actions.filter((a) => a.isPreferred);
      assert.equal(preferred.length, 1, 'exactly one preferred fix');
      assert.equal(preferred[0].kind, 'quickfix');
      assert.deepEqual(
        preferred[0].diagnostics?.map((d) => d.code),
        [code],
      );
      assert.ok(
        actions.some(
          (a) => a.title === `Suppress ${code} on this line` && a.kind === 'quickfix' && !a.isPreferred,
        ),
      );
      const edit = preferred[0].edit;
      assert.ok(edit?.documentChanges, 'versioned edit for a client that supports documentChanges');
      const fixed = client.applyWorkspaceEdit(edit).get(uri);
      assert.ok(fixed);
      assert.equal(pyCompile(fixed), undefined, fixed);
      const after = await client.setText(uri, fixed);
      assert.ok(!codesOf(after).includes(code), `rule silent after the fix:\n${fixed}`);
    });
  }

  it('a quick fix asked again after a run of keystrokes fits the text they left', async () => {
    // The first request makes the server parse the document for its fixes; the keystrokes after
    // it (queued, then applied together) must reach that tree before the next fixes are made.
    const uri = `${BASE}/after-keystrokes.py`;
    const first = (await client.openAndWait(uri, CACHE_LEAK)).find((d) => d.code === 'LEAK001');
    assert.ok(first);
    assert.ok((await actionsFor(client, uri, first)).some((a) => a.isPreferred));
    const since = client.mark;
    let version = 1;
    for (let i = 0; i < 12; i++) {
      const at = { line: 2, character: 0 };
      const text = i % 3 === 0 ? `def helper_${i}(x):\n    return [x, ${i}]\n\n\n` : `# note ${i}\n`;
      version = await client.change(uri, [{ range: { start: at, end: at }, text }]);
    }
    const published = await client.diagnosticsFor(uri, (p) => p.version === version, since);
    const diagnostic = published.diagnostics.find((d) => d.code === 'LEAK001');
    assert.ok(diagnostic, 'still reported after the keystrokes');
    const preferred = (await actionsFor(client, uri, diagnostic)).find((a) => a.isPreferred);
    assert.ok(preferred?.edit);
    const fixed = client.applyWorkspaceEdit(preferred.edit).get(uri);
    assert.ok(fixed);
    assert.equal(pyCompile(fixed), undefined, fixed);
    assert.match(fixed, /^def helper_9\(x\):\n {4}return \[x, 9\]$/m);
    assert.ok(!codesOf(await client.setText(uri, fixed)).includes('LEAK001'), fixed);
  });

  it('a quick fix asked in the middle of a burst of edits fits the version it was asked for', async () => {
    // Edits far faster than typing (here to another document) make a burst, during which the
    // fixes are computed on an analysis thread instead of the server's main thread.
    const uri = `${BASE}/during-burst.py`;
    const other = `${BASE}/burst-other.py`;
    await client.openAndWait(other, LIST_LEAK);
    const first = (await client.openAndWait(uri, CACHE_LEAK)).find((d) => d.code === 'LEAK001');
    assert.ok(first);
    const since = client.mark;
    const at = { line: 0, character: 0 };
    for (let i = 0; i < 300; i++)
      await client.change(other, [{ range: { start: at, end: at }, text: '#\n' }]);
    const version = await client.change(uri, [{ range: { start: at, end: at }, text: '# moved\n' }]);
    for (let i = 0; i < 300; i++)
      await client.change(other, [{ range: { start: at, end: at }, text: '#\n' }]);
    const moved = {
      ...first,
      range: {
        start: { ...first.range.start, line: first.range.start.line + 1 },
        end: { ...first.range.end, line: first.range.end.line + 1 },
      },
    };
    const preferred = (await actionsFor(client, uri, moved)).find((a) => a.isPreferred);
    assert.ok(preferred?.edit, 'a preferred fix');
    const fixed = client.applyWorkspaceEdit(preferred.edit).get(uri);
    assert.ok(fixed);
    assert.ok(fixed.startsWith('# moved\n'), fixed);
    assert.equal(pyCompile(fixed), undefined, fixed);
    const published = await client.diagnosticsFor(uri, (p) => p.version === version, since, 30_000);
    assert.deepEqual(codesOf(published.diagnostics), ['LEAK001']);
    assert.ok(!codesOf(await client.setText(uri, fixed)).includes('LEAK001'), fixed);
    await client.close(other);
  });

  it('suppression appends `# noqa: CODE` and merges with an existing noqa', async () => {
    const uri = `${BASE}/suppress.py`;
    const text = CACHE_LEAK.replace('_cache = {}', '_cache = {}  # noqa: E501');
    const [diagnostic] = await client.openAndWait(uri, text);
    const suppress = (await actionsFor(client, uri, diagnostic)).find(
      (a) => a.title === 'Suppress LEAK001 on this line',
    );
    assert.ok(suppress?.edit);
    const fixed = client.applyWorkspaceEdit(suppress.edit).get(uri) ?? '';
    assert.match(fixed, /^_cache = \{\} {2}# noqa: E501, LEAK001$/m);
    assert.deepEqual(await client.setText(uri, fixed), []);

    const plain = `${BASE}/suppress-plain.py`;
    const [d2] = await client.openAndWait(plain, CACHE_LEAK);
    const s2 = (await actionsFor(client, plain, d2)).find((a) => a.title === 'Suppress LEAK001 on this line');
    assert.ok(s2?.edit);
    const fixed2 = client.applyWorkspaceEdit(s2.edit).get(plain) ?? '';
    assert.match(fixed2, /^_cache = \{\} {2}# noqa: LEAK001$/m);
    assert.equal(pyCompile(fixed2), undefined);
    assert.deepEqual(await client.setText(plain, fixed2), []);
  });

  it('source.fixAll.leakLens fixes everything in one edit with a single import', async () => {
    const uri = `${BASE}/fixall.py`;
    const text = `${TWO_CACHES}\n\n${LIST_LEAK}`;
    const diagnostics = await client.openAndWait(uri, text);
    assert.deepEqual(codesOf(diagnostics), ['LEAK001', 'LEAK001', 'LEAK002']);
    const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = ((await client.codeActions(uri, whole, [], ['source.fixAll.leakLens'])) ?? []).filter(
      isCodeAction,
    );
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.leakLens');
    const edit = actions[0].edit;
    assert.ok(edit?.documentChanges?.length === 1);
    const change = edit.documentChanges[0];
    assert.ok('edits' in change && change.edits.length === 1, 'one edit for the whole document');
    const fixed = client.applyWorkspaceEdit(edit).get(uri) ?? '';
    assert.equal(fixed.match(/from cachetools import TTLCache/g)?.length, 1, fixed);
    assert.equal(fixed.match(/from collections import deque/g)?.length, 1, fixed);
    assert.ok(fixed.startsWith('"""Service helpers."""\n'), 'docstring stays first');
    assert.equal(pyCompile(fixed), undefined, fixed);
    assert.deepEqual(await client.setText(uri, fixed), []);
    // Nothing left to fix: no fix-all action.
    const again = ((await client.codeActions(uri, whole, [], ['source.fixAll.leakLens'])) ?? []).filter(
      isCodeAction,
    );
    assert.deepEqual(again, []);
  });

  it('does not offer fix-all unless asked for by kind, nor quick fixes when only fix-all is asked', async () => {
    const uri = `${BASE}/kinds.py`;
    const [diagnostic] = await client.openAndWait(uri, CACHE_LEAK);
    const all = (await actionsFor(client, uri, diagnostic)).map((a) => a.kind);
    assert.ok(
      all.every((k) => k === 'quickfix'),
      String(all),
    );
    const onlyFixAll = (
      (await client.codeActions(uri, diagnostic.range, [diagnostic], ['source.fixAll'])) ?? []
    ).filter(isCodeAction);
    assert.deepEqual(
      onlyFixAll.map((a) => a.kind),
      ['source.fixAll.leakLens'],
    );
    const onlySource = (
      (await client.codeActions(uri, diagnostic.range, [diagnostic], ['source'])) ?? []
    ).filter(isCodeAction);
    assert.deepEqual(
      onlySource.map((a) => a.kind),
      ['source.fixAll.leakLens'],
    );
  });

  it('answers for the current text when asked right after an edit (before the debounce)', async () => {
    const uri = `${BASE}/fresh.py`;
    await client.openAndWait(uri, 'x = 1\n');
    const doc = client.docs.get(uri);
    assert.ok(doc);
    await client.change(uri, [
      {
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
        text: CACHE_LEAK.replace('import os\n', ''),
      },
    ]);
    const range = { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } };
    const actions = ((await client.codeActions(uri, range, [], ['source.fixAll.leakLens'])) ?? []).filter(
      isCodeAction,
    );
    assert.equal(actions.length, 1, 'fix-all sees the leak typed a moment ago');
  });

  it('leakLens.fixAllInFile applies the fix through workspace/applyEdit', async () => {
    const uri = `${BASE}/command.py`;
    await client.openAndWait(uri, CACHE_LEAK);
    const since = client.mark;
    const result = await client.connection.sendRequest('workspace/executeCommand', {
      command: 'leakLens.fixAllInFile',
      arguments: [uri],
    });
    assert.deepEqual(result, { applied: true });
    const request = await client.waitFor((e) => (e.kind === 'applyEdit' ? e.params : undefined), 5000, since);
    const fixed = client.applyWorkspaceEdit(request.edit).get(uri) ?? '';
    assert.match(fixed, /^ {12}del _cache\[next\(iter\(_cache\)\)\]$/m);
    assert.equal(pyCompile(fixed), undefined);
    await client.setText(uri, fixed);
    const nothing = await client.connection.sendRequest('workspace/executeCommand', {
      command: 'leakLens.fixAllInFile',
      arguments: [uri],
    });
    assert.deepEqual(nothing, { applied: false, reason: 'nothing to fix' });
    await assert.rejects(
      client.connection.sendRequest('workspace/executeCommand', {
        command: 'leakLens.fixAllInFile',
        arguments: [],
      }),
    );
  });
});

describe('protocol: every rule’s fixes on its documented example', function () {
  this.timeout(180_000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  for (const rule of RULES) {
    it(`${rule.code}: each fix compiles and removes its finding; suppression everywhere; fix-all leaves only unfixable ones`, async () => {
      const uri = `${BASE}/example-${rule.code}.py`;
      const example = dedent(rule.docs.example);
      const diagnostics = (await client.openAndWait(uri, example)).filter((d) => d.code === rule.code);
      assert.ok(diagnostics.length > 0, `${rule.code} flags its own example`);
      let withPreferred = 0;
      for (const diagnostic of diagnostics) {
        await client.setText(uri, example);
        const current = (client.latestDiagnostics(uri) ?? []).find(
          (d) => d.code === rule.code && d.range.start.line === diagnostic.range.start.line,
        );
        assert.ok(current);
        const actions = await actionsFor(client, uri, current);
        const suppress = actions.find((a) => a.title === `Suppress ${rule.code} on this line`);
        assert.ok(suppress?.edit, 'suppression offered');
        const fixes = actions.filter((a) => a !== suppress);
        assert.ok(fixes.filter((a) => a.isPreferred).length <= 1, 'at most one preferred fix');
        if (fixes.some((a) => a.isPreferred)) withPreferred++;
        for (const title of fixes.map((f) => f.title)) {
          // Each fix starts from the example again (its edit is for that version).
          await client.setText(uri, example);
          const again = (client.latestDiagnostics(uri) ?? []).find(
            (d) => d.code === rule.code && d.range.start.line === diagnostic.range.start.line,
          );
          assert.ok(again);
          const fix = (await actionsFor(client, uri, again)).find((a) => a.title === title);
          assert.ok(fix?.edit);
          const fixed = client.applyWorkspaceEdit(fix.edit).get(uri) ?? '';
          assert.equal(pyCompile(fixed), undefined, `${title}:\n${fixed}`);
          const after = (await client.setText(uri, fixed)).filter((d) => d.code === rule.code);
          assert.ok(after.length < diagnostics.length, `"${title}" removes its finding:\n${fixed}`);
        }
        await client.setText(uri, example);
        const fresh = (client.latestDiagnostics(uri) ?? []).find(
          (d) => d.code === rule.code && d.range.start.line === diagnostic.range.start.line,
        );
        assert.ok(fresh);
        const suppressAgain = (await actionsFor(client, uri, fresh)).find(
          (a) => a.title === `Suppress ${rule.code} on this line`,
        );
        assert.ok(suppressAgain?.edit);
        const suppressed = client.applyWorkspaceEdit(suppressAgain.edit).get(uri) ?? '';
        assert.equal(pyCompile(suppressed), undefined);
        assert.equal(
          (await client.setText(uri, suppressed)).filter((d) => d.code === rule.code).length,
          diagnostics.length - 1,
        );
      }
      await client.setText(uri, example);
      const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const [fixAll] = ((await client.codeActions(uri, whole, [], ['source.fixAll.leakLens'])) ?? []).filter(
        isCodeAction,
      );
      if (withPreferred === 0) return;
      assert.ok(fixAll?.edit, 'fix-all offered');
      const fixed = client.applyWorkspaceEdit(fixAll.edit).get(uri) ?? '';
      assert.equal(pyCompile(fixed), undefined, fixed);
      const left = (await client.setText(uri, fixed)).filter((d) => d.code === rule.code);
      assert.equal(
        left.length,
        diagnostics.length - withPreferred,
        `fix-all leaves only findings without a preferred fix:\n${fixed}`,
      );
    });
  }
});

describe('protocol: code actions for a client without documentChanges', function () {
  this.timeout(60_000);
  it('returns plain `changes` edits', async () => {
    const client = await TestClient.start({
      capabilities: { workspace: { configuration: true }, textDocument: { codeAction: {} } },
    });
    try {
      const uri = `${BASE}/plain.py`;
      const [diagnostic] = await client.openAndWait(uri, CACHE_LEAK);
      const actions = await actionsFor(client, uri, diagnostic);
      const preferred = actions.find((a) => a.isPreferred);
      assert.ok(preferred?.edit?.changes?.[uri]);
      assert.equal(preferred.edit.documentChanges, undefined);
    } finally {
      await client.stop();
    }
  });
});
