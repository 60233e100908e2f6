// UI step of issue 10: examples/leaky_app.py started through `leak-lens run` (the CLI of the
// installed VSIX, so the probe it ships is what runs), "Leak Lens: Attach to Probe" from the
// palette, then the growing line is decorated and has its CodeLens in the editor, the memory
// panel's Where section names it, and "Leak Lens: Detach Probe" removes the CodeLens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { log, onCleanup, REPO_ROOT, sleep, waitUntil } from './lib.mjs';

const GROWING = 'payload = bytearray(payload_bytes)';

/** dist/cli.js of the extension installed from the VSIX (the repository's as a fallback). */
function installedCli(extensionsDir) {
  const dir = fs.readdirSync(extensionsDir).find((d) => /leak-lens/.test(d));
  const cli = dir && path.join(extensionsDir, dir, 'dist', 'cli.js');
  return cli && fs.existsSync(cli) ? cli : path.join(REPO_ROOT, 'dist', 'cli.js');
}

/** Copies examples/leaky_app.py (and its server) to <workspace>/probe_demo/. */
export function copyProbeDemo(workspace) {
  const folder = path.join(workspace, 'probe_demo');
  fs.mkdirSync(folder, { recursive: true });
  for (const name of ['leaky_app.py', '_demo_server.py'])
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', name), path.join(folder, name));
  return folder;
}

async function startLeakyApp(workspace, cli) {
  const folder = path.join(workspace, 'probe_demo');
  const child = spawn(
    process.execPath,
    [
      cli,
      'run',
      '--port',
      '0',
      '--',
      'python3',
      'probe_demo/leaky_app.py',
      '--port',
      '0',
      '--impl',
      'stdlib',
      '--payload-kb',
      '16',
    ],
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stopped = false;
  onCleanup(() => {
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const probeUrl = await waitUntil(() => err.match(/probe on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], {
    timeoutMs: 30_000,
    what: 'leak-lens run to print its probe URL',
  });
  const appUrl = await waitUntil(() => out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], {
    timeoutMs: 30_000,
    what: `the app to listen (stderr: ${err})`,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  void (async () => {
    for (let n = 0; !stopped; n++) {
      await new Promise((resolve) =>
        http
          .get(`${appUrl}/items/${n}`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', resolve),
      );
      await sleep(50);
    }
    agent.destroy();
  })();
  return { probeUrl, file: path.join(folder, 'leaky_app.py') };
}

export function probeStep(getWb, page, ws, dirs) {
  return [
    '5-probe',
    '5. "Attach to Probe" on leaky_app.py run through leak-lens run: the growing line is decorated',
    async () => {
      const wb = getWb();
      const { probeUrl, file } = await startLeakyApp(ws, installedCli(dirs.extensions));
      const line =
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .findIndex((l) => l.includes(GROWING)) + 1;
      log(`  probe at ${probeUrl}; the leak allocates at probe_demo/leaky_app.py:${line}`);
      // The file first: once attached, the memory panel takes the focus and a tab of its own.
      await wb.openFile('probe_demo/leaky_app.py', 'A small web service');
      await wb.runCommand('Leak Lens: Attach to Probe');
      const input = wb.quickInput.locator('input').first();
      await input.fill(probeUrl);
      await sleep(300);
      await page.keyboard.press('Enter');
      // A list of runs: the typed URL filtered it to ours. No list: the input box took the URL.
      await waitUntil(async () => !(await wb.quickInput.isVisible()), {
        timeoutMs: 15_000,
        what: 'the probe prompt to close',
      });
      const tab = (name) => page.locator('.part.editor .tabs-container .tab', { hasText: name }).first();
      await page.locator('iframe.webview.ready').first().waitFor({ timeout: 30_000 });
      await tab('leaky_app.py').click();
      await wb.gotoLine(line);
      const lens = wb.editor.locator('.codelens-decoration', {
        hasText: /Leak Lens \(runtime\): \+.* growing/,
      });
      await lens.first().waitFor({ timeout: 150_000 });
      log(`  CodeLens: ${await lens.first().innerText()}`);
      // The decoration: the text after the line is CSS generated content of a span in that line.
      const after = await waitUntil(
        () =>
          wb.editor.evaluate(() => {
            for (const span of document.querySelectorAll('.view-lines span')) {
              const content = getComputedStyle(span, '::after').content;
              if (content?.includes('growing')) return content;
            }
            return '';
          }),
        { timeoutMs: 15_000, what: 'the growing-line decoration' },
      );
      log(`  decoration: ${after}`);
      assert.match(after, /\+[\d.]+ (KB|MB) in \d+ s, growing/);
      await tab('Leak Lens: Memory').click();
      const where = wb.webview().locator('#probe');
      await where.filter({ hasText: `probe_demo/leaky_app.py:${line}` }).waitFor({ timeout: 30_000 });
      log(`  panel: ${(await where.innerText()).replace(/\s+/g, ' ').slice(0, 200)}`);
      await wb.runCommand('Leak Lens: Detach Probe');
      await where.waitFor({ state: 'detached', timeout: 15_000 });
      await tab('leaky_app.py').click();
      await waitUntil(async () => (await lens.count()) === 0, {
        timeoutMs: 15_000,
        what: 'the CodeLens to go',
      });
    },
    { timeoutMs: 240_000 },
  ];
}
