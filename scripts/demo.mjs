// `npm run demo`: Leak Lens in a real VS Code (code-server in the browser), on a leaking service,
// in one command. Packages the VSIX, installs it into a fresh code-server, copies examples/ to a
// temp workspace (your edits never touch the repository), starts examples/leaky_app.py through
// `leak-lens run` (the probe inside) with a load generator, and prints the URL to open (127.0.0.1
// only), the app's PID, its /metrics URL and the probe's URL.
// Ctrl+C stops everything: each process runs in its own process group, and every group is ended.
//
//   npm run demo                      interactive: runs until Ctrl+C
//   npm run demo -- --check           self-check: starts everything, opens the URL in headless
//                                     Chromium, checks squiggles, /metrics and a growing RSS,
//                                     stops, checks nothing is left; `N passed, N failed`, exit 0/1
//   --no-build                        use the existing leak-lens.vsix (the e2e suite packages once)
// Env: PORT (code-server; default the first free port from 8080), KEEP_TMP=1 (keep the temp
//      workspace), LEAK_LENS_DEMO_PYTHON (interpreter for the app), E2E_OUT (check screenshots),
//      CODE_SERVER_BIN/NODE24_BIN_DIR/CHROMIUM_BIN.
// The e2e toolchain (code-server under Node 24, Chromium, playwright-core) is installed on first
// use by test/e2e/install-tools.sh, which this script shares with the e2e suites.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  artifact,
  cleanupAll,
  ensureTools,
  installVsix,
  launchBrowser,
  log,
  onCleanup,
  REPO_ROOT,
  recordBrowserLog,
  resetArtifacts,
  runCommand,
  StepRunner,
  sleep,
  startCodeServer,
  waitUntil,
  writeUserSettings,
} from '../test/e2e/lib.mjs';
import { Workbench } from '../test/e2e/workbench.mjs';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const VSIX = path.join(REPO_ROOT, 'leak-lens.vsix');
const OPEN_FILE = 'leaky_service.py'; // one leak of each kind: squiggles at first sight
const DEFAULT_PORTS = [8080, 8099]; // first free one, when PORT is not set
// The load: 10 requests/s, each keeping 32 KiB in leaky_app.py = ~19 MB/min, a "rapid leak" a
// plot shows within seconds. It stops after 30 min (~560 MB) so a forgotten demo cannot eat the
// machine; the app then stops growing.
const LOAD = { rate: 10, payloadKb: 32, minutes: 30 };
// Detect Memory Leak gives its verdict after 60 s instead of the default 5 min.
const DEMO_SETTINGS = {
  'leakLens.detect.durationSeconds': 60,
  'leakLens.detect.intervalSeconds': 1,
  'leakLens.detect.minDurationSeconds': 30,
  // code-server offers to forward every port a process opens (the app's, others'): noise here.
  'remote.autoForwardPorts': false,
};

const HELP = `Usage: npm run demo [-- [--check] [--no-build]]

Starts VS Code in the browser (code-server on 127.0.0.1) with Leak Lens installed, a copy of
examples/ open, and examples/leaky_app.py leaking under load; prints the URL to open.
  --check      start everything, verify it (headless Chromium), stop, exit 0 (ok) or 1
  --no-build   use the existing leak-lens.vsix instead of running \`npm run package\`
Env: PORT (default: first free from ${DEFAULT_PORTS[0]}), KEEP_TMP=1 (keep the temp workspace),
     LEAK_LENS_DEMO_PYTHON (the app's interpreter; default /usr/bin/python3 if it has FastAPI).`;

class DemoError extends Error {}

// ---------------------------------------------------------------------------------------------
// Preflight

function portFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function choosePort() {
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new DemoError(`PORT=${process.env.PORT} is not a port number`);
    if (!(await portFree(port)))
      throw new DemoError(
        `port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to another port`,
      );
    return port;
  }
  for (let port = DEFAULT_PORTS[0]; port <= DEFAULT_PORTS[1]; port++) if (await portFree(port)) return port;
  throw new DemoError(
    `ports ${DEFAULT_PORTS.join('-')} are all in use on 127.0.0.1; set PORT to a free port`,
  );
}

/**
 * The interpreter for the leaky app: Debian's /usr/bin/python3 when it has FastAPI and uvicorn
 * (apt packages; a realistic service), else `python3` on PATH, with which the examples fall back
 * to the standard library's http.server (same endpoints).
 */
