// Source decoding for the scan: strict UTF-8 by default, PEP 263 coding declarations honoured.
import { strict as assert } from 'node:assert';
import { declaredEncoding, decodeSource } from '../../server/src/cli/analyze-file';
import { pathToUri, sarifLevel } from '../../server/src/cli/format-sarif';

const bytes = (text: string, encoding: BufferEncoding = 'utf8') =>
  new Uint8Array(Buffer.from(text, encoding));

describe('decodeSource', () => {
  it('decodes UTF-8 and drops a byte-order mark', () => {
    assert.equal(decodeSource(bytes('x = "café"\n')), 'x = "café"\n');
    assert.equal(decodeSource(new Uint8Array([0xef, 0xbb, 0xbf, 0x78])), 'x');
  });

  it('rejects invalid UTF-8 instead of substituting U+FFFD', () => {
    assert.throws(() => decodeSource(new Uint8Array([0x78, 0x20, 0xff, 0xfe])), /not valid UTF-8/);
  });

  it('honours a coding declaration on line 1 or 2, in Python spellings', () => {
    assert.equal(declaredEncoding(bytes('# -*- coding: latin-1 -*-\n')), 'latin1');
    assert.equal(
      declaredEncoding(bytes('#!/usr/bin/env python\n# vim: set fileencoding=iso_8859_15 :\n')),
      'iso-8859-15',
    );
    assert.equal(
      declaredEncoding(bytes('import os\n# coding: latin-1\n')),
      'utf-8',
      'only after a comment line',
    );
    assert.equal(declaredEncoding(bytes('\n\n# coding: latin-1\n')), 'utf-8', 'not on line 3');
    assert.equal(
      decodeSource(bytes('# coding: latin-1\nx = "café"\n', 'latin1')),
      '# coding: latin-1\nx = "café"\n',
    );
  });

  it('reports an encoding it does not know', () => {
    assert.throws(() => decodeSource(bytes('# coding: klingon\n')), /unknown encoding "klingon"/);
  });
});

describe('SARIF helpers', () => {
  it('percent-encodes path segments into a relative URI', () => {
    assert.equal(pathToUri('src/my app/a#1.py'), 'src/my%20app/a%231.py');
    assert.equal(pathToUri('../lib/x.py'), '../lib/x.py');
  });

  it('maps severities to SARIF levels', () => {
    assert.deepEqual((['error', 'warning', 'information', 'hint'] as const).map(sarifLevel), [
      'error',
      'warning',
      'note',
      'note',
    ]);
  });
});
