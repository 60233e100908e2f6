// The incremental tree of an open document must equal a fresh parse of the same text after any
// sequence of LSP edits: a wrong InputEdit silently corrupts every later analysis.
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diffEdit, OpenDocument } from '../../server/src/lsp/documents';
import { initParser, parsePython, type Tree } from '../../server/src/parser';

/** Every node with its type, indices and points (toString alone would miss wrong points). */
function dump(tree: Tree): string {
  const out: string[] = [];
  const cursor = tree.walk();
  for (;;) {
    const n = cursor.currentNode;
    out.push(
      `${n.type} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}`,
    );
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return out.join('\n');
      }
    }
  }
}

function freshSexp(text: string): string {
  const tree = parsePython(text);
  try {
    return dump(tree);
  } finally {
    tree.delete();
  }
}

/** A small deterministic PRNG so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  'x',
  ' ',
  '\n',
  '\r\n',
  '(',
  ')',
  ':',
  'def f():\n    ',
  'é',
  '🎉',
  '"s"',
  '# c\n',
  'ü = 1\n',
  '    ',
  '[',
  ']',
];

describe('OpenDocument: incremental re-parsing', () => {
  before(async () => {
    await initParser();
  });

  it('keeps a tree equal to a fresh parse across random edits (UTF-16, CRLF, astral characters)', () => {
    const start = 'import os\r\n\r\ndef fünc(a):\n    return "héllo 🎉" + a\n\nclass C:\n    x = [1, 2]\n';
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = random(seed);
      const doc = new OpenDocument('file:///t.py', 'python', 1, start);
      doc.syntaxTree();
      for (let step = 0; step < 60; step++) {
        const text = doc.text;
        let a = Math.floor(rnd() * (text.length + 1));
        let b = Math.min(text.length, a + Math.floor(rnd() * 6));
        // Keep surrogate pairs whole, as an editor does.
        if (/[\udc00-\udfff]/.test(text[a] ?? '')) a--;
        if (/[\udc00-\udfff]/.test(text[b] ?? '')) b++;
        const insert = rnd() < 0.7 ? PIECES[Math.floor(rnd() * PIECES.length)] : '';
        const td = doc.textDocument;
        doc.applyChanges(
          [{ range: { start: td.positionAt(a), end: td.positionAt(b) }, text: insert }],
          td.version + 1,
        );
        if (step % 3 === 0 || step === 59) {
          assert.equal(dump(doc.syntaxTree()), freshSexp(doc.text), `seed ${seed} step ${step}`);
        }
      }
      doc.dispose();
    }
  });

  it('applies several changes of one notification in order, and full-text changes', () => {
    const doc = new OpenDocument('file:///t.py', 'python', 1, 'a = 1\nb = 2\n');
    doc.syntaxTree();
    doc.applyChanges(
      [
        { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: '10' },
        {
          range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
          text: 'def g():\n    pass\n',
        },
      ],
      2,
    );
    assert.equal(doc.text, 'a = 10\ndef g():\n    pass\nb = 2\n');
    assert.equal(dump(doc.syntaxTree()), freshSexp(doc.text));
    doc.applyChanges([{ text: 'x = (\n' }], 3);
    assert.equal(doc.version, 3);
    assert.equal(dump(doc.syntaxTree()), freshSexp('x = (\n'));
    doc.dispose();
  });

  it('re-parses only when the text changed', () => {
    const doc = new OpenDocument('file:///t.py', 'python', 1, 'a = 1\n');
    const first = doc.syntaxTree();
    assert.equal(doc.syntaxTree(), first);
    assert.equal(doc.lastParseMs, 0);
    doc.dispose();
  });

  it('diffEdit: one edit from the old text to the new re-parses to a fresh parse (the path of the analysis threads)', () => {
    const start = 'import os\r\n\r\ndef fünc(a):\n    return "héllo 🎉" + a\n\nclass C:\n    x = [1, 2]\n';
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = random(seed);
      let text = start;
      let tree = parsePython(text);
      for (let step = 0; step < 40; step++) {
        // Several edits between two analyses, as when edits arrive faster than the analyses.
        let next = text;
        for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
          const a = Math.floor(rnd() * (next.length + 1));
          const b = Math.min(next.length, a + Math.floor(rnd() * 6));
          const insert = rnd() < 0.7 ? PIECES[Math.floor(rnd() * PIECES.length)] : '';
          next = next.slice(0, a) + insert + next.slice(b); // may split a surrogate pair: diffEdit copes
        }
        const edit = diffEdit(text, next);
        if (edit) {
          tree.edit(edit);
          const reparsed = parsePython(next, tree);
          tree.delete();
          tree = reparsed;
        } else assert.equal(next, text);
        text = next;
        assert.equal(dump(tree), freshSexp(text), `seed ${seed} step ${step}`);
      }
      tree.delete();
    }
  });

  it('diffEdit: the changed span between the common prefix and suffix, never inside a surrogate pair', () => {
    assert.equal(diffEdit('same', 'same'), undefined);
    assert.deepEqual(diffEdit('ab\ncd', 'ab\nXcd'), {
      startIndex: 3,
      oldEndIndex: 3,
      newEndIndex: 4,
      startPosition: { row: 1, column: 0 },
      oldEndPosition: { row: 1, column: 0 },
      newEndPosition: { row: 1, column: 1 },
    });
    // 🎉 and 🎊 share their high surrogate: the edit starts before it.
    const edit = diffEdit('x🎉y', 'x🎊y');
    assert.equal(edit?.startIndex, 1);
    assert.equal(edit?.oldEndIndex, 3);
  });

  it('without a tree, queues changes and applies them together when the text is read', () => {
    const start = 'import os\r\n\r\ndef fünc(a):\n    return "héllo 🎉" + a\n';
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = random(seed);
      const lazy = new OpenDocument('file:///lazy.py', 'python', 1, start, { keepsTree: false });
      let reference = TextDocument.create('file:///ref.py', 'python', 1, start);
      for (let step = 0; step < 80; step++) {
        const text = reference.getText();
        const a = Math.floor(rnd() * (text.length + 1));
        const b = Math.min(text.length, a + Math.floor(rnd() * 6));
        const insert = rnd() < 0.7 ? PIECES[Math.floor(rnd() * PIECES.length)] : '';
        const change = {
          range: { start: reference.positionAt(a), end: reference.positionAt(b) },
          text: insert,
        };
        reference = TextDocument.update(reference, [change], reference.version + 1);
        lazy.applyChanges([change], reference.version);
        assert.equal(lazy.version, reference.version);
        // Read now and then: the queued changes are applied in order.
        if (rnd() < 0.2) assert.equal(lazy.text, reference.getText(), `seed ${seed} step ${step}`);
      }
      assert.equal(lazy.text, reference.getText());
      assert.equal(lazy.lineCount, reference.lineCount);
      lazy.applyChanges(
        [
          { text: 'x = 1\n' },
          { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: '2' },
        ],
        999,
      );
      assert.ok(lazy.approximateLength >= 6);
      assert.equal(lazy.text, 'x = 2\n');
      assert.equal(lazy.version, 999);
    }
  });

  it('without a tree kept along, a tree asked for after edits is parsed from the new text (never from the old tree)', () => {
    const doc = new OpenDocument('file:///lazy.py', 'python', 1, 'a = 1\nb = [2]\n', { keepsTree: false });
    doc.syntaxTree(); // (a code action asks for one)
    doc.applyChanges(
      [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 7 } }, text: 'f(x, y)' }],
      2,
    );
    assert.equal(dump(doc.syntaxTree()), freshSexp('a = 1\nb = f(x, y)\n'));
    const rnd = random(7);
    for (let step = 0; step < 40; step++) {
      const td = doc.textDocument;
      const a = Math.floor(rnd() * (td.getText().length + 1));
      const insert = PIECES[Math.floor(rnd() * PIECES.length)];
      doc.applyChanges(
        [{ range: { start: td.positionAt(a), end: td.positionAt(a + 1) }, text: insert }],
        step + 3,
      );
      if (step % 4 === 0) assert.equal(dump(doc.syntaxTree()), freshSexp(doc.text), `step ${step}`);
    }
    doc.dispose();
  });
});
