// What the language status item knows about test files: the server's leakLens/documentStatus
// notifications, applied as they come, forgotten on close and when a new server starts.
import * as assert from 'node:assert/strict';
import { TEST_FILE_DETAIL, TestFiles, VENDORED_FILE_DETAIL } from '../../client/src/test-files';

describe('test files for the language status item', () => {
  const uri = 'file:///w/tests/test_a.py';

  it('follows the notifications, telling whether anything changed', () => {
    const files = new TestFiles();
    assert.equal(files.update({ uri, testFile: false }), false, 'analysed is the default');
    assert.equal(files.update({ uri, testFile: true }), true);
    assert.equal(files.has(uri), true);
    assert.equal(files.update({ uri, testFile: true }), false);
    assert.equal(files.update({ uri, testFile: false }), true);
    assert.equal(files.has(uri), false);
  });

  it('ignores malformed notifications', () => {
    const files = new TestFiles();
    for (const bad of [
      null,
      undefined,
      'x',
      {},
      { uri },
      { uri: 1, testFile: true },
      { uri, testFile: 'yes' },
      { uri, testFile: false, vendored: 'yes' },
    ])
      assert.equal(files.update(bad), false, JSON.stringify(bad));
    assert.equal(files.has(uri), false);
  });

  it('tells vendored files from test files, and follows a file from one to the other', () => {
    const files = new TestFiles();
    const lib = 'file:///w/lib/tornado/web.py';
    assert.equal(files.update({ uri: lib, testFile: false, vendored: true }), true);
    assert.equal(files.reason(lib), 'vendored');
    assert.equal(files.has(lib), false, 'not test code');
    assert.equal(files.update({ uri: lib, testFile: false, vendored: true }), false);
    assert.equal(files.update({ uri: lib, testFile: true, vendored: false }), true);
    assert.equal(files.reason(lib), 'test');
    assert.equal(files.update({ uri: lib, testFile: false, vendored: false }), true);
    assert.equal(files.reason(lib), undefined);
    // A server that predates `vendored` sends only testFile.
    assert.equal(files.update({ uri, testFile: true }), true);
    assert.equal(files.reason(uri), 'test');
  });

  it('forgets closed documents, and everything when the server restarts', () => {
    const files = new TestFiles();
    files.update({ uri, testFile: true });
    files.update({ uri: 'file:///w/conftest.py', testFile: true });
    assert.equal(files.forget(uri), true);
    assert.equal(files.has(uri), false);
    assert.equal(files.clear(), true);
    assert.equal(files.has('file:///w/conftest.py'), false);
    assert.equal(files.clear(), false);
  });

  it('says why the file has no squiggles', () => {
    assert.equal(TEST_FILE_DETAIL, 'test file — not analysed');
    assert.equal(VENDORED_FILE_DETAIL, 'vendored library — not analysed');
  });
});
