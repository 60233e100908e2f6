// The speed and memory targets of issue 14, measured side by side in one run on >= 1M lines of
// real code (the repositories beside the project: BENCH_CORPUS, default ../real; repositories
// are taken in name order until BENCH_LINES lines, default 1,200,000; BENCH_LINES=0 takes all):
//   1. whole-tree scan (`leak-lens scan --include-tests`, its worker threads) vs Ruff's
//      WebAssembly build with five comparable rules on as many threads: target at least as fast;
//   2. language server: first diagnostics of the open file after the process starts, with that
//      tree as the workspace (its background scan starts at once): target < 300 ms;
//   3. language server RSS once that background scan has finished: target < 150 MiB.
// Each figure is measured ROUNDS times (default 2) with the load average (`uptime`) beside it:
// the machine is shared, so read the best run and the load together. Figures only, never fails.
// BENCH_PARTS=scan or =server measures one side only.
// BENCH_BASELINE=DIR times an older production build's scan and its server's first diagnostics in
// the same rounds (before/after). BENCH_SERVER_NODE=path/to/node runs the language servers with
// that Node (editors run it with their own: VS Code's Electron, code-server's Node).
// The server's code cache (see server/src/server-loader.ts) lives in a fresh folder per run: the
// first start writes it (printed apart, as a first start after installing), the rounds read it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { isSkippedDirectoryName } from '../server/src/exclude.ts';

const root = join(import.meta.dirname, '..');
// What users run is the minified production bundle (the VSIX's): built into out/bench-dist, so
// the development build in dist/ stays. BENCH_DIST=DIR measures another build (e.g. an older one).
const DIST = process.env.BENCH_DIST ?? join(root, 'out', 'bench-dist');
if (!process.env.BENCH_DIST)
  execFileSync(process.execPath, ['esbuild.mjs', '--production', `--outdir=${DIST}`], {
    cwd: root,
    stdio: 'inherit',
  });