function choosePython() {
  if (process.env.LEAK_LENS_DEMO_PYTHON) return process.env.LEAK_LENS_DEMO_PYTHON;
  const imports = (python, modules) =>
    spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore', timeout: 20_000 }).status === 0;
  if (fs.existsSync('/usr/bin/python3') && imports('/usr/bin/python3', 'fastapi, uvicorn'))
    return '/usr/bin/python3';
  if (imports('python3', 'sys')) return 'python3';
  if (fs.existsSync('/usr/bin/python3')) return '/usr/bin/python3';
  throw new DemoError(
    'python3 not found: install Python 3 (e.g. `apt-get install python3`) for the demo app',
  );
}

function preflight() {
  if (!fs.existsSync(path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce')))
    throw new DemoError(
      'node_modules is missing or incomplete: run `npm ci` first (`npm ci && npm run demo`)',
    );
}

// ---------------------------------------------------------------------------------------------
// Processes. Each is detached (its own process group, so Ctrl+C in the terminal does not reach it
// half-way) and ended as a group: `python3` may be a pyenv shim that runs the interpreter as a
// child, and uvicorn may fork.

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

async function stopGroup(child) {
  const pgid = child.pid;
  if (!pgid || !groupAlive(pgid)) return;
  for (const [signal, waitMs] of [
    ['SIGTERM', 5000],
    ['SIGKILL', 2000],
  ]) {
    try {
      process.kill(-pgid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    if (!groupAlive(pgid)) return;
  }
}

/** Starts a detached process logging to `logFile`; registered for cleanup at once. */
function startGroup(cmd, args, { cwd, env, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  groups.push(child);
  onCleanup(() => stopGroup(child));
  return child;
}

const groups = []; // every process group started (code-server's is added too), for the final check

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** VmRSS of a process in bytes (Linux), or undefined when it is gone. */
function rssBytes(pid) {
  try {
    const kb = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Starts examples/leaky_app.py from the workspace copy; resolves with what its banner says. */
async function startLeakyApp(python, dirs) {
  const logFile = path.join(dirs.logs, 'leaky-app.log');
  // Through `leak-lens run`: the probe inside says where it leaks (Attach to Probe).
  const child = startGroup(
    process.execPath,
    [
      path.join(REPO_ROOT, 'dist', 'cli.js'),
      'run',
      '--port',
      '0',
      '--',
      python,
      path.join(dirs.workspace, 'leaky_app.py'),
      '--port',
      '0',
      '--payload-kb',
      String(LOAD.payloadKb),
    ],
    {
      cwd: dirs.workspace,
      // No __pycache__ in the workspace the user looks at.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      logFile,
    },
  );
  // "Leak Lens demo (leaky, fastapi): PID 123 listening on http://127.0.0.1:45678"
  const banner = await waitUntil(
    () => {
      if (child.exitCode !== null)
        throw new DemoError(`leaky_app.py exited (${child.exitCode}) at start:\n${tail(logFile)}`);
      return fs.readFileSync(logFile, 'utf8').match(/\((\w+), (\w+)\): PID (\d+) listening on (http:\S+)/);
    },
    { timeoutMs: 30_000, what: `leaky_app.py to print its PID and URL (log: ${logFile})` },
  ).catch((e) => {
    throw e instanceof DemoError ? e : new DemoError(e.message);
  });
  const probe = fs.readFileSync(logFile, 'utf8').match(/probe on (http:\S+)/)?.[1];
  return { child, flavour: banner[2], pid: Number(banner[3]), url: banner[4], probe, logFile };
}

function startLoad(python, app, dirs) {
  const logFile = path.join(dirs.logs, 'load.log');
  const child = startGroup(
    python,
    [
      path.join(dirs.workspace, 'load.py'),
      `${app.url}/items/{n}`,
      '--rate',
      String(LOAD.rate),
      '--duration',
      String(LOAD.minutes * 60),
    ],
    { cwd: dirs.workspace, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, logFile },
  );
  return { child, logFile };
}

// ---------------------------------------------------------------------------------------------
// Set-up shared by both modes

function makeDemoDirs() {
  const root = fs.mkdtempSync(path.join(process.env.E2E_TMP ?? os.tmpdir(), 'leak-lens-demo-'));
  const dirs = {
    root,
    userData: path.join(root, 'code-server'),
    extensions: path.join(root, 'extensions'),
    chrome: path.join(root, 'chromium-profile'),
    logs: path.join(root, 'logs'),
    // Named like the folder it copies: the explorer then reads "EXAMPLES".
    workspace: path.join(root, 'examples'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.chrome, dirs.logs])
    fs.mkdirSync(d, { recursive: true });
  fs.cpSync(EXAMPLES, dirs.workspace, {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('__pycache__'),
  });
  return dirs;
}

async function setUp({ build, check }) {
  preflight();
  const python = choosePython();
  const port = await choosePort();

  log('locating the e2e tools (code-server, Node 24, Chromium; the first run installs them: ~2 min)');
  const tools = await ensureTools().catch((e) => {
    throw new DemoError(`the e2e tools are not usable: ${e.message}`);
  });

  if (build) {
    log('building and packaging the extension (npm run package)');
    const t = performance.now();
    await runCommand('npm', ['run', 'package'], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000 }).catch((e) => {
      throw new DemoError(`npm run package failed:\n${e.message.split('\n').slice(-25).join('\n')}`);
    });
    log(`  leak-lens.vsix packaged in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else if (!fs.existsSync(VSIX)) {
    throw new DemoError(`${VSIX} does not exist: run without --no-build (or \`npm run package\`)`);
  }

  const dirs = makeDemoDirs();
  onCleanup(() => {
    if (process.env.KEEP_TMP || (!check && keepWorkspace)) log(`kept ${dirs.root}`);
    else fs.rmSync(dirs.root, { recursive: true, force: true });
  });
  writeUserSettings(dirs.userData, DEMO_SETTINGS);
  log('installing leak-lens.vsix into a fresh code-server profile');
  await installVsix(tools, VSIX, dirs);

  log(`starting examples/leaky_app.py with ${python}`);
  const app = await startLeakyApp(python, dirs);
  const load = startLoad(python, app, dirs);

  log(`starting code-server on 127.0.0.1:${port}`);
  const server = await startCodeServer(tools, {
    port,
    dirs,
    logFile: path.join(dirs.logs, 'code-server.log'),
    // The folder as argument too: a bare http://127.0.0.1:PORT/ then opens it as well.
    extraArgs: [dirs.workspace],
  });
  groups.push(server.proc);
  // lib.mjs's stop returns once code-server's main process exits; its extension host and our
  // language server (same group) may still be shutting down. This one waits for the whole group.
  onCleanup(() => stopGroup(server.proc));
  // `openFile` in the workbench URL's payload opens the file at start (honoured by the web
  // workbench without any test flag); the path is on the server, hence vscode-remote.
  const payload = [
    ['openFile', `vscode-remote://${server.authority}${path.join(dirs.workspace, OPEN_FILE)}`],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const page = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((e) => e);
  if (!(page instanceof Response) || !page.ok)
    throw new DemoError(
      `code-server does not serve the workbench at ${server.url} (${page.status ?? page.message}); log: ${path.join(dirs.logs, 'code-server.log')}`,
    );
  return { tools, dirs, app, load, server, url, python };
}

let keepWorkspace = false;

// ---------------------------------------------------------------------------------------------
// Interactive mode

function printBanner({ dirs, app, url, server }) {
  const rel = (p) => p.replace(os.homedir(), '~');
  const port = server.authority.split(':')[1];
  const lines = [
    '',
    'Leak Lens demo is running.',
    '',
    `  Open:       ${url}`,
    `              (VS Code in the browser; ${OPEN_FILE} opens with its leaks underlined. Short form: ${server.url}/)`,
    `  Leaky app:  PID ${app.pid}  (examples/leaky_app.py, ${app.flavour}) at ${app.url}`,
    `  Metrics:    ${app.url}/metrics`,
    `  Probe:      ${app.probe}  (leak-lens run: where it leaks)`,
    `  Load:       ${LOAD.rate} requests/s for ${LOAD.minutes} min, each keeps ${LOAD.payloadKb} KiB (~${Math.round((LOAD.rate * LOAD.payloadKb * 60) / 1024)} MB/min)`,
    `  Workspace:  ${rel(dirs.workspace)}  (a copy of examples/: fix away; deleted at the end unless KEEP_TMP=1)`,
    `  Logs:       ${rel(dirs.logs)}`,
    '',
    'Try:',
    '  - Problems panel: Ctrl+Shift+M. On a squiggle, Ctrl+. offers the fix.',
    `  - Ctrl+Shift+P, "Leak Lens: Detect Memory Leak", pick PID ${app.pid}: a verdict after 60 s.`,
    `  - Ctrl+Shift+P, "Leak Lens: Attach to Process", pick PID ${app.pid} (or the metrics URL): the live plot.`,
    `  - Ctrl+Shift+P, "Leak Lens: Attach to Probe", pick ${app.probe}: within a minute the memory panel shows`,
    '    where (growing line, type, endpoint), and leaky_app.py marks the growing line and its LEAK002 finding.',
    '',
    `Browser on another machine? Forward the port first: ssh -L ${port}:127.0.0.1:${port} <this host>`,
    'Press Ctrl+C to stop everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function interactive(options) {
  const ctx = await setUp(options);
  printBanner(ctx);
  const { app, load, server } = ctx;
  const startRss = rssBytes(app.pid);
  await new Promise((resolve) => {
    const fail = (msg) => {
      if (stopping) return; // our own cleanup ended it
      console.error(`\n${msg}`);
      process.exitCode = 1;
      keepWorkspace = true; // the user may have edits in it; say where it is
      resolve();
    };
    app.child.once('exit', (code) =>
      fail(
        `the leaky app stopped (exit ${code}); its last output:\n${tail(app.logFile)}\nStopping the demo.`,
      ),
    );
    server.proc.once('exit', (code) => fail(`code-server stopped (exit ${code}); stopping the demo.`));
    load.child.once(
      'exit',
      (code) =>
        stopping ||
        log(
          code === 0
            ? `the load generator finished its ${LOAD.minutes} min; the app no longer grows (restart the demo for more)`
            : `the load generator stopped (exit ${code}): ${tail(load.logFile, 3)}`,
        ),
    );
    // One line a minute: the leak, as the terminal sees it.
    setInterval(() => {
      const rss = rssBytes(app.pid);
      if (rss !== undefined && startRss !== undefined)
        log(`leaky app PID ${app.pid}: RSS ${mb(rss)} (+${mb(rss - startRss)} since start)`);
    }, 60_000).unref();
    // Keeps the process alive until a signal or a failure above.
    setInterval(() => {}, 1 << 30);
  });
}

// ---------------------------------------------------------------------------------------------
// Self-check mode

async function selfCheck(options) {
  resetArtifacts('demo');
  let page;
  const runner = new StepRunner('demo', () => page);
  let ctx;
  await runner.step(
    'npm run demo starts code-server, the leaky app and its load',
    async () => {
      ctx = await setUp(options);
      log(`  URL ${ctx.url}`);
      log(`  leaky app PID ${ctx.app.pid} (${ctx.app.flavour}) at ${ctx.app.url}`);
    },
    { timeoutMs: 25 * 60_000, shot: '0-setup' },
  );
  if (ctx) {
    await runner.step(
      `the printed URL opens the workspace copy with ${OPEN_FILE} open and underlined`,
      async () => {
        ({ page } = await launchBrowser(ctx.tools, ctx.dirs.chrome));
        recordBrowserLog(page, artifact('demo-browser-console.log'));
        const wb = new Workbench(page);
        await page.goto(ctx.url);
        await wb.waitReady('leaky_app.py');
        await page
          .locator('.part.editor .tabs-container .tab.active', { hasText: OPEN_FILE })
          .waitFor({ timeout: 30_000 });
        await wb.editor.locator('.view-lines', { hasText: 'get_user' }).waitFor({ timeout: 30_000 });
        await wb.editor.locator('[class*="squiggly-"]').first().waitFor({ timeout: 60_000 });
        // The first screen of leaky_service.py holds LEAK001 and LEAK002 (the rest is below).
        const lines = await waitUntil(
          async () => {
            const byLine = await wb.squigglesByLine();
            return Object.keys(byLine).length >= 2 ? byLine : false;
          },
          { timeoutMs: 30_000, what: 'squiggles on at least two lines of the first screen' },
        );
        // Logged, not asserted: the workspace-wide count arrives after the background scan.
        const count = await page
          .locator('.statusbar-item', { hasText: /Leak Lens: [1-9]/ })
          .first()
          .textContent({ timeout: 20_000 })
          .catch(() => 'no "Leak Lens: N" count above 0 within 20 s');
        log(`  squiggles on lines ${Object.keys(lines).join(', ')}; status bar: ${count.trim()}`);
      },
      { timeoutMs: 240_000, shot: '1-squiggles' },
    );
    await runner.step('the leaky app serves /metrics with process_resident_memory_bytes', async () => {
      const res = await fetch(`${ctx.app.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (!res.ok || !/^process_resident_memory_bytes \S+/m.test(text))
        throw new Error(
          `${ctx.app.url}/metrics answered ${res.status} without process_resident_memory_bytes`,
        );
    });
    await runner.step(
      'the probe (leak-lens run) names the growing line and endpoint of leaky_app.py',
      async () => {
        const line =
          fs
            .readFileSync(path.join(ctx.dirs.workspace, 'leaky_app.py'), 'utf8')
            .split('\n')
            .findIndex((l) => l.includes('payload = bytearray(payload_bytes)')) + 1;
        const get = async (name) =>
          (
            await fetch(`${ctx.app.probe}/api/debug/memory/${name}`, { signal: AbortSignal.timeout(10_000) })
          ).json();
        const growth = await waitUntil(
          async () => {
            const doc = await get('growth').catch(() => undefined);
            return doc?.lines?.some((l) => l.file === 'leaky_app.py' && l.line === line) ? doc : false;
          },
          { timeoutMs: 120_000, intervalMs: 2000, what: `the probe to name leaky_app.py:${line}` },
        );
        const endpoints = await get('endpoints');
        log(`  growing: leaky_app.py:${line} ${growth.lines[0].deltaBytes} B over ${growth.windowSeconds} s`);
        log(`  top endpoint: ${endpoints.endpoints[0]?.method} ${endpoints.endpoints[0]?.route}`);
      },
    );
    await runner.step(`the leaky app's RSS grows under the load (PID ${ctx.app.pid})`, async () => {
      const first = rssBytes(ctx.app.pid);
      if (first === undefined) throw new Error(`PID ${ctx.app.pid} is not running`);
      // ~320 KiB/s at the demo's load: 2 MB takes ~7 s.
      const grown = await waitUntil(
        () => {
          const now = rssBytes(ctx.app.pid);
          if (now === undefined) throw new Error(`PID ${ctx.app.pid} exited`);
          return now - first >= 2 * 1024 * 1024 ? now : false;
        },
        {
          timeoutMs: 45_000,
          intervalMs: 500,
          what: `RSS of PID ${ctx.app.pid} to grow by 2 MB from ${mb(first)}`,
        },
      );
      log(`  RSS ${mb(first)} → ${mb(grown)}`);
    });
  }
  page = undefined; // closed by the cleanup below: no screenshot for the last step
  await runner.step('stopping the demo leaves no process running', async () => {
    await cleanupAll();
    const left = groups.filter((g) => g.pid && groupAlive(g.pid)).map((g) => g.pid);
    if (left.length) throw new Error(`process groups still alive: ${left.join(', ')}`);
    if (ctx && rssBytes(ctx.app.pid) !== undefined) throw new Error(`PID ${ctx.app.pid} still running`);
  });
  runner.summary();
  return runner.failed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------

let stopping = false;
async function stop(code, why) {
  if (stopping) return;
  stopping = true;
  if (why) console.error(`\n${why}: stopping code-server, the leaky app and its load`);
  await cleanupAll();
  const left = groups.filter((g) => g.pid && groupAlive(g.pid)).map((g) => g.pid);
  if (left.length) {
    console.error(`could not stop the process groups ${left.join(', ')}: end them with kill -KILL -<id>`);
    process.exit(1);
  }
  if (why) console.error('stopped; nothing left running');
  process.exit(code);
}

// lib.mjs exits with 130 on a signal; a demo stopped with Ctrl+C as it says ends normally (npm
// would otherwise print a "failed" error for an ordinary stop).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.removeAllListeners(sig);
  process.on(sig, () => stop(sig === 'SIGINT' ? 0 : 1, sig === 'SIGINT' ? 'Ctrl+C' : sig));
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      check: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  console.error(`npm run demo: ${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const options = { build: !values['no-build'], check: Boolean(values.check) };
try {
  if (options.check) await stop(await selfCheck(options));
  else {
    await interactive(options);
    await stop(process.exitCode ?? 0);
  }
} catch (e) {
  console.error(`\nnpm run demo: ${e instanceof DemoError ? e.message : (e.stack ?? e)}`);
  await stop(1);
}
