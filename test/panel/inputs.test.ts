import * as assert from 'node:assert/strict';
import {
  isArgsObject,
  parseCommandArgs,
  parseMetricsUrl,
  parsePid,
  parseSeconds,
} from '../../client/src/panel/inputs';

describe('panel: prompt and argument checks', () => {
  it('PIDs', () => {
    assert.equal(parsePid(' 4242 ').value, 4242);
    for (const bad of ['', 'abc', '-3', '0', '12.5', '1e3', '99999999999']) {
      assert.ok(parsePid(bad).error, `"${bad}" refused`);
    }
    assert.match(parsePid('abc').error ?? '', /not a process ID/);
  });

  it('metrics URLs: http(s) only, a missing scheme becomes http', () => {
    assert.equal(parseMetricsUrl('http://127.0.0.1:8000/metrics').value, 'http://127.0.0.1:8000/metrics');
    assert.equal(parseMetricsUrl('localhost:8000/metrics').value, 'http://localhost:8000/metrics');
    assert.match(parseMetricsUrl('ftp://host/metrics').error ?? '', /Only http and https/);
    assert.match(parseMetricsUrl('http://').error ?? '', /not a URL|no host/);
    assert.match(parseMetricsUrl('  ').error ?? '', /Type the URL/);
  });

  it('durations and intervals, with units', () => {
    assert.equal(parseSeconds('300', 'duration', 1).value, 300);
    assert.equal(parseSeconds('5m', 'duration', 1).value, 300);
    assert.equal(parseSeconds('1.5h', 'duration', 1).value, 5400);
    assert.equal(parseSeconds('0.5', 'interval', 0.1).value, 0.5);
    assert.match(parseSeconds('0.05', 'interval', 0.1).error ?? '', /at least 0.1 s/);
    assert.match(parseSeconds('five', 'duration', 1).error ?? '', /number of seconds/);
    assert.match(parseSeconds('-3', 'duration', 1).error ?? '', /number of seconds/);
  });

  it('recognises an argument object (not a Uri, an array or nothing)', () => {
    assert.equal(isArgsObject({ pid: 3 }), true);
    assert.equal(isArgsObject({ url: 'http://x' }), true);
    assert.equal(isArgsObject(undefined), false);
    assert.equal(isArgsObject([{ pid: 3 }]), false);
    assert.equal(isArgsObject({ scheme: 'file', path: '/x' }), false);
    class Uri {
      pid = 3;
    }
    assert.equal(isArgsObject(new Uri()), false);
  });

  it('checks command arguments and lists every problem', () => {
    assert.deepEqual(
      parseCommandArgs({ pid: 42, durationSeconds: 20, intervalSeconds: 1, rapidMBPerMin: 5 }).value,
      {
        pid: 42,
        durationSeconds: 20,
        intervalSeconds: 1,
        rapidMBPerMin: 5,
      },
    );
    assert.equal(parseCommandArgs({ url: 'localhost:9/metrics' }).value?.url, 'http://localhost:9/metrics');
    const bad = parseCommandArgs({ pid: -1, url: 'ftp://x', durationSeconds: 'long', colour: 'red' });
    assert.ok(bad.error);
    for (const part of [
      /unknown option colour/,
      /pid must be/,
      /url: Only http/,
      /not both/,
      /durationSeconds must be/,
    ]) {
      assert.match(bad.error, part);
    }
    assert.match(parseCommandArgs({ durationSeconds: 5 }).error ?? '', /give pid or url/);
    assert.equal(parseCommandArgs({ durationSeconds: 5 }, false).error, undefined);
    assert.match(
      parseCommandArgs({ pid: 1, durationSeconds: 5, intervalSeconds: 10 }).error ?? '',
      /must not exceed/,
    );
    assert.match(
      parseCommandArgs({ url: 'http://h/m', followChildren: true }).error ?? '',
      /followChildren needs a pid/,
    );
    assert.equal(parseCommandArgs({ pid: 1, minDurationSeconds: 0, noiseFloorMB: 0 }).error, undefined);
  });
});