const CLI = join(DIST, 'cli.js');
// BENCH_BASELINE=DIR: an older production build whose scan is timed in the same rounds, between
// this build's and Ruff's (before/after side by side under the same load).
const BASELINE = process.env.BENCH_BASELINE;
const SERVER = join(DIST, 'server.js');
const SERVER_NODE = process.env.BENCH_SERVER_NODE ?? process.execPath;
const CODE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'leak-lens-bench-code-cache-'));
process.on('exit', () => rmSync(CODE_CACHE_DIR, { recursive: true, force: true }));
const RUFF_SCAN = join(import.meta.dirname, 'support', 'ruff-wasm-scan.mjs');
const CORPUS = process.env.BENCH_CORPUS ?? join(root, '..', 'real');
const WANT_LINES = Number(process.env.BENCH_LINES ?? 1_200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const THREADS = 2;
// BENCH_PARTS=scan or =server: only the scan figure (1) or only the server's (2 and 3).
const PARTS = new Set((process.env.BENCH_PARTS ?? 'scan,server').split(','));

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const load = () =>
  `load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
const mib = (kib) => (kib / 1024).toFixed(0);
const cpu = (run) => (run.cpuSeconds === undefined ? 'n/a' : `${run.cpuSeconds.toFixed(1)} s`);

/** Lines of the .py files below `dir` (the folders the scan skips are skipped). */
function countLines(dir) {
  let lines = 0;
  let files = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!isSkippedDirectoryName(e.name)) walk(p);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        files++;
        lines += readFileSync(p, 'utf8').split('\n').length;
      }
    }
  };
  walk(dir);
  return { lines, files };
}

function pickCorpus() {
  if (!existsSync(CORPUS)) return undefined;
  const picked = [];
  let lines = 0;
  let files = 0;
  for (const name of readdirSync(CORPUS).sort()) {
    const dir = join(CORPUS, name);
    if (!statSync(dir).isDirectory()) continue;
    const c = countLines(dir);
    picked.push(dir);
    lines += c.lines;
    files += c.files;
    if (WANT_LINES > 0 && lines >= WANT_LINES) break;
  }
  return { dirs: picked, lines, files };
}

// GNU time reports the CPU time of the process and all its threads: on a shared machine it moves
// far less with the load than the wall time does, so both are printed.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const TIME_LINE = /^TIME (\S+) (\S+) (\d+)$/m;

/** Runs a command; resolves with its wall and CPU time, stdout and peak RSS. */
function timed(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = GNU_TIME
      ? spawn(GNU_TIME, ['-f', 'TIME %U %S %M', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 50);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const t = TIME_LINE.exec(stderr);
      const cpuSeconds = t ? Number(t[1]) + Number(t[2]) : undefined;
      if (t) peakKiB = Math.max(peakKiB, Number(t[3]));
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, cpuSeconds, peakKiB });
    });
  });
}

async function scanFigures(corpus) {
  console.log(`\n1. whole-tree scan, ${THREADS} threads each (best of ${ROUNDS}):`);
  const ours = [];
  const ruff = [];
  const baseline = [];
  for (let round = 0; round < ROUNDS; round++) {
    const args = ['scan', ...corpus.dirs, '--include-tests', '--format', 'json', '--exit-zero'];
    const a = { ...(await timed(process.execPath, [CLI, ...args])), args };
    let report;
    try {
      report = JSON.parse(a.stdout);
    } catch {
      console.log(`  leak-lens scan produced no JSON (exit ${a.code}): ${a.stderr.slice(0, 300)}`);
      return;
    }
    ours.push({ ...a, report });
    console.log(
      `  leak-lens scan   ${a.seconds.toFixed(2).padStart(6)} s  ${fmt(corpus.lines / a.seconds).padStart(9)} lines/s  cpu ${cpu(a)}  peak ${mib(a.peakKiB)} MiB  ${report.filesScanned} files, ${report.findings.length} findings   (${load()})`,
    );
    if (BASELINE) {
      const c = await timed(process.execPath, [join(BASELINE, 'cli.js'), ...a.args]);
      let old;
      try {
        old = JSON.parse(c.stdout);
      } catch {
        console.log(`  baseline scan produced no JSON (exit ${c.code})`);
      }
      if (old) {
        baseline.push(c);
        const same =
          JSON.stringify(old) === JSON.stringify(report) ? 'the same JSON report' : 'A DIFFERENT JSON REPORT';
        console.log(
          `  baseline scan    ${c.seconds.toFixed(2).padStart(6)} s  ${fmt(corpus.lines / c.seconds).padStart(9)} lines/s  cpu ${cpu(c)}  peak ${mib(c.peakKiB)} MiB  ${same}   (${load()})`,
        );
      }
    }
    const b = await timed(process.execPath, ['--import', 'tsx', RUFF_SCAN, ...corpus.dirs], {
      ...process.env,
      THREADS: String(THREADS),
    });
    let r;
    try {
      r = JSON.parse(b.stdout);
    } catch {
      console.log(`  Ruff-wasm did not run (${b.stderr.split('\n')[0] || `exit ${b.code}`}): npm install`);
      continue;
    }
    ruff.push({ ...b, r });
    const rules = Object.entries(r.perRule)
      .sort()
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    console.log(
      `  Ruff-wasm 5 rules ${b.seconds.toFixed(2).padStart(5)} s  ${fmt(corpus.lines / b.seconds).padStart(9)} lines/s  cpu ${cpu(b)}  peak ${mib(b.peakKiB)} MiB  ${r.files} files, ${rules}   (${load()})`,
    );
  }
  if (ours.length && ruff.length) {
    const best = (xs, key = 'seconds') => Math.min(...xs.map((x) => x[key] ?? Number.NaN));
    const ratio = best(ours) / best(ruff);
    console.log(
      `  best wall: leak-lens ${best(ours).toFixed(2)} s vs Ruff-wasm ${best(ruff).toFixed(2)} s = ${ratio.toFixed(2)}x Ruff's time (target <= 1.00x: ${ratio <= 1 ? 'MET' : 'NOT MET'})`,
    );
    if (baseline.length)
      console.log(
        `  baseline:  ${best(baseline).toFixed(2)} s = ${(best(baseline) / best(ruff)).toFixed(2)}x Ruff's time, CPU ${best(baseline, 'cpuSeconds').toFixed(1)} s = ${(best(baseline, 'cpuSeconds') / best(ruff, 'cpuSeconds')).toFixed(2)}x`,
      );
    const cpuRatio = best(ours, 'cpuSeconds') / best(ruff, 'cpuSeconds');
    if (Number.isFinite(cpuRatio))
      console.log(
        `  best CPU:  leak-lens ${best(ours, 'cpuSeconds').toFixed(1)} s vs Ruff-wasm ${best(ruff, 'cpuSeconds').toFixed(1)} s = ${cpuRatio.toFixed(2)}x (less sensitive to the machine's load)`,
      );
  }
}

