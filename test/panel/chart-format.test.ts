import * as assert from 'node:assert/strict';
import {
  formatAxisMB,
  formatAxisTicks,
  formatElapsed,
  TIME_INCREMENTS,
} from '../../client/src/panel/chart-format';

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

  it('axis ticks get the decimals their step needs, all alike', () => {
    assert.deepEqual(formatAxisTicks([55, 57.5, 60, 62.5]), ['55.0 MB', '57.5 MB', '60.0 MB', '62.5 MB']);
    assert.deepEqual(formatAxisTicks([100, 110, 120]), ['100 MB', '110 MB', '120 MB']);
    assert.deepEqual(formatAxisTicks([1.25, 1.5, 1.75]), ['1.25 MB', '1.50 MB', '1.75 MB']);
    assert.deepEqual(formatAxisTicks([1024, 1536, 2048]), ['1.0 GB', '1.5 GB', '2.0 GB']);
    assert.deepEqual(formatAxisTicks([2048, 4096]), ['2 GB', '4 GB']);
    assert.deepEqual(formatAxisTicks([]), []);
  });

  it('time ticks ascend', () => {
    for (let i = 1; i < TIME_INCREMENTS.length; i++) assert.ok(TIME_INCREMENTS[i] > TIME_INCREMENTS[i - 1]);
  });
});
