import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderPanelHtml } from '../../client/src/panel/html';
import { pngBytes } from '../../client/src/panel/png';
import { parseWebviewMessage } from '../../client/src/panel/protocol';

describe('panel: webview HTML and messages', () => {
  const html = renderPanelHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'abc123',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  });

  it('has a strict CSP: only the nonce-d script, only our styles, nothing remote', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(csp, contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc123'));
    // The one script tag carries the nonce; no inline script or style, no http(s) URL but ours.
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [
      '<script nonce="abc123" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js">',
    ]);
    assert.doesNotMatch(html, /<style|style="|onclick=/);
    for (const url of html.match(/https?:\/\/[^"' )]+/g) ?? [])
      assert.ok(url.includes('vscode-resource'), url);
  });

  it('has the stable element ids the tests and the script use', () => {
    for (const id of [
      'verdict',
      'growth',
      'target',
      'sample-count',
      'chart',
      'status',
      'pause',
      'resume',
      'detach',
      'reattach',
      'export-csv',
      'export-png',
    ]) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    assert.match(html, /id="verdict"[^>]*data-verdict="none"/);
    assert.match(html, /id="sample-count" data-count="0"/);
  });

  it('nonces are fresh and safe in an attribute', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{20,}$/);
    assert.notEqual(a, makeNonce());
  });

  it('accepts only our messages from the webview', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'pause' }), { type: 'pause' });
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'csv' }), {
      type: 'export',
      format: 'csv',
    });
    assert.equal(parseWebviewMessage({ type: 'export', format: 'exe' }), undefined);
    assert.equal(
      parseWebviewMessage({ type: 'exportPng', dataUrl: 'data:text/html;base64,AAAA' }),
      undefined,
    );
    assert.equal(parseWebviewMessage({ type: 'rm -rf' }), undefined);
    assert.equal(parseWebviewMessage('pause'), undefined);
    assert.equal(parseWebviewMessage(null), undefined);
    assert.equal(parseWebviewMessage({ type: 'error', message: 'x'.repeat(5000) })?.type, 'error');
  });

  it('a PNG data URL must decode to a PNG', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    assert.deepEqual([...(pngBytes(`data:image/png;base64,${png.toString('base64')}`) ?? [])], [...png]);
    assert.equal(pngBytes(`data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}`), undefined);
    assert.equal(pngBytes('data:image/jpeg;base64,AAAA'), undefined);
  });
});
