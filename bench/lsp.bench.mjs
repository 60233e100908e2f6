// Language-server latency: starts the BUILT server (dist/server.js) over stdio, opens a 5,000-line
// file and times each edit → publishDiagnostics round trip (debounce set to 0 for the bench;
// the editor default is 150 ms on top of these figures). The server's own parse, analyse and
// pipeline (debounce end → diagnostics sent) times come from its verbose log. Target: diagnostics
// for an open 5,000-line file within 15 ms at p95. LSP_BENCH_EDITS=N changes the number of edits.
// Diagnostics are analysed without fixes (the "Suppress … on this line" ones included); on the
// stress file the bench also times what moved: the first code action after an edit (the fixes of
// that finding's rule computed then), and resolving the fix the user picks (codeAction/resolve).
// Every edit re-analyses the whole file: the rules read all of it (the run-frequency model, the
// searches for a remover, the names defined across the module), and nothing is reused from the
// analysis before. So the figure follows the rules' work on the whole file, which grows with its
// findings: on the stress file most of the round trip is analysis, the rest converting and sending
// its hundreds of diagnostics (printed as "rest of the round trip"). The load average is printed
// with each file: on a shared machine, compare builds in one run (LSP_BENCH_SERVER).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const root = join(import.meta.dirname, '..');
// LSP_BENCH_SERVER=path/to/server.js measures another build (before/after a change).
const server = process.env.LSP_BENCH_SERVER ?? join(root, 'dist', 'server.js');
if (!existsSync(server)) {
  console.log('dist/server.js missing: run `npm run build` (npm run bench does)');
  process.exit(1);
}

const WARMUP = 30;
const EDITS = Number(process.env.LSP_BENCH_EDITS ?? 300);
const LINES = 5000;

function stdlibLines() {
  const stdlib = execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: 'utf8',
  }).trim();
  return readFileSync(join(stdlib, '_pydecimal.py'), 'utf8').split('\n');
}

/** Real code: the first 5,000 lines of the standard library's _pydecimal.py. */
function stdlibFile() {
  return {
    name: '_pydecimal.py (stdlib, first 5,000 lines)',
    text: `${stdlibLines().slice(0, LINES).join('\n')}\n`,
  };
}

/** The same real code with a leak of each kind appended: a typical file with a few findings. */
function stdlibWithLeaks() {
  const leaks = `
import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor

_user_cache = {}
_audit = []


def user(uid):
    _user_cache[uid] = str(uid)
    _audit.append(uid)
    return _user_cache[uid]


class Node:
    def __init__(self, parent):
        self.parent = parent
        parent.children.append(self)


class Listener:
    def __init__(self, bus):
        bus.subscribe("tick", self.on_tick)

    def on_tick(self, event):
        return event


def query(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()


def fan_out(items):
    pool = ThreadPoolExecutor(max_workers=4)
    return list(pool.map(str, items))


async def kick(coro):
    asyncio.create_task(coro)


def read_config(path):
    f = open(path)
    return f.read()
`.split('\n');
  const lines = stdlibLines().slice(0, LINES - leaks.length);
  return {
    name: '_pydecimal.py + one leak of each kind (5,000 lines)',
    text: `${[...lines, ...leaks].join('\n')}\n`,
  };
}

