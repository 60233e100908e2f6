import * as assert from 'node:assert/strict';
import { DETECT_DEFAULTS, readDetectConfig } from '../../client/src/panel/detect-config';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('panel: leakLens.detect.* settings', () => {
  it('defaults when nothing is set', () => {
    const { config, problems } = readDetectConfig(from({}));
    assert.deepEqual(config, DETECT_DEFAULTS);
    assert.deepEqual(problems, []);
    assert.deepEqual(config.analysis, { minDurationSeconds: 300, rapidMBPerMin: 1, noiseFloorMB: 1 });
    assert.equal(config.durationSeconds, 300);
    assert.equal(config.intervalSeconds, 10);
  });

  it('uses valid values', () => {
    const { config, problems } = readDetectConfig(
      from({
        durationSeconds: 20,
        intervalSeconds: 1,
        followChildren: false,
        minDurationSeconds: 10,
        rapidMBPerMin: 50,
        noiseFloorMB: 0,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config, {
      durationSeconds: 20,
      intervalSeconds: 1,
      followChildren: false,
      analysis: { minDurationSeconds: 10, rapidMBPerMin: 50, noiseFloorMB: 0 },
    });
  });

  it('names each bad setting and falls back to its default', () => {
    const { config, problems } = readDetectConfig(
      from({
        durationSeconds: 'abc',
        rapidMBPerMin: 0,
        noiseFloorMB: -1,
        followChildren: 'yes',
        minDurationSeconds: null,
      }),
    );
    assert.deepEqual(config, DETECT_DEFAULTS);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(
      problems.join('\n'),
      /leakLens\.detect\.durationSeconds must be a number >= 1, not "abc": using 300/,
    );
    assert.match(problems.join('\n'), /leakLens\.detect\.rapidMBPerMin must be a number > 0, not 0: using 1/);
    assert.match(problems.join('\n'), /followChildren must be true or false/);
  });

  it('an interval longer than the duration is corrected, with a message', () => {
    const { config, problems } = readDetectConfig(from({ durationSeconds: 5, intervalSeconds: 30 }));
    assert.equal(config.intervalSeconds, 5);
    assert.match(
      problems[0],
      /intervalSeconds \(30\) is longer than leakLens\.detect\.durationSeconds \(5\)/,
    );
  });
});
