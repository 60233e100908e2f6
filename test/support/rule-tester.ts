// A RuleTester in the manner of typescript-eslint: each rule's tests are a table of `valid`
// snippets (no finding) and `invalid` snippets (expected findings and the expected text after
// fixing). Every fixed output is re-parsed, re-checked (the rule must be silent) and compiled by
// the real `python3 -m py_compile`.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { fixToApply } from '../../server/src/fixes/applicability';
import { applyEdits, dedent } from '../../server/src/fixes/edits';
import { ProjectIndex } from '../../server/src/model/project-index';
import { parsePython } from '../../server/src/parser';
import {
  DEFAULT_SETTINGS,
  type EngineSettings,
  type Finding,
  type Fix,
  type Rule,
  type Severity,
} from '../../server/src/types';

export interface ValidCase {
  code: string;
  name?: string;
  settings?: Partial<EngineSettings>;
  /** The file's path, where it matters (`docs/conf.py` runs once). */
  path?: string;
  /**
   * Other files of the project (path → text): the case is analysed with a project index of them
   * and of itself (at `path`, `case.py` by default), as a scan of the whole project does.
   */
  project?: Record<string, string>;
}

export interface ExpectedError {
  /** 1-based line of the range start. */
  line: number;
  /** 1-based column of the range start. */
  column?: number;
  /** Substring or pattern the message must contain. */
  message?: string | RegExp;
  severity?: Severity;
}

export interface InvalidCase {
  code: string;
  name?: string;
  errors: ExpectedError[];
  /**
   * The text after applying the safe fixes repeatedly until none is left (what "Fix All" and
   * `--fix` do). `null` asserts the findings have no automatic fix at all.
   */
  output?: string | null;
  /**
   * The text after applying every fix, unsafe ones included (`--unsafe-fixes`). Without `output`,
   * the findings' fixes are all unsafe: Fix All must leave the code as it is.
   */
  unsafeOutput?: string;
  settings?: Partial<EngineSettings>;
  path?: string;
  /** Other files of the project, as in `ValidCase`. */
  project?: Record<string, string>;
}

