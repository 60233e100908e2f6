import * as assert from 'node:assert/strict';
import { CodeLines } from '../../server/src/model/code-lines';

/** The code of each line of `source`, read in order by one reader. */
function codeOf(source: string): string[] {
  const lines = new CodeLines();
  return source.split('\n').map((line) => lines.code(line));
}

describe('code lines (the project index reads code, not strings or comments)', () => {
  const cases: { name: string; source: string; code: string[] }[] = [
    { name: 'plain code is kept as it is', source: 'x = f(a[1], {2: 3})', code: ['x = f(a[1], {2: 3})'] },
    { name: 'a comment is dropped', source: 'f(x)  # g(', code: ['f(x)  '] },
    { name: 'string contents are dropped, quotes kept', source: `f("a(", 'b[')`, code: [`f("", '')`] },
    { name: 'a # inside a string is not a comment', source: 'f("#", g(1))', code: ['f("", g(1))'] },
    { name: 'escaped quotes stay inside the string', source: String.raw`f("a\"(", x)`, code: ['f("", x)'] },
    {
      name: 'a triple-quoted string spans lines',
      source: 'def f():\n    """Doc {\n    def g(): h(\n    end."""\n    return k(1)',
      code: ['def f():', '    """"""', '', '"""', '    return k(1)'],
    },
    {
      name: "a ''' string closed on its line, then code",
      source: "x = '''a(''' + f(2)",
      code: ["x = '''''' + f(2)"],
    },
    { name: 'a quote in a comment opens nothing', source: "# don't\nf(1)", code: ['', 'f(1)'] },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(codeOf(c.source), c.code);
    });
});
