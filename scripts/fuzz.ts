// `npm run fuzz`: feeds the scanner mutated real Python files (the python3 standard library) and
// pathological shapes (the reproducers of issues 12 and 13: a 20 MB literal, deep nesting, wide
// ERROR nodes, thousands of classes, tree-sitter's slow error recovery…), batch after batch,
// through the same supervised workers `leak-lens scan` uses, and checks that:
// - nothing crashes: every file gets an outcome, no worker dies, no rule throws;
// - no file poisons a later one: a known leaky file (the canary) placed every few files, and
//   last in each batch, is still found;
// - the time per file is bounded: no file takes longer than its budget plus the grace period.
// It prints the files fuzzed and the worst per-file time (and which file), and exits 1 on a failure,
// keeping the failing inputs. Seeded: the same seed and options give the same files.
//
//   npm run fuzz -- [--seed N] [--duration SECONDS] [--batch N] [--scale X] [--timeout SECONDS]
//                   [--workers N] [--corpus DIR] [--keep]
//
// A small fixed-seed slice runs in `npm test` (test/cli/fuzz.test.ts).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { budgetMs, type FileOutcome, type FileTask } from '../server/src/cli/analyze-file';
import { chooseWorkerCount, hardLimitMs, runAnalysis } from '../server/src/cli/run-analysis';
import { DEFAULT_LIMITS } from '../server/src/config';
import { DEFAULT_SETTINGS } from '../server/src/types';

const REPO = join(__dirname, '..');
const WORKER = join(REPO, 'dist', 'scan-worker.js');
const MB = 1024 * 1024;

/** The canary: LEAK002 must be found in it wherever it sits. */
const CANARY = '_items = []\n\n\ndef add(item):\n    _items.append(item)\n';
const CANARY_CODE = 'LEAK002';

export interface FuzzOptions {
  seed: number;
  /** Stop starting batches after this long (the last batch finishes). */
  durationMs: number;
  /** Files per batch (canaries not included). */
  batchSize: number;
  /** Size factor of the pathological shapes (1: the sizes of the issues' reproducers). */
  scale: number;
  /** Per-file budget, as --file-timeout. */
  timeoutMs: number;
  /** Files larger than this are skipped unread, as --max-file-size. */
  maxBytes: number;
  workers?: number;
  /** Python files to mutate; default: the python3 standard library. */
  corpus?: string;
  /** Keep the generated files even when every check passes. */
  keep?: boolean;
  /** Where progress lines go (default: stderr); `() => {}` for none. */
  log?: (line: string) => void;
}

export interface FuzzFailure {
  file: string;
  /** What went wrong: a crash, a missed canary, a file over its time bound, a rule that threw. */
  problem: string;
}

