// The built leak-lens.vsix (from `npm run package`): it must hold the bundles, both wasm files,
// the grammar and the documents, nothing of the sources or node_modules, and stay small.
// Skipped when the VSIX has not been built, so `npm test` does not need a packaging step.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEntries, readEntry, type ZipEntry } from './zip-reader';

const ROOT = join(__dirname, '..', '..');
const VSIX = join(ROOT, 'leak-lens.vsix');
const MAX_BYTES = 3 * 1024 * 1024;

const REQUIRED = [
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md', // vsce lower-cases README and CHANGELOG
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/images/icon.png',
  'extension/syntaxes/leak-lens-noqa.injection.json',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  // dist/server.js runs it (from V8's code cache when there is one).
  'extension/dist/server-main.js',
  'extension/dist/cli.js',
  'extension/dist/scan-worker.js',
  'extension/dist/analysis-worker.js',
  'extension/dist/webview.css',
  'extension/dist/webview.js',
  'extension/dist/tree-sitter.wasm',
  'extension/dist/tree-sitter-python.wasm',
  // The parser re-instantiates web-tree-sitter from it after a wasm crash.
  'extension/dist/web-tree-sitter.cjs',
  'extension/probe/pyproject.toml',
  'extension/probe/leak_lens_probe/__init__.py',
  'extension/probe/leak_lens_probe/_core.py',
  'extension/probe/leak_lens_probe/_boot/sitecustomize.py',
  // Hovers, diagnostic links and Leak Lens: Show Rule Documentation open these.
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `extension/docs/rules/LEAK00${n}.md`),
  // The walkthrough's pictures.
  ...['squiggles', 'quick-fix', 'fix-all', 'detect', 'settings'].map(
    (n) => `extension/images/walkthrough/${n}.png`,
  ),
];

describe('packaged VSIX', () => {
  let zip: Buffer;
  let entries: ZipEntry[];

  before(function () {
    if (!existsSync(VSIX)) this.skip(); // built by `npm run package`
    zip = readFileSync(VSIX);
    entries = listEntries(zip);
  });

  it(`is smaller than ${MAX_BYTES / 1024 / 1024} MB`, () => {
    assert.ok(zip.length < MAX_BYTES, `${(zip.length / 1024 / 1024).toFixed(2)} MB`);
  });

  it('holds the bundles, both wasm files, the grammar, the icon and the documents', () => {
    const names = new Set(entries.map((e) => e.name));
    const missing = REQUIRED.filter((f) => !names.has(f));
    assert.deepEqual(missing, [], `missing from the VSIX: ${missing.join(', ')}`);
  });

  it('holds no sources, source maps, tests or node_modules', () => {
    const stray = entries
      .map((e) => e.name)
      .filter((n) =>
        /node_modules\/|\.ts$|\.map$|^extension\/(test|client|server|examples|scripts)\//.test(n),
      );
    assert.deepEqual(stray, []);
  });

  it('carries the repository manifest, and every file it names', () => {
    const names = new Set(entries.map((e) => e.name));
    const packaged = JSON.parse(read('extension/package.json').toString('utf8'));
    const source = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(packaged.version, source.version, 'VSIX is stale: run `npm run package`');
    assert.deepEqual(packaged.contributes, source.contributes, 'VSIX is stale: run `npm run package`');
    const named = [
      packaged.main,
      packaged.icon,
      ...packaged.contributes.grammars.map((g: { path: string }) => g.path),
    ];
    for (const file of named) {
      const path = `extension/${file.replace(/^\.\//, '')}`;
      assert.ok(names.has(path), `${file} (named by package.json) is in the VSIX`);
    }
  });

  function read(name: string): Buffer {
    const entry = entries.find((e) => e.name === name);
    assert.ok(entry, `${name} is in the VSIX`);
    return readEntry(zip, entry);
  }

  it('ships minified production bundles that still contain the language server wiring', () => {
    const extension = read('extension/dist/extension.js').toString('utf8');
    assert.ok(!extension.includes('//# sourceMappingURL'), 'no source map reference');
    assert.match(extension, /"server\.js"/, 'the client starts dist/server.js');
    const loader = read('extension/dist/server.js').toString('utf8');
    assert.match(loader, /server-main\.js/, 'dist/server.js runs dist/server-main.js');
    const server = read('extension/dist/server-main.js').toString('utf8');
    assert.match(server, /leakLens\/documentStatus/, 'dist/server-main.js is the language server');
    const wasm = read('extension/dist/tree-sitter-python.wasm');
    assert.equal(wasm.toString('latin1', 0, 4), '\0asm', 'the grammar is a real wasm module');
  });
});
