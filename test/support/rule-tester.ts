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
import { applyEdits, dedent } from '../../server/src/fixes/edits';
import { parsePython } from '../../server/src/parser';
import {
  DEFAULT_SETTINGS,
  type EngineSettings,
  type Finding,
  type Rule,
  type Severity,
} from '../../server/src/types';

export interface ValidCase {
  code: string;
  name?: string;
  settings?: Partial<EngineSettings>;
  /** The file's path, where it matters (`docs/conf.py` runs once). */
  path?: string;
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
   * The text after applying the preferred fix repeatedly until none is left (what "Fix All"
   * does). `null` asserts the findings have no automatic fix.
   */
  output?: string | null;
  settings?: Partial<EngineSettings>;
  path?: string;
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
): Finding[] {
  return analyzeSource(code, { rules: [rule], settings: settingsOf(settings), path }).findings;
}

/** Apply the preferred fix of the first fixable finding, re-analyse, repeat (like Fix All). */
export function fixAll(rule: Rule, code: string, settings?: Partial<EngineSettings>): string {
  let text = code;
  for (let round = 0; round < 20; round++) {
    const fixable = findingsOf(rule, text, settings).find((f) => f.fixes.length > 0);
    if (!fixable) return text;
    const fix = fixable.fixes.find((f) => f.isPreferred) ?? fixable.fixes[0];
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

export function ruleTester(rule: Rule, table: RuleTable): void {
  describe(`${rule.code} ${rule.name}`, () => {
    before(async () => {
      await initEngine();
    });

    describe('valid', () => {
      table.valid.forEach((c, i) => {
        const vc = typeof c === 'string' ? { code: c } : c;
        it(vc.name ?? `valid #${i + 1}`, () => {
          const findings = findingsOf(rule, dedent(vc.code), vc.settings, vc.path);
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
          const findings = findingsOf(rule, code, c.settings, c.path);
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
          if (c.output === null) {
            assert.ok(
              findings.every((f) => f.fixes.length === 0),
              'expected no automatic fix',
            );
          } else if (c.output !== undefined) {
            const fixed = fixAll(rule, code, c.settings);
            const expected = dedent(c.output);
            assert.equal(fixed, expected);
            const tree = parsePython(fixed);
            const hasError = tree.rootNode.hasError;
            tree.delete();
            assert.equal(hasError, false, `fixed output does not parse:\n${fixed}`);
            const after = findingsOf(rule, fixed, c.settings);
            assert.equal(after.length, 0, `rule still fires after the fix:\n${describeFindings(after)}`);
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
