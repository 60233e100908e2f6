// Lazy quick fixes and applicability through the real protocol, for a client that resolves code
// actions (`codeAction/resolve` with `edit`, as VS Code does): the lightbulb lists each fix with
// its title and no edit; resolving the picked one brings the edit, for the version it was listed
// for. An unsafe fix says "(unsafe)", is never the preferred one, and Fix All leaves it out.
import * as assert from 'node:assert/strict';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { codesOf, DEFAULT_CAPABILITIES, isCodeAction, pyCompile, TestClient } from './support/lsp-client';

const BASE = 'file:///tmp/leak-lens-protocol-lazy';

/** A read-through memo in a module using cachetools (TTLCache: safe) and a tree whose parent link a safe fix cannot weaken. */
const MIXED = `from cachetools import LRUCache


class Node:
    def __init__(self, name):
        self.name = name
        self.parent = None
        self.children = []

    def add(self, child):
        child.parent = self
        self.children.append(child)


_rates = {}


def rate(currency):
    if currency not in _rates:
        _rates[currency] = len(currency) * 1.5
    return _rates[currency]


def build(names):
    root = Node("root")
    for name in names:
        root.add(Node(name))
    return root
`;

describe('protocol: lazy quick fixes (codeAction/resolve) and unsafe fixes', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        textDocument: {
          ...DEFAULT_CAPABILITIES.textDocument,
          codeAction: {
            ...DEFAULT_CAPABILITIES.textDocument?.codeAction,
            resolveSupport: { properties: ['edit'] },
          },
        },
      },
    });
  });
  after(async () => {
    await client.stop();
  });

  async function quickFixes(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    const actions = (await client.codeActions(uri, diagnostic.range, [diagnostic])) ?? [];
    return actions.filter(isCodeAction).filter((a) => !a.title.startsWith('Suppress'));
  }

  const resolve = (action: CodeAction) =>
    client.connection.sendRequest<CodeAction>('codeAction/resolve', action);

  it('lists fixes without edits; resolving one brings its edit, which fixes the finding', async () => {
    const uri = `${BASE}/mixed.py`;
    const diagnostics = await client.openAndWait(uri, MIXED);
    const cache = diagnostics.find((d) => d.code === 'LEAK001');
    assert.ok(cache, 'LEAK001 reported');
    const [fix] = await quickFixes(uri, cache);
    assert.ok(fix, 'a quick fix is listed');
    assert.equal(fix.edit, undefined, 'the edit comes with codeAction/resolve');
    assert.equal(fix.isPreferred, true);
    assert.doesNotMatch(fix.title, /\(unsafe\)/);
    const resolved = await resolve(fix);
    assert.equal(resolved.title, fix.title);
    assert.ok(resolved.edit?.documentChanges, 'resolved with a versioned edit');
    const fixed = client.applyWorkspaceEdit(resolved.edit).get(uri) ?? '';
    assert.match(fixed, /^_rates = TTLCache\(maxsize=1024, ttl=3600\)$/m);
    assert.equal(pyCompile(fixed), undefined, fixed);
    const after = await client.setText(uri, fixed);
    assert.ok(!codesOf(after).includes('LEAK001'));
    assert.ok(codesOf(after).includes('LEAK003'), 'the other finding is still there');
  });

  it('an unsafe fix says "(unsafe)" in its title, is not preferred, and still resolves to a working edit', async () => {
    const uri = `${BASE}/unsafe.py`;
    const diagnostics = await client.openAndWait(uri, MIXED);
    const cycle = diagnostics.find((d) => d.code === 'LEAK003');
    assert.ok(cycle, 'LEAK003 reported');
    const fixes = await quickFixes(uri, cycle);
    assert.ok(fixes.length > 0, 'a real fix besides Suppress');
    for (const f of fixes) {
      assert.match(f.title, / \(unsafe\)$/);
      assert.notEqual(f.isPreferred, true);
    }
    const resolved = await resolve(fixes[0]);
    const fixed = client.applyWorkspaceEdit(resolved.edit ?? {}).get(uri) ?? '';
    assert.match(fixed, /weakref\.(proxy\(self\)|ref\(value\))/);
    assert.equal(pyCompile(fixed), undefined, fixed);
    assert.ok(!codesOf(await client.setText(uri, fixed)).includes('LEAK003'));
  });

  it('Fix All (source.fixAll.leakLens) applies the safe fixes and leaves the unsafe ones', async () => {
    const uri = `${BASE}/fixall.py`;
    await client.openAndWait(uri, MIXED);
    const whole = { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } };
    const [action] = ((await client.codeActions(uri, whole, [], ['source.fixAll.leakLens'])) ?? []).filter(
      isCodeAction,
    );
    assert.ok(action?.edit, 'Fix All carries its edit');
    const fixed = client.applyWorkspaceEdit(action.edit).get(uri) ?? '';
    assert.match(fixed, /^_rates = TTLCache\(maxsize=1024, ttl=3600\)$/m);
    assert.match(fixed, /^ {8}child\.parent = self$/m, 'the unsafe fix was applied');
    assert.equal(fixed.match(/from cachetools import TTLCache/g)?.length, 1);
    assert.doesNotMatch(fixed, /weakref/);
    const after = await client.setText(uri, fixed);
    assert.deepEqual(codesOf(after), ['LEAK003']);
  });

  it('an action listed for an older version resolves without an edit', async () => {
    const uri = `${BASE}/stale.py`;
    const diagnostics = await client.openAndWait(uri, MIXED);
    const cache = diagnostics.find((d) => d.code === 'LEAK001');
    assert.ok(cache);
    const [fix] = await quickFixes(uri, cache);
    await client.setText(uri, `# edited\n${MIXED}`);
    const resolved = await resolve(fix);
    assert.equal(resolved.edit, undefined, 'an edit for a text that is gone');
  });
});