/**
 * One language-server session: first diagnostics of an open file, then RSS after the workspace
 * scan. `server`: the server.js to start (this build's by default).
 */
async function serverSession(corpus, openFile, { server = SERVER } = {}) {
  const t0 = performance.now();
  const child = spawn(SERVER_NODE, [server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    // What the VS Code client adds to this build's server (client/src/language-server.ts); the
    // baseline's server gets the environment its own client gave it (BENCH_BASELINE_ENV=same: this one).
    env: {
      ...process.env,
      LEAK_LENS_CACHE_DIR: CODE_CACHE_DIR,
      ...(server === SERVER || process.env.BENCH_BASELINE_ENV === 'same'
        ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '2' }
        : {}),
    },
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const uri = pathToFileURL(openFile).href;
  let firstMs;
  const first = new Promise((resolve) => {
    connection.onNotification('textDocument/publishDiagnostics', (p) => {
      if (p.uri === uri && firstMs === undefined) {
        firstMs = performance.now() - t0;
        resolve(p.diagnostics.length);
      }
    });
  });
  let scanDone;
  const scanned = new Promise((resolve) => {
    scanDone = resolve;
  });
  connection.onNotification('$/progress', (p) => {
    if (p.value?.kind === 'end') scanDone(performance.now() - t0);
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({ includeTests: true })));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const folders = (corpus?.dirs ?? []).map((d, i) => ({ uri: pathToFileURL(d).href, name: `f${i}` }));
  // What an editor sends at start: initialize, initialized, then the file it has open.
  const init = connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: folders.length ? folders : null,
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true },
      window: { workDoneProgress: true },
    },
    initializationOptions: { scanOnStartup: folders.length > 0 },
  });
  await init;
  connection.sendNotification('initialized', {});
  connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(openFile, 'utf8') },
  });
  const findings = await first;
  const result = { firstMs, findings };
  if (folders.length) {
    result.scanMs = await Promise.race([
      scanned,
      // Unref: a pending timer would keep the bench alive ten minutes after its last figure.
      new Promise((r) => setTimeout(() => r(undefined), 600_000).unref()),
    ]);
    const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(status())?.[1] ?? 0);
    result.rssAtEndKiB = rss();
    await new Promise((r) => setTimeout(r, 5000));
    result.rssSettledKiB = rss();
    result.peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status())?.[1] ?? 0);
  }
  await connection.sendRequest('shutdown').catch(() => {});
  connection.sendNotification('exit');
  // (It may have exited already: then there is no 'exit' event left to wait for.)
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  connection.dispose();
  return result;
}

