// The container layer shared by LEAK001/LEAK002: what creates a container, which keys are
// constant, and which code runs only while a module is imported.
import * as assert from 'node:assert/strict';
import { dedent } from '../../server/src/fixes/edits';
import { possibleCacheDecorators, possibleContainerValues } from '../../server/src/model/candidates';
import {
  containerValue,
  isConstantKey,
  moduleContainers,
  runsAtImportTime,
} from '../../server/src/model/containers';
import { SemanticModel } from '../../server/src/model/semantic';
import { SourceFile } from '../../server/src/model/source';
import { initParser, type Node, parsePython } from '../../server/src/parser';

function modelOf(code: string): SemanticModel {
  const text = dedent(code);
  return new SemanticModel(new SourceFile(text, parsePython(text)));
}

/** The node of `type` whose text is exactly `text`. */
function find(model: SemanticModel, type: string, text: string): Node {
  const node = model.file.root.descendantsOfType(type).find((n) => n?.text === text);
  assert.ok(node, `no ${type} "${text}"`);
  return node;
}

describe('containers model', () => {
  before(async () => {
    await initParser();
  });

  it('recognises container constructors through aliases, with emptiness and deque bounds', () => {
    const m = modelOf(`
      import collections as c
      from collections import defaultdict as dd, deque
      a = {}
      b = dd(list)
      d = c.deque(maxlen=10)
      e = deque(items)
      f = deque(maxlen=None)
      g = ["x"]
      h = make()
    `);
    const value = (name: string) =>
      containerValue(m, m.assignedValue(m.moduleScope.lookupLocal(name)?.sites[0] as Node));
    assert.deepEqual(
      ['a', 'b', 'd', 'e', 'f', 'g'].map((n) => {
        const v = value(n);
        return [n, v?.kind, v?.empty, v?.literalItems, v?.bounded];
      }),
      [
        ['a', 'dict', true, false, false],
        ['b', 'defaultdict', true, false, false],
        ['d', 'deque', true, false, true],
        ['e', 'deque', false, false, false],
        ['f', 'deque', true, false, false],
        ['g', 'list', false, true, false],
      ],
    );
    assert.equal(value('h'), undefined);
  });

  it('only names something could grow become candidates', () => {
    const m = modelOf(`
      READ_ONLY = {}
      _cache = {}
      _heap = []
      def f(k):
          _cache[k] = 1
          heappush(_heap, k)
          return READ_ONLY.get(k)
    `);
    assert.deepEqual(
      moduleContainers(m).map((c) => c.name),
      ['_cache', '_heap'],
    );
  });

  it('finds possible container values and cache decorators by text, aliases included', () => {
    const m = modelOf(`
      from collections import OrderedDict as OD
      import functools as ft
      from functools import cache as memo
      x = OD()
      if x == []:
          pass
      def f(a, b=[], *, c: set = set()):
          g(k=[])
      @ft.lru_cache(maxsize=None)
      def g(): ...
      @memo
      def h(): ...
    `);
    assert.deepEqual(
      possibleContainerValues(m).map((n) => n.text),
      ['OD()', '[]', 'set()'],
    );
    assert.deepEqual(
      possibleCacheDecorators(m).map((n) => n.text),
      ['@ft.lru_cache(maxsize=None)', '@memo'],
    );
  });

  it('constant keys: literals, constant names, loops over literal tuples, private helpers given constants', () => {
    const m = modelOf(`
      KEY = "k"
      NAMES = ("a", "b")
      def _table(alphabet, s):
          return d[alphabet], d[s]
      def one():
          return _table(b"abc", data)
      def load(x):
          for name in NAMES:
              d[name] = 1
          for other in x:
              d[other] = 1
          d[KEY] = d[(1, "x")] = d[x] = 1
    `);
    const key = (text: string) => find(m, 'subscript', text).childForFieldName('subscript') as Node;
    assert.deepEqual(
      ['d[alphabet]', 'd[s]', 'd[name]', 'd[other]', 'd[KEY]', 'd[(1, "x")]', 'd[x]'].map((t) => [
        t,
        isConstantKey(m, key(t)),
      ]),
      [
        ['d[alphabet]', true],
        ['d[s]', false],
        ['d[name]', true],
        ['d[other]', false],
        ['d[KEY]', true],
        ['d[(1, "x")]', true],
        ['d[x]', false],
      ],
    );
  });

  it('tells import-time code from run-time code', () => {
    const m = modelOf(`
      def register(name):
          def deco(fn):
              a(fn)
              return fn
          return deco

      def route(fn):
          b(fn)
          return fn

      def traced(fn):
          def wrapper(*args):
              c(args)
          return wrapper

      def _helper():
          d()

      def public():
          e()

      def handler(request):
          g(request)

      addflag = lambda x: h(x)

      @register("x")
      @route
      @traced
      def view(): ...

      _helper()
      addflag(1)
      callbacks.append(lambda: i())

      if __name__ == "__main__":
          public()
    `);
    const at = (callee: string) => {
      const call = m.file.root
        .descendantsOfType('call')
        .find((c) => c?.childForFieldName('function')?.text === callee);
      assert.ok(call, callee);
      return runsAtImportTime(m, m.scopeOf(call));
    };
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'i'].map((c) => [c, at(c)]),
      [
        ['a', true], // inside a decorator factory's decorator, used as @register(...)
        ['b', true], // inside a decorator used as @route
        ['c', false], // inside the wrapper a decorator returns: every call
        ['d', true], // private helper only called at module level
        ['e', false], // only called from the __main__ block: the script's run time
        ['g', false], // nobody in the module calls it: public API
        ['h', true], // a named lambda only called at import
        ['i', false], // a callback lambda
      ],
    );
  });

  it('`del a, b` makes deletions, not loads (semantic model fix)', () => {
    const m = modelOf(`
      def a(): ...
      b = 1
      del a, b
    `);
    const refs = m.references(m.moduleScope.lookupLocal('a') as never);
    assert.deepEqual(
      refs.map((r) => r.context),
      ['store', 'del'],
    );
  });
});
