import * as assert from 'node:assert/strict';
import { countFindings, describeFindings } from '../../client/src/finding-count';

describe('workspace finding count', () => {
  it('counts only diagnostics whose source is Leak Lens, and the files that have any', () => {
    const entries: [string, { source?: string }[]][] = [
      ['a.py', [{ source: 'Leak Lens' }, { source: 'Pylance' }, { source: 'Leak Lens' }]],
      ['b.py', [{ source: 'ruff' }, {}]],
      ['c.py', [{ source: 'Leak Lens' }]],
      ['d.py', []],
    ];
    assert.deepEqual(countFindings(entries, 'Leak Lens'), { findings: 3, files: 2 });
  });

  it('is zero for no diagnostics at all', () => {
    assert.deepEqual(countFindings([], 'Leak Lens'), { findings: 0, files: 0 });
  });

  it('describes counts in words with correct plurals', () => {
    assert.equal(describeFindings({ findings: 0, files: 0 }), 'No possible leaks found');
    assert.equal(describeFindings({ findings: 1, files: 1 }), '1 possible leak in 1 file');
    assert.equal(describeFindings({ findings: 5, files: 1 }), '5 possible leaks in 1 file');
    assert.equal(describeFindings({ findings: 5, files: 3 }), '5 possible leaks in 3 files');
  });
});
