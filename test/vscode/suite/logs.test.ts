// "Analyze Log File…" inside a real extension host (code-server): driven by its argument object
// on a gunicorn log whose workers leak until they are killed, it returns the analyze-logs JSON and
// shows the run in the memory panel; bad arguments are refused. The UI suite clicks a marker.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

// Compiled to out/test/vscode/suite: the repository is four folders up.
const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'monitor', 'fixtures', 'logs');

describe('Analyze Log File', function () {
  this.timeout(60_000);

  it('with {files} returns the analyze-logs JSON and shows the run in the memory panel', async () => {
    const file = path.join(FIXTURES, 'gunicorn-restart-masked.log');
    const json = await vscode.commands.executeCommand<Record<string, unknown>>('leakLens.analyzeLogFile', {
      files: [file],
    });
    assert.ok(json, 'the command returned the result');
    assert.deepEqual(Object.keys(json).slice(0, 7), [
      'version',
      'target',
      'processes',
      'events',
      'verdict',
      'severity',
      'reason',
    ]);
    assert.deepEqual(json.target, { logs: [file] });
    assert.equal(json.verdict, 'rapid-leak', String(json.reason));
    assert.match(String(json.reason), /^Leak masked by restarts: 4 processes/);
    const events = json.events as { kind: string; line: number }[];
    assert.equal(events.length, 7);
    assert.equal(events[0].line, 20);
    await waitFor(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => t.input instanceof vscode.TabInputWebview),
      (t) => t !== undefined,
      'the memory panel',
      15_000,
    );
  });

  it('refuses an argument without files, saying why', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('leakLens.analyzeLogFile', { files: [] })),
      /"files" must be a non-empty list of paths/,
    );
  });

  it('reports a missing file in the result instead of failing', async () => {
    const missing = path.join(FIXTURES, 'no-such.log');
    const json = await vscode.commands.executeCommand<{ files: { error?: string }[]; verdict: string }>(
      'leakLens.analyzeLogFile',
      { files: [missing] },
    );
    assert.equal(json.verdict, 'inconclusive');
    assert.equal(json.files[0].error, `${missing}: no such file.`);
  });
});
