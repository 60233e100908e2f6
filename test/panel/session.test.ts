// The session the panel, the status bar and the exports share, against real Python processes:
// the events the panel is built from add up to the run, a target that exits keeps its samples,
// and a saved run comes back after a "reload" with the same samples and verdict.
import * as assert from 'node:assert/strict';
import { toCsv, toDetectJson } from '../../client/src/monitor/export';
import { PanelModel } from '../../client/src/panel/panel-model';
import { persistGapMs, persistSession, restoreSession } from '../../client/src/panel/persist';
import type { AnalysisView, PanelState } from '../../client/src/panel/protocol';
import { MonitorSession } from '../../client/src/panel/session';
import { killAll, startShape } from '../monitor/support';

const FAST = { minDurationSeconds: 2, rapidMBPerMin: 60, noiseFloorMB: 1 };

describe('panel: monitor session (real processes)', function () {
  this.timeout(60_000);
  after(killAll);

  it('feeds the panel: snapshot + appended samples = the run, and a final verdict', async () => {
    const proc = await startShape('leak', ['--rate', '8']);
    const session = new MonitorSession({
      mode: 'detect',
      target: { pid: proc.pid },
      intervalSeconds: 0.1,
      durationSeconds: 3,
      analysis: FAST,
    });
    const model = new PanelModel();
    const states: PanelState[] = [];
    const analyses: AnalysisView[] = [];
    session.on('state', (s) => states.push(s));
    session.on('analysis', (a) => analyses.push(a));
    // The webview joins after the first sample, as a panel opened mid-run does.
    let joined = false;
    session.on('sample', (e) => {
      if (!joined) {
        joined = true;
        model.reset(session.snapshot(true));
        return;
      }
      model.apply({
        type: 'append',
        sessionId: session.id,
        t: e.sample.t,
        rss: e.sample.rss,
        procs: e.perProcess.map((p) => [p.id, p.rss]),
        added: e.added,
        exited: e.exited,
      });
    });
    assert.equal(session.state, 'starting');
    await session.start();
    const stop = await session.done;
    assert.equal(stop?.reason, 'duration');
    assert.deepEqual(states, ['running', 'stopped']);
    assert.equal(session.attached, false);
    // Every sample reached the model, in order.
    assert.deepEqual(
      model.xs,
      session.run.samples.map((s) => s.t),
    );
    assert.deepEqual(
      model.total,
      session.run.samples.map((s) => s.rss),
    );
    assert.ok(model.xs.length >= 20, `${model.xs.length} samples`);
    // Live verdicts while running, then a final one.
    const last = analyses.at(-1);
    assert.ok(last?.final, 'the last analysis is final');
    assert.ok(
      analyses.some((a) => !a.final),
      'live analyses while sampling',
    );
    assert.equal(last.verdict, 'rapid-leak', last.reason);
    assert.ok(last.trend, 'a trend line to draw');
    assert.equal(session.analysis().verdict, 'rapid-leak');
  });

  it('a target that exits: the samples so far are kept, exported and judged', async () => {
    const proc = await startShape('leak', ['--rate', '4', '--exit-after', '1.5']);
    const session = new MonitorSession({
      mode: 'attach',
      target: { pid: proc.pid, children: true },
      intervalSeconds: 0.1,
      analysis: FAST,
    });
    await session.start();
    const stop = await session.done;
    assert.equal(stop?.reason, 'target-exited');
    assert.equal(session.state, 'stopped');
    const n = session.run.samples.length;
    assert.ok(n >= 8, `${n} samples kept`);
    const snapshot = session.snapshot(true);
    assert.equal(snapshot.t.length, n);
    assert.equal(snapshot.stop?.reason, 'target-exited');
    assert.equal(toCsv(session.run).trim().split('\n').length, n + 1);
    assert.match(session.analysis().reason, /Run ended after/);
  });

  it('a PID that does not exist: start rejects, the state is failed, nothing to draw', async () => {
    const proc = await startShape('flat', ['--exit-after', '0.1']);
    await proc.exited;
    const session = new MonitorSession({
      mode: 'attach',
      target: { pid: proc.pid },
      intervalSeconds: 0.1,
      analysis: FAST,
    });
    await assert.rejects(session.start(), /No process with PID/);
    assert.equal(session.state, 'failed');
    assert.equal(session.snapshot(true).errors[0].code, 'no-such-process');
  });

  it('pause stops sampling until resume; stop keeps the samples', async () => {
    const proc = await startShape('flat');
    const session = new MonitorSession({
      mode: 'attach',
      target: { pid: proc.pid },
      intervalSeconds: 0.1,
      analysis: FAST,
    });
    await session.start();
    await new Promise((r) => setTimeout(r, 400));
    session.pause();
    assert.equal(session.state, 'paused');
    assert.equal(session.attached, true);
    const during = session.run.samples.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(session.run.samples.length, during, 'no samples while paused');
    session.resume();
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(session.run.samples.length > during);
    session.stop('detached');
    assert.equal((await session.done)?.message, 'detached');
    assert.equal(session.state, 'stopped');
  });

  it('survives a reload: the saved run comes back with every sample and the same verdict', async () => {
    const proc = await startShape('workers', ['--rate', '6']);
    const session = new MonitorSession({
      mode: 'attach',
      target: { pid: proc.pid, children: true },
      intervalSeconds: 0.1,
      analysis: FAST,
    });
    await session.start();
    await new Promise((r) => setTimeout(r, 3000));
    // Saved while still sampling, as the periodic save does; JSON like the workspace state.
    const saved = JSON.parse(JSON.stringify(persistSession(session)));
    session.stop();
    const restored = restoreSession(saved);
    assert.ok(restored);
    assert.equal(restored.state, 'restored');
    assert.equal(restored.attached, false);
    assert.equal(restored.id, session.id);
    const n = saved.run.samples.length;
    assert.deepEqual(restored.run.samples, session.run.samples.slice(0, n));
    assert.ok(restored.run.processes.length >= 3, 'parent and both workers');
    assert.equal(restored.run.stop?.message, 'the window was reloaded');
    const json = toDetectJson(restored.run, restored.analysis());
    assert.equal(json.samples.length, n);
    assert.equal(json.verdict, 'rapid-leak', json.reason);
    assert.ok(Array.isArray(json.processes));
    // The panel draws it.
    const model = new PanelModel();
    model.reset(restored.snapshot(false));
    assert.equal(model.xs.length, n);
    assert.equal(model.series.length, restored.run.processes.length);
  });

  it('saves often while a run is short, less often as it grows', () => {
    assert.equal(persistGapMs(0), 3000);
    assert.ok(persistGapMs(36_000) <= 60_000, 'ten hours of 1 s samples: saved at least once a minute');
    assert.ok(persistGapMs(36_000) > persistGapMs(600));
  });

  it('drops a saved entry that is not a valid run', () => {
    assert.equal(restoreSession(undefined), undefined);
    assert.equal(restoreSession({ version: 2 }), undefined);
    assert.equal(restoreSession({ version: 1, id: 'x', config: {}, run: {} }), undefined);
    const session = new MonitorSession({
      mode: 'attach',
      target: { pid: 1 },
      intervalSeconds: 1,
      analysis: {},
    });
    const good = JSON.parse(JSON.stringify(persistSession(session)));
    assert.ok(restoreSession(good));
    good.run.samples = [[0, 'lots']];
    assert.equal(restoreSession(good), undefined);
  });
});
