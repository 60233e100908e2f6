// workspace/configuration: per-resource settings, changes taking effect, precedence with
// pyproject.toml, and bad settings (one message, defaults, the server keeps answering).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, MessageType } from 'vscode-languageserver-protocol/node';
import { codesOf, delay, isCodeAction, TestClient } from './support/lsp-client';
import { CACHE_LEAK, CACHE_LEAK_WITH_CACHETOOLS, LIST_LEAK } from './support/snippets';

const BOTH = `${CACHE_LEAK}\n\n${LIST_LEAK}`;

describe('protocol: settings', function () {
  this.timeout(120_000);
  let client: TestClient;
  let settings: Record<string, unknown> = {};
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-settings-'));
    client = await TestClient.start({ settings: () => settings });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function changeSettings(next: Record<string, unknown>, uri: string): Promise<string[]> {
    settings = next;
    const since = client.mark;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const published = await client.diagnosticsFor(uri, () => true, since);
    return codesOf(published.diagnostics);
  }

  it('ignore, select, severity and enable take effect on didChangeConfiguration', async () => {
    const uri = pathToFileURL(join(dir, 'both.py')).href;
    assert.deepEqual(codesOf(await client.openAndWait(uri, BOTH)), ['LEAK001', 'LEAK002']);
    assert.deepEqual(await changeSettings({ ignore: ['LEAK001'] }, uri), ['LEAK002']);
    assert.deepEqual(await changeSettings({ select: ['LEAK001'] }, uri), ['LEAK001']);
    assert.deepEqual(await changeSettings({ severity: { LEAK002: 'off' } }, uri), ['LEAK001']);
    settings = { severity: { LEAK001: 'error', LEAK002: 'hint' } };
    let since = client.mark;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const published = await client.diagnosticsFor(uri, () => true, since);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['LEAK001', DiagnosticSeverity.Error],
        ['LEAK002', DiagnosticSeverity.Hint],
      ],
    );
    assert.deepEqual(await changeSettings({ enable: false }, uri), [], 'disabled: diagnostics cleared');
    // Disabled: no code actions either.
    const actions = await client.codeActions(
      uri,
      { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } },
      [],
      ['source.fixAll.leakLens'],
    );
    assert.deepEqual(actions, []);
    assert.deepEqual(await changeSettings({}, uri), ['LEAK001', 'LEAK002']);
    since = client.mark;
    assert.deepEqual(await changeSettings({ exclude: ['both.py'] }, uri), [], 'excluded file: cleared');
    assert.deepEqual(await changeSettings({}, uri), ['LEAK001', 'LEAK002']);
  });

  it('cache.maxsize and cache.ttlSeconds reach the fix', async () => {
    const uri = pathToFileURL(join(dir, 'cache.py')).href;
    settings = { cache: { maxsize: 256, ttlSeconds: 60 } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const [diagnostic] = await client.openAndWait(uri, CACHE_LEAK_WITH_CACHETOOLS);
    const actions = ((await client.codeActions(uri, diagnostic.range, [diagnostic])) ?? []).filter(
      isCodeAction,
    );
    const fixed = client.applyWorkspaceEdit(actions.find((a) => a.isPreferred)?.edit ?? {}).get(uri) ?? '';
    assert.match(fixed, /TTLCache\(maxsize=256, ttl=60\)/);
    settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('a bad setting gives one warning for all files, uses defaults, and the server keeps answering', async () => {
    const uris = [1, 2, 3].map((i) => pathToFileURL(join(dir, `bad${i}.py`)).href);
    for (const uri of uris) await client.open(uri, BOTH);
    await Promise.all(uris.map((uri) => client.diagnosticsFor(uri)));
    const since = client.mark;
    settings = { cache: { maxsize: -5 }, select: ['LEAK999'], ignore: ['LEAK002'] };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    // The valid key (ignore LEAK002) applies; the bad ones keep their defaults.
    for (const uri of uris)
      assert.deepEqual(codesOf((await client.diagnosticsFor(uri, () => true, since)).diagnostics), [
        'LEAK001',
      ]);
    await delay(300);
    const warnings = client.events.slice(since).filter((e) => e.kind === 'showMessage');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const message = warnings[0].kind === 'showMessage' ? warnings[0].params : undefined;
    assert.equal(message?.type, MessageType.Warning);
    assert.match(message?.message ?? '', /leakLens\.cache\.maxsize/);
    assert.match(message?.message ?? '', /LEAK999/);
    // The fix still uses the default maxsize.
    const [d] = (await client.diagnosticsFor(uris[0])).diagnostics;
    const actions = ((await client.codeActions(uris[0], d.range, [d])) ?? []).filter(isCodeAction);
    assert.match(JSON.stringify(actions), /maxsize=1024/);
    // Wrong types everywhere: still up.
    settings = { enable: 'yes', select: 'LEAK001', severity: 5, exclude: {}, cache: 'big' } as Record<
      string,
      unknown
    >;
    const since2 = client.mark;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(codesOf((await client.diagnosticsFor(uris[0], () => true, since2)).diagnostics), [
      'LEAK001',
      'LEAK002',
    ]);
    await delay(200);
    assert.equal(client.events.slice(since2).filter((e) => e.kind === 'showMessage').length, 1);
    assert.ok(client.alive());
    settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });
});

describe('protocol: settings per workspace folder and pyproject.toml precedence', function () {
  this.timeout(120_000);
  let dir: string;
  let client: TestClient;
  const perScope = new Map<string, Record<string, unknown>>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-multiroot-'));
    for (const name of ['a', 'b']) mkdirSync(join(dir, name));
    // Folder b's pyproject ignores LEAK002 and makes LEAK001 an error.
    writeFileSync(
      join(dir, 'b', 'pyproject.toml'),
      '[project]\nname = "b"\n\n[tool.leak-lens]\nignore = ["LEAK002"]\nseverity = { LEAK001 = "error" }\n',
    );
    client = await TestClient.start({
      workspaceFolders: ['a', 'b'].map((n) => ({ uri: pathToFileURL(join(dir, n)).href, name: n })),
      settings: (scopeUri) => {
        for (const [prefix, value] of perScope) if (scopeUri?.startsWith(prefix)) return value;
        return {};
      },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads settings for each document scope (multi-root)', async () => {
    perScope.set(pathToFileURL(join(dir, 'a')).href, { ignore: ['LEAK001'] });
    const a = pathToFileURL(join(dir, 'a', 'm.py')).href;
    const b = pathToFileURL(join(dir, 'b', 'm.py')).href;
    assert.deepEqual(codesOf(await client.openAndWait(a, BOTH)), ['LEAK002']);
    assert.deepEqual(codesOf(await client.openAndWait(b, BOTH)), ['LEAK001']);
  });

  it('editorFirst (default): an editor severity beats pyproject; filesystemFirst: pyproject wins; editorOnly ignores it', async () => {
    const b = pathToFileURL(join(dir, 'b', 'm.py')).href;
    const scopeB = pathToFileURL(join(dir, 'b')).href;
    const apply = async (value: Record<string, unknown>) => {
      perScope.set(scopeB, value);
      const since = client.mark;
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      return (await client.diagnosticsFor(b, () => true, since)).diagnostics.map((d) => [d.code, d.severity]);
    };
    assert.deepEqual(await apply({}), [['LEAK001', DiagnosticSeverity.Error]]);
    assert.deepEqual(await apply({ severity: { LEAK001: 'hint' } }), [['LEAK001', DiagnosticSeverity.Hint]]);
    assert.deepEqual(
      await apply({ severity: { LEAK001: 'hint' }, configurationPreference: 'filesystemFirst' }),
      [['LEAK001', DiagnosticSeverity.Error]],
    );
    assert.deepEqual(await apply({ configurationPreference: 'editorOnly' }), [
      ['LEAK001', DiagnosticSeverity.Warning],
      ['LEAK002', DiagnosticSeverity.Warning],
    ]);
  });

  it('a malformed pyproject.toml gives one warning naming the file, and defaults apply', async () => {
    mkdirSync(join(dir, 'a', 'broken'));
    writeFileSync(
      join(dir, 'a', 'broken', 'pyproject.toml'),
      '[tool.leak-lens]\ncache-maxsize = -1\nignore = "LEAK001"\n',
    );
    perScope.clear();
    // (Settings are asked per workspace folder: a client tells the server when they change.)
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await delay(300);
    const since = client.mark;
    const uris = ['x', 'y'].map((n) => pathToFileURL(join(dir, 'a', 'broken', `${n}.py`)).href);
    for (const uri of uris)
      assert.deepEqual(codesOf(await client.openAndWait(uri, BOTH)), ['LEAK001', 'LEAK002']);
    await delay(200);
    const warnings = client.events.slice(since).filter((e) => e.kind === 'showMessage');
    assert.equal(warnings.length, 1);
    assert.match(JSON.stringify(warnings[0]), /broken\/pyproject\.toml/);
    assert.match(JSON.stringify(warnings[0]), /cache-maxsize/);
  });
});

describe('protocol: settings from a client without workspace/configuration', function () {
  this.timeout(60_000);
  it('takes them from initializationOptions and didChangeConfiguration', async () => {
    const client = await TestClient.start({
      capabilities: { textDocument: { codeAction: {} } },
      initializationOptions: { leakLens: { ignore: ['LEAK001'] } },
    });
    try {
      const uri = 'file:///tmp/leak-lens-pushed/m.py';
      assert.deepEqual(codesOf(await client.openAndWait(uri, BOTH)), ['LEAK002']);
      const since = client.mark;
      await client.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { leakLens: { ignore: ['LEAK002'] } },
      });
      assert.deepEqual(codesOf((await client.diagnosticsFor(uri, () => true, since)).diagnostics), [
        'LEAK001',
      ]);
    } finally {
      await client.stop();
    }
  });
});
