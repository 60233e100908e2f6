// The probe in a real extension host (code-server): examples/leaky_app.py started through
// `leak-lens run`, "Attach to Probe" by the PID, then the growing line gets its CodeLens, the
// static finding it confirms says "confirmed at runtime" and comes first (its quick fix still
// works), and "Detach Probe" removes both. The decoration and the panel are checked by the UI suite.
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, openInEditor, sleep, waitFor, workspaceFile } from './helpers';

const LENS = 'Leak Lens (runtime): ';
const CONFIRMED = 'confirmed at runtime: ';

function systemPythonHasFastapi(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import fastapi, uvicorn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.command?.title.startsWith(LENS));
}

describe('probe: attach to a service started with leak-lens run', function () {
  this.timeout(240_000);
  let run: ChildProcess | undefined;
  let stopLoad = false;
  let file: vscode.Uri;
  let growingLine = 0; // 0-based
  let pid = 0;

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const examples = path.join(extension.extensionPath, 'examples');
    const folder = workspaceFile('probe_demo');
    fs.mkdirSync(folder.fsPath, { recursive: true });
    for (const name of ['leaky_app.py', '_demo_server.py'])
      fs.copyFileSync(path.join(examples, name), path.join(folder.fsPath, name));
    file = vscode.Uri.joinPath(folder, 'leaky_app.py');
    const text = fs.readFileSync(file.fsPath, 'utf8').split('\n');
    growingLine = text.findIndex((l) => l.includes('payload = bytearray(payload_bytes)'));
    assert.ok(growingLine > 0);
    const fastapi = systemPythonHasFastapi();
    run = spawn(
      process.execPath,
      [
        path.join(extension.extensionPath, 'dist', 'cli.js'),
        'run',
        '--port',
        '0',
        '--',
        fastapi ? '/usr/bin/python3' : 'python3',
        'probe_demo/leaky_app.py',
        '--port',
        '0',
        '--impl',
        fastapi ? 'fastapi' : 'stdlib',
        '--payload-kb',
        '16',
      ],
      { cwd: path.dirname(folder.fsPath), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let out = '';
    let err = '';
    run.stdout?.on('data', (d) => {
      out += d;
    });
    run.stderr?.on('data', (d) => {
      err += d;
    });
    pid = await waitFor(
      () => Number(/probe on \S+ \(PID (\d+)/.exec(err)?.[1] ?? 0),
      (p) => p > 0,
      'leak-lens run to print its probe',
      30_000,
    );
    const appUrl = await waitFor(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '',
      (u) => u !== '',
      `the app to listen (stderr: ${err})`,
      30_000,
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    void (async () => {
      for (let n = 0; !stopLoad; n++) {
        await new Promise<void>((resolve) => {
          http
            .get(`${appUrl}/items/${n}`, { agent }, (res) => {
              res.resume();
              res.on('end', resolve);
            })
            .on('error', () => resolve());
        });
        await sleep(50);
      }
      agent.destroy();
    })();
  });

  after(async () => {
    stopLoad = true;
    await vscode.commands.executeCommand('leakLens.detachProbe');
    if (run?.pid) {
      try {
        process.kill(-run.pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a PID that leak-lens run did not start: one clear sentence', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('leakLens.attachToProbe', { pid: 999_999_99, watchRss: false }),
      ),
      /No probe found for PID 99999999: start the service with `leak-lens run/,
    );
  });

  it('attached by PID: the growing line gets a CodeLens, the finding it confirms says so first', async () => {
    await vscode.commands.executeCommand('leakLens.attachToProbe', { pid, watchRss: false });
    await openInEditor(file);
    const lenses = await waitFor(
      () => lensesOf(file),
      (l) => l.some((lens) => lens.range.start.line === growingLine),
      'a runtime CodeLens on the growing line',
      150_000,
    );
    const lens = lenses.find((l) => l.range.start.line === growingLine);
    assert.match(lens?.command?.title ?? '', /^Leak Lens \(runtime\): \+[\d.]+ (KB|MB) in \d+ s, growing/);
    const diagnostics = await waitFor(
      () => vscode.languages.getDiagnostics(file),
      (d) => d.length > 0 && d[0].message.startsWith(CONFIRMED),
      'the LEAK002 finding to say "confirmed at runtime"',
      30_000,
    );
    const confirmed = diagnostics[0];
    assert.equal(typeof confirmed.code === 'object' ? confirmed.code.value : confirmed.code, 'LEAK002');
    assert.match(confirmed.message, /REQUEST_HISTORY/);
    // The quick fix of the annotated finding still comes from the server.
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      file,
      confirmed.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.ok(
      actions?.some((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind)),
      JSON.stringify(actions?.map((a) => a.title)),
    );
  });

  it('Detach Probe removes the CodeLens and the "confirmed at runtime" text', async () => {
    await vscode.commands.executeCommand('leakLens.detachProbe');
    await waitFor(
      () => lensesOf(file),
      (l) => l.length === 0,
      'the runtime CodeLens to go',
      10_000,
    );
    const diagnostics = await waitFor(
      () => vscode.languages.getDiagnostics(file),
      (d) => d.length > 0 && d.every((x) => !x.message.startsWith(CONFIRMED)),
      'the finding to lose "confirmed at runtime"',
      10_000,
    );
    assert.match(diagnostics[0].message, /^`REQUEST_HISTORY` grows/);
  });
});
