import * as assert from 'node:assert/strict';
import { errorLine, growthText, statusLine, verdictBadge } from '../../client/src/panel/panel-text';
import type { AnalysisView, PanelSnapshot } from '../../client/src/panel/protocol';

type Info = Omit<PanelSnapshot, 't' | 'rss' | 'processes'>;

const info = (over: Partial<Info> = {}): Info => ({
  sessionId: 's',
  mode: 'detect',
  state: 'running',
  target: { kind: 'pid', title: 'PID 7', detail: 'python3 app.py' },
  followChildren: false,
  intervalSeconds: 1,
  durationSeconds: 60,
  errors: [],
  canAttach: true,
  ...over,
});

const view: AnalysisView = {
  verdict: 'rapid-leak',
  severity: 'high',
  shape: 'steady-growth',
  reason: 'RSS grows steadily.',
  growthMBPerMin: 240,
  r2: 0.99,
  warmupSeconds: 0,
  judgedFromT: 0,
  observedSeconds: 20,
  sampleCount: 21,
  trendOf: { kind: 'total' },
  leakingIds: [],
  final: true,
};

describe('panel: status line and badge', () => {
  it('empty, starting, detecting (countdown), watching, paused', () => {
    assert.equal(statusLine(undefined, 0, undefined).state, 'empty');
    assert.match(statusLine(info({ state: 'starting' }), 0, undefined).text, /Attaching to PID 7/);
    assert.equal(statusLine(info(), 10, 10, 2.4).text, 'Detecting: sampling every 1.0 s, 0:48 left.');
    assert.match(
      statusLine(info({ mode: 'attach', durationSeconds: undefined }), 10, 10).text,
      /Watching live: sampling every 1\.0 s until detached/,
    );
    assert.match(statusLine(info({ state: 'paused' }), 10, 10).text, /^Paused/);
  });

  it('ended runs say why and that the samples are kept', () => {
    assert.match(
      statusLine(info({ state: 'stopped', stop: { reason: 'duration', t: 60 } }), 61, 60).text,
      /^Finished: sampled every 1\.0 s for 60 s\./,
    );
    const exited = statusLine(
      info({
        state: 'stopped',
        stop: { reason: 'target-exited', t: 12, message: 'The target process (PID 7) has exited.' },
      }),
      13,
      12,
    );
    assert.equal(
      exited.text,
      'The target exited at 0:12: The target process (PID 7) has exited. The 13 samples kept.',
    );
    assert.match(
      statusLine(
        info({ state: 'stopped', stop: { reason: 'error', t: 5, message: 'Connection refused' } }),
        6,
        5,
      ).text,
      /^Sampling failed at 0:05: Connection refused\. The 6 samples kept\./,
    );
    assert.match(
      statusLine(info({ state: 'stopped', stop: { reason: 'stopped', t: 5, message: 'detached' } }), 6, 5)
        .text,
      /^Stopped at 0:05 \(detached\)/,
    );
    assert.match(
      statusLine(
        info({ state: 'restored', stop: { reason: 'stopped', t: 5, message: 'the window was reloaded' } }),
        6,
        5,
      ).text,
      /window was reloaded: showing the 6 samples kept.*re-attach/,
    );
    assert.match(
      statusLine(
        info({
          state: 'failed',
          errors: [
            { t: 0, code: 'no-such-process', message: 'No process with PID 7 is running.', fatal: true },
          ],
        }),
        0,
        undefined,
      ).text,
      /^Could not attach: No process with PID 7 is running\./,
    );
  });

  it('the badge holds the verdict id; growth and error lines', () => {
    assert.deepEqual(verdictBadge(undefined), {
      verdict: 'none',
      text: 'no data',
      final: false,
      title: 'No samples yet.',
    });
    const badge = verdictBadge(view);
    assert.equal(badge.text, 'rapid-leak');
    assert.equal(badge.verdict, 'rapid-leak');
    assert.match(badge.title, /page on-call/);
    assert.match(verdictBadge({ ...view, final: false }).title, /so far/);
    assert.equal(growthText(view), '+240 MB/min');
    assert.equal(growthText({ ...view, sampleCount: 1 }), '–');
    assert.equal(
      errorLine({ t: 65, code: 'timeout', message: 'timed out', fatal: false }),
      '1:05 warning: timed out',
    );
  });
});
