// The parser survives its own crashes in-process (server/src/parser.ts, through engine.ts): a wasm
// abort is a ParserFailedError for that file only, a fresh module (fresh memory) takes over, and
// parsing stops at a deadline. The abort is real: the parser's heap is capped with
// LEAK_LENS_PARSER_MEMORY_MB for a module made while the test runs, and restored afterwards.
import { strict as assert } from 'node:assert';
import {
  analyzeSource,
  initEngine,
  isParserCrash,
  ParserFailedError,
  ParserRestartingError,
  ParseTimeoutError,
  parserGeneration,
} from '../../server/src/engine';
import { discardParser, parsePython } from '../../server/src/parser';

const LEAKY = '_items = []\n\n\ndef add(item):\n    _items.append(item)\n';
// (`_d[0] = 0` writes to the dict: without a write no rule could fire and the file would not be parsed.)
const ABORTS = `_d = {${'1: 2, '.repeat(30000)}}\n_d[0] = 0\n`.repeat(5);

/** Replaces the parser module by a fresh one made under the current environment. */
async function freshModule(): Promise<void> {
  discardParser(new Error('test: start afresh'));
  await initEngine();
}

describe('parser recovery (in-process)', () => {
  after(async () => {
    delete process.env.LEAK_LENS_PARSER_MEMORY_MB;
    await freshModule(); // uncapped again for the other suites
  });

  it('reports a wasm abort as a parser failure of that file, and parses the next one normally', async function () {
    this.timeout(60_000);
    process.env.LEAK_LENS_PARSER_MEMORY_MB = '48';
    await freshModule();
    const before = parserGeneration();
    for (let round = 0; round < 3; round++) {
      await initEngine();
      assert.throws(
        () => analyzeSource(ABORTS),
        (error: unknown) =>
          error instanceof ParserFailedError &&
          error.message === 'parser failed (Aborted())' &&
          isParserCrash(error),
      );
      // Until the fresh module is ready, a parse says so instead of failing like the last file.
      assert.throws(() => parsePython('x = 1\n'), ParserRestartingError);
      await initEngine();
      assert.deepEqual(
        analyzeSource(LEAKY).findings.map((f) => f.code),
        ['LEAK002'],
        `round ${round}`,
      );
    }
    assert.equal(parserGeneration(), before + 3, 'one fresh module per failure');
  });

  it('treats a wasm trap (memory access out of bounds) as a failure of the module: a fresh one parses the next file', async () => {
    await initEngine();
    const before = parserGeneration();
    // What a corrupted parser heap throws on every later call (issue 12): the module is dropped.
    const trap = new WebAssembly.RuntimeError('memory access out of bounds');
    assert.ok(isParserCrash(trap));
    const failed = discardParser(trap);
    assert.equal(failed.message, 'parser failed (memory access out of bounds)');
    assert.throws(() => parsePython(LEAKY), ParserRestartingError);
    await initEngine();
    assert.equal(parserGeneration(), before + 1);
    assert.deepEqual(
      analyzeSource(LEAKY).findings.map((f) => f.code),
      ['LEAK002'],
    );
  });

  it('stops parsing at a deadline, and the parser is usable right after', async () => {
    await initEngine();
    const started = Date.now();
    assert.throws(
      () => analyzeSource(`open(p)\n@${'x, '.repeat(40000)})`, { timeoutMs: 300 }),
      ParseTimeoutError,
    );
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(
      analyzeSource(LEAKY, { timeoutMs: 5000 }).findings.map((f) => f.code),
      ['LEAK002'],
    );
  });

  it('ignores a previous tree from a discarded module (a full parse instead)', async () => {
    await initEngine();
    const old = parsePython(LEAKY);
    await freshModule();
    const tree = parsePython(LEAKY, old);
    assert.equal(tree.rootNode.text, LEAKY);
    tree.delete();
    old.delete(); // the discarded module was healthy: its trees are still its own
  });
});
