// Shared machinery of the end-to-end suites: the toolchain (code-server under Node 24, Debian's
// Chromium, playwright-core), fresh per-run directories, code-server start/stop, the browser,
// bounded waits, and a step runner that screenshots every step and never hangs.
// Recipe and rationale: ../../../shared/E2E.md (code-server instead of @vscode/test-electron, which
// cannot download VS Code offline).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
export const FIXTURE_WORKSPACE = path.join(E2E_DIR, 'fixtures', 'workspace');
export const ARTIFACTS_DIR = path.resolve(process.env.E2E_OUT ?? path.join(E2E_DIR, 'artifacts'));

const t0 = performance.now();
export function elapsed() {
  return `${((performance.now() - t0) / 1000).toFixed(1)}s`;
}
export function log(...args) {
  console.log(`[${elapsed()}]`, ...args);
}
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Bounded waiting. Every wait in the suites goes through one of these (or a Playwright call
// with an explicit timeout), so a broken build fails with a message instead of hanging CI.

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `probe` until it returns a truthy value; throws `what` (plus the last value seen) on timeout. */
export async function waitUntil(probe, { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what} (last seen: ${seen})`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Runs a command to completion with a time limit; resolves with its output, rejects with it. */
export function runCommand(cmd, args, { env = process.env, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env, cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) {
          const why = error.killed ? `killed after ${timeoutMs / 1000} s` : `exit ${error.code}`;
          reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: ${why}\n${output.trim()}`));
        } else resolve(output);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Tools

/**
 * Returns the tool locations. Taken from the environment when `eval "$(bash install-tools.sh)"`
 * already ran; otherwise runs install-tools.sh (idempotent: < 1 s when everything is there,
 * ~2 min on a bare machine) and reads the `export` lines it prints.
 */
export async function ensureTools() {
  const haveEnv = process.env.CODE_SERVER_BIN && process.env.NODE24_BIN_DIR;
  const havePlaywright = fs.existsSync(path.join(E2E_DIR, 'node_modules', 'playwright-core', 'package.json'));
  if (!haveEnv || !havePlaywright) {
    log('installing/locating the e2e tools (test/e2e/install-tools.sh)');
    const out = await new Promise((resolve, reject) => {
      const child = spawn('bash', [path.join(E2E_DIR, 'install-tools.sh')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`install-tools.sh failed (exit ${code}); see its output above`));
      });
    });
    for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) process.env[m[1]] ??= m[2];
  }
  const tools = {
    codeServer: process.env.CODE_SERVER_BIN,
    node24BinDir: process.env.NODE24_BIN_DIR,
    chromium: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  };
  for (const [name, file] of Object.entries({
    CODE_SERVER_BIN: tools.codeServer,
    NODE24_BIN_DIR: path.join(tools.node24BinDir ?? '', 'node'),
    CHROMIUM_BIN: tools.chromium,
  })) {
    if (!file || !fs.existsSync(file))
      throw new Error(`${name}: ${file ?? '(unset)'} does not exist; run test/e2e/install-tools.sh`);
  }
  return tools;
}

// ---------------------------------------------------------------------------------------------
// Per-run state: nothing is shared between runs (the quick-fix step edits the workspace).

/** Fresh temp dirs: code-server user data, extensions, Chromium profile and a COPY of the fixture workspace. */
export function makeRunDirs(prefix) {
  const root = fs.mkdtempSync(path.join(process.env.E2E_TMP ?? os.tmpdir(), `leak-lens-${prefix}-`));
  const dirs = {
    root,
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    chrome: path.join(root, 'chromium-profile'),
    workspace: path.join(root, 'workspace'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.chrome]) fs.mkdirSync(d, { recursive: true });
  fs.cpSync(FIXTURE_WORKSPACE, dirs.workspace, {
    recursive: true,
    filter: (src) => !src.includes('__pycache__'),
  });
  return dirs;
}

export function removeRunDirs(dirs) {
  if (process.env.KEEP_TMP) log('kept temp dirs in', dirs.root);
  else fs.rmSync(dirs.root, { recursive: true, force: true });
}

/** Removes this suite's artifacts from an earlier run, so every screenshot on disk is from this one. */
export function resetArtifacts(prefix) {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS_DIR)) {
    if (f.startsWith(`${prefix}-`)) fs.rmSync(path.join(ARTIFACTS_DIR, f), { force: true });
  }
}

export function artifact(name) {
  return path.join(ARTIFACTS_DIR, name);
}

/** User settings seeded before the first start: no welcome page, tips, telemetry, updates, trust prompt or AI side bar. */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'files.autoSave': 'off',
    'window.commandCenter': false,
    'editor.minimap.enabled': false,
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

// ---------------------------------------------------------------------------------------------
// code-server

function codeServerEnv(tools, dirs) {
  const env = { ...process.env };
  // code-server writes a default config.yaml and its logs under the XDG dirs even with --config
  // and --user-data-dir: keep them inside the run's temp dir, not in $HOME.
  env.XDG_CONFIG_HOME = path.join(dirs.root, 'xdg-config');
  env.XDG_DATA_HOME = path.join(dirs.root, 'xdg-data');
  // Only the code-server process tree runs on Node 24 (its extension host and so our language
  // server too); the build and these scripts stay on the system Node.
  env.PATH = `${tools.node24BinDir}:${env.PATH}`;
  // No marketplace offline: an empty gallery stops lookups of open-vsx.org.
  env.EXTENSIONS_GALLERY ??= '{}';
  return env;
}

