// Language server under an edit storm: starts the BUILT server (dist/server.js) over stdio, like an
// editor with hundreds of real Python files open (the python3 standard library), and
//   1. opens 300 documents at once;
//   2. sends 20,000 random edits across them as fast as the pipe takes them, while opening 30
//      more documents and closing 30 (300 stay open), and asking for code actions now and then
//      about the document in front of the user (an editor asks about its active document only);
//   3. waits until every document's latest version has its diagnostics;
//   4. goes on with the storm at a typing pace (one edit every 30 ms, any document) and asks for a
//      code action every few edits (half of them about the document just edited, when it has
//      diagnostics).
// It prints open → first diagnostics (during the storm), code-action latency (at full speed and at
// typing pace), the server's RSS after the storm and its peak (workers are threads: one process).
// Targets (issue 13): RSS < 400 MiB with 300 open documents after the storm, code actions p95
// < 100 ms at typing pace, open → first diagnostics p95 < 1 s during the storm. Figures only:
// it never fails. STORM_EDITS, STORM_DOCS, STORM_TYPING_EDITS and STORM_SEED change the sizes.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const root = join(import.meta.dirname, '..');
const server = join(root, 'dist', 'server.js');
if (!existsSync(server)) {
  console.log('dist/server.js missing: run `npm run build` (npm run bench does)');
  process.exit(1);
}

const DOCS = Number(process.env.STORM_DOCS ?? 300);
const EXTRA = Math.round(DOCS / 10); // opened and closed during the storm
const EDITS = Number(process.env.STORM_EDITS ?? 20_000);
const TYPING_EDITS = Number(process.env.STORM_TYPING_EDITS ?? 1_000);
const TYPING_GAP_MS = 30;
const CODE_ACTION_EVERY_FAST = 250;
const CODE_ACTION_EVERY_TYPING = 10;
const MAX_FILE_BYTES = 256 * 1024;
let seed = Number(process.env.STORM_SEED ?? 13);

/** Deterministic PRNG (mulberry32), so two runs send the same storm. */
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

/** Real Python files of the standard library (no tests: those get no diagnostics by design). */
function stdlibFiles(count) {
  const stdlib = execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: 'utf8',
  }).trim();
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (!/^(test|tests|idle_test|site-packages|__pycache__|lib2to3)$/.test(name)) walk(path);
      } else if (name.endsWith('.py') && !/^test_|_test\.py$|^conftest/.test(name) && stat.size > 200) {
        if (stat.size <= MAX_FILE_BYTES) files.push({ path, rel: relative(stdlib, path), size: stat.size });
      }
    }
  };
  walk(stdlib);
  // A seeded sample: small and large files mixed as in a real workspace.
  const chosen = [];
  const pool = [...files];
  while (chosen.length < count && pool.length > 0)
    chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
  return chosen.map((f) => ({ ...f, text: readFileSync(f.path, 'utf8') }));
}

function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function describe(label, values, target) {
  const f = (x) => (Number.isNaN(x) ? '     -' : x.toFixed(0).padStart(6));
  const p95 = percentile(values, 95);
  const verdict =
    target === undefined ? '' : `   target p95 < ${target} ms: ${p95 < target ? 'met' : 'NOT met'}`;
  return `  ${label.padEnd(44)} n=${String(values.length).padEnd(5)} p50 ${f(percentile(values, 50))} ms  p95 ${f(p95)} ms  max ${f(Math.max(...values))} ms${verdict}`;
}

/** Resident and peak memory of the server process (its worker threads included), in MiB. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

const progress = (message) => {
  if (process.env.STORM_VERBOSE) console.error(`[${(performance.now() / 1000).toFixed(1)} s] ${message}`);
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A random edit of `doc`: mostly typing and deleting, sometimes a pasted line (a leak, at times). */
function randomEdit(doc) {
  const text = doc.getText();
  const offset = Math.floor(random() * (text.length + 1));
  const r = random();
  if (r < 0.65) {
    const ch = pick(['a', 'e', 'x', '_', ' ', ' ', '(', ')', ':', '.', '\n', '1', '"']);
    const at = doc.positionAt(offset);
    return { range: { start: at, end: at }, text: ch };
  }
  if (r < 0.9) {
    const end = Math.min(text.length, offset + 1 + Math.floor(random() * 3));
    return { range: { start: doc.positionAt(offset), end: doc.positionAt(end) }, text: '' };
  }
  // Paste a line at the start of a line.
  const line = doc.positionAt(offset).line;
  const snippet = pick([
    '_storm_cache = {}\n',
    'def _storm(k, v):\n    _storm_cache[k] = v\n',
    'import sqlite3\n',
    '    conn = sqlite3.connect(path)\n',
    'x = [i for i in range(10)]\n',
    '    f = open(name)\n',
  ]);
  const at = { line, character: 0 };
  return { range: { start: at, end: at }, text: snippet };
}

