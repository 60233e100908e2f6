import * as assert from 'node:assert/strict';
import { describeScan, isScanSummary } from '../../client/src/scan-summary';

describe('workspace scan summary', () => {
  it('recognises the summary the server answers with, and nothing else', () => {
    assert.equal(
      isScanSummary({ filesScanned: 3, findings: 1, skipped: 0, cancelled: false, durationMs: 5 }),
      true,
    );
    assert.equal(isScanSummary({ filesScanned: 3, findings: 1 }), true);
    for (const other of [
      null,
      undefined,
      'done',
      3,
      {},
      { filesScanned: '3', findings: 1 },
      { findings: 1 },
    ]) {
      assert.equal(isScanSummary(other), false, JSON.stringify(other));
    }
  });

  it('reports files, time, findings and skipped files', () => {
    assert.equal(
      describeScan({ filesScanned: 120, findings: 8, skipped: 3, cancelled: false, durationMs: 1234 }),
      'Scanned 120 files in 1.2 s: 8 possible leaks (3 files skipped, see the output).',
    );
    assert.equal(describeScan({ filesScanned: 1, findings: 1 }), 'Scanned 1 file: 1 possible leak.');
    assert.equal(
      describeScan({ filesScanned: 2, findings: 0, skipped: 0, durationMs: 40 }),
      'Scanned 2 files in 0.0 s: no possible leaks.',
    );
  });

  it('says when the scan was cancelled, with what it found so far', () => {
    assert.equal(
      describeScan({ filesScanned: 40, findings: 2, skipped: 1, cancelled: true, durationMs: 500 }),
      'Scan cancelled after 40 files in 0.5 s: 2 possible leaks so far (1 file skipped, see the output).',
    );
  });
});