export interface FuzzReport {
  seed: number;
  batches: number;
  /** Files fuzzed (mutations and shapes; canaries not counted). */
  files: number;
  shapes: number;
  canaries: number;
  /** The slowest file, wall-clock milliseconds (read, parse, rules, message); stopped ones included. */
  worstMs: number;
  worstFile: string;
  /** The slowest file whose analysis completed (not stopped by its budget). */
  worstCompletedMs: number;
  worstCompletedFile: string;
  /** The ten slowest files, slowest first. */
  slowest: { file: string; ms: number }[];
  /** Files past their budget (reported "analysis timed out", as the scan does). */
  timeouts: string[];
  /** Files the parser failed on (recovered: the module was replaced). */
  parserFailures: string[];
  /** Files skipped for another reason (too large, undecodable). */
  otherSkips: number;
  failures: FuzzFailure[];
  durationMs: number;
  /** Where the inputs were kept (on failure or with `keep`). */
  kept?: string;
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The python3 standard library, or the Python files of this repository without python3. */
export function defaultCorpus(): string {
  try {
    const stdlib = execFileSync(
      'python3',
      ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    if (stdlib && existsSync(stdlib)) return stdlib;
  } catch {
    // no python3: fall back below
  }
  return join(REPO, 'test', 'fixtures');
}

/** Every `*.py` regular file below `dir` (sorted, so a seed picks the same files), up to 1 MB each. */
export function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      let stats: ReturnType<typeof statSync>;
      try {
        stats = statSync(path);
      } catch {
        continue;
      }
      if (stats.isDirectory() && name !== 'site-packages' && name !== '__pycache__') walk(path);
      else if (stats.isFile() && name.endsWith('.py') && stats.size <= MB) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** A pathological shape: name and text for a size factor. */
export interface Shape {
  name: string;
  make(scale: number): string;
}

const n = (count: number, scale: number) => Math.max(1, Math.round(count * scale));

/** The reproducers of issues 12 and 13, and relatives, at `scale` × their reported size. */
export const SHAPES: Shape[] = [
  // 20 MB of valid Python: past the size limit (skipped unread) at full scale.
  { name: 'big-dict', make: (s) => `_d = {${'1: 2, '.repeat(n(349525, s))}}\n`.repeat(10) },
  { name: 'lambda-class', make: (s) => `# class\nv = ${'lambda: '.repeat(n(20000, s))}0` },
  // tree-sitter's error recovery is slow on this: the budget has to stop it.
  { name: 'decorator-error', make: (s) => `@${'x, '.repeat(n(40000, s))})` },
  {
    name: 'wide-error',
    make: (s) => {
      const run = 'a if b else '.repeat(n(10000, s));
      return `v = ${run}a if b els\0e ${run}c`;
    },
  },
  {
    name: 'classes',
    make: (s) =>
      Array.from(
        { length: n(4000, s) },
        (_, i) =>
          `class C${i}:\n    items_${i} = []\n\n    def add(self, x):\n        self.items_${i}.append(x)\n        return self.value_${i}\n`,
      ).join('\n'),
  },
  { name: 'deep-parens', make: (s) => `x = ${'('.repeat(n(5000, s))}1${')'.repeat(n(5000, s))}\n` },
  { name: 'deep-brackets', make: (s) => `x = ${'['.repeat(n(100000, s))}${']'.repeat(n(100000, s))}\n` },
  { name: 'unclosed-brackets', make: (s) => `x = ${'[{('.repeat(n(30000, s))}\n` },
  {
    name: 'deep-blocks',
    make: (s) =>
      Array.from({ length: n(500, s) }, (_, i) => `${' '.repeat(i)}if x${i}:\n`).join('') +
      `${' '.repeat(n(500, s))}pass\n`,
  },
  {
    name: 'deep-defs',
    make: (s) =>
      Array.from({ length: n(300, s) }, (_, i) => `${'    '.repeat(i)}def f${i}(self):\n`).join('') +
      `${'    '.repeat(n(300, s))}cache = {}\n`,
  },
  { name: 'long-sum', make: (s) => `x = ${'a + '.repeat(n(100000, s))}a\n` },
  { name: 'long-attribute', make: (s) => `x = a${'.b'.repeat(n(50000, s))}\n` },
  { name: 'long-call-chain', make: (s) => `x = f${'()'.repeat(n(50000, s))}\n` },
  { name: 'many-decorators', make: (s) => `${'@d\n'.repeat(n(20000, s))}def f(): pass\n` },
  {
    name: 'nested-lambdas',
    make: (s) => `f = ${'lambda x: ('.repeat(n(3000, s))}x${')'.repeat(n(3000, s))}\n`,
  },
  { name: 'unterminated-string', make: (s) => `x = """${'abc\n'.repeat(n(100000, s))}` },
  { name: 'nul-bytes', make: (s) => 'x = 1\0\n'.repeat(n(50000, s)) },
  { name: 'lone-cr', make: (s) => 'x = []\rdef f(a):\r    x.append(a)\r'.repeat(n(20000, s)) },
  {
    name: 'many-appends',
    make: (s) =>
      `_log = []\n${Array.from({ length: n(20000, s) }, (_, i) => `def f${i}(a):\n    _log.append(a)\n`).join('')}`,
  },
  { name: 'fstring-nesting', make: (s) => `x = ${'f"{'.repeat(n(2000, s))}1${'}"'.repeat(n(2000, s))}\n` },
];

const TOKENS = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '\n',
  '    ',
  '\t',
  'lambda: ',
  'class ',
  'def ',
  'async ',
  'await ',
  '@',
  '"',
  "'",
  '"""',
  '\\',
  '\0',
  'é',
  '𝔘',
  'if ',
  'else ',
  'yield ',
  '#',
  '=',
  '.',
  '*',
  'with ',
  'as ',
  'return ',
  'global ',
  'nonlocal ',
  '\r',
  '\ufeff',
  'self.',
  'append(',
  'open(',
];

/** One to four random edits of `text`, some of them large (repeated chunks make wide or deep trees). */
export function mutate(text: string, rand: () => number, other: () => string): string {
  const pick = (k: number) => Math.floor(rand() * k);
  let out = text;
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const len = out.length;
    const a = pick(len + 1);
    const b = Math.min(len, a + pick(Math.min(len, 2000) + 1));
    switch (pick(9)) {
      case 0: // delete a range
        out = out.slice(0, a) + out.slice(b);
        break;
      case 1: // duplicate a range elsewhere
        out = out.slice(0, pick(len + 1)) + out.slice(a, b) + out.slice(pick(len + 1));
        break;
      case 2: // insert tokens
        for (let i = 0, k = 1 + pick(8); i < k; i++) {
          const at = pick(out.length + 1);
          out = out.slice(0, at) + TOKENS[pick(TOKENS.length)] + out.slice(at);
        }
        break;
      case 3: {
        // swap two lines
        const lines = out.split('\n');
        const i = pick(lines.length);
        const j = pick(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        out = lines.join('\n');
        break;
      }
      case 4: // truncate
        out = out.slice(0, a);
        break;
      case 5: {
        // repeat a short chunk many times
        const chunk = out.slice(a, Math.min(len, a + 1 + pick(40)));
        const at = pick(len + 1);
        out = out.slice(0, at) + chunk.repeat(1 + pick(3000)) + out.slice(at);
        break;
      }
      case 6: {
        // nest a line in brackets
        const lines = out.split('\n');
        const i = pick(lines.length);
        const depth = 1 + pick(500);
        const open = ['(', '[', '{'][pick(3)];
        const close = { '(': ')', '[': ']', '{': '}' }[open] as string;
        lines[i] = `${open.repeat(depth)}${lines[i]}${rand() < 0.5 ? close.repeat(depth) : ''}`;
        out = lines.join('\n');
        break;
      }
      case 7: // flip characters
        for (let i = 0, k = 1 + pick(20); i < k && out.length > 0; i++) {
          const at = pick(out.length);
          out = out.slice(0, at) + String.fromCharCode(pick(0x3000)) + out.slice(at + 1);
        }
        break;
      default: {
        // splice with another file
        const o = other();
        out = out.slice(0, a) + o.slice(pick(o.length + 1));
      }
    }
  }
  return out;
}

function parseCli(argv: string[]): FuzzOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      duration: { type: 'string' },
      batch: { type: 'string' },
      scale: { type: 'string' },
      timeout: { type: 'string' },
      'max-file-size': { type: 'string' },
      workers: { type: 'string' },
      corpus: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'npm run fuzz -- [--seed N] [--duration SECONDS=60] [--batch FILES=200] [--scale X=1] [--timeout SECONDS=5]\n' +
        '                [--max-file-size MB=10] [--workers N] [--corpus DIR=python3 stdlib] [--keep]\n' +
        "--timeout and --max-file-size are the scan's --file-timeout (per started MB) and --max-file-size.",
    );
    process.exit(0);
  }
  const num = (v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0) throw new Error(`not a number: ${v}`);
    return x;
  };
  return {
    seed: Math.floor(num(values.seed, Date.now() % 2 ** 31)),
    durationMs: num(values.duration, 60) * 1000,
    batchSize: Math.max(1, Math.floor(num(values.batch, 200))),
    scale: num(values.scale, 1),
    timeoutMs: num(values.timeout, DEFAULT_LIMITS.timeoutMs / 1000) * 1000,
    maxBytes: num(values['max-file-size'], DEFAULT_LIMITS.maxBytes / MB) * MB,
    workers: values.workers === undefined ? undefined : Math.floor(num(values.workers, 1)),
    corpus: values.corpus,
    keep: values.keep ?? false,
  };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  if (!existsSync(WORKER))
    throw new Error(`${relative(process.cwd(), WORKER)} is missing: run \`npm run build\` first`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rand = random(options.seed);
  const pick = (k: number) => Math.floor(rand() * k);
  const corpus = corpusFiles(options.corpus ?? defaultCorpus());
  if (corpus.length === 0) throw new Error('the corpus holds no Python files');
  const readCorpus = () => readFileSync(corpus[pick(corpus.length)], 'latin1');
  const root = mkdtempSync(join(tmpdir(), 'leak-lens-fuzz-'));
  const report: FuzzReport = {
    seed: options.seed,
    batches: 0,
    files: 0,
    shapes: 0,
    canaries: 0,
    worstMs: 0,
    worstFile: '',
    worstCompletedMs: 0,
    worstCompletedFile: '',
    slowest: [],
    timeouts: [],
    parserFailures: [],
    otherSkips: 0,
    failures: [],
    durationMs: 0,
  };
  const started = performance.now();
  const workers = options.workers ?? Math.max(1, chooseWorkerCount(options.batchSize));

  while (report.batches === 0 || performance.now() - started < options.durationMs) {
    const batch = report.batches++;
    const dir = join(root, `batch-${batch}`);
    mkdirSync(dir);
    const tasks: FileTask[] = [];
    const canaries = new Set<string>();
    const add = (name: string, text: string, canary = false) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      tasks.push({
        path,
        rel: relative(root, path),
        settingsId: 0,
        explicit: false,
        maxBytes: options.maxBytes,
        timeoutMs: options.timeoutMs,
      });
      if (canary) canaries.add(path);
    };
    // The first batch holds every shape; later ones one shape in ten files, at a random scale.
    for (let i = 0; i < options.batchSize; i++) {
      const useShape = batch === 0 ? i < SHAPES.length : rand() < 0.1;
      if (useShape) {
        const shape = batch === 0 ? SHAPES[i] : SHAPES[pick(SHAPES.length)];
        const scale = batch === 0 ? options.scale : options.scale * (0.2 + rand());
        add(`${String(i).padStart(4, '0')}-${shape.name}.py`, shape.make(scale));
        report.shapes++;
      } else {
        add(`${String(i).padStart(4, '0')}-mutant.py`, mutate(readCorpus(), rand, readCorpus));
      }
      report.files++;
      // A canary every 25 files: a poisoned worker shows up close to the file that poisoned it.
      if (i % 25 === 24) add(`${String(i).padStart(4, '0')}-zz-canary.py`, CANARY, true);
    }
    add('9999-zz-canary.py', CANARY, true);
    report.canaries += canaries.size;

    const seen = new Set<string>();
    const problem = (file: string, what: string) => report.failures.push({ file, problem: what });
    const check = (outcome: FileOutcome, wallMs: number) => {
      const { path, rel } = outcome.task;
      seen.add(path);
      if (!canaries.has(path)) {
        if (wallMs > report.worstMs) {
          report.worstMs = wallMs;
          report.worstFile = rel;
        }
        if (outcome.error === undefined && wallMs > report.worstCompletedMs) {
          report.worstCompletedMs = wallMs;
          report.worstCompletedFile = rel;
        }
        report.slowest.push({ file: rel, ms: Math.round(wallMs) });
        report.slowest.sort((x, y) => y.ms - x.ms).splice(10);
      }
      // Its budget (per started MB), the grace before the worker is stopped, and 2 s of slack.
      const bound = hardLimitMs(budgetMs(options.timeoutMs, statSync(path).size)) + 2000;
      if (wallMs > bound) problem(rel, `took ${Math.round(wallMs)} ms, over its bound of ${bound} ms`);
      if (canaries.has(path)) {
        if (!outcome.findings.some((f) => f.code === CANARY_CODE))
          problem(
            rel,
            `canary not found (${outcome.error ?? 'no finding'}): an earlier file poisoned the analysis`,
          );
        return;
      }
      for (const e of outcome.ruleErrors) problem(rel, `${e.code} threw: ${e.error.split('\n')[0]}`);
      if (outcome.error === undefined) return;
      if (outcome.error.startsWith('analysis timed out')) report.timeouts.push(rel);
      else if (outcome.error.startsWith('parser failed')) report.parserFailures.push(rel);
      else if (/^analysis failed|^nested too deeply/.test(outcome.error)) problem(rel, outcome.error);
      else report.otherSkips++;
    };
    const run = await runAnalysis(tasks, [DEFAULT_SETTINGS], { workers, script: WORKER, onOutcome: check });
    if (run.outcomes.length !== tasks.length)
      problem(dir, `${tasks.length} files, ${run.outcomes.length} outcomes`);
    for (const t of tasks) if (!seen.has(t.path)) problem(t.rel, 'no outcome');
    log(
      `batch ${batch}: ${report.files} files, worst ${Math.round(report.worstMs)} ms (${report.worstFile}), ` +
        `${report.timeouts.length} timed out, ${report.parserFailures.length} parser failures, ${report.failures.length} failures`,
    );
    if (report.failures.length === 0 && !options.keep) rmSync(dir, { recursive: true, force: true });
  }
  report.durationMs = performance.now() - started;
  if (report.failures.length > 0 || options.keep) report.kept = root;
  else rmSync(root, { recursive: true, force: true });
  return report;
}

