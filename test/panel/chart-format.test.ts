import * as assert from 'node:assert/strict';
import { formatAxisMB, formatElapsed, TIME_INCREMENTS } from '../../client/src/panel/chart-format';

describe('panel: chart labels', () => {
  it('elapsed time as a clock', () => {
    assert.equal(formatElapsed(0), '0:00');
    assert.equal(formatElapsed(75), '1:15');
    assert.equal(formatElapsed(3725), '1:02:05');
    assert.equal(formatElapsed(2.5), '0:02.5');
    const at = new Date(2024, 0, 31, 3, 15, 0).getTime();
    assert.equal(formatElapsed(90, at), '1:30 (03:16:30)');
  });

  it('MiB as MB or GB', () => {
    assert.equal(formatAxisMB(182), '182 MB');
    assert.equal(formatAxisMB(2.5), '2.5 MB');
    assert.equal(formatAxisMB(3), '3 MB');
    assert.equal(formatAxisMB(1536), '1.5 GB');
    assert.equal(formatAxisMB(1024 * 100), '100 GB');
    assert.equal(formatAxisMB(182.456, true), '182.5 MB');
  });

  it('time ticks ascend', () => {
    for (let i = 1; i < TIME_INCREMENTS.length; i++) assert.ok(TIME_INCREMENTS[i] > TIME_INCREMENTS[i - 1]);
  });
});
