// The memory monitor's commands inside a real extension host (code-server): "Detect Memory Leak"
// driven by its argument object (no prompts) against a real leaking Python process, its answers
// to bad input, and the memory panel it shows. The webview's content is checked by the UI suite.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

const LEAK = `
import os, sys, time
print(os.getpid(), flush=True)
held = []
for _ in range(900):  # at most 90 s, whatever happens to the test
    chunk = bytearray(1 << 20)
    for i in range(0, len(chunk), 4096):
        chunk[i] = 1
    held.append(chunk)
    time.sleep(0.1)
`;

function memoryTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview);
}

describe('memory monitor commands', function () {
  this.timeout(90_000);
  let child: ChildProcess | undefined;
  let pid = 0;

  before(async () => {
    child = spawn('python3', ['-c', LEAK], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    // python3 may be a shim that runs the interpreter as a child: use the PID Python prints.
    pid = await waitFor(
      () => Number(/^(\d+)/.exec(out)?.[1] ?? 0),
      (p) => p > 0,
      'the leaking Python process to start',
      15_000,
    );
  });

  after(() => {
    child?.kill('SIGKILL');
  });

  it('"Detect Memory Leak" with an argument object asks nothing and returns the detect JSON', async () => {
    const json = await vscode.commands.executeCommand<Record<string, unknown>>('leakLens.detectMemoryLeak', {
      pid,
      durationSeconds: 6,
      intervalSeconds: 0.5,
      minDurationSeconds: 3,
      followChildren: false,
    });
    assert.ok(json, 'the command returned the result');
    // The contract's keys first, in the CLI's order.
    assert.deepEqual(Object.keys(json).slice(0, 9), [
      'version',
      'target',
      'samples',
      'growthMBPerMin',
      'r2',
      'warmupSeconds',
      'verdict',
      'severity',
      'reason',
    ]);
    assert.equal((json.target as { pid: number }).pid, pid);
    const samples = json.samples as [number, number][];
    assert.ok(samples.length >= 10, `${samples.length} samples`);
    assert.equal(json.verdict, 'rapid-leak', String(json.reason));
    assert.equal(json.severity, 'high');
    assert.ok((json.growthMBPerMin as number) > 10, `growth ${json.growthMBPerMin}`);
    // The result is in the memory panel too.
    await waitFor(memoryTabs, (tabs) => tabs.length === 1, 'the memory panel tab', 10_000);
  });

  it('refuses a bad argument object with a message that names the problem', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('leakLens.detectMemoryLeak', { pid: -4, durationSeconds: 'long' }),
      ),
      /pid must be a positive whole number.*durationSeconds must be a number/,
    );
  });

  it('says so when the PID does not exist', async () => {
    const gone = spawn('python3', ['-c', 'pass']);
    await new Promise((resolve) => gone.on('exit', resolve));
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('leakLens.detectMemoryLeak', {
          pid: gone.pid,
          durationSeconds: 2,
          intervalSeconds: 0.5,
        }),
      ),
      /No process with PID/,
    );
  });

  it('watches a Prometheus /metrics URL, and says so when the URL refuses', async () => {
    const ext = vscode.extensions.getExtension('leak-lens.leak-lens');
    assert.ok(ext, 'the extension under test');
    const script = path.join(ext.extensionPath, 'test', 'monitor', 'fixtures', 'memshape.py');
    const server = spawn('python3', [script, 'metrics', '--rate', '4', '--max-seconds', '60'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      server.stdout?.on('data', (d) => {
        out += d;
      });
      const port = await waitFor(
        () => Number(/port (\d+)/.exec(out)?.[1] ?? 0),
        (p) => p > 0,
        'the metrics server',
        15_000,
      );
      const url = `http://127.0.0.1:${port}/metrics`;
      const json = await vscode.commands.executeCommand<Record<string, unknown>>(
        'leakLens.detectMemoryLeak',
        {
          url,
          durationSeconds: 5,
          intervalSeconds: 0.5,
          minDurationSeconds: 3,
        },
      );
      assert.deepEqual(json?.target, { url });
      assert.equal(json?.verdict, 'rapid-leak', String(json?.reason));
    } finally {
      server.kill('SIGKILL');
    }
    // A port nobody listens on.
    const free = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('leakLens.detectMemoryLeak', {
          url: `http://127.0.0.1:${free}/metrics`,
          durationSeconds: 2,
          intervalSeconds: 0.5,
        }),
      ),
      /Connection refused/,
    );
  });

  it('"Attach to Process" then "Open Memory Panel" keep one panel on the live run', async () => {
    await vscode.commands.executeCommand('leakLens.attachToProcess', {
      pid,
      intervalSeconds: 0.5,
      followChildren: false,
    });
    await vscode.commands.executeCommand('leakLens.openMemoryPanel');
    const tabs = await waitFor(memoryTabs, (t) => t.length >= 1, 'the memory panel tab', 10_000);
    assert.equal(tabs.length, 1, 'a single memory panel');
    assert.match(tabs[0].label, /Memory/);
  });
});
