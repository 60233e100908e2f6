// The text scanner behind LEAK001/LEAK002's prefilter: where a module- or class-level assignment
// target can stand, found without the parser; and where it gives up (then: anywhere).
import { strict as assert } from 'node:assert';
import { mayHaveContainerDefault } from '../../server/src/model/candidates';
import { mayHoldGrowingContainer } from '../../server/src/model/containers';
import { inRanges, linesOutsideFunctions } from '../../server/src/model/outer-lines';

/** The words of `text` that stand in the ranges (the code outside functions, brackets, strings). */
function outsideWords(text: string): string[] | undefined {
  const ranges = linesOutsideFunctions(text);
  if (!ranges) return undefined;
  return [...text.matchAll(/[A-Za-z_]\w*/g)].filter((m) => inRanges(ranges, m.index)).map((m) => m[0]);
}

describe('outer lines (text scanner for the prefilter)', () => {
  it('keeps module and class bodies, leaves out function bodies, def headers, brackets and strings', () => {
    const text = [
      'import os',
      'CACHE = {}',
      'if os.name:',
      '    LOCAL = []',
      'class A:',
      '    items = []',
      '    def m(self, acc=[]):',
      '        inner = {}',
      '    after = dict(a=1)',
      'def f():',
      '    """',
      'NOT_CODE = 1',
      '    """',
      '    body = []',
      'x = "def y(): z = 1"  # comment = 2',
      '',
    ].join('\n');
    assert.deepEqual(outsideWords(text), [
      'import',
      'os',
      'CACHE',
      'if',
      'os',
      'name',
      'LOCAL',
      'class',
      'A',
      'items',
      'after',
      'dict',
      'x',
    ]);
  });

  it('follows f-strings with replacement fields, and gives up where Python 3.12 nests their quotes', () => {
    // (A string's prefix letters stand in the code: harmless, they are no target.)
    assert.deepEqual(outsideWords(`X = f"{d['k']}" + f'{{'\nY = 1\n`), ['X', 'f', 'f', 'Y']);
    assert.equal(linesOutsideFunctions(`X = f"{d["k"]}"\n`), undefined);
    assert.equal(linesOutsideFunctions(`X = 'unterminated\n`), undefined);
    assert.equal(linesOutsideFunctions('X = (1,\n'), undefined);
  });

  it('counts a tab as eight columns, as tree-sitter does', () => {
    assert.deepEqual(outsideWords('def f():\n\tx = 1\n        y = 2\nz = 3\n'), ['z']);
  });

  it('says a growing container may be there only when one is assigned outside functions', () => {
    assert.equal(mayHoldGrowingContainer('def f():\n    seen = []\n    seen.append(1)\n'), false);
    assert.equal(mayHoldGrowingContainer('seen = []\n\ndef f(x):\n    seen.append(x)\n'), true);
    assert.equal(
      mayHoldGrowingContainer('class A:\n    seen = {}\n    def f(self, k):\n        self.seen[k] = 1\n'),
      true,
    );
    // Where the scanner gives up, anywhere counts.
    assert.equal(mayHoldGrowingContainer('def f():\n    seen = []\n    seen.append(f"{x["k"]}")\n'), true);
  });

  it('says a def may have a container default when one follows `=` in its header, or the header never closes', () => {
    assert.equal(mayHaveContainerDefault('def f(x=1, y="[]", *, z=None):  # =[]\n    a = []\n'), false);
    assert.equal(mayHaveContainerDefault('def f(x: list = [], y=2):\n    pass\n'), true);
    assert.equal(mayHaveContainerDefault('async def f(seen=set()):\n    pass\n'), true);
    assert.equal(mayHaveContainerDefault('def f(x=1,\n'), true);
  });
});
