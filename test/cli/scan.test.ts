// `leak-lens scan` end to end: the BUILT CLI (dist/cli.js) run as a child process on a copy of
// test/fixtures/scan-tree. Expectations about findings are filtered to the rules registered, so
// the suite states the full contract once all eight rules exist.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { ruleDocsUrl } from '../../server/src/rules/docs-url';
import { RULES, ruleByCode } from '../../server/src/rules/index';
import { CALLED_AT_IMPORT, JOB_LOGGER_HELPER } from '../support/job-logger';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli.js');
const FIXTURE = join(REPO, 'test', 'fixtures', 'scan-tree');
const SARIF_SCHEMA = join(
  REPO,
  'node_modules',
  '@microsoft',
  'jest-sarif',
  'lib',
  'schemas',
  'sarif-2.1.0-rtm.5.json',
);
const VERSION: string = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;

const registered = new Set<string>(RULES.map((r) => r.code));

/** A module that fills a dict of another module of the project, taken by name (LEAK001 reports the import). */
const FILLS_IMPORTED_DICT = `from pkg.z_cache import _statuses


def remember(job_id, status):
    _statuses[job_id] = status
`;

/** What the fixture tree must produce: one finding per (file, code). */
const EXPECTED: [path: string, code: string][] = [
  ['app/broken_syntax.py', 'LEAK002'],
  ['app/cache.py', 'LEAK001'],
  ['app/conn.py', 'LEAK004'],
  ['app/events.py', 'LEAK002'],
  ['app/files.py', 'LEAK008'],
  ['app/latin1.py', 'LEAK001'],
  ['app/listeners.py', 'LEAK005'],
  ['app/pool.py', 'LEAK006'],
  ['app/tasks.py', 'LEAK007'],
  ['app/tree.py', 'LEAK003'],
  ['legacy/keep/kept.py', 'LEAK002'],
  ['lib/helpers.py', 'LEAK002'],
  ['services/api/handlers.py', 'LEAK001'],
];
/** Files analysed in the tree: everything but skipped/excluded folders and the non-UTF-8 file. */
const FILES_SCANNED = 15;

interface JsonFinding {
  path: string;
  code: string;
  name: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  fixable: boolean;
  fix: {
    applicability: 'safe' | 'unsafe';
    title: string;
    edits: { range: JsonFinding['range']; newText: string }[];
  } | null;
}
interface JsonReport {
  version: number;
  filesScanned: number;
  findings: JsonFinding[];
  skipped: { path: string; reason: string }[];
}

/** The parts of a SARIF log the assertions read. */
interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          helpUri: string;
          defaultConfiguration: { level: string };
        }[];
      };
    };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: { locations: SarifLocation[] }[];
    }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: SarifLocation[];
    }[];
  }[];
}

let tree: string;