export function summary(report: FuzzReport): string {
  const lines = [
    `fuzzed ${report.files} files (${report.shapes} pathological shapes, ${report.files - report.shapes} mutated files) ` +
      `in ${report.batches} batches, ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`,
    `worst per-file time: ${Math.round(report.worstMs)} ms (${report.worstFile}); ` +
      `worst completed: ${Math.round(report.worstCompletedMs)} ms (${report.worstCompletedFile})`,
    `slowest: ${report.slowest.map((x) => `${x.file.replace(/^batch-\d+\//, '')} ${x.ms} ms`).join(', ')}`,
    `canaries found: ${report.canaries - report.failures.filter((f) => f.problem.startsWith('canary')).length}/${report.canaries}`,
    `timed out: ${report.timeouts.length}${report.timeouts.length ? ` (${report.timeouts.slice(0, 8).join(', ')}${report.timeouts.length > 8 ? ', …' : ''})` : ''}`,
    `parser failures (recovered): ${report.parserFailures.length}${report.parserFailures.length ? ` (${report.parserFailures.slice(0, 8).join(', ')})` : ''}`,
    `other skips (too large, undecodable): ${report.otherSkips}`,
    `failures: ${report.failures.length}`,
    ...report.failures.slice(0, 20).map((f) => `  ${f.file}: ${f.problem}`),
  ];
  if (report.kept) lines.push(`inputs kept in ${report.kept}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  process.stderr.write(`fuzzing with seed ${options.seed} for ${options.durationMs / 1000} s\n`);
  const report = await runFuzz(options);
  console.log(summary(report));
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  });
}
