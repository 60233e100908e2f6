// A run read from logs in the memory panel: the snapshot the webview draws (series, total, the
// log verdict, events as markers pointing at their file and line), and the message a clicked
// marker sends back, checked before the extension acts on it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectLogs } from '../../client/src/monitor/logs/collect';
import { judgeLogs } from '../../client/src/monitor/logs/verdict';
import { LogSession } from '../../client/src/panel/log-session';
import { PanelModel } from '../../client/src/panel/panel-model';
import { parseWebviewMessage } from '../../client/src/panel/protocol';

const FIXTURES = join(__dirname, '..', 'monitor', 'fixtures', 'logs');

async function session(...names: string[]) {
  const files = names.map((n) => join(FIXTURES, n));
  const logs = await collectLogs(files);
  return { logs, files, session: new LogSession(logs, judgeLogs(logs), { analysis: {} }) };
}

describe('memory panel: a run read from logs', () => {
  it('draws each worker, their total, and every event as a marker at its file and line', async () => {
    const { session: s, files } = await session('gunicorn-restart-masked.log');
    const snap = s.snapshot(true);
    assert.equal(snap.state, 'stopped');
    assert.equal(snap.target.kind, 'logs');
    assert.equal(snap.target.title, 'gunicorn-restart-masked.log');
    assert.match(snap.target.detail, /64 memory figures, 7 events/);
    assert.deepEqual(
      snap.processes.map((p) => p.pid),
      [101, 102, 103, 104],
    );
    // The workers live one after another: the total follows whichever is alive.
    assert.equal(snap.t.length, 64);
    for (const p of snap.processes) {
      for (let i = 0; i < p.t.length; i++) {
        const at = snap.t.indexOf(p.t[i]);
        assert.equal(snap.rss[at], p.rss[i], 'one worker at a time: the total is its RSS');
      }
    }
    assert.equal(snap.analysis?.verdict, 'rapid-leak');
    assert.match(snap.analysis?.reason ?? '', /^Leak masked by restarts/);
    assert.equal(snap.analysis?.final, true);
    const markers = snap.markers ?? [];
    assert.equal(markers.length, 7);
    const source = readFileSync(files[0], 'utf8').split('\n');
    const last = snap.t[snap.t.length - 1];
    for (const m of markers) {
      assert.equal(m.file, files[0]);
      assert.ok(
        m.label.endsWith(source[m.line - 1].trim().slice(0, 160)),
        `${m.label} is about line ${m.line}`,
      );
      assert.ok(m.t >= 0 && m.t <= last + 60, `${m.t} within the run (last sample ${last})`);
    }
    assert.match(markers[0].label, /^worker-killed PID 101 — gunicorn-restart-masked\.log:20: /);
    // The webview's model takes the snapshot as it is: markers included.
    const model = new PanelModel();
    model.reset(snap);
    assert.equal(model.info?.markers?.length, 7);
    assert.equal(model.xs.length, 64);
  });

  it('exports the analyze-logs JSON and never claims to be sampling', async () => {
    const { session: s } = await session('container-restarts.log');
    assert.equal(s.attached, false);
    assert.equal(s.state, 'stopped');
    const json = s.analyzeLogsJson();
    assert.equal(json.version, 1);
    assert.equal(json.verdict, 'rapid-leak');
    assert.equal(s.analysis().verdict, 'rapid-leak');
    assert.equal(s.analysis().reason, json.reason);
  });

  it('accepts a marker click only as a file and a positive line', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'openLocation', file: '/var/log/app.log', line: 12 }), {
      type: 'openLocation',
      file: '/var/log/app.log',
      line: 12,
    });
    for (const bad of [
      { type: 'openLocation', file: '/a.log', line: 0 },
      { type: 'openLocation', file: '/a.log', line: 1.5 },
      { type: 'openLocation', file: '', line: 3 },
      { type: 'openLocation', file: 42, line: 3 },
      { type: 'openLocation', file: 'x'.repeat(5000), line: 3 },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 80));
    }
  });
});
