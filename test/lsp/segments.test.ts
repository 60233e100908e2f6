// Notebook cells as one text: positions and fix edits must land in the right cell.
import * as assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/fixes/edits';
import { maskIPython, SegmentedText } from '../../server/src/lsp/segments';

const cells = (...texts: string[]) =>
  texts.map((text, i) => ({ uri: `cell:${i}`, version: i + 1, text, ipython: true }));

describe('SegmentedText (notebook cells)', () => {
  it('joins cells with newlines and maps positions back to each cell', () => {
    const joined = new SegmentedText(cells('import os', 'x = 1\ny = 2\n', 'z = 3'));
    assert.equal(joined.text, 'import os\nx = 1\ny = 2\n\nz = 3');
    assert.deepEqual(joined.locate({ start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }), {
      index: 1,
      uri: 'cell:1',
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } },
    });
    assert.equal(
      joined.locate({ start: { line: 4, character: 0 }, end: { line: 4, character: 1 } })?.uri,
      'cell:2',
    );
    // A range running past its cell is cut at the cell's end.
    assert.deepEqual(
      joined.locate({ start: { line: 1, character: 0 }, end: { line: 4, character: 1 } })?.range,
      {
        start: { line: 0, character: 0 },
        end: { line: 2, character: 0 },
      },
    );
  });

  it('puts an import added after the imports that end a cell into that cell', () => {
    const joined = new SegmentedText(cells('import os', '_cache = {}'));
    // What imports.ts produces: insert "\nfrom … import …" at the end of the last import.
    const edits = joined.mapEdits([
      {
        range: { start: { line: 0, character: 9 }, end: { line: 0, character: 9 } },
        newText: '\nfrom cachetools import TTLCache',
      },
      {
        range: { start: { line: 1, character: 9 }, end: { line: 1, character: 11 } },
        newText: 'TTLCache(maxsize=1, ttl=2)',
      },
    ]);
    assert.ok(edits);
    assert.equal(applyEdits('import os', edits.get(0) ?? []), 'import os\nfrom cachetools import TTLCache');
    assert.equal(applyEdits('_cache = {}', edits.get(1) ?? []), '_cache = TTLCache(maxsize=1, ttl=2)');
  });

  it('moves a whole-line insertion at the start of a cell to the end of the previous cell', () => {
    for (const first of ['# setup', '# setup\n', '']) {
      const joined = new SegmentedText(cells(first, 'x = 1'));
      const start = { line: first.endsWith('\n') ? 2 : 1, character: 0 };
      const edits = joined.mapEdits([{ range: { start, end: start }, newText: 'import weakref\n' }]);
      assert.ok(edits, first);
      assert.equal(edits.has(1), false, `nothing lands in the second cell for ${JSON.stringify(first)}`);
      const fixed = applyEdits(first, edits.get(0) ?? []);
      assert.match(fixed, /import weakref/);
      assert.equal(fixed.split('import weakref').length, 2);
    }
  });

  it('refuses edits that straddle cells or rewrite a masked IPython line', () => {
    const joined = new SegmentedText(cells('a = 1', '%time b = 2\nc = 3'));
    assert.equal(
      joined.mapEdits([
        { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 1 } }, newText: '' },
      ]),
      undefined,
    );
    assert.equal(
      joined.mapEdits([
        { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: '' },
      ]),
      undefined,
    );
    assert.ok(
      joined.mapEdits([
        { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }, newText: 'c = 4' },
      ]),
    );
  });

  it('masks IPython magics without moving any position', () => {
    const source =
      '%matplotlib inline\n!pip install x\nx = 1 % 2\ny = (3\n     % 4)\nif x != 1:\n    %time f()\n?x\n';
    const { text, masked } = maskIPython(source);
    assert.equal(text.length, source.length);
    assert.deepEqual(masked, [0, 1, 6, 7]);
    assert.equal(text.split('\n')[4], '     % 4)', 'a string-format continuation line is Python');
    const bash = maskIPython('%%bash\necho hi\nls');
    assert.equal(bash.text, '#%bash\n#cho hi\n#s');
    const timed = maskIPython('%%time\nx = 1');
    assert.equal(timed.text, '#%time\nx = 1', '%%time cells still hold Python');
  });
});
