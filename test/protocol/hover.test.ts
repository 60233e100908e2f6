// Hover over a finding shows its rule's documentation (what, why it leaks, example, fix) with a
// link to the whole page: the bundled docs/rules page, or the client's command when it names one.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Hover, MarkupContent, Position } from 'vscode-languageserver-protocol/node';
import { ROOT, TestClient } from './support/lsp-client';
import { CACHE_LEAK, LIST_LEAK } from './support/snippets';

const URI = 'file:///tmp/leak-lens-protocol/hover.py';

function hover(client: TestClient, uri: string, position: Position): Promise<Hover | null> {
  return client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
}

function markdown(h: Hover | null): string {
  assert.ok(h, 'a hover');
  const contents = h.contents as MarkupContent;
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

/** The prose of a `## heading` section of a rule page, up to the next heading. */
function section(page: string, heading: string): string {
  const start = page.indexOf(`## ${heading}\n`);
  assert.ok(start >= 0, heading);
  const rest = page.slice(start + heading.length + 4);
  return rest.slice(0, rest.search(/\n## |$/)).trim();
}

describe('protocol: hover shows the rule documentation', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({ initializationOptions: { scanOnStartup: false } });
  });
  after(async () => {
    assert.equal(await client.stop(), 0, 'the server exits cleanly');
  });

  it('advertises hover', () => {
    assert.equal(client.initializeResult?.capabilities.hoverProvider, true);
  });

  it('links each diagnostic to its bundled page, which exists', async () => {
    const [d] = await client.openAndWait(URI, CACHE_LEAK);
    const href = d.codeDescription?.href ?? '';
    assert.match(href, /^file:\/\/.*\/docs\/rules\/LEAK001\.md$/);
    assert.equal(fileURLToPath(href), `${ROOT}/docs/rules/LEAK001.md`);
    assert.ok(existsSync(fileURLToPath(href)));
  });

  it('over a finding: the rule, what it does, why it leaks, the example and the fix from its page', async () => {
    const d = client.latestDiagnostics(URI)?.[0];
    assert.ok(d, 'the diagnostic of the previous test');
    const h = await hover(client, URI, { line: 2, character: 3 });
    const text = markdown(h);
    assert.deepEqual(h?.range, d.range, 'the hover covers the finding');
    const page = readFileSync(`${ROOT}/docs/rules/LEAK001.md`, 'utf8');
    assert.match(text, /^\*\*LEAK001 unbounded-cache\*\*/);
    // The sections come from the same page the link opens.
    assert.ok(text.includes(section(page, 'What it does').split('\n\n')[0]), 'what it does');
    assert.ok(text.includes(section(page, 'Why is this bad?')), 'why it leaks');
    assert.ok(text.includes(section(page, 'Example')), 'the example');
    assert.ok(text.includes(section(page, 'Use instead')), 'the fix');
    assert.ok(text.indexOf('#### Example') < text.indexOf('#### Use instead'));
    const link = /\[Open the LEAK001 documentation\]\((\S+)\)/.exec(text);
    assert.ok(link, 'a link to the whole page');
    assert.equal(link[1], d.codeDescription?.href, 'the same page as the diagnostic link');
  });

  it('at the last character of the finding too, and nothing outside any finding', async () => {
    assert.ok(await hover(client, URI, { line: 2, character: 6 }), 'end of `_cache`');
    assert.equal(await hover(client, URI, { line: 0, character: 3 }), null, '`import os`');
    assert.equal(await hover(client, URI, { line: 5, character: 2 }), null, '`def get_user`');
  });

  it('follows edits: the finding moved down, so does its hover', async () => {
    await client.change(URI, [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n\n' },
    ]);
    // Asked at once, before any diagnostics for the new version: answered for the current text.
    assert.equal(await hover(client, URI, { line: 2, character: 3 }), null, 'line 2 is empty now');
    assert.match(markdown(await hover(client, URI, { line: 4, character: 3 })), /LEAK001/);
  });

  it('answers for a document it does not know with no hover, not an error', async () => {
    assert.equal(
      await hover(client, 'file:///tmp/leak-lens-protocol/never-opened.py', { line: 0, character: 0 }),
      null,
    );
  });
});

describe('protocol: hover with a client command for the docs', function () {
  this.timeout(120_000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({
      initializationOptions: { scanOnStartup: false, ruleDocsCommand: 'leakLens.showRuleDocumentation' },
    });
  });
  after(async () => {
    await client.stop();
  });

  it('links the whole page through the command, with the rule code as its argument', async () => {
    const uri = 'file:///tmp/leak-lens-protocol/hover-command.py';
    await client.openAndWait(uri, LIST_LEAK);
    const text = markdown(await hover(client, uri, { line: 0, character: 1 }));
    assert.match(text, /^\*\*LEAK002 global-accumulation\*\*/);
    const link = /\[Open the LEAK002 documentation\]\(command:leakLens\.showRuleDocumentation\?(\S+)\)/.exec(
      text,
    );
    assert.ok(link, text.slice(-200));
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), ['LEAK002']);
  });
});
