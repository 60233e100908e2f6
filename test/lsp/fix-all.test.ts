// Fix-all's single edit must turn the old text into the new one exactly.
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { minimalEdit } from '../../server/src/lsp/fix-all';

function check(before: string, after: string): void {
  const edit = minimalEdit(before, after);
  const doc = TextDocument.create('file:///x.py', 'python', 1, before);
  assert.equal(
    edit ? TextDocument.applyEdits(doc, [edit]) : before,
    after,
    JSON.stringify({ before, after }),
  );
}

describe('fix-all: minimal edit', () => {
  it('covers only the changed middle and reproduces the new text', () => {
    check('a\nb\nc\n', 'a\nB\nc\n');
    check(
      'import os\n_c = {}\n',
      'import os\nfrom cachetools import TTLCache\n_c = TTLCache(maxsize=1, ttl=2)\n',
    );
    check('x\r\ny\r\n', 'x\r\n\r\ny\r\n');
    check('s = "🎉"\n', 's = "🎊"\n');
    check('abc', '');
    check('', 'abc');
    assert.equal(minimalEdit('same', 'same'), undefined);
    const edit = minimalEdit('a\nb\nc\n', 'a\nB\nc\n');
    assert.deepEqual(edit?.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } });
  });
});
