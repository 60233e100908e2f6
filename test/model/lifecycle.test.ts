// The resource lifecycle analysis on its own: what happens to the value a factory call creates.
import * as assert from 'node:assert/strict';
import { dedent } from '../../server/src/fixes/edits';
import {
  analyzeLifecycle,
  describeFunction,
  type Lifecycle,
  type ResourceKind,
  releasedOnEveryPath,
} from '../../server/src/model/lifecycle';
import { SemanticModel } from '../../server/src/model/semantic';
import { SourceFile } from '../../server/src/model/source';
import { initParser, type Node, parsePython } from '../../server/src/parser';

/** A file-like resource: `close()` releases it and `with` closes it. */
const FILE: ResourceKind = {
  noun: 'file',
  release: 'close',
  releaseIt: 'close it',
  released: 'closed',
  releaseMethods: new Set(['close']),
  withReleases: true,
  dataMethods: new Set(['read', 'write', 'fetchall']),
};
/** An sqlite3-like connection: its `with` is a transaction and does not close it. */
const SQLITE: ResourceKind = { ...FILE, noun: 'connection', withReleases: false };

interface Analysed {
  result: Lifecycle;
  model: SemanticModel;
}

/** Analyse the first call whose callee text is `factory` (default `make`). */
function analyse(code: string, kind: ResourceKind = FILE, factory = 'make'): Analysed {
  const text = dedent(code);
  const model = new SemanticModel(new SourceFile(text, parsePython(text)));
  const call = model.file.root
    .descendantsOfType('call')
    .find((c): c is Node => !!c && c.childForFieldName('function')?.text === factory);
  assert.ok(call, `no call to ${factory}`);
  return { result: analyzeLifecycle(model, call, kind), model };
}

function state(code: string, kind?: ResourceKind): string {
  const { result } = analyse(code, kind);
  return result.state === 'leaked' ? `leaked:${result.leak.kind}` : result.state;
}

function how(code: string, kind?: ResourceKind): string | undefined {
  const { result } = analyse(code, kind);
  return result.state === 'released' || result.state === 'handed-on' ? result.how : undefined;
}

