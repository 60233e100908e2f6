// Applying a run of content changes in one pass must give exactly what applying them one by one
// gives (each to the text the previous left, its lines as LSP counts them): any difference would
// shift every later edit of the document. The reference is a fresh TextDocument per change:
// TextDocument.update keeps its line index incrementally and loses track of it after some edits
// around a lone `\r` (then it places later changes wrongly).
import * as assert from 'node:assert/strict';
import type { Position, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyContentChanges } from '../../server/src/lsp/line-edits';

/** A small deterministic PRNG so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Line breaks of every kind, lone `\r` and `\n` that can join into `\r\n`, astral characters.
const PIECES = ['x', ' ', '\n', '\r\n', '\r', 'é', '🎉', 'def f():\n    ', '', '', 'ab\r\ncd', '\n\r'];

/** A position, sometimes past the end of its line or of the document, or negative. */
function randomPosition(doc: TextDocument, rnd: () => number): Position {
  const r = rnd();
  if (r < 0.05) return { line: doc.lineCount + Math.floor(rnd() * 3), character: Math.floor(rnd() * 5) };
  if (r < 0.08) return { line: -1, character: 2 };
  if (r < 0.15) return { line: Math.floor(rnd() * doc.lineCount), character: 50 + Math.floor(rnd() * 5) };
  if (r < 0.18) return { line: Math.floor(rnd() * doc.lineCount), character: -3 };
  return doc.positionAt(Math.floor(rnd() * (doc.getText().length + 1)));
}

describe('applyContentChanges: many changes in one pass', () => {
  it('gives what applying the changes one by one gives (CR, LF, CRLF, clamped and reversed ranges)', () => {
    const starts = ['', 'a', 'import os\r\n\r\ndef f(a):\n    return "h🎉" + a\r', 'x\ry\r\nz\n\n', '\n'];
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const start = starts[seed % starts.length];
      let reference = TextDocument.create('file:///ref.py', 'python', 1, start);
      const oneByOne = (change: TextDocumentContentChangeEvent) =>
        TextDocument.update(
          TextDocument.create('file:///ref.py', 'python', 1, reference.getText()),
          [change],
          reference.version + 1,
        );
      const changes: TextDocumentContentChangeEvent[] = [];
      const steps = 1 + Math.floor(rnd() * 40);
      for (let step = 0; step < steps; step++) {
        let change: TextDocumentContentChangeEvent;
        if (rnd() < 0.03) change = { text: PIECES[Math.floor(rnd() * PIECES.length)] };
        else {
          const a = randomPosition(reference, rnd);
          const b = rnd() < 0.3 ? a : randomPosition(reference, rnd);
          change = { range: { start: a, end: b }, text: PIECES[Math.floor(rnd() * PIECES.length)] };
        }
        changes.push(change);
        reference = oneByOne(change);
      }
      assert.equal(applyContentChanges(start, changes), reference.getText(), `seed ${seed}`);
    }
  });

  it('takes a paste of many lines', () => {
    const paste = 'x = 1\n'.repeat(30_000);
    const changes = [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: paste },
      { range: { start: { line: 30_001, character: 0 }, end: { line: 30_001, character: 1 } }, text: 'c' },
    ];
    assert.equal(applyContentChanges('a\nb\n', changes), `a\n${paste}c\n`);
  });
});
