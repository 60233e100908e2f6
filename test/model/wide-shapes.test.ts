// Shapes that were quadratic in the semantic model and the models the rules share (issue 13):
// a wide ERROR node (thousands of children), thousands of classes each with its own attributes,
// one class with thousands of methods. Each test asserts what is found, not how fast: the times
// are printed by `npm run bench` (bench/shapes.bench.ts). Before the fixes these took 9 s, 44 s
// and 40 s; a slow machine still finishes each in a few seconds.
import * as assert from 'node:assert/strict';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { identifiersNamed, wordOffsets } from '../../server/src/model/find-names';
import { fieldOf, SemanticModel } from '../../server/src/model/semantic';
import { SourceFile } from '../../server/src/model/source';
import { WordIndex } from '../../server/src/model/word-index';
import { parsePython } from '../../server/src/parser';
import { bigClass, manyClasses, wideErrorLine } from './pathological-shapes';

const LEAK = '_cache = {}\n\n\ndef handler(key, value):\n    _cache[key] = value\n    return value\n\n\n';

describe('wide and many-named shapes', function () {
  this.timeout(60_000);
  before(async () => {
    await initEngine();
  });

  it('a wide ERROR node (10,000 conditional expressions around a NUL) is walked once', () => {
    const text = LEAK + wideErrorLine(10_000);
    const result = analyzeSource(text);
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(
      result.findings.map((f) => `${f.code}:${f.range.start.line}`),
      ['LEAK001:0'],
    );
  });

  it('the model collects a module whose root is one wide ERROR node', () => {
    const text = wideErrorLine(10_000);
    const tree = parsePython(text);
    try {
      const model = new SemanticModel(new SourceFile(text, tree));
      model.moduleScope.ensureCollected();
      assert.equal(tree.rootNode.type, 'ERROR');
      assert.ok(tree.rootNode.namedChildCount > 20_000);
      // Every identifier child resolves to the same module scope.
      const last = tree.rootNode.namedChildren.at(-1);
      assert.ok(last);
      assert.equal(model.scopeOf(last), model.moduleScope);
    } finally {
      tree.delete();
    }
  });

  it('fieldOf finds the field of a child with one cursor walk', () => {
    const text = 'def f(a, b):\n    return a\n';
    const tree = parsePython(text);
    try {
      const fn = tree.rootNode.namedChildren[0];
      assert.ok(fn);
      const body = fn.childForFieldName('body');
      const params = fn.childForFieldName('parameters');
      const name = fn.childForFieldName('name');
      assert.ok(body && params && name);
      assert.equal(fieldOf(fn, body), 'body');
      assert.equal(fieldOf(fn, params), 'parameters');
      assert.equal(fieldOf(fn, name), 'name');
      assert.equal(fieldOf(body, fn), null);
    } finally {
      tree.delete();
    }
  });

  it('4,000 classes with their own attributes: the one leaky class-level dict is found', () => {
    const text = manyClasses(4000);
    const result = analyzeSource(text);
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(
      result.findings.map((f) => f.message.split(' is written')[0]),
      ['class-level dict `Leaky.seen`'],
    );
  });

  it('a class with 2,000 methods: call sites of each method are found from one walk of the class', () => {
    const result = analyzeSource(bigClass(2000));
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(
      result.findings.map((f) => `${f.code}:${f.range.start.line}:${f.message.split(' is written')[0]}`),
      ['LEAK001:0:`_cache`', 'LEAK001:4:class-level dict `Big.registry`'],
    );
  });
});

describe('WordIndex', () => {
  const text = [
    'alpha beta alpha_beta _alpha alpha1 alpha',
    '# alpha in a comment, "alpha" in a string',
    'café = 1; naïve = café + alpha',
    'x𝑥alpha alpha𝑥 αalpha alpha',
  ].join('\n');
  const words = ['alpha', 'beta', 'café', 'naïve', 'alpha_beta', '_alpha', 'missing', 'x', 'α'];

  it('answers as a scan of the text would, before and after it indexes', () => {
    const index = new WordIndex(text);
    const ranges: [number, number][] = [
      [0, text.length],
      [5, 60],
      [text.indexOf('café'), text.indexOf('naïve')],
      [text.length - 12, text.length],
    ];
    // Enough questions to pass from scanning to the index; the answers never change.
    for (let round = 0; round < 8; round++)
      for (const word of words)
        for (const [start, end] of ranges)
          assert.deepEqual(
            index.offsets(word, start, end),
            wordOffsets(text, word, start, end),
            `${word} in [${start}, ${end}) round ${round}`,
          );
    assert.equal(index.indexed, true);
  });

  it('several words at once: the hits of each, in order, before and after it indexes', () => {
    const index = new WordIndex(text);
    const expected = (list: string[], start: number, end: number) =>
      list
        .flatMap((word) => wordOffsets(text, word, start, end).map((at) => ({ at, word })))
        .sort((a, b) => a.at - b.at);
    const scan = (list: string[], start: number, end: number) => () => expected(list, start, end);
    for (let round = 0; round < 30; round++)
      for (const list of [['alpha', 'beta'], ['alpha'], ['café', 'x', 'alpha_beta'], ['alpha', 'alpha beta']])
        assert.deepEqual(
          index.offsetsOfAny(list, 3, text.length - 2, scan(list, 3, text.length - 2)),
          expected(list, 3, text.length - 2),
          `${list.join(',')} round ${round}`,
        );
    assert.equal(index.indexed, true);
  });

  it('identifiersNamed: whole names only, a letter outside ASCII continuing a name', () => {
    // `on` stands in longer ASCII names and next to letters outside ASCII (one name in Python).
    const source = 'bus.on(cb)\non_x = émon + onné + on\nfunction(on, "on")  # on\n';
    const file = new SourceFile(source, parsePython(source));
    for (let round = 0; round < 100; round++) {
      const found = identifiersNamed(file, ['on', 'connect']).map((n) => n.startIndex);
      assert.deepEqual(found, [4, 32, 44], `round ${round}`);
    }
    assert.equal(file.words.indexed, true);
    file.tree.delete();
  });

  it('words with characters that never continue a name are always scanned', () => {
    const index = new WordIndex(text);
    for (let i = 0; i < 100; i++) index.offsets('alpha');
    assert.equal(index.indexed, true);
    assert.deepEqual(index.offsets('alpha beta'), wordOffsets(text, 'alpha beta'));
  });
  it('a parent asked of every child of a wide node answers for all its siblings at once', () => {
    // A module of 20,000 statements: a flat node of many children, where climbing from each
    // candidate to its statement asked wasm for the parent each time.
    const text = `${LEAK}${'_x = {}\n'.repeat(20_000)}`;
    const result = analyzeSource(text);
    assert.deepEqual(result.ruleErrors, []);
    assert.ok(result.findings.some((f) => f.code === 'LEAK001' && f.range.start.line === 0));
  });
});