describe('resource lifecycle', () => {
  before(async () => {
    await initParser();
  });

  describe('released', () => {
    it('by with / async with', () => {
      assert.equal(how('def f():\n    with make() as r:\n        r.read()'), 'with');
      assert.equal(how('async def f():\n    async with make() as r:\n        await r.read()'), 'with');
    });

    it('through contextlib.closing, ExitStack.enter_context and AsyncExitStack.enter_async_context', () => {
      const code = (expr: string) => `import contextlib\ndef f(stack):\n    x = ${expr}\n    return 1`;
      assert.equal(state(code('contextlib.closing(make())')), 'released');
      assert.equal(state(code('stack.enter_context(make())')), 'released');
      assert.equal(state(code('stack.enter_async_context(make())')), 'released');
      assert.equal(
        how(`
          import contextlib
          def f():
              r = make()
              with contextlib.closing(r):
                  r.read()
        `),
        'context manager',
      );
    });

    it('by a release call in finally, also through an alias', () => {
      assert.equal(
        how(`
          def f():
              r = make()
              try:
                  r.read()
              finally:
                  r.close()
        `),
        'finally',
      );
      assert.equal(
        how(`
          def f():
              r = make()
              g = r
              try:
                  g.read()
              finally:
                  g.close()
        `),
        'finally',
      );
    });

    it('in an except handler plus on the normal path', () => {
      assert.equal(
        how(`
          def f():
              r = make()
              try:
                  r.read()
              except BaseException:
                  r.close()
                  raise
              r.close()
        `),
        'every path',
      );
    });

    it('straight-line close with nothing that can raise in between (documented choice)', () => {
      assert.equal(how('def f():\n    r = make()\n    ok = True\n    r.close()'), 'straight line');
      assert.equal(how('def f():\n    r = make()\n    name = r.name\n    r.close()'), 'straight line');
      assert.equal(
        how(`
          def f():
              try:
                  r = make()
              except OSError:
                  return
              else:
                  r.close()
        `),
        'straight line',
      );
    });
  });

  describe('handed on', () => {
    const cases: [string, string][] = [
      ['def f():\n    return make()', 'returned'],
      ['def f():\n    r = make()\n    return r', 'returned'],
      ['def f(ps):\n    for p in ps:\n        yield make()', 'yielded'],
      ['def f(xs):\n    r = make()\n    xs.append(r)', 'passed to a call'],
      ['def f(d):\n    d["k"] = make()', 'stored in a container'],
      ['def f():\n    r = make()\n    return [r]', 'stored in a container'],
      ['def f(o):\n    o.res = make()', 'stored on an attribute'],
      ['R = None\ndef f():\n    global R\n    R = make()', 'stored in a global'],
      [
        'def f():\n    r = make()\n    def close():\n        r.close()\n    return close',
        'captured by a nested function',
      ],
      [
        'import atexit\ndef f():\n    r = make()\n    atexit.register(r.close)',
        'release registered as a callback',
      ],
      [
        'import weakref\ndef f(o):\n    r = make()\n    weakref.finalize(o, r.close)',
        'release registered as a callback',
      ],
      ['def f():\n    r = make()\n    del r', 'deleted'],
      ['def f():\n    cur = make().cursor()\n    return cur', 'derived value escapes'],
    ];
    for (const [code, expected] of cases) {
      it(`${expected}: ${code.split('\n').pop()?.trim()}`, () => {
        assert.equal(how(code), expected);
      });
    }

    it('stored on self by a class without a teardown method, or one that releases it', () => {
      const owned = `
        class A:
            def __init__(self):
                self.r = make()
      `;
      assert.equal(state(owned), 'handed-on');
      const released = `
        class A:
            def __init__(self):
                self.r = make()
            def close(self):
                self.r.close()
      `;
      assert.equal(how(released), 'attribute released');
    });
  });

  describe('leaked', () => {
    it('never released', () => {
      const { result } = analyse('def f():\n    r = make()\n    r.read()');
      assert.equal(result.state, 'leaked');
      if (result.state !== 'leaked' || result.leak.kind !== 'never-released') return assert.fail();
      assert.equal(result.leak.named.name, 'r');
      assert.deepEqual(
        result.leak.named.refs.map((r) => r.node.startPosition.row),
        [2],
      );
      assert.equal(describeFunction(result.creation.owner), '`f()`');
    });

    it('released only on the normal path', () => {
      assert.equal(state('def f():\n    r = make()\n    r.read()\n    r.close()'), 'leaked:normal-path-only');
      assert.equal(
        state('def f(c):\n    r = make()\n    if c:\n        r.close()'),
        'leaked:normal-path-only',
      );
    });

    it('a `with` that does not release (sqlite3) counts for nothing', () => {
      assert.equal(
        state('def f():\n    with make() as c:\n        c.read()', SQLITE),
        'leaked:with-no-release',
      );
      const { result } = analyse('def f():\n    c = make()\n    with c:\n        c.read()', SQLITE);
      if (result.state !== 'leaked' || result.leak.kind !== 'never-released')
        return assert.fail('expected never-released');
      assert.equal(result.leak.named.withoutRelease.length, 1);
      assert.equal(
        state('def f():\n    with make() as c:\n        c.read()\n    c.close()', SQLITE),
        'leaked:normal-path-only',
      );
      // Uses inside the `with` body count too.
      assert.equal(
        state('def f():\n    with make() as c:\n        c.read()\n        c.close()', SQLITE),
        'leaked:normal-path-only',
      );
      assert.equal(
        state(
          'def f():\n    with make() as c:\n        try:\n            c.read()\n        finally:\n            c.close()',
          SQLITE,
        ),
        'released',
      );
    });

    it('chained, consumed inline, iterated, discarded', () => {
      assert.equal(state('def f():\n    return make().read()'), 'leaked:chained');
      assert.equal(state('def f():\n    rows = make().execute(q).fetchall()'), 'leaked:chained');
      assert.equal(state('import json\ndef f():\n    return json.load(make())'), 'leaked:consumed');
      assert.equal(state('def f():\n    for line in make():\n        print(line)'), 'leaked:iterated');
      assert.equal(state('def f():\n    make()'), 'leaked:discarded');
    });

    it('generators: released after yield without finally, or yielded once and never released', () => {
      assert.equal(
        state('def dep():\n    r = make()\n    yield r\n    r.close()'),
        'leaked:released-after-yield',
      );
      assert.equal(state('def dep():\n    r = make()\n    yield r'), 'leaked:yielded-never-released');
      assert.equal(
        state('def dep():\n    r = make()\n    try:\n        yield r\n    finally:\n        r.close()'),
        'released',
      );
    });

    it('stored on self by a class whose teardown forgets it', () => {
      const { result } = analyse(`
        class Worker:
            def start(self):
                self._r = make()
            def stop(self):
                self.running = False
      `);
      if (result.state !== 'leaked' || result.leak.kind !== 'attribute-not-released') return assert.fail();
      assert.equal(result.leak.attribute, '_r');
      assert.equal(result.leak.className, 'Worker');
      assert.equal(result.leak.teardown.childForFieldName('name')?.text, 'stop');
    });
  });

  describe('functions of the same file', () => {
    it('a helper that only uses its parameter does not take the resource', () => {
      assert.equal(
        state('def use(r):\n    r.read()\ndef f():\n    r = make()\n    use(r)'),
        'leaked:never-released',
      );
      assert.equal(
        state(
          'class A:\n    def f(self):\n        r = make()\n        self.use(r)\n    def use(self, r):\n        r.read()',
        ),
        'leaked:never-released',
      );
    });

    it('a helper that releases its parameter releases it (in finally when called there)', () => {
      const helper = 'def shut(r):\n    r.close()\n';
      assert.equal(
        how(`${helper}def f():\n    r = make()\n    try:\n        r.read()\n    finally:\n        shut(r)`),
        'finally',
      );
      assert.equal(
        state(`${helper}def f():\n    r = make()\n    r.read()\n    shut(r)`),
        'leaked:normal-path-only',
      );
    });

    it('a helper that keeps its parameter, or one we cannot see, takes the resource', () => {
      assert.equal(
        state('REG = []\ndef keep(r):\n    REG.append(r)\ndef f():\n    r = make()\n    keep(r)'),
        'handed-on',
      );
      assert.equal(state('def keep(r):\n    return r\ndef f():\n    r = make()\n    keep(r)'), 'handed-on');
      assert.equal(state('import lib\ndef f():\n    r = make()\n    lib.use(r)'), 'handed-on');
      assert.equal(
        state('@register\ndef use(r):\n    r.read()\ndef f():\n    r = make()\n    use(r)'),
        'handed-on',
      );
      assert.equal(state('def use(*rs):\n    pass\ndef f():\n    r = make()\n    use(r)'), 'handed-on');
    });
  });

  describe('scope and flow', () => {
    it('module level and class bodies are out of scope (import-time singletons)', () => {
      assert.equal(state('r = make()'), 'out-of-scope');
      assert.equal(state('class A:\n    r = make()'), 'out-of-scope');
    });

    it('a later store that always runs ends the first value; one in a branch does not', () => {
      const killed = analyse('def f():\n    r = make()\n    r.read()\n    r = other()\n    r.close()');
      if (killed.result.state !== 'leaked' || killed.result.leak.kind !== 'never-released')
        return assert.fail();
      assert.deepEqual(
        killed.result.leak.named.refs.map((r) => r.node.startPosition.row),
        [2],
      );
      assert.equal(
        state('def f(c):\n    r = make()\n    if c:\n        r = other()\n    r.close()'),
        'leaked:normal-path-only',
      );
    });

    it('conditional values are followed but marked conditional', () => {
      const { result } = analyse(
        'import sys\ndef f(p):\n    r = make() if p else sys.stdin\n    return r.read()',
      );
      assert.equal(result.state, 'leaked');
      if (result.state === 'leaked') assert.equal(result.creation.conditional, true);
      assert.equal(
        state('def f(p):\n    with (make() if p else nullcontext()) as r:\n        r.read()'),
        'released',
      );
    });

    it('awaited factories are followed through the await', () => {
      assert.equal(
        state('async def f():\n    r = await make()\n    await r.read()'),
        'leaked:never-released',
      );
      assert.equal(
        state('async def f():\n    async with await make() as r:\n        await r.read()'),
        'released',
      );
    });

    it('creations expected to raise, probes and mocked factories are not leaks', () => {
      assert.equal(
        how(`
          def test(self):
              with self.assertRaises(OSError):
                  make()
        `),
        'expected to raise',
      );
      assert.equal(
        how('def f():\n    try:\n        make()\n    except OSError:\n        return False'),
        'probe',
      );
      assert.equal(
        how('def f():\n    with patch("m.make"):\n        r = make()\n        r.read()'),
        'mocked',
      );
    });
  });

  describe('exact flow', () => {
    const guarded = (condition: string, elseBranch = false) =>
      state(
        elseBranch
          ? `def f():\n    r = make()\n    try:\n        r.read()\n    finally:\n        if ${condition}:\n            pass\n        else:\n            r.close()`
          : `def f():\n    r = make()\n    try:\n        r.read()\n    finally:\n        if ${condition}:\n            r.close()`,
      );

    it('a close that only runs when there is nothing to close does not count', () => {
      for (const c of ['r is None', 'r == None', 'not r', 'r.closed', 'x and r is None', '(r is None)'])
        assert.equal(guarded(c), 'leaked:never-released', c);
      for (const c of ['r', 'r is not None', 'not r.closed'])
        assert.equal(guarded(c, true), 'leaked:never-released', `else of ${c}`);
    });

    it('a close guarded the right way round still counts', () => {
      for (const c of ['r is not None', 'r', 'not r.closed', 'x', 'r is None or x'])
        assert.equal(guarded(c), 'released', c);
      assert.equal(guarded('r is None', true), 'released');
      assert.equal(guarded('r is None or x', true), 'released');
    });

    it('a handler for some exceptions only covers those', () => {
      const body = (handler: string) =>
        `def f():\n    r = make()\n    try:\n        r.read()\n    ${handler}:\n        r.close()\n        raise\n    r.close()`;
      assert.equal(state(body('except ValueError')), 'leaked:normal-path-only');
      assert.equal(state(body('except (KeyError, ValueError)')), 'leaked:normal-path-only');
      for (const h of [
        'except',
        'except Exception',
        'except BaseException as e',
        'except (ValueError, Exception)',
      ])
        assert.equal(state(body(h)), 'released', h);
    });

    it('a try that swallows everything does not skip the close after it', () => {
      const code = (handler: string, extra = '') =>
        `def f():\n    r = make()\n    try:\n        r.read()${extra}\n    ${handler}:\n        pass\n    r.close()`;
      assert.equal(how(code('except')), 'straight line');
      assert.equal(how(code('except Exception')), 'straight line');
      assert.equal(state(code('except OSError')), 'leaked:normal-path-only');
      assert.equal(state(code('except', '\n        return 1')), 'leaked:normal-path-only');
    });
  });

  describe('releases on every path or only on some', () => {
    /** Whether the one named resource `r` made by `make()` is released on every path that reaches the end. */
    const everyPath = (code: string): boolean => {
      const { result, model } = analyse(code);
      assert.equal(result.state, 'leaked', `expected a leak, got ${result.state}`);
      assert.ok(
        result.state === 'leaked' && 'named' in result.leak && result.leak.named,
        'expected a named resource',
      );
      return releasedOnEveryPath(model, result.leak.named);
    };
    const fn = (middle: string) => `def f(p, strict):\n    r = make()\n    r.read()\n${middle}`;

    it('a release in a branch or a short-circuit operand runs only on some paths', () => {
      for (const middle of [
        '    if strict:\n        r.close()',
        '    if strict and r.close():\n        pass',
        '    x = r.close() if strict else None',
        '    for q in p:\n        r.close()',
        '    while strict:\n        r.close()\n        break',
        '    if p:\n        pass\n    else:\n        r.close()',
      ])
        assert.equal(everyPath(fn(middle)), false, middle);
    });

    it('a release in a condition, a presence guard, a try body or a `while True:` runs whenever reached', () => {
      for (const middle of [
        '    r.close()\n    raise ValueError()',
        '    if r.close():\n        pass',
        '    if r:\n        r.close()',
        '    if r is not None and not r.closed:\n        r.close()',
        '    if r is not SHARED:\n        r.close()',
        '    while True:\n        r.close()\n        break',
        '    out = [x for x in r.close()]',
        '    try:\n        r.close()\n    except OSError:\n        pass\n    else:\n        pass',
      ])
        assert.equal(everyPath(fn(middle)), true, middle);
    });

    it('a flag this function sets itself may follow the resource: its test is a guard, a parameter is not', () => {
      const code = (flag: string) =>
        `def f(p, borrowed):\n    own = not borrowed\n    r = make()\n    r.read()\n    if ${flag}:\n        r.close()\n    raise ValueError()`;
      assert.equal(everyPath(code('own')), true);
      assert.equal(everyPath(code('not borrowed')), false);
    });
  });
});
