import * as assert from 'node:assert/strict';
import { PanelModel } from '../../client/src/panel/panel-model';
import type { PanelSnapshot } from '../../client/src/panel/protocol';

function snapshot(over: Partial<PanelSnapshot> = {}): PanelSnapshot {
  return {
    sessionId: 's1',
    mode: 'attach',
    state: 'running',
    target: { kind: 'pid', title: 'PID 10', detail: 'python3 app.py' },
    followChildren: true,
    intervalSeconds: 1,
    t: [0, 1, 2],
    rss: [30, 33, 36],
    processes: [
      {
        id: '10:1',
        pid: 10,
        label: 'python3 app.py',
        root: true,
        firstT: 0,
        t: [0, 1, 2],
        rss: [20, 21, 22],
      },
      { id: '11:5', pid: 11, label: 'worker', root: false, firstT: 0, t: [0, 1, 2], rss: [10, 12, 14] },
    ],
    errors: [],
    canAttach: true,
    ...over,
  };
}

describe('panel: webview model', () => {
  it('aligns each process on the run times (null where it was not read)', () => {
    const m = new PanelModel();
    m.reset(
      snapshot({
        t: [0, 1, 2, 3],
        rss: [20, 31, 33, 22],
        processes: [
          { id: 'a', pid: 10, label: 'p', root: true, firstT: 0, t: [0, 1, 2, 3], rss: [20, 21, 22, 22] },
          { id: 'b', pid: 11, label: 'w', root: false, firstT: 1, exitedT: 3, t: [1, 2], rss: [10, 11] },
        ],
      }),
    );
    assert.deepEqual(m.xs, [0, 1, 2, 3]);
    assert.deepEqual(m.series[1].values, [null, 10, 11, null]);
  });

  it('appends samples, adds workers that appear and marks those that exit', () => {
    const m = new PanelModel();
    m.reset(snapshot());
    assert.ok(
      m.apply({
        type: 'append',
        sessionId: 's1',
        t: 3,
        rss: 50,
        procs: [
          ['10:1', 23],
          ['12:9', 27],
        ],
        added: [{ id: '12:9', pid: 12, label: 'new worker', root: false, firstT: 3 }],
        exited: [{ id: '11:5', t: 3 }],
      }),
    );
    assert.deepEqual(m.xs, [0, 1, 2, 3]);
    assert.deepEqual(m.total, [30, 33, 36, 50]);
    assert.deepEqual(
      m.series.map((s) => s.values),
      [
        [20, 21, 22, 23],
        [10, 12, 14, null],
        [null, null, null, 27],
      ],
    );
    assert.equal(m.series[1].meta.exitedT, 3);
  });

  it('ignores messages of another run and samples that do not move time forward', () => {
    const m = new PanelModel();
    m.reset(snapshot());
    assert.equal(m.apply({ type: 'append', sessionId: 'other', t: 9, rss: 1, procs: [] }), false);
    assert.equal(m.apply({ type: 'append', sessionId: 's1', t: 2, rss: 1, procs: [] }), false);
    assert.equal(m.apply({ type: 'state', sessionId: 'other', state: 'stopped', errors: [] }), false);
    assert.deepEqual(m.xs, [0, 1, 2]);
    assert.equal(m.state, 'running');
  });

  it('round-trips through toSnapshot, and an empty reset empties it', () => {
    const m = new PanelModel();
    const s = snapshot();
    m.reset(s);
    assert.deepEqual(m.toSnapshot(), s);
    m.reset(null, true);
    assert.equal(m.empty, true);
    assert.equal(m.toSnapshot(), null);
    assert.equal(m.canAttach, true);
  });

  it('a capped snapshot (the webview state) keeps the envelope of a long run', () => {
    const n = 20_000;
    const t = Array.from({ length: n }, (_, i) => i);
    const rss = t.map((x) => 1e8 + (x % 10) * 1e6);
    const m = new PanelModel();
    m.reset(snapshot({ t, rss, processes: [] }));
    const small = m.toSnapshot(1000);
    assert.ok(small);
    assert.ok(small.t.length <= 1000, `${small.t.length} points`);
    assert.equal(Math.max(...small.rss), 1e8 + 9e6);
    assert.equal(Math.min(...small.rss), 1e8);
    // It is a valid snapshot: a new model takes it as is.
    const again = new PanelModel();
    again.reset(small);
    assert.equal(again.xs.length, small.t.length);
  });
});
