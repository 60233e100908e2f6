// dist/server.js runs the server's bundle from V8's code cache: the first start writes the cache
// after its first analysis (or at shutdown), later starts read it and do not write it again, and
// a cache that does not fit (here: garbage) is ignored and replaced. Diagnostics are the same
// every way.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { TestClient } from './support/lsp-client';
import { CACHE_LEAK } from './support/snippets';

const URI = 'file:///tmp/leak-lens-protocol/cached.py';

describe('protocol: code cache of the server bundle', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-code-cache-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const caches = () => readdirSync(dir).filter((n) => n.endsWith('.v8cache'));

  async function session(env: NodeJS.ProcessEnv = {}): Promise<Diagnostic[]> {
    const client = await TestClient.start({ env: { LEAK_LENS_CACHE_DIR: dir, ...env } });
    try {
      return await client.openAndWait(URI, CACHE_LEAK);
    } finally {
      assert.equal(await client.stop(), 0, 'the server exits cleanly');
    }
  }

  let first: Diagnostic[];

  it('is off with LEAK_LENS_CODE_CACHE=0', async () => {
    first = await session({ LEAK_LENS_CODE_CACHE: '0' });
    assert.deepEqual(
      first.map((d) => d.code),
      ['LEAK001'],
    );
    assert.deepEqual(caches(), []);
  });

  it('is written by the first start, once its first file is analysed', async () => {
    assert.deepEqual(await session(), first);
    assert.equal(caches().length, 1);
    assert.ok(statSync(join(dir, caches()[0])).size > 0);
  });

  it('is read, not written again, by the next start', async () => {
    const file = join(dir, caches()[0]);
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    assert.deepEqual(await session(), first);
    assert.deepEqual(caches(), [file.slice(dir.length + 1)]);
    assert.equal(statSync(file).mtimeMs, mtime);
    assert.ok(readFileSync(file).equals(before));
  });

  it('is ignored and replaced when V8 rejects it', async () => {
    const file = join(dir, caches()[0]);
    writeFileSync(file, 'not a code cache');
    assert.deepEqual(await session(), first);
    assert.notEqual(readFileSync(file, 'utf8'), 'not a code cache');
  });
});