let finished = false;

async function main() {
  const files = stdlibFiles(DOCS + EXTRA);
  const totalKB = files.reduce((n, f) => n + f.size, 0) / 1024;
  console.log(
    `Language server under an edit storm: ${DOCS} open documents (+${EXTRA} opened and ${EXTRA} closed during the storm), ` +
      `${files.length} real stdlib files (${totalKB.toFixed(0)} KB), ${EDITS} edits at full speed, then ${TYPING_EDITS} at one per ${TYPING_GAP_MS} ms`,
  );
  // STORM_NODE_ARGS: extra Node.js options for the server (e.g. --cpu-prof to profile it).
  const nodeArgs = process.env.STORM_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!finished) console.log(`the server exited during the run (${signal ?? `code ${code}`})`);
  });
  // The writer hands each message to the child's stdin and reports it written at once: Node
  // buffers what the pipe cannot take yet and flushes in big writes. (vscode-jsonrpc's writer
  // otherwise waits for each message to reach the pipe before the next, and this client, not the
  // server, would set the pace of the storm.)
  const stdin = new Writable({
    write(chunk, encoding, callback) {
      child.stdin.write(chunk, encoding);
      callback();
    },
  });
  // Arrival times are taken as each message is read off the pipe, before vscode-jsonrpc queues it
  // for this client's event loop (busy sending the storm, it would otherwise add its own delay).
  const arrivals = { diagnostics: new Map(), responses: new Map() };
  const sentAt = new Map(); // request id → time written
  class TimingReader extends StreamMessageReader {
    listen(callback) {
      return super.listen((message) => {
        const now = performance.now();
        if (message.method === 'textDocument/publishDiagnostics') {
          const uri = message.params.uri;
          if (!arrivals.diagnostics.has(uri)) arrivals.diagnostics.set(uri, now);
        } else if (message.id !== undefined && message.method === undefined)
          arrivals.responses.set(message.id, now);
        callback(message);
      });
    }
  }
  class TimingWriter extends StreamMessageWriter {
    write(message) {
      if (message.id !== undefined && message.method !== undefined) sentAt.set(message.id, performance.now());
      return super.write(message);
    }
  }
  const connection = createProtocolConnection(new TimingReader(child.stdout), new TimingWriter(stdin));
  /** uri → the document as the client has it */
  const open = new Map();
  const latest = new Map(); // uri → last published {version, diagnostics}
  const waiters = new Map(); // uri → resolve, until its first diagnostics
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    latest.set(p.uri, p);
    // The first diagnostics after an open, whatever version they are for (the storm may have
    // edited the document before they came).
    const w = waiters.get(p.uri);
    if (w) {
      waiters.delete(p.uri);
      w(arrivals.diagnostics.get(p.uri) ?? performance.now());
    }
  });
  /** The server's own account of its analysis threads (logged at trace level 'messages'). */
  const poolEvents = { started: 0, replaced: 0, stopped: 0, timedOut: 0, last: '' };
  // STORM_LOG=<file>: the server's verbose log (and, with LEAK_LENS_TRACE_POOL=1, every job the
  // pool starts) with the time each line arrived, for finding where latency goes.
  const logLines = process.env.STORM_LOG ? [] : undefined;
  connection.onNotification('window/logMessage', (p) => {
    logLines?.push(`${performance.now().toFixed(1)} ${p.message}`);
    if (p.message.startsWith('started analysis thread')) poolEvents.started++;
    else if (p.message.startsWith('replacing an analysis thread')) poolEvents.replaced++;
    else if (p.message.startsWith('stopping the stale')) poolEvents.stopped++;
    else if (p.message.includes('stopping its thread')) poolEvents.timedOut++;
    else if (p.message.startsWith('analysis threads after')) poolEvents.last = p.message;
  });
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
      textDocument: {
        publishDiagnostics: { versionSupport: true, dataSupport: true },
        codeAction: {
          dataSupport: true,
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } },
        },
      },
    },
    initializationOptions: { scanOnStartup: false },
  });
  await connection.sendNotification('initialized', {});
  if (logLines) await connection.sendNotification('$/setTrace', { value: 'verbose' });
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memory(child.pid).rss);
  }, 200);

  const diagnosed = (uri) => new Promise((resolve) => waiters.set(uri, resolve));
  const uriOf = (f) => `file:///storm/${f.rel}`;

  /** Sends didOpen; resolves with the ms until the file's first diagnostics. */
  const sendOpen = (f) => {
    const uri = uriOf(f);
    arrivals.diagnostics.delete(uri);
    const first = diagnosed(uri);
    const t0 = performance.now();
    logLines?.push(`${t0.toFixed(1)} CLIENT open ${uri}`);
    void connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: f.text },
    });
    return first.then((at) => at - t0);
  };
  const openFile = (f) => {
    const uri = uriOf(f);
    open.set(uri, TextDocument.create(uri, 'python', 1, f.text));
    return sendOpen(f);
  };
  const sendClose = (uri) => {
    latest.delete(uri);
    void connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  };
  const editFile = (uri) => {
    const doc = open.get(uri);
    const change = randomEdit(doc);
    const version = doc.version + 1;
    const next = TextDocument.update(doc, [change], version);
    open.set(uri, next);
    void connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [change],
    });
  };
  /** A quick-fix request for one of the document's diagnostics (the latest published). */
  const codeAction = async (uri) => {
    const doc = open.get(uri);
    const published = latest.get(uri);
    const diagnostic = published?.diagnostics[0];
    const range = diagnostic?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const id = nextRequestId();
    const actions = await connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: doc.uri },
      range,
      context: { diagnostics: diagnostic ? [diagnostic] : [], only: ['quickfix'] },
    });
    return { ms: arrivals.responses.get(id) - sentAt.get(id), actions: actions?.length ?? 0 };
  };
  // vscode-jsonrpc numbers requests 0, 1, 2… in the order they are sent.
  let requestCount = 1; // (initialize was 0)
  const nextRequestId = () => requestCount++;
  /** Documents with diagnostics are the ones a user asks code actions for. */
  const withDiagnostics = () => [...open.keys()].filter((u) => (latest.get(u)?.diagnostics.length ?? 0) > 0);

  progress('initialized');
  // 1. Open the first documents at once.
  const t1 = performance.now();
  const initial = await Promise.all(files.slice(0, DOCS).map(openFile));
  const openAllMs = performance.now() - t1;
  const afterOpen = memory(child.pid);
  progress(`opened ${DOCS}`);

  // 2. The storm at full speed, with opens, closes and code actions mixed in. Every edit is made
  // before the storm starts (the client's own work would otherwise slow the storm and delay the
  // reading of the server's answers, which is when latencies are taken).
  const extra = files.slice(DOCS);
  const openEvery = Math.max(1, Math.floor(EDITS / (EXTRA + 1)));
  const uris = [...open.keys()];
  const initialUris = new Set(uris);
  const steps = [];
  for (let i = 0; i < EDITS; i++) {
    const uri = pick(uris);
    const doc = open.get(uri);
    const change = randomEdit(doc);
    const version = doc.version + 1;
    TextDocument.update(doc, [change], version); // (in place)
    steps.push({ kind: 'edit', params: { textDocument: { uri, version }, contentChanges: [change] } });
    if (i > 0 && i % openEvery === 0 && extra.length > 0) {
      const f = extra.shift();
      const opened = uriOf(f);
      open.set(opened, TextDocument.create(opened, 'python', 1, f.text));
      uris.push(opened);
      steps.push({ kind: 'open', file: f });
      const closable = uris.filter((u) => initialUris.has(u));
      const closed = pick(closable);
      uris.splice(uris.indexOf(closed), 1);
      open.delete(closed);
      steps.push({ kind: 'close', uri: closed });
    }
    if (i > 0 && i % CODE_ACTION_EVERY_FAST === 0) steps.push({ kind: 'action' });
  }
  const duringStorm = [];
  const fastActions = [];
  const pendingActions = [];
  /** The document in front of the user: the storm edits it like the others. */
  let active;
  const t2 = performance.now();
  for (const [i, step] of steps.entries()) {
    if (step.kind === 'edit') void connection.sendNotification('textDocument/didChange', step.params);
    else if (step.kind === 'open') duringStorm.push(sendOpen(step.file));
    else if (step.kind === 'close') sendClose(step.uri);
    else {
      if (!active || !open.has(active)) active = pick(withDiagnostics());
      if (active) pendingActions.push(codeAction(active).then((r) => fastActions.push(r.ms)));
    }
    // Let the answers in now and then (the editor's own event loop does the same).
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  const sendMs = performance.now() - t2;
  // How far behind the server is: a request written after the storm, answered once it caught up.
  nextRequestId();
  await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: 'file:///storm/not-open.py' },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [] },
  });
  const caughtUpMs = performance.now() - t2;
  progress('storm sent');
  const opensDuring = await Promise.all(duringStorm);
  await Promise.all(pendingActions);

  progress('storm answered');
  // 3. Until every open document's latest version has its diagnostics.
  const t3 = performance.now();
  for (;;) {
    const behind = [...open].filter(([uri, doc]) => latest.get(uri)?.version !== doc.version);
    if (behind.length === 0 || performance.now() - t3 > 120_000) break;
    await sleep(50);
  }
  const settleMs = performance.now() - t3;
  await sleep(2000);
  const afterStorm = memory(child.pid);

  progress('settled');
  // The server's account of its threads, logged at trace level 'messages' (off during the storm:
  // tracing adds a message per message).
  if (!logLines) await connection.sendNotification('$/setTrace', { value: 'messages' });
  // 4. Typing pace, with code actions.
  const typingActions = [];
  let actionsWithFixes = 0;
  for (let i = 0; i < TYPING_EDITS; i++) {
    // The storm's pattern at a typing pace: any open document, at random.
    const edited = pick([...open.keys()]);
    editFile(edited);
    if (i % CODE_ACTION_EVERY_TYPING === 0) {
      const candidates = withDiagnostics();
      if (candidates.length > 0) {
        // Half the time in the document just edited (its analysis is then still to come).
        const target = candidates.includes(edited) && random() < 0.5 ? edited : pick(candidates);
        const r = await codeAction(target);
        typingActions.push(r.ms);
        if (r.actions > 0) actionsWithFixes++;
      }
    }
    await sleep(TYPING_GAP_MS);
  }
  await sleep(2000);
  const end = memory(child.pid);
  clearInterval(sampler);

  console.log(
    `\n${open.size} documents open at the end; the storm was queued in ${(sendMs / 1000).toFixed(1)} s, the server had read it all ${(caughtUpMs / 1000).toFixed(1)} s after its start, and every document had its diagnostics ${(settleMs / 1000).toFixed(1)} s later`,
  );
  console.log(describe(`open → first diagnostics (${DOCS} at once)`, initial));
  console.log(`  (all ${DOCS} diagnosed ${(openAllMs / 1000).toFixed(1)} s after the first open)`);
  console.log(describe('open → first diagnostics (during the storm)', opensDuring, 1000));
  console.log(describe('code action (storm at full speed)', fastActions));
  console.log(describe(`code action (typing, ${TYPING_GAP_MS} ms between edits)`, typingActions, 100));
  console.log(`  (${actionsWithFixes} of ${typingActions.length} typing-pace requests returned actions)`);
  const mib = (x) => `${x.toFixed(0)} MiB`;
  console.log(
    `  server RSS: after opening ${mib(afterOpen.rss)}, after the storm ${mib(afterStorm.rss)}, at the end ${mib(end.rss)}; peak ${mib(Math.max(peakRss, end.peak))}`,
  );
  console.log(
    `  target: RSS < 400 MiB with ${open.size} open documents after the storm: ${afterStorm.rss < 400 ? 'met' : 'NOT met'} (${mib(afterStorm.rss)})`,
  );
  finished = true;
  console.log(
    `  analysis threads: ${poolEvents.started} started, ${poolEvents.replaced} replaced (heap grown), ${poolEvents.stopped} stale runs stopped, ${poolEvents.timedOut} past the budget`,
  );
  if (poolEvents.last) console.log(`  last thread report: ${poolEvents.last}`);
  if (logLines) writeFileSync(process.env.STORM_LOG, `${logLines.join('\n')}\n`);
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
}

await main();
