// `npm run bench:real -- DIR...`: scans real repositories (checked out beside the project, never
// copied into it) with the built CLI and prints findings per code and repository, the time, and a
// seeded stratified sample of findings (N per code) with 20 lines of context each, for a person to
// read and judge. Verdicts go to bench/real-code/verdicts.json (repository@commit, path, line,
// code, verdict, reason: none of the repositories' code).
//
// Options: --seed N (default 1), --per-code N (default 6), --include-tests, --include-vendored,
// --sample-json FILE (the sample as JSON, for a judging session), --counts-json FILE (counts per
// repository and code), --context N (lines each side, default 10).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { random as prng } from '../scripts/fuzz';

const root = resolve(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

interface Options {
  seed: number;
  perCode: number;
  includeTests: boolean;
  includeVendored: boolean;
  context: number;
  dirs: string[];
  sampleJson?: string;
  countsJson?: string;
}

interface Finding {
  code: string;
  severity: string;
  message: string;
  path: string;
  range: { start: { line: number } };
}

type Located = Finding & { repo: string; commit: string; dir: string };

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    seed: 1,
    perCode: 6,
    includeTests: false,
    includeVendored: false,
    context: 10,
    dirs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seed') opts.seed = Number(value());
    else if (a === '--per-code') opts.perCode = Number(value());
    else if (a === '--include-tests') opts.includeTests = true;
    else if (a === '--include-vendored') opts.includeVendored = true;
    else if (a === '--sample-json') opts.sampleJson = value();
    else if (a === '--counts-json') opts.countsJson = value();
    else if (a === '--context') opts.context = Number(value());
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.dirs.push(resolve(a));
  }
  return opts;
}

function commitOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function repoName(dir: string): string {
  // Checkouts are named owner+name by convention here; show owner/name (and the folder scanned
  // when it is a part of the checkout, e.g. a service's own package beside vendored libraries).
  let top = dir;
  try {
    top = execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  } catch {}
  const name = basename(top).replace('+', '/');
  const sub = relative(top, dir);
  return sub ? `${name}/${sub}` : name;
}

function scan(
  dir: string,
  includeTests: boolean,
  includeVendored: boolean,
): { report: { filesScanned: number; findings: Finding[] }; seconds: number } {
  const args = [cli, 'scan', dir, '--format', 'json'];
  if (includeTests) args.push('--include-tests');
  if (includeVendored) args.push('--include-vendored');
  const started = performance.now();
  const res = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30, cwd: dir });
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 0 && res.status !== 1) throw new Error(`scan of ${dir} failed: ${res.stderr}`);
  const report = JSON.parse(res.stdout);
  return { report, seconds };
}

function context(dir: string, path: string, line: number, n: number): string {
  const text = readFileSync(join(dir, path), 'utf8').split('\n');
  const from = Math.max(0, line - n);
  const to = Math.min(text.length, line + n + 1);
  return text
    .slice(from, to)
    .map((l, i) => `${String(from + i + 1).padStart(5)}${from + i === line ? ' >' : '  '} ${l}`)
    .join('\n');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.dirs.length === 0) {
    console.error(
      'usage: npm run bench:real -- [--seed N] [--per-code N] [--include-tests] [--include-vendored] DIR...',
    );
    process.exit(2);
  }
  if (!existsSync(cli)) {
    console.error('dist/cli.js is missing: run `npm run build` first');
    process.exit(2);
  }
  const all: Located[] = [];
  const counts: Record<
    string,
    { commit: string; files: number; seconds: number; perCode: Record<string, number> }
  > = {};
  let totalSeconds = 0;
  let totalFiles = 0;
  for (const dir of opts.dirs) {
    const name = repoName(dir);
    const commit = commitOf(dir);
    const { report, seconds } = scan(dir, opts.includeTests, opts.includeVendored);
    totalSeconds += seconds;
    totalFiles += report.filesScanned;
    const perCode: Record<string, number> = {};
    for (const f of report.findings) {
      perCode[f.code] = (perCode[f.code] ?? 0) + 1;
      all.push({ repo: name, commit, dir, ...f, path: relative(dir, resolve(dir, f.path)) });
    }
    counts[name] = { commit, files: report.filesScanned, seconds, perCode };
  }
  const codes = [...new Set(all.map((f) => f.code))].sort();
  console.log(
    `Scanned ${opts.dirs.length} repositories, ${totalFiles} files, in ${totalSeconds.toFixed(1)} s`,
  );
  console.log(`Tests ${opts.includeTests ? 'included' : 'excluded (the default)'}\n`);
  const header = [
    'repository'.padEnd(44),
    'files'.padStart(6),
    ...codes.map((c) => c.padStart(8)),
    'total'.padStart(7),
  ];
  console.log(header.join(' '));
  for (const [name, c] of Object.entries(counts)) {
    const row = [
      name.padEnd(44),
      String(c.files).padStart(6),
      ...codes.map((code) => String(c.perCode[code] ?? 0).padStart(8)),
      String(Object.values(c.perCode).reduce((a, b) => a + b, 0)).padStart(7),
    ];
    console.log(row.join(' '));
  }
  const totals = codes.map((code) => all.filter((f) => f.code === code).length);
  console.log(
    [
      'all'.padEnd(44),
      String(totalFiles).padStart(6),
      ...totals.map((n) => String(n).padStart(8)),
      String(all.length).padStart(7),
    ].join(' '),
  );

  // Stratified sample: up to N per code, drawn with the seed, in a stable order.
  const random = prng(opts.seed);
  const sample: Located[] = [];
  for (const code of codes) {
    const pool = all
      .filter((f) => f.code === code)
      .sort((a, b) =>
        `${a.repo}:${a.path}:${a.range.start.line}`.localeCompare(
          `${b.repo}:${b.path}:${b.range.start.line}`,
        ),
      );
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    sample.push(...pool.slice(0, opts.perCode));
  }
  console.log(`\nSample (seed ${opts.seed}, ${opts.perCode} per code): ${sample.length} findings\n`);
  for (const f of sample) {
    const line = f.range.start.line;
    console.log(`--- ${f.code} ${f.severity} ${f.repo}@${f.commit.slice(0, 12)} ${f.path}:${line + 1}`);
    console.log(`    ${f.message}`);
    console.log(context(f.dir, f.path, line, opts.context));
    console.log('');
  }
  if (opts.sampleJson) {
    const out = sample.map((f) => ({
      repository: `${f.repo}@${f.commit}`,
      path: f.path,
      line: f.range.start.line + 1,
      code: f.code,
      severity: f.severity,
      message: f.message,
      checkout: f.dir,
    }));
    writeFileSync(opts.sampleJson, `${JSON.stringify(out, null, 2)}\n`);
  }
  if (opts.countsJson) writeFileSync(opts.countsJson, `${JSON.stringify(counts, null, 2)}\n`);
}

main();