function scan(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const res = spawnSync(process.execPath, [CLI, 'scan', ...args], {
    cwd: options.cwd ?? tree,
    encoding: 'utf8',
    env: { ...process.env, LEAK_LENS_SCAN_WORKERS: '0', ...options.env },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function scanJson(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const res = scan(['--format', 'json', ...args], options);
  return { ...res, report: JSON.parse(res.stdout) as JsonReport };
}

const pairs = (report: JsonReport) => report.findings.map((f) => `${f.path} ${f.code}`).sort();
const expectedPairs = (filter: (path: string, code: string) => boolean = () => true) =>
  EXPECTED.filter(([p, c]) => registered.has(c) && filter(p, c))
    .map(([p, c]) => `${p} ${c}`)
    .sort();

function leaky(path: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '_items = []\n\n\ndef add(item):\n    _items.append(item)\n');
}

describe('leak-lens CLI (built)', () => {
  before(function () {
    this.timeout(300_000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    tree = mkdtempSync(join(tmpdir(), 'leak-lens-scan-'));
    cpSync(FIXTURE, tree, { recursive: true });
    // Folders that git would not carry in the fixture (ignored or special) are made here.
    for (const dir of [
      '.git/hooks',
      'app/__pycache__',
      'node_modules/pkg',
      '.venv/lib',
      'dist',
      '.tools/bench',
    ])
      leaky(join(tree, dir, 'leaky.py'));
  });

  after(() => {
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  describe('leak-lens scan: discovery and configuration', () => {
    it('scans the tree, skipping built-in folders, configured excludes and undecodable files', () => {
      const { status, report, stderr } = scanJson([]);
      assert.equal(report.filesScanned, FILES_SCANNED, stderr);
      const skipped =
        /^(generated|legacy\/old\.py|venv|build|site-packages|services\/api\/fixtures|\.git|node_modules|\.venv|\.tools|dist)\b|__pycache__/;
      for (const f of report.findings) assert.doesNotMatch(f.path, skipped);
      assert.deepEqual(pairs(report), expectedPairs());
      assert.equal(status, report.findings.length > 0 ? 1 : 0);
    });

    it("applies each folder's nearest configured pyproject.toml", function () {
      if (!registered.has('LEAK002') || !registered.has('LEAK001')) this.skip();
      const { report } = scanJson([]);
      const find = (path: string, code: string) =>
        report.findings.find((f) => f.path === path && f.code === code);
      // Root project: LEAK002 raised to error, also in lib/ whose pyproject has no [tool.leak-lens].
      assert.equal(find('app/events.py', 'LEAK002')?.severity, 'error');
      assert.equal(find('lib/helpers.py', 'LEAK002')?.severity, 'error');
      // The nested project has its own settings: default severity, LEAK007 ignored.
      assert.equal(
        find('services/api/handlers.py', 'LEAK001')?.severity,
        ruleByCode('LEAK001')?.defaultSeverity,
      );
      assert.equal(find('services/api/handlers.py', 'LEAK007'), undefined);
    });

    it('skips built-in and hidden folders only while walking: a path named explicitly is scanned', function () {
      if (!registered.has('LEAK002')) this.skip();
      for (const path of ['venv/lib/leaky.py', 'build', '.venv/lib/leaky.py', '.tools/bench/leaky.py']) {
        const { status, report } = scanJson([path]);
        assert.equal(status, 1, path);
        assert.deepEqual(
          report.findings.map((f) => f.code),
          ['LEAK002'],
          path,
        );
      }
    });

    it('applies configured excludes even to paths named explicitly', () => {
      const { status, report, stderr } = scanJson([
        'generated/leaky.py',
        'legacy/old.py',
        'services/api/fixtures',
      ]);
      assert.equal(status, 0);
      assert.equal(report.filesScanned, 0);
      assert.match(stderr, /no Python files found/);
    });

    it('reads a PEP 263 coding declaration, and reports and skips an undecodable file found in a tree', () => {
      const { report, stderr } = scanJson(['app']);
      assert.ok(
        !report.findings.some((f) => f.path === 'app/not_utf8.py'),
        'the undecodable file has no findings',
      );
      assert.match(stderr, /app\/not_utf8\.py skipped: not valid UTF-8/);
      if (registered.has('LEAK001')) assert.ok(report.findings.some((f) => f.path === 'app/latin1.py'));

      const mixed = mkdtempSync(join(tmpdir(), 'leak-lens-mixed-'));
      try {
        cpSync(join(tree, 'app', 'clean.py'), join(mixed, 'clean.py'));
        cpSync(join(tree, 'app', 'not_utf8.py'), join(mixed, 'not_utf8.py'));
        const res = scanJson(['.'], { cwd: mixed });
        assert.equal(res.status, 0, 'a skipped file inside a tree does not change the exit code');
        assert.equal(res.report.filesScanned, 1);
        assert.match(res.stderr, /not_utf8\.py skipped/);
      } finally {
        rmSync(mixed, { recursive: true, force: true });
      }
    });

    it('still reports findings in the parts of a file with syntax errors', function () {
      if (!registered.has('LEAK002')) this.skip();
      const { report, stderr } = scanJson(['app/broken_syntax.py']);
      assert.deepEqual(
        report.findings.map((f) => [f.code, f.range.start.line]),
        [['LEAK002', report.findings[0]?.range.start.line]],
      );
      assert.ok(report.findings[0].range.start.line < 6, 'the finding is in the part before the error');
      assert.match(stderr, /app\/broken_syntax\.py has syntax errors/);
    });

    it('honours # noqa and stays silent on the correct idioms', () => {
      const { status, report } = scanJson(['app/suppressed.py', 'app/clean.py']);
      assert.deepEqual(report.findings, []);
      assert.equal(report.filesScanned, 2);
      assert.equal(status, 0);
    });

    it('prints paths relative to the working directory with posix separators', function () {
      if (!registered.has('LEAK002')) this.skip();
      const { report } = scanJson(['../lib'], { cwd: join(tree, 'app') });
      assert.deepEqual(pairs(report), ['../lib/helpers.py LEAK002']);
    });

    it('reports a malformed pyproject.toml once, naming file and line, and scans with defaults', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-badcfg-'));
      try {
        writeFileSync(
          join(dir, 'pyproject.toml'),
          '[tool.leak-lens]\nexclude = "generated"\ncache-maxsize = -1\n',
        );
        mkdirSync(join(dir, 'generated'));
        leaky(join(dir, 'generated', 'a.py'));
        leaky(join(dir, 'generated', 'b.py'));
        const { report, stderr } = scanJson(['.'], { cwd: dir });
        assert.equal(report.filesScanned, 2, 'the invalid exclude is not applied');
        const lines = stderr.split('\n').filter((l) => l.includes('pyproject.toml'));
        assert.equal(lines.length, 2, stderr);
        assert.match(
          lines[0],
          /pyproject\.toml:2: \[tool\.leak-lens\] `exclude` must be an array of glob patterns/,
        );
        assert.match(
          lines[1],
          /pyproject\.toml:3: \[tool\.leak-lens\] `cache-maxsize` must be a positive integer/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('leak-lens scan: flags and exit codes', () => {
    it('exits 0 without findings, 1 with findings, and 0 with --exit-zero', function () {
      assert.equal(scan(['app/clean.py']).status, 0);
      if (registered.size === 0) this.skip();
      const withFindings = scanJson([]);
      assert.equal(withFindings.status, 1);
      const zero = scanJson(['--exit-zero']);
      assert.equal(zero.status, 0);
      assert.deepEqual(zero.report, withFindings.report, '--exit-zero changes only the exit code');
    });

    it('exits 2 on usage errors, with a message and no report', () => {
      for (const args of [
        ['--format', 'xml'],
        ['--select', 'LEAK999'],
        ['--ignore', 'E501'],
        ['--select', ''],
        ['--bogus'],
        ['--config', 'missing.toml'],
        ['--config'],
      ]) {
        const res = scan(args);
        assert.equal(res.status, 2, args.join(' '));
        assert.equal(res.stdout, '', args.join(' '));
        assert.match(res.stderr, /leak-lens scan: /, args.join(' '));
      }
    });

    it('exits 2 when a named path is missing or cannot be decoded, after reporting the rest', () => {
      const missing = scanJson(['app/clean.py', 'no/such/dir']);
      assert.equal(missing.status, 2);
      assert.equal(missing.report.filesScanned, 1);
      assert.match(missing.stderr, /no\/such\/dir: no such file or directory/);
      const undecodable = scanJson(['app/not_utf8.py']);
      assert.equal(undecodable.status, 2);
      assert.equal(undecodable.report.filesScanned, 0);
    });

    it('--select and --ignore take comma-separated codes and prefixes and override the configuration', function () {
      if (registered.size < 2) this.skip();
      const [first, second] = [...registered];
      const only = scanJson(['--select', `${first}`]);
      assert.deepEqual(
        pairs(only.report),
        expectedPairs((_, c) => c === first),
      );
      const both = scanJson(['--select', `${first},${second.toLowerCase()}`]);
      assert.deepEqual(
        pairs(both.report),
        expectedPairs((_, c) => c === first || c === second),
      );
      const ignored = scanJson(['--ignore', `${first}`, '--ignore', second]);
      assert.deepEqual(
        pairs(ignored.report),
        expectedPairs((_, c) => c !== first && c !== second),
      );
      // An explicit --select starts afresh (as Ruff's does): the nested project's `ignore` of
      // LEAK007 no longer applies, while its excludes and the root's severities still do.
      const nestedLeak007 = registered.has('LEAK007') ? ['services/api/handlers.py LEAK007'] : [];
      const prefix = scanJson(['--select', 'LEAK00']);
      assert.deepEqual(pairs(prefix.report), [...expectedPairs(), ...nestedLeak007].sort());
      const selected = scanJson(['--select', 'LEAK007', 'services']);
      assert.deepEqual(pairs(selected.report), nestedLeak007);
    });

    it('--config uses one file for every folder, its globs relative to the working directory', () => {
      const config = join(tree, 'ci-leak-lens.toml');
      writeFileSync(config, '[tool.leak-lens]\nignore = ["LEAK001"]\nexclude = ["app", "legacy"]\n');
      const { report, stderr } = scanJson(['--config', 'ci-leak-lens.toml']);
      assert.equal(stderr, '');
      // app/ and legacy/ are excluded; the tree's own pyproject files are not read, so their
      // excludes (generated, services/api/fixtures), ignores and severities do not apply.
      assert.equal(report.filesScanned, 4);
      const expected = [
        ...expectedPairs((p, c) => p.startsWith('lib/') && c !== 'LEAK001'),
        ...(registered.has('LEAK002')
          ? ['generated/leaky.py LEAK002', 'services/api/fixtures/leaky.py LEAK002']
          : []),
        ...(registered.has('LEAK007') ? ['services/api/handlers.py LEAK007'] : []),
      ].sort();
      assert.deepEqual(pairs(report), expected);
      // The root pyproject raises LEAK002 to error; here the rules' own severities stand.
      for (const f of report.findings) assert.notEqual(f.severity, 'error', `${f.path} ${f.code}`);
    });

    it('builds the project index on the worker threads as in-process: the same findings', function () {
      this.timeout(120_000);
      // More files than one share of the index: the helper's callers are indexed by other shares
      // (and threads) than the helper itself.
      const project = mkdtempSync(join(tmpdir(), 'leak-lens-shares-'));
      try {
        mkdirSync(join(project, 'jobs'));
        writeFileSync(join(project, 'jobs', 'helpers.py'), JOB_LOGGER_HELPER);
        for (let i = 0; i < 150; i++)
          writeFileSync(join(project, 'jobs', `m${String(i).padStart(3, '0')}.py`), CALLED_AT_IMPORT);
        writeFileSync(
          join(project, 'jobs', 'z_tasks.py'),
          '@shared_task\ndef run(job):\n    get_job_logger(job.id).info("start")\n',
        );
        const inProcess = scanJson([], { cwd: project, env: { LEAK_LENS_SCAN_WORKERS: '0' } });
        const workers = scanJson([], { cwd: project, env: { LEAK_LENS_SCAN_WORKERS: '2' } });
        assert.deepEqual(workers.report, inProcess.report);
        if (registered.has('LEAK005'))
          assert.deepEqual(
            pairs(workers.report),
            ['jobs/helpers.py LEAK005'],
            'the task in the last share decides',
          );
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });

    it('does not read again the files no rule can fire in, unless they import a dict of the project', function () {
      this.timeout(120_000);
      // The workers ask the rules' text tests while indexing; a file whose only candidate is a
      // dict of another file taken by name (LEAK001) is known quiet only once every share is in.
      const project = mkdtempSync(join(tmpdir(), 'leak-lens-quiet-'));
      try {
        mkdirSync(join(project, 'pkg'));
        writeFileSync(join(project, 'pkg', 'a_filler.py'), 'from pkg.cache import _other\n');
        for (let i = 0; i < 100; i++)
          writeFileSync(
            join(project, 'pkg', `m${String(i).padStart(3, '0')}.py`),
            `def f${i}(x):\n    return x + ${i}\n`,
          );
        writeFileSync(join(project, 'pkg', 'n_fills.py'), FILLS_IMPORTED_DICT);
        writeFileSync(join(project, 'pkg', 'z_cache.py'), '_statuses = {}\n');
        const quiet = scanJson([], { cwd: project, env: { LEAK_LENS_SCAN_WORKERS: '2' } });
        const full = scanJson([], {
          cwd: project,
          env: { LEAK_LENS_SCAN_WORKERS: '2', LEAK_LENS_PREFILTER: '0' },
        });
        const inProcess = scanJson([], { cwd: project, env: { LEAK_LENS_SCAN_WORKERS: '0' } });
        assert.deepEqual(quiet.report, full.report);
        assert.deepEqual(quiet.report, inProcess.report);
        assert.equal(quiet.report.filesScanned, 103);
        if (registered.has('LEAK001')) assert.deepEqual(pairs(quiet.report), ['pkg/n_fills.py LEAK001']);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });

    it('analyses identically on worker threads and in-process', function () {
      this.timeout(60_000);
      const inProcess = scanJson([], { env: { LEAK_LENS_SCAN_WORKERS: '0' } });
      const workers = scanJson([], { env: { LEAK_LENS_SCAN_WORKERS: '2' } });
      assert.deepEqual(workers.report, inProcess.report);
      assert.equal(workers.status, inProcess.status);
    });
  });

  describe('leak-lens scan: output formats', () => {
    it('JSON has exactly the documented shape, keys in order, sorted findings', () => {
      const { report } = scanJson([]);
      // `skipped` came after the original three keys, which keep their order and meaning.
      assert.deepEqual(Object.keys(report), ['version', 'filesScanned', 'findings', 'skipped']);
      assert.deepEqual(report.skipped, [
        { path: 'app/not_utf8.py', reason: 'not valid UTF-8 (and no other encoding is declared)' },
      ]);
      assert.equal(report.version, 1);
      assert.ok(Number.isInteger(report.filesScanned));
      for (const f of report.findings) {
        // `fix` came after the original keys (issue 9), which keep their order and meaning.
        assert.deepEqual(Object.keys(f), [
          'path',
          'code',
          'name',
          'severity',
          'message',
          'range',
          'fixable',
          'fix',
        ]);
        assert.match(f.path, /^(?!\/)(?!\.\/)[^\\]+\.py$/);
        assert.match(f.code, /^LEAK\d{3}$/);
        assert.equal(f.name, ruleByCode(f.code)?.name);
        assert.ok(['error', 'warning', 'information', 'hint'].includes(f.severity));
        assert.ok(typeof f.message === 'string' && f.message.length > 0);
        assert.deepEqual(Object.keys(f.range), ['start', 'end']);
        for (const p of [f.range.start, f.range.end]) {
          assert.deepEqual(Object.keys(p), ['line', 'character']);
          assert.ok(
            Number.isInteger(p.line) && p.line >= 0 && Number.isInteger(p.character) && p.character >= 0,
          );
        }
        assert.equal(typeof f.fixable, 'boolean');
        // The fix `--fix` (or `--unsafe-fixes`) would apply: there exactly when the finding is fixable.
        assert.equal(f.fix !== null, f.fixable);
        if (f.fix) {
          assert.deepEqual(Object.keys(f.fix), ['applicability', 'title', 'edits']);
          assert.ok(['safe', 'unsafe'].includes(f.fix.applicability));
          assert.equal(f.fix.title.endsWith('(unsafe)'), f.fix.applicability === 'unsafe');
          assert.ok(f.fix.edits.length > 0);
          for (const e of f.fix.edits) {
            assert.deepEqual(Object.keys(e), ['range', 'newText']);
            assert.equal(typeof e.newText, 'string');
          }
        }
      }
      const order = report.findings.map(
        (f) => [f.path, f.range.start.line, f.range.start.character] as const,
      );
      const sorted = [...order].sort((a, b) =>
        a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2],
      );
      assert.deepEqual(order, sorted);
    });

    it('text prints path:line:col: CODE message (1-based) for each JSON finding, then a summary', () => {
      const { report } = scanJson([]);
      const text = scan([]);
      const lines = text.stdout.trimEnd().split('\n');
      const summary = lines.pop();
      assert.deepEqual(
        lines,
        report.findings.map(
          (f) => `${f.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.message}`,
        ),
      );
      const files = new Set(report.findings.map((f) => f.path)).size;
      const scanned = `${FILES_SCANNED} files scanned; 1 file skipped, see the messages on stderr`;
      assert.equal(
        summary,
        report.findings.length === 0
          ? `No leaks found (${scanned}).`
          : `Found ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${scanned}).`,
      );
      assert.equal(scan(['app/clean.py']).stdout, 'No leaks found (1 file scanned).\n');
    });

    it('SARIF validates against the 2.1.0 schema and carries rule metadata and 1-based regions', () => {
      const { report } = scanJson([]);
      const res = scan(['--format', 'sarif']);
      assert.equal(res.status, report.findings.length > 0 ? 1 : 0);
      const sarif = JSON.parse(res.stdout);
      const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
      addFormats(ajv);
      const validate = ajv.compile<SarifLog>(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')));
      assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));

      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.runs.length, 1);
      const run = sarif.runs[0];
      assert.equal(run.tool.driver.name, 'Leak Lens');
      assert.equal(run.tool.driver.version, VERSION);
      const rules = run.tool.driver.rules;
      assert.deepEqual(
        rules.map((r: { id: string }) => r.id),
        RULES.map((r) => r.code),
      );
      for (const [i, rule] of RULES.entries()) {
        const described = rules[i];
        assert.equal(described.name, rule.name);
        assert.equal(described.shortDescription.text, rule.summary);
        assert.ok(described.fullDescription.text.length > 0);
        assert.ok(described.help.text.length > 0);
        assert.match(described.help.markdown, /## What it does[\s\S]*## Example\n\n```python/);
        assert.equal(described.helpUri, ruleDocsUrl(rule.code));
        assert.equal(
          described.defaultConfiguration.level,
          { error: 'error', warning: 'warning', information: 'note', hint: 'note' }[rule.defaultSeverity],
        );
      }

      assert.equal(run.results.length, report.findings.length);
      for (const [i, result] of run.results.entries()) {
        const f = report.findings[i];
        assert.equal(result.ruleId, f.code);
        assert.equal(rules[result.ruleIndex].id, f.code);
        assert.equal(
          result.level,
          { error: 'error', warning: 'warning', information: 'note', hint: 'note' }[f.severity],
        );
        assert.equal(result.message.text, f.message);
        const loc = result.locations[0].physicalLocation;
        assert.equal(loc.artifactLocation.uri, f.path);
        assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
        assert.deepEqual(loc.region, {
          startLine: f.range.start.line + 1,
          startColumn: f.range.start.character + 1,
          endLine: f.range.end.line + 1,
          endColumn: f.range.end.character + 1,
        });
      }
      // The undecodable file is a tool notification, not a result.
      const notes = run.invocations[0].toolExecutionNotifications;
      assert.deepEqual(
        notes.map(
          (n: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
            n.locations[0].physicalLocation.artifactLocation.uri,
        ),
        ['app/not_utf8.py'],
      );
      assert.equal(run.invocations[0].executionSuccessful, true);
    });
  });

  describe('leak-lens scan: test code', () => {
    /** Test code by folder or by name, and look-alikes that are shipped code. */
    const TEST_CODE = [
      'tests/test_api.py',
      'tests/helpers.py',
      'tests/unit/deep/factories.py',
      'test/data.py',
      'pkg/tests/fixtures.py',
      'app/test_cache.py',
      'app/cache_test.py',
      'shop/tests.py',
      'conftest.py',
      'pkg/conftest.py',
      // A test folder by another name: conftest.py beside more test modules than other modules.
      't/integration/conftest.py',
      't/integration/test_tasks.py',
      't/integration/test_worker.py',
      't/integration/tasks.py',
      'svc/conftest.py',
      'svc/test_views.py',
    ];
    const SHIPPED = [
      // A package with fixtures in a conftest.py beside its own modules stays shipped code.
      'svc/views.py',
      'svc/models.py',
      'app/main.py',
      'testing/tools.py',
      'test_utils/helpers.py',
      'pkg/mytests/a.py',
      'app/testament.py',
      'app/attest.py',
    ];
    let root: string;
    let project: string;

    before(function () {
      if (!registered.has('LEAK002')) this.skip();
      // The project itself lives under a folder named `test`: only folders inside it count.
      root = mkdtempSync(join(tmpdir(), 'leak-lens-tests-'));
      project = join(root, 'test', 'proj');
      for (const rel of [...TEST_CODE, ...SHIPPED]) leaky(join(project, rel));
    });
    after(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const paths = (report: JsonReport) => [...new Set(report.findings.map((f) => f.path))].sort();

    it('leaves test code out by default: no findings, not counted, same JSON keys', () => {
      const { status, report, stderr } = scanJson(['.'], { cwd: project });
      assert.deepEqual(paths(report), [...SHIPPED].sort());
      assert.equal(report.filesScanned, SHIPPED.length);
      assert.deepEqual(Object.keys(report), ['version', 'filesScanned', 'findings', 'skipped']);
      assert.deepEqual(report.skipped, [], 'test code left out is not "skipped"');
      assert.equal(stderr, '', 'a test file found in a tree is not worth a note');
      assert.equal(status, 1);
    });

    it('says in the text summary how many test files were not analysed and how to include them', () => {
      const { stdout } = scan(['.'], { cwd: project });
      const summary = stdout.trimEnd().split('\n').pop();
      assert.equal(
        summary,
        `Found ${SHIPPED.length} findings in ${SHIPPED.length} files (${SHIPPED.length} files scanned; ${TEST_CODE.length} test files not analysed, use --include-tests to include them).`,
      );
      const one = scan(['app'], { cwd: project }).stdout.trimEnd().split('\n').pop();
      assert.match(one ?? '', /\(3 files scanned; 2 test files not analysed, use --include-tests/);
    });

    it('--include-tests analyses test code like any other', () => {
      const { report } = scanJson(['--include-tests', '.'], { cwd: project });
      assert.deepEqual(paths(report), [...TEST_CODE, ...SHIPPED].sort());
      assert.equal(report.filesScanned, TEST_CODE.length + SHIPPED.length);
      assert.doesNotMatch(scan(['--include-tests'], { cwd: project }).stdout, /not analysed/);
      assert.match(scan(['--help']).stdout, /--include-tests +Also analyse test code/);
    });

    it('judges paths from the scan root, not from the folders above it', () => {
      // `test/proj` named from above: `test` is outside the scanned tree.
      const fromAbove = scanJson([join('test', 'proj')], { cwd: root });
      assert.equal(fromAbove.report.filesScanned, SHIPPED.length);
      const absolute = scanJson([project], { cwd: tmpdir() });
      assert.equal(absolute.report.filesScanned, SHIPPED.length);
      // A scan of the `tests` folder itself (no pyproject.toml configures it): the folder is the
      // scan root, so only the test file names are left out.
      const sub = scanJson(['tests'], { cwd: project });
      assert.deepEqual(paths(sub.report), ['tests/helpers.py', 'tests/unit/deep/factories.py']);
    });

    it('judges paths from the folder of the pyproject.toml that configures them, when deeper', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-tests-py-'));
      try {
        // A scan of a whole checkout folder whose project sits in a `tests` folder of it.
        leaky(join(dir, 'tests', 'proj', 'app.py'));
        leaky(join(dir, 'tests', 'proj', 'tests', 'helpers.py'));
        writeFileSync(join(dir, 'tests', 'proj', 'pyproject.toml'), '[tool.leak-lens]\nignore = []\n');
        leaky(join(dir, 'tests', 'other.py'));
        const { report } = scanJson(['.'], { cwd: dir });
        assert.deepEqual(paths(report), ['tests/proj/app.py']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reads include-tests from pyproject.toml, validating it like the other keys', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-tests-cfg-'));
      try {
        leaky(join(dir, 'app.py'));
        leaky(join(dir, 'tests', 'test_app.py'));
        writeFileSync(join(dir, 'pyproject.toml'), '[tool.leak-lens]\ninclude-tests = true\n');
        const included = scanJson(['.'], { cwd: dir });
        assert.deepEqual(paths(included.report), ['app.py', 'tests/test_app.py']);
        assert.equal(included.stderr, '');

        writeFileSync(join(dir, 'pyproject.toml'), '[tool.leak-lens]\ninclude-tests = "yes"\n');
        const bad = scanJson(['.'], { cwd: dir });
        assert.deepEqual(paths(bad.report), ['app.py'], 'the invalid value keeps the default');
        assert.match(
          bad.stderr,
          /pyproject\.toml:2: \[tool\.leak-lens\] `include-tests` must be true or false, got the string "yes"; using the default/,
        );
        // --include-tests wins over the file's false.
        writeFileSync(join(dir, 'pyproject.toml'), '[tool.leak-lens]\ninclude-tests = false\n');
        assert.equal(scanJson(['.'], { cwd: dir }).report.filesScanned, 1);
        assert.equal(scanJson(['--include-tests', '.'], { cwd: dir }).report.filesScanned, 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not analyse a test file named on the command line, with one note on stderr', () => {
      const one = scanJson(['tests/test_api.py'], { cwd: project });
      assert.equal(one.status, 0, 'a note, not an error');
      assert.equal(one.report.filesScanned, 0);
      assert.deepEqual(one.report.findings, []);
      assert.equal(
        one.stderr,
        'leak-lens: note: tests/test_api.py is test code and was not analysed; use --include-tests to analyse it\n',
      );

      const several = scanJson(['app/main.py', 'conftest.py', 'tests/helpers.py'], { cwd: project });
      assert.equal(several.status, 1);
      assert.deepEqual(paths(several.report), ['app/main.py']);
      const notes = several.stderr.trimEnd().split('\n');
      assert.equal(notes.length, 1, several.stderr);
      assert.match(
        notes[0],
        /^leak-lens: note: 2 files named on the command line are test code and were not analysed \(conftest\.py, tests\/helpers\.py\); use --include-tests/,
      );

      const included = scanJson(['--include-tests', 'tests/test_api.py'], { cwd: project });
      assert.equal(included.status, 1);
      assert.deepEqual(paths(included.report), ['tests/test_api.py']);
      assert.equal(included.stderr, '');
    });
  });

  describe('leak-lens scan: vendored code', () => {
    /** Copies of third-party libraries: a folder named vendor, a lib/ of well-known packages. */
    const VENDORED = [
      'vendor/sockjs/router.py',
      'vendor/sockjs/tests/test_router.py',
      'lib/requests/api.py',
      'lib/tornado/web.py',
      'lib/bs4/element.py',
      'lib/six.py',
    ];
    /** The project's own code, some of it in a generic lib/ folder with a module named like a library. */
    const OWN = ['app/main.py', 'src/lib/helpers.py', 'src/lib/redis.py', 'src/lib/search/index.py'];
    let root: string;
    let project: string;

    before(function () {
      if (!registered.has('LEAK002')) this.skip();
      // The project itself lives under a folder named `vendor`: only folders inside it count.
      root = mkdtempSync(join(tmpdir(), 'leak-lens-vendored-'));
      project = join(root, 'vendor', 'proj');
      for (const rel of [...VENDORED, ...OWN, 'tests/test_app.py']) leaky(join(project, rel));
    });
    after(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const paths = (report: JsonReport) => [...new Set(report.findings.map((f) => f.path))].sort();

    it('leaves vendored code out by default: no findings, not counted, same JSON keys', () => {
      const { status, report, stderr } = scanJson(['.'], { cwd: project });
      assert.deepEqual(paths(report), [...OWN].sort());
      assert.equal(report.filesScanned, OWN.length);
      assert.deepEqual(Object.keys(report), ['version', 'filesScanned', 'findings', 'skipped']);
      assert.deepEqual(report.skipped, [], 'vendored code left out is not "skipped"');
      assert.equal(stderr, '');
      assert.equal(status, 1);
    });

    it('says in the text summary how many vendored files were not analysed and how to include them', () => {
      const summary = scan(['.'], { cwd: project }).stdout.trimEnd().split('\n').pop();
      assert.equal(
        summary,
        `Found ${OWN.length} findings in ${OWN.length} files (${OWN.length} files scanned; 1 test file not analysed, use --include-tests to include them; ${VENDORED.length} vendored files not analysed, use --include-vendored to include them).`,
      );
      assert.match(scan(['--help']).stdout, /--include-vendored +Also analyse vendored third-party code/);
    });

    it('--include-vendored analyses vendored code, whose tests stay test code unless --include-tests', () => {
      const { report } = scanJson(['--include-vendored', '.'], { cwd: project });
      const vendoredShipped = VENDORED.filter((p) => !p.includes('/tests/'));
      assert.deepEqual(paths(report), [...vendoredShipped, ...OWN].sort());
      const all = scanJson(['--include-vendored', '--include-tests', '.'], { cwd: project });
      assert.equal(all.report.filesScanned, VENDORED.length + OWN.length + 1);
      assert.doesNotMatch(
        scan(['--include-vendored', '--include-tests'], { cwd: project }).stdout,
        /not analysed/,
      );
    });

    it('reads include-vendored from pyproject.toml; one shipped inside a vendored copy does not count', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-vendored-cfg-'));
      try {
        leaky(join(dir, 'app.py'));
        leaky(join(dir, 'third_party', 'lib', 'core.py'));
        writeFileSync(join(dir, 'third_party', 'lib', 'pyproject.toml'), '[tool.leak-lens]\nignore = []\n');
        assert.deepEqual(paths(scanJson(['.'], { cwd: dir }).report), ['app.py']);
        writeFileSync(join(dir, 'pyproject.toml'), '[tool.leak-lens]\ninclude-vendored = true\n');
        rmSync(join(dir, 'third_party', 'lib', 'pyproject.toml'));
        assert.deepEqual(paths(scanJson(['.'], { cwd: dir }).report), ['app.py', 'third_party/lib/core.py']);
        writeFileSync(join(dir, 'pyproject.toml'), '[tool.leak-lens]\ninclude-vendored = "yes"\n');
        const bad = scanJson(['.'], { cwd: dir });
        assert.deepEqual(paths(bad.report), ['app.py'], 'the invalid value keeps the default');
        assert.match(
          bad.stderr,
          /`include-vendored` must be true or false, got the string "yes"; using the default/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not analyse a vendored file named on the command line, with one note on stderr', () => {
      const one = scanJson(['lib/six.py'], { cwd: project });
      assert.equal(one.report.filesScanned, 0);
      assert.equal(
        one.stderr,
        'leak-lens: note: lib/six.py is vendored third-party code and was not analysed; use --include-vendored to analyse it\n',
      );
      const included = scanJson(['--include-vendored', 'lib/six.py'], { cwd: project });
      assert.deepEqual(paths(included.report), ['lib/six.py']);
      assert.equal(included.stderr, '');
      // A scan of the library folder itself analyses it: it is the scan root.
      assert.equal(scanJson(['.'], { cwd: join(project, 'lib') }).report.filesScanned, 4);
    });
  });

  describe('leak-lens command', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

    it('prints its version and help, and rejects unknown commands with exit code 2', () => {
      assert.equal(run('--version').stdout, `${VERSION}\n`);
      const help = run('--help');
      assert.equal(help.status, 0);
      assert.match(help.stdout, /leak-lens scan/);
      assert.match(help.stdout, /leak-lens detect/);
      assert.match(help.stdout, /leak-lens server --stdio/);
      const scanHelp = run('scan', '--help');
      assert.equal(scanHelp.status, 0);
      assert.match(scanHelp.stdout, /--format text\|json\|sarif/);
      const unknown = run('frobnicate');
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /unknown command "frobnicate"/);
      assert.equal(run().status, 2);
      assert.equal(run('server').status, 2);
    });

    it('dispatches `detect` to the monitor', () => {
      const help = run('detect', '--help');
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /leak-lens detect/);
      assert.equal(run('detect', '--no-such-flag').status, 2);
    });

    it('dispatches `server --stdio` to the language server, which answers initialize', async () => {
      const server = spawn(process.execPath, [CLI, 'server', '--stdio']);
      try {
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { processId: null, rootUri: null, capabilities: {} },
        });
        server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        const reply = await new Promise<string>((resolve, reject) => {
          let out = '';
          server.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8');
            const m = /Content-Length: (\d+)\r\n\r\n/.exec(out);
            if (m && Buffer.byteLength(out.slice(m.index + m[0].length)) >= Number(m[1])) {
              resolve(out.slice(m.index + m[0].length));
            }
          });
          server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
        });
        const message = JSON.parse(reply);
        assert.equal(message.id, 1);
        assert.ok(message.result.capabilities, reply);
      } finally {
        server.kill();
      }
    });
  });
});
