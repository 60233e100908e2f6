// Runs the extension-host mocha suite (test/vscode/suite, compiled to out/test/vscode/suite) INSIDE
// code-server's Node extension host, the way @vscode/test-electron does in desktop VS Code, and
// reports its counts and exit code. Usage: `npm run test:host` (compiles the suite first).
//
// How (E2E.md §5): code-server started with `--vscode-option enable-smoke-test-driver` honours
// the workbench URL's `payload` (extensionDevelopmentPath / extensionTestsPath as
// vscode-remote://host:port URIs); the workbench reports the runner's result through
// window.codeAutomationExit(code) and forwards console output through window.codeAutomationLog.
// Env: PORT (8791), E2E_TIMEOUT_MS (300000), E2E_GREP (mocha --grep), E2E_VERBOSE=1 (all
//      workbench log lines), KEEP_TMP=1, E2E_OUT (artifacts dir), E2E_EXTENSION_DIR (the
//      extensionDevelopmentPath, default the repository: it needs the manifest's `main` built,
//      node_modules/mocha and out/test/vscode/suite), CODE_SERVER_BIN/NODE24_BIN_DIR/CHROMIUM_BIN.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import {
  artifact,
  cleanupAll,
  ensureTools,
  launchBrowser,
  log,
  makeRunDirs,
  REPO_ROOT,
  recordBrowserLog,
  removeRunDirs,
  resetArtifacts,
  startCodeServer,
  withTimeout,
  writeUserSettings,
} from './lib.mjs';

// Workbench chatter that arrives through codeAutomationLog mixed with the extension host's
// console output (everything at level 'info'). Hidden unless E2E_VERBOSE=1; always in the log file.
const WORKBENCH_NOISE =
  /^(Ignoring fetching additional builtin|Updating additional builtin|\[AccountPolicyGate\]|Creating a socket|Resolving connection token|Resolved connection token|\[reconnection-grace-time\]|\[Service Worker\]|\[AgentHost:remote\]|Canceled$|Timed out waiting for authentication provider|Creation of workbench contribution)/;

const port = Number(process.env.PORT ?? 8791);
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS ?? 300_000);
const extensionDir = path.resolve(process.env.E2E_EXTENSION_DIR ?? REPO_ROOT);
// Inside the extension's folder: the workbench runs the tests in that extension's host.
const testsEntry = path.join(extensionDir, 'out', 'test', 'vscode', 'suite', 'index.js');

function preflight() {
  const problems = [];
  const main = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')).main ?? '';
  if (!fs.existsSync(path.join(extensionDir, main))) problems.push(`${main} missing: run \`npm run build\``);
  if (!fs.existsSync(testsEntry)) problems.push(`${testsEntry} missing: run \`node test/vscode/build.mjs\``);
  if (!fs.existsSync(path.join(extensionDir, 'node_modules', 'mocha')))
    problems.push('node_modules/mocha missing: run `npm ci`');
  if (problems.length) throw new Error(problems.join('\n'));
}

/** console-style args from the workbench: drop %c CSS arguments, then printf-format the rest. */
function formatLogArgs(args) {
  const a = [...args];
  if (typeof a[0] === 'string' && a[0].includes('%c')) {
    const n = (a[0].match(/%c/g) ?? []).length;
    a[0] = a[0].replace(/%c/g, '');
    a.splice(1, n);
  }
  return util.format(...a);
}

/**
 * Counts from mocha's spec output as it streams by: the fallback when the run never finishes
 * (a test hangs past E2E_TIMEOUT_MS), so the closing line still says how far it got.
 */
class SpecTally {
  passes = 0;
  failures = 0;
  pending = 0;
  summaryStarted = false;
  add(line) {
    for (const l of line.split('\n')) {
      if (/^\s+✔ /.test(l)) this.passes++;
      else if (/^\s+\d+\) /.test(l) && !this.summaryStarted) this.failures++;
      else if (/^\s+- /.test(l) && !this.summaryStarted) this.pending++;
      else if (/^\s+\d+ passing/.test(l)) this.summaryStarted = true;
    }
  }
}

resetArtifacts('host');
const outputLog = artifact('host-output.log');
const tally = new SpecTally();
let exitCode = 1;
let summary;
let page;
let dirs;
try {
  preflight();
  const tools = await ensureTools();
  dirs = makeRunDirs('host');
  writeUserSettings(dirs.userData);
  const resultsFile = path.join(dirs.root, 'results.json');

  const server = await startCodeServer(tools, {
    port,
    dirs,
    logFile: artifact('host-code-server.log'),
    // A built workbench honours the payload's extension-development entries only with the
    // smoke-test driver enabled (`payload && (!isBuilt || enableSmokeTestDriver)`).
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
  });
  log('code-server healthy at', server.url);
  ({ page } = await launchBrowser(tools, dirs.chrome));
  recordBrowserLog(page, artifact('host-browser-console.log'));

  let resolveExit;
  const exited = new Promise((resolve) => {
    resolveExit = resolve;
  });
  // Both must exist before the workbench loads (exposeFunction before goto).
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  await page.exposeFunction('codeAutomationLog', (_level, args) => {
    const line = formatLogArgs(args);
    fs.appendFileSync(outputLog, `${line}\n`);
    tally.add(line);
    if (process.env.E2E_VERBOSE || !WORKBENCH_NOISE.test(line)) console.log(line);
  });

  // The extension host runs on the server: paths are vscode-remote URIs on the page's authority
  // (plain paths would address the browser's web-worker host, and nothing would run).
  const remote = (p) => `vscode-remote://${server.authority}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionDir)],
    ['extensionTestsPath', remote(testsEntry)],
    [
      'extensionEnvironment',
      JSON.stringify({ E2E_RESULTS_FILE: resultsFile, E2E_GREP: process.env.E2E_GREP ?? '' }),
    ],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url);
  log('workbench loading; waiting for the extension-host test run to finish');
  exitCode = await withTimeout(
    exited,
    timeoutMs,
    'the extension-host test run (codeAutomationExit never called: payload ignored, or a test hangs)',
  );
  log('extension-host test runner exit code:', exitCode);
  if (fs.existsSync(resultsFile)) {
    summary = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    if (summary.error) console.error(`the suite failed to load: ${summary.error}`);
    if (summary.failures > 0) exitCode = 1;
  } else {
    console.error('the runner wrote no results file (it crashed before mocha finished?)');
    exitCode = 1;
  }
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  exitCode = 1;
} finally {
  if (page) await page.screenshot({ path: artifact('host-final.png'), timeout: 10_000 }).catch(() => {});
  await cleanupAll();
  if (dirs) removeRunDirs(dirs);
}
log(`output, logs and screenshot: ${path.relative(REPO_ROOT, artifact('host-*'))}`);
// Closing line in the form CI reads. Without a results file: what streamed by, plus the run
// itself (crash or timeout) as one failure.
const s = summary ?? { passes: tally.passes, failures: tally.failures + 1, pending: tally.pending };
console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
process.exit(exitCode === 0 ? 0 : 1);