export interface RuleTable {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

function settingsOf(partial?: Partial<EngineSettings>): EngineSettings {
  return { ...DEFAULT_SETTINGS, ...partial };
}

export function findingsOf(
  rule: Rule,
  code: string,
  settings?: Partial<EngineSettings>,
  path?: string,
  others?: Record<string, string>,
): Finding[] {
  if (!others) return analyzeSource(code, { rules: [rule], settings: settingsOf(settings), path }).findings;
  const own = path ?? 'case.py';
  const project = new ProjectIndex();
  for (const [other, text] of Object.entries(others)) project.addFile(other, dedent(text));
  project.addFile(own, code);
  project.compact();
  return analyzeSource(code, { rules: [rule], settings: settingsOf(settings), path: own, project }).findings;
}

/**
 * Apply the fix of the first fixable finding, re-analyse, repeat: the safe fixes only (like Fix
 * All), or with `unsafe` the unsafe ones too (like `leak-lens scan --unsafe-fixes`).
 */
export function fixAll(rule: Rule, code: string, settings?: Partial<EngineSettings>, unsafe = false): string {
  let text = code;
  for (let round = 0; round < 20; round++) {
    const fix = findingsOf(rule, text, settings)
      .map((f) => fixToApply(f.fixes, unsafe))
      .find((f) => !!f);
    if (!fix) return text;
    text = applyEdits(text, fix.edits);
  }
  throw new Error('fixes did not converge after 20 rounds');
}

function describeFindings(findings: Finding[]): string {
  return findings
    .map((f) => `  ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.message}`)
    .join('\n');
}

/** Compile each text with the real CPython; returns the error output per failing text. */
export function pyCompileAll(texts: string[]): (string | undefined)[] {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-pycompile-'));
  try {
    const files = texts.map((t, i) => {
      const f = join(dir, `case_${i}.py`);
      writeFileSync(f, t);
      return f;
    });
    const script =
      'import sys, py_compile\nfor f in sys.argv[1:]:\n    try:\n        py_compile.compile(f, doraise=True)\n        print("OK")\n    except py_compile.PyCompileError as e:\n        print("ERR " + repr(str(e)))\n';
    const out = execFileSync('python3', ['-c', script, ...files], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return out.map((l) => (l === 'OK' ? undefined : l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parses(text: string): boolean {
  const tree = parsePython(text);
  const ok = !tree.rootNode.hasError;
  tree.delete();
  return ok;
}

function assertSilent(rule: Rule, fixed: string, settings?: Partial<EngineSettings>): void {
  assert.ok(parses(fixed), `fixed output does not parse:\n${fixed}`);
  const after = findingsOf(rule, fixed, settings);
  assert.equal(after.length, 0, `rule still fires after the fix:\n${describeFindings(after)}`);
}

/**
 * One fix applied on its own to the original: it must parse, remove its finding (one finding
 * fewer), and an unsafe one must say so in its title.
 */
function checkSingleFix(rule: Rule, code: string, c: InvalidCase, index: number, fix: Fix): void {
  const before = findingsOf(rule, code, c.settings, c.path, c.project);
  const fixed = applyEdits(code, fix.edits);
  assert.ok(parses(fixed), `"${fix.title}" on finding ${index + 1} does not parse:\n${fixed}`);
  const after = findingsOf(rule, fixed, c.settings, c.path, c.project);
  assert.ok(
    after.length < before.length,
    `"${fix.title}" leaves finding ${index + 1} in place:\n${describeFindings(after)}`,
  );
  assert.equal(fix.title.endsWith('(unsafe)'), fix.applicability === 'unsafe', `title of "${fix.title}"`);
}

export function ruleTester(rule: Rule, table: RuleTable): void {
  describe(`${rule.code} ${rule.name}`, () => {
    before(async () => {
      await initEngine();
    });

    describe('valid', () => {
      table.valid.forEach((c, i) => {
        const vc = typeof c === 'string' ? { code: c } : c;
        it(vc.name ?? `valid #${i + 1}`, () => {
          const findings = findingsOf(rule, dedent(vc.code), vc.settings, vc.path, vc.project);
          assert.equal(findings.length, 0, `expected no findings, got:\n${describeFindings(findings)}`);
        });
      });
    });

    describe('invalid', () => {
      const compileQueue: { name: string; text: string }[] = [];
      table.invalid.forEach((c, i) => {
        const name = c.name ?? `invalid #${i + 1}`;
        it(name, () => {
          const code = dedent(c.code);
          const findings = findingsOf(rule, code, c.settings, c.path, c.project);
          assert.equal(
            findings.length,
            c.errors.length,
            `expected ${c.errors.length} finding(s), got ${findings.length}:\n${describeFindings(findings)}`,
          );
          c.errors.forEach((e, j) => {
            const f = findings[j];
            assert.equal(f.code, rule.code);
            assert.equal(
              f.range.start.line + 1,
              e.line,
              `finding ${j + 1} line:\n${describeFindings(findings)}`,
            );
            if (e.column !== undefined)
              assert.equal(f.range.start.character + 1, e.column, `finding ${j + 1} column`);
            if (e.message instanceof RegExp) assert.match(f.message, e.message);
            else if (e.message !== undefined)
              assert.ok(f.message.includes(e.message), `message "${f.message}" lacks "${e.message}"`);
            if (e.severity) assert.equal(f.severity, e.severity);
          });
          for (const [j, f] of findings.entries())
            for (const fix of f.fixes) checkSingleFix(rule, code, c, j, fix);
          if (c.unsafeOutput !== undefined) {
            const fixed = fixAll(rule, code, c.settings, true);
            assert.equal(fixed, dedent(c.unsafeOutput), 'output with the unsafe fixes');
            assertSilent(rule, fixed, c.settings);
            compileQueue.push({ name: `${name} (unsafe fixes)`, text: fixed });
            if (c.output === undefined)
              assert.equal(fixAll(rule, code, c.settings), code, 'Fix All applied an unsafe fix');
          }
          if (c.output === null) {
            assert.ok(
              findings.every((f) => f.fixes.length === 0),
              'expected no automatic fix',
            );
          } else if (c.output !== undefined) {
            const fixed = fixAll(rule, code, c.settings);
            const expected = dedent(c.output);
            assert.equal(fixed, expected);
            // Safe fixes only: what they leave is findings whose fixes are all unsafe.
            const after = findingsOf(rule, fixed, c.settings);
            assert.ok(parses(fixed), `fixed output does not parse:\n${fixed}`);
            assert.ok(
              after.every((f) => f.fixes.length > 0 && f.fixes.every((x) => x.applicability === 'unsafe')),
              `rule still fires after the fix:\n${describeFindings(after)}`,
            );
            if (c.unsafeOutput === undefined) assertSilent(rule, fixed, c.settings);
            compileQueue.push({ name, text: fixed });
          }
        });
      });
      it('every fixed output compiles with python3 -m py_compile', function () {
        if (compileQueue.length === 0) this.skip();
        const results = pyCompileAll(compileQueue.map((q) => q.text));
        const failures = results
          .map((r, i) => (r ? `${compileQueue[i].name}: ${r}\n${compileQueue[i].text}` : undefined))
          .filter(Boolean);
        assert.deepEqual(failures, []);
      });
    });
  });
}
