// LEAK003 on pathological input: each candidate (`lambda`, `self`) must cost about the same
// however deeply it is nested, or a generated file stalls the language server for minutes.
import * as assert from 'node:assert/strict';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { rule } from '../../server/src/rules/leak003-circular-reference';
import { DEFAULT_SETTINGS } from '../../server/src/types';

function timed(text: string): { ms: number; errors: string[] } {
  const start = Date.now();
  const result = analyzeSource(text, { rules: [rule], settings: DEFAULT_SETTINGS });
  return { ms: Date.now() - start, errors: result.ruleErrors.map((e) => e.error) };
}

describe('LEAK003 robustness', function () {
  this.timeout(60_000);
  before(async () => {
    await initEngine();
  });

  const n = 20_000;
  const cases: Record<string, string> = {
    // Quadratic before: every nested lambda looked its parent up from the root.
    'nested lambdas in a file that mentions class': `# class\nv = ${'lambda: '.repeat(n)}0\n`,
    'self inside deeply nested parentheses': `# class\nv = ${'('.repeat(n)}self${')'.repeat(n)}\n`,
    'self inside deeply nested lists in a method': `class A:\n    def f(self):\n        self.x = ${'['.repeat(n)}self${']'.repeat(n)}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name} (${n} levels) stays fast and does not throw`, () => {
      const { ms, errors } = timed(text);
      assert.deepEqual(errors, []);
      // About 0.2 s here; 20 s and more when the work grew with the depth of every candidate.
      assert.ok(ms < 5_000, `took ${ms} ms`);
    });
  }
});