/** A service module full of the patterns the rules look at (caches, tasks, files, clients). */
function serviceFile() {
  const header =
    'import asyncio\nimport functools\nimport sqlite3\nimport threading\nfrom concurrent.futures import ThreadPoolExecutor\n\n';
  const unit = (i) => `
_cache_${i} = {}
_events_${i} = []


class Handler${i}:
    def __init__(self, bus):
        self.bus = bus
        self.children = []
        bus.subscribe("evt${i}", self.on_event)

    def on_event(self, payload):
        _events_${i}.append(payload)
        return len(self.children)

    @functools.lru_cache(maxsize=None)
    def lookup(self, key):
        return key * ${i}


def load_${i}(path, key):
    if key in _cache_${i}:
        return _cache_${i}[key]
    with open(path) as fh:
        data = fh.read()
    _cache_${i}[key] = data
    conn = sqlite3.connect(path)
    rows = conn.execute("select 1").fetchall()
    return data, rows


async def refresh_${i}(items):
    asyncio.create_task(load_async_${i}(items))
    pool = ThreadPoolExecutor(max_workers=2)
    return [item for item in items if item], pool


async def load_async_${i}(items):
    await asyncio.sleep(0)
    return items
`;
  let text = header;
  for (let i = 0; text.split('\n').length < LINES; i++) text += unit(i);
  return {
    name: 'stress: synthetic module with a leak every few lines (5,000 lines)',
    edits: 30,
    codeActions: 10,
    text: `${text.split('\n').slice(0, LINES).join('\n')}\n`,
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function describe(label, values) {
  const f = (x) => x.toFixed(2).padStart(7);
  return `  ${label.padEnd(26)} p50 ${f(percentile(values, 50))} ms   p95 ${f(percentile(values, 95))} ms   max ${f(Math.max(...values))} ms`;
}

async function measure(file) {
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let waiting;
  let lastTiming;
  /** Document version → the server's time from the end of the debounce to diagnostics sent. */
  const pipelines = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (waiting && p.version === waiting.version)
      waiting.resolve({ at: performance.now(), count: p.diagnostics.length, diagnostics: p.diagnostics });
  });
  connection.onNotification('window/logMessage', (p) => {
    const m = /parse ([\d.]+) ms, analyse ([\d.]+) ms/.exec(p.message);
    if (m) lastTiming = { parse: Number(m[1]), analyse: Number(m[2]) };
    const q = /@(\d+): pipeline ([\d.]+) ms/.exec(p.message);
    if (q) pipelines.set(Number(q[1]), Number(q[2]));
  });
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
      textDocument: {
        codeAction: {
          dataSupport: true,
          resolveSupport: { properties: ['edit'] },
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
        },
      },
    },
    initializationOptions: { debounceMs: 0, scanOnStartup: false },
    trace: 'verbose',
  });
  await connection.sendNotification('initialized', {});

  const uri = 'file:///bench/module.py';
  const published = (version) => new Promise((resolve) => (waiting = { version, resolve }));
  let version = 1;
  const opened = published(1);
  const t0 = performance.now();
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version, text: file.text },
  });
  const first = await opened;
  const openMs = first.at - t0;

  const lines = file.text.split('\n');
  const roundTrips = [];
  const parse = [];
  const analyse = [];
  const pipeline = [];
  const edits = file.edits ?? EDITS;
  const warmup = file.edits ? 3 : WARMUP;
  for (let i = 0; i < warmup + edits; i++) {
    // Type a space at the end of a line somewhere in the file: one keystroke, a fresh text each
    // time (nothing is ever restored), the whole file re-analysed as after any edit.
    const line = (i * 997) % (lines.length - 1);
    const col = lines[line].length;
    lines[line] += ' ';
    const range = { start: { line, character: col }, end: { line, character: col } };
    version++;
    const done = published(version);
    lastTiming = undefined;
    const start = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text: ' ' }],
    });
    const { at } = await done;
    if (i >= warmup) {
      roundTrips.push(at - start);
      if (lastTiming) {
        parse.push(lastTiming.parse);
        analyse.push(lastTiming.analyse);
      }
    }
  }
  // After an edit, the lightbulb's request (fixes of one rule computed now) and the resolve of
  // the fix picked; a different rule each time, so nothing is answered from an earlier request.
  const actionMs = [];
  const resolveMs = [];
  for (let i = 0; i < (file.codeActions ?? 0); i++) {
    const line = (i * 313) % (lines.length - 1);
    lines[line] += ' ';
    const col = lines[line].length - 1;
    version++;
    const done = published(version);
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [
        { range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' },
      ],
    });
    const { diagnostics } = await done;
    const codes = [...new Set(diagnostics.map((d) => d.code))];
    const diagnostic = diagnostics.find((d) => d.code === codes[i % codes.length]);
    if (!diagnostic) continue;
    const t1 = performance.now();
    const actions = await connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    actionMs.push(performance.now() - t1);
    const fix = actions.find((a) => a.data);
    if (!fix) continue;
    const t2 = performance.now();
    await connection.sendRequest('codeAction/resolve', fix);
    resolveMs.push(performance.now() - t2);
  }
  // The pipeline line follows each publish: collect them once the last one is in.
  await new Promise((r) => setTimeout(r, 200));
  for (let v = 2 + warmup; v <= version; v++) if (pipelines.has(v)) pipeline.push(pipelines.get(v));
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  return { openMs, findings: first.count, roundTrips, parse, analyse, pipeline, actionMs, resolveMs };
}

console.log(`Leak Lens language server: ${EDITS} edits (after ${WARMUP} warm-up edits), debounce 0`);
// LSP_BENCH_ONLY=stress runs only the files whose name contains that word.
const only = process.env.LSP_BENCH_ONLY;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
for (const file of [stdlibFile(), stdlibWithLeaks(), serviceFile()].filter(
  (f) => !only || f.name.includes(only),
)) {
  const loadBefore = load();
  const r = await measure(file);
  console.log(
    `\n${file.name}: ${r.findings} findings, first diagnostics after open ${r.openMs.toFixed(0)} ms, ${r.roundTrips.length} edits (load average ${loadBefore} before, ${load()} after)`,
  );
  console.log(describe('incremental parse', r.parse));
  console.log(describe('analyse (rules + noqa)', r.analyse));
  console.log(
    describe(
      'parse + analyse',
      r.parse.map((p, i) => p + r.analyse[i]),
    ),
  );
  console.log(describe('server pipeline', r.pipeline));
  console.log(describe('edit → diagnostics (RPC)', r.roundTrips));
  // What the round trip adds to parsing and analysing: the thread hand-over, converting the
  // findings to diagnostics, and sending and reading them.
  if (r.parse.length === r.roundTrips.length && r.parse.length > 0)
    console.log(
      describe(
        'rest of the round trip',
        r.roundTrips.map((t, i) => t - r.parse[i] - r.analyse[i]),
      ),
    );
  if (r.actionMs.length > 0) {
    console.log(describe('code action after an edit', r.actionMs));
    console.log(describe('resolve the picked fix', r.resolveMs));
  }
  const p95 = percentile(r.roundTrips, 95);
  console.log(
    `  target: edit → diagnostics p95 < 15 ms: ${p95 < 15 ? 'met' : 'NOT met'} (${p95.toFixed(2)} ms)`,
  );
}
