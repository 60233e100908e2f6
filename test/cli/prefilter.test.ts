// The text prefilter (each rule's `mayFire`; the engine does not parse a file in which no enabled
// rule can fire) must never change a result. On a varied set of files (the labeled leaky and
// clean files of bench/labeled, the scan fixtures, the examples, and the standard library's
// asyncio/, email/ and logging/ when a Python is installed) the analysis with the prefilter
// equals the analysis without it, file by file; and each rule that reports something in a file
// said it might (so no rule's test only holds because another rule's test let the file through).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexFiles, indexShare, staysQuiet, textTests } from '../../server/src/cli/project-index';
import { analyzeSource, anyRuleMayFire, initEngine } from '../../server/src/engine';
import { ProjectIndex } from '../../server/src/model/project-index';
import { RULES } from '../../server/src/rules/index';
import { DEFAULT_SETTINGS, type EngineSettings } from '../../server/src/types';

const root = join(__dirname, '..', '..');

function pythonFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.py')) found.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found.sort();
}

function stdlibDirs(): string[] {
  const out = spawnSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: 'utf8',
  });
  const stdlib = out.status === 0 ? out.stdout.trim() : '';
  return stdlib ? ['asyncio', 'email', 'logging'].map((d) => join(stdlib, d)) : [];
}

describe('text prefilter (Rule.mayFire)', () => {
  const settings: EngineSettings = { ...DEFAULT_SETTINGS, includeTests: true };
  const files = [
    ...pythonFiles(join(root, 'bench', 'labeled')),
    ...pythonFiles(join(root, 'test', 'fixtures')),
    ...pythonFiles(join(root, 'examples')),
    ...stdlibDirs().flatMap(pythonFiles),
  ];
  // The project index of the whole set: LEAK001 follows dicts imported from other files.
  const project = indexFiles(files);
  project.compact();

  before(async () => {
    await initEngine();
  });

  it('gives the same findings with and without it, file by file', function () {
    this.timeout(300_000);
    let skipped = 0;
    let withFindings = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const options = { settings, path, project };
      const full = analyzeSource(text, { ...options, prefilter: false });
      const filtered = analyzeSource(text, { ...options, prefilter: true });
      const label = path.slice(root.length + 1);
      assert.deepEqual(
        JSON.parse(JSON.stringify(filtered.findings)),
        JSON.parse(JSON.stringify(full.findings)),
        label,
      );
      assert.deepEqual(filtered.ruleErrors, full.ruleErrors, label);
      if (!anyRuleMayFire(text, settings, options)) skipped++;
      if (full.findings.length > 0) withFindings++;
      // Rule by rule: a rule that reports here said it might.
      for (const code of new Set(full.findings.map((f) => f.code))) {
        const rule = RULES.find((r) => r.code === code);
        assert.ok(!rule?.mayFire || rule.mayFire(text, { settings, path, project }), `${code} in ${label}`);
      }
    }
    // Not vacuous: files of both kinds were met.
    assert.ok(files.length >= 150, `${files.length} files`);
    assert.ok(withFindings >= 50, `${withFindings} files with findings`);
    assert.ok(skipped >= 20, `${skipped} files skipped`);
  });

  it('tells while indexing, before the project is known, the files it lets through, and the answers that hold', () => {
    // (What the scan's workers ask of each file they index: see cli/project-index.ts.)
    const dicts = new Set(project.moduleDicts());
    assert.ok(dicts.size > 0, 'the set defines module-level dicts');
    let quiet = 0;
    let known = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const label = path.slice(root.length + 1);
      const tests = textTests(text, settings, path);
      // Every answer given is the one the rule gives with the whole project.
      for (const [code, answer] of Object.entries(tests.gates)) {
        const rule = RULES.find((r) => r.code === code);
        assert.equal(
          !rule?.mayFire || rule.mayFire(text, { settings, path, project }),
          answer,
          `${code} ${label}`,
        );
        known++;
      }
      const mayFire = anyRuleMayFire(text, settings, { path, project });
      if (tests.imports === undefined) {
        // Only a rule's own test lets it through (no import statement here is too long to read).
        assert.ok(anyRuleMayFire(text, settings, { path, project: new ProjectIndex() }), label);
        continue;
      }
      quiet++;
      assert.equal(staysQuiet({ at: 0, lines: 0, bytes: 0, imports: tests.imports }, dicts), !mayFire, label);
    }
    // (A file that imports a dict of the project by name: test/cli/scan.test.ts.)
    assert.ok(quiet >= 20, `${quiet} quiet files`);
    // LEAK001's answer is asked again with the project when its test asked about imports.
    assert.ok(known >= files.length * (RULES.length - 1), `${known} known answers`);
    assert.equal(staysQuiet({ at: 0, lines: 0, bytes: 0, imports: ['x'] }, new Set()), true);
  });

  it('leaves a file whose text test throws indexed, to the analysis that reports it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-lens-gates-'));
    const rule = RULES[0];
    const own = Object.getOwnPropertyDescriptor(rule, 'mayFire');
    try {
      const path = join(dir, 'm.py');
      writeFileSync(path, 'def helper():\n    return 1\n');
      const test = { settings: [settings], settingsIds: [0], maxBytes: [1024 * 1024] };
      assert.equal(indexShare([path], test).quiet.length, 1);
      Object.defineProperty(rule, 'mayFire', {
        configurable: true,
        writable: true,
        value: () => {
          throw new Error('boom');
        },
      });
      const { index, quiet, known } = indexShare([path], test);
      assert.equal(index.size, 1);
      assert.ok(index.defines('helper'));
      assert.deepEqual([quiet, known], [[], []]);
    } finally {
      if (own) Object.defineProperty(rule, 'mayFire', own);
      else delete (rule as { mayFire?: unknown }).mayFire;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off with LEAK_LENS_PREFILTER=0 (the switch this comparison and the benchmark use)', () => {
    const out = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "const e = require('./server/src/engine.ts'); e.initEngine().then(() => { const r = e.analyzeSource('x = (', {}); process.stdout.write(String(r.hasSyntaxErrors)); });",
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, LEAK_LENS_PREFILTER: '0' } },
    );
    // Parsed (so its syntax error is known) although no rule can fire in it.
    assert.equal(out.stdout, 'true', out.stderr);
  });
});