/** `code-server --install-extension` from a .vsix into the run's own extensions dir (offline). */
export async function installVsix(tools, vsix, dirs) {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  return runCommand(
    tools.codeServer,
    [
      '--install-extension',
      vsix,
      '--force',
      '--extensions-dir',
      dirs.extensions,
      '--user-data-dir',
      dirs.userData,
    ],
    { env: codeServerEnv(tools, dirs), timeoutMs: 60_000 },
  );
}

/**
 * Starts code-server in its own process group and resolves once /healthz answers (which does
 * NOT mean the workbench is ready: wait on the DOM or on codeAutomationExit for that).
 */
export async function startCodeServer(
  tools,
  { port, dirs, logFile, extraArgs = [], healthTimeoutMs = 60_000 },
) {
  // Own config file, so ~/.config/code-server/config.yaml is neither read nor created.
  const configFile = path.join(dirs.userData, 'code-server-config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const args = [
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    ...extraArgs,
  ];
  const url = `http://127.0.0.1:${port}`;
  // A server left over on the port would answer /healthz for us and run stale code.
  if (
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`port ${port} is already in use (a code-server left running?); set PORT to another port`);
  }
  const out = fs.openSync(logFile, 'w');
  const proc = spawn(tools.codeServer, args, {
    env: codeServerEnv(tools, dirs),
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    killGroup(proc.pid, 'SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
      killGroup(proc.pid, 'SIGKILL');
      await Promise.race([exited, sleep(2000)]);
    }
  };
  onCleanup(stop);
  try {
    await waitUntil(
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`code-server exited (${proc.exitCode}) at start; see ${logFile}`);
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        return r.ok;
      },
      {
        timeoutMs: healthTimeoutMs,
        intervalMs: 200,
        what: `code-server /healthz on ${url} (log: ${logFile})`,
      },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, authority: `127.0.0.1:${port}`, proc, stop };
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal); // the whole group we created with `detached`, nothing else
  } catch {
    /* already gone */
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium

/** Headless Debian Chromium through playwright-core (never a downloaded browser), fully offline. */
export async function launchBrowser(tools, profileDir) {
  const { chromium } = await import('playwright-core');
  const context = await withTimeout(
    chromium.launchPersistentContext(profileDir, {
      executablePath: tools.chromium,
      headless: true,
      viewport: { width: 1400, height: 900 },
      timeout: 60_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // No DNS at all: even with the flags above Chromium looks up google hosts in the background.
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    }),
    90_000,
    'Chromium to start',
  );
  onCleanup(() => withTimeout(context.close(), 10_000, 'Chromium to close').catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  // Every Playwright wait without its own timeout is bounded by these.
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(60_000);
  return { context, page };
}

/** Appends browser console errors and failed requests to a log in the artifacts dir. */
export function recordBrowserLog(page, file) {
  const append = (line) => fs.appendFileSync(file, `[${elapsed()}] ${line}\n`);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') append(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => append(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => append(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
}

// ---------------------------------------------------------------------------------------------
// Cleanup on every exit path, including Ctrl+C: no code-server, browser or Python left behind.

const cleanups = [];
export function onCleanup(fn) {
  cleanups.push(fn);
}
export async function cleanupAll() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await withTimeout(Promise.resolve().then(fn), 15_000, 'cleanup');
    } catch (e) {
      console.error('cleanup failed:', e.message);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    console.error(`\n${sig}: stopping code-server, Chromium and helper processes`);
    await cleanupAll();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Steps

/**
 * Runs named steps; each gets a hard time limit, a screenshot (`<prefix>-<shot>.png`, with
 * `-FAILED` on failure) and a clear log line. A failing step does not stop the later ones
 * (they open their own files); `summary()` prints the closing `N passed, N failed` line.
 */
export class StepRunner {
  constructor(prefix, getPage) {
    this.prefix = prefix;
    this.getPage = getPage;
    this.results = [];
  }

  async step(name, fn, { timeoutMs = 120_000, shot } = {}) {
    const n = this.results.length + 1;
    const slug =
      shot ??
      `${n}-${name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40)}`;
    const started = performance.now();
    log(`step ${n}: ${name}`);
    try {
      await withTimeout(Promise.resolve().then(fn), timeoutMs, `step "${name}"`);
      const file = await this.screenshot(`${this.prefix}-${slug}.png`);
      this.results.push({ name, ok: true });
      log(`  ✔ ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)${file ? `  → ${file}` : ''}`);
    } catch (e) {
      const file = await this.screenshot(`${this.prefix}-${slug}-FAILED.png`);
      this.results.push({ name, ok: false, error: e });
      log(`  ✘ ${name}: ${firstLines(e)}${file ? `\n    screenshot: ${file}` : ''}`);
    }
  }

  /** Marks a step failed without running it (e.g. the workbench never came up). */
  fail(name, reason) {
    this.results.push({ name, ok: false, error: new Error(reason) });
    log(`  ✘ ${name}: not run: ${reason}`);
  }

  async screenshot(file) {
    const page = this.getPage();
    if (!page) return undefined;
    const target = artifact(file);
    try {
      await page.screenshot({ path: target, timeout: 10_000 });
      return path.relative(REPO_ROOT, target);
    } catch {
      return undefined;
    }
  }

  get failed() {
    return this.results.filter((r) => !r.ok).length;
  }

  summary() {
    const passed = this.results.length - this.failed;
    if (this.failed) {
      console.log('\nFailures:');
      for (const r of this.results.filter((x) => !x.ok))
        console.log(`  - ${r.name}: ${firstLines(r.error, 12)}`);
    }
    console.log(`${passed} passed, ${this.failed} failed`);
  }
}

function firstLines(error, n = 6) {
  // Playwright errors carry a long call log; the first lines say what was awaited.
  return String(error?.message ?? error)
    .split('\n')
    .slice(0, n)
    .join('\n    ');
}