async function serverFigures(corpus, openFile) {
  const nodeVersion = execFileSync(SERVER_NODE, ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `\n2. language server, first diagnostics of the open file after start (target < 300 ms; Node ${nodeVersion}):`,
  );
  console.log(
    `   open file: ${openFile.slice(CORPUS.length + 1)} (${fmt(readFileSync(openFile, 'utf8').split('\n').length)} lines)`,
  );
  const baselineServer = BASELINE && join(BASELINE, 'server.js');
  const line = (label, s) =>
    console.log(
      `  ${label.padEnd(29)}${s.firstMs.toFixed(0).padStart(5)} ms  (${s.findings} findings)   (${load()})`,
    );
  // The first start after installing has no code cache yet: it writes it.
  line('first start, no code cache', await serverSession(undefined, openFile));
  const workspace = `${fmt(corpus.lines)}-line workspace`;
  const firsts = { alone: [], workspace: [], baseAlone: [], baseWorkspace: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const alone = await serverSession(undefined, openFile);
    firsts.alone.push(alone.firstMs);
    line('no workspace folder', alone);
    if (baselineServer) {
      const old = await serverSession(undefined, openFile, { server: baselineServer });
      firsts.baseAlone.push(old.firstMs);
      line('  baseline', old);
    }
  }
  const sessions = [];
  const baseSessions = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = await serverSession(corpus, openFile);
    sessions.push(s);
    firsts.workspace.push(s.firstMs);
    line(workspace, s);
    if (baselineServer) {
      const old = await serverSession(corpus, openFile, { server: baselineServer });
      baseSessions.push(old);
      firsts.baseWorkspace.push(old.firstMs);
      line('  baseline', old);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = (xs) => `median ${median(xs).toFixed(0)} ms, best ${Math.min(...xs).toFixed(0)} ms`;
  console.log(
    `  no workspace folder: ${summary(firsts.alone)}; with the workspace: ${summary(firsts.workspace)}`,
  );
  if (baselineServer)
    console.log(
      `  baseline:            ${summary(firsts.baseAlone)}; with the workspace: ${summary(firsts.baseWorkspace)}`,
    );
  console.log(
    `\n3. language server RSS after the background scan of ${fmt(corpus.lines)} lines (target < 150 MiB):`,
  );
  const rss = (label, s) =>
    console.log(
      `  ${label}scan ${s.scanMs === undefined ? 'did not finish in 10 min' : `${(s.scanMs / 1000).toFixed(1)} s`}: RSS ${mib(s.rssAtEndKiB)} MiB at its end, ${mib(s.rssSettledKiB)} MiB 5 s later (peak ${mib(s.peakKiB)} MiB)`,
    );
  sessions.forEach((s, i) => {
    rss('', s);
    if (baseSessions[i]) rss('baseline ', baseSessions[i]);
  });
}

const corpus = pickCorpus();
console.log(`uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}; ${cpus().length} CPUs`);
console.log(`build measured: ${DIST}`);
if (!corpus || corpus.lines < 1_000_000) {
  console.log(
    `real-code corpus not found (or under 1M lines) at ${CORPUS}: check out public repositories there or set BENCH_CORPUS (see bench/real-code/README.md)`,
  );
} else {
  console.log(
    `corpus: ${corpus.dirs.length} repositories under ${CORPUS}, ${fmt(corpus.files)} files, ${fmt(corpus.lines)} lines`,
  );
  if (PARTS.has('scan')) await scanFigures(corpus);
  // A real file with findings, of ordinary size: the first file of the corpus between 300 and 1,500
  // lines in which the scan finds something is what a user would open.
  const openFile = process.env.BENCH_OPEN_FILE ?? findOpenFile(corpus);
  if (PARTS.has('server')) await serverFigures(corpus, openFile);
}

function findOpenFile(c) {
  const out = execFileSync(process.execPath, [CLI, 'scan', c.dirs[0], '--format', 'json', '--exit-zero'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const report = JSON.parse(out);
  const counts = new Map();
  for (const f of report.findings) counts.set(f.path, (counts.get(f.path) ?? 0) + 1);
  for (const [rel] of [...counts].sort((a, b) => b[1] - a[1])) {
    const p = join(process.cwd(), rel);
    const n = readFileSync(p, 'utf8').split('\n').length;
    if (n >= 300 && n <= 1500) return p;
  }
  return join(process.cwd(), [...counts.keys()][0]);
}
