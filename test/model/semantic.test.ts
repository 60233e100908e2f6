import * as assert from 'node:assert/strict';
import { dedent } from '../../server/src/fixes/edits';
import { SemanticModel } from '../../server/src/model/semantic';
import { SourceFile } from '../../server/src/model/source';
import { useOf } from '../../server/src/model/usage';
import { initParser, type Node, parsePython } from '../../server/src/parser';

function modelOf(code: string): SemanticModel {
  const text = dedent(code);
  return new SemanticModel(new SourceFile(text, parsePython(text)));
}

function calls(model: SemanticModel): Node[] {
  return model.file.root.descendantsOfType('call').filter((n): n is Node => !!n);
}

describe('semantic model', () => {
  before(async () => {
    await initParser();
  });

  it('resolves aliased and from-imports to qualified names', () => {
    const m = modelOf(`
      import asyncio as aio
      from concurrent.futures import ThreadPoolExecutor as TPE
      from functools import cache
      import os.path
      aio.create_task(x)
      TPE()
      cache(f)
      os.path.join(a)
      open(p)
    `);
    assert.deepEqual(
      calls(m).map((c) => m.calleeName(c)),
      [
        'asyncio.create_task',
        'concurrent.futures.ThreadPoolExecutor',
        'functools.cache',
        'os.path.join',
        'builtins.open',
      ],
    );
  });

  it('a local variable shadows an imported module', () => {
    const m = modelOf(`
      import asyncio
      def f(asyncio):
          asyncio.create_task(x)
      def g():
          open = make_opener()
          open(p)
    `);
    assert.deepEqual(
      calls(m)
        .map((c) => m.calleeName(c))
        .filter(Boolean),
      [],
    );
  });

  it('function-level imports resolve inside the function only', () => {
    const m = modelOf(`
      def f():
          import sqlite3 as db
          db.connect(p)
      db.connect(q)
    `);
    assert.deepEqual(
      calls(m).map((c) => m.calleeName(c)),
      ['sqlite3.connect', undefined],
    );
  });

  it('finds references of a module-level binding across functions, honouring global and shadowing', () => {
    const m = modelOf(`
      _cache = {}
      def get(k):
          _cache[k] = 1
      def shadow():
          _cache = []
          _cache.append(1)
      def reset():
          global _cache
          _cache = {}
      class C:
          _cache = None
          def m(self):
              return _cache
    `);
    const b = m.moduleScope.lookupLocal('_cache');
    assert.ok(b);
    const refs = m.references(b);
    assert.deepEqual(
      refs.map((r) => [r.node.startPosition.row + 1, r.context]),
      [
        [1, 'store'],
        [3, 'load'],
        [9, 'store'],
        [13, 'load'],
      ],
    );
    assert.equal(useOf(refs[1].node).kind, 'subscript-store');
    assert.equal(refs[1].scope.name, 'get');
    assert.ok(refs[1].scope.isRuntime);
    assert.ok(!m.moduleScope.isRuntime);
  });

  it('resolves nonlocal to the enclosing function and parameters to their function', () => {
    const m = modelOf(`
      def outer():
          items = []
          def inner(x):
              nonlocal items
              items = items + [x]
          return inner
    `);
    const outer = m.scopeFor(m.file.root.namedChildren[0] as Node);
    const items = outer.lookupLocal('items');
    assert.ok(items);
    assert.deepEqual(
      m.references(items).map((r) => [r.node.startPosition.row + 1, r.context]),
      [
        [2, 'store'],
        [5, 'store'],
        [5, 'load'],
      ],
    );
  });

  it('classifies uses: method calls, with, arguments, returns', () => {
    const m = modelOf(`
      def f():
          conn = connect()
          conn.execute(q)
          with conn:
              pass
          g(conn)
          return conn
    `);
    const fn = m.scopeFor(m.file.root.namedChildren[0] as Node);
    const conn = fn.lookupLocal('conn');
    assert.ok(conn);
    assert.deepEqual(
      m.references(conn).map((r) => useOf(r.node).kind),
      ['rebind', 'method', 'with', 'argument', 'return'],
    );
  });

  it('collects bindings of deeply nested code without overflowing the stack', () => {
    const depth = 20000;
    const nestedExpr = `value = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`;
    const nestedBlocks =
      Array.from({ length: 400 }, (_, i) => `${'    '.repeat(i)}if x:\n`).join('') +
      `${'    '.repeat(400)}deep = 1\n`;
    const text = `x = 1\n${nestedExpr}${nestedBlocks}`;
    const model = new SemanticModel(new SourceFile(text, parsePython(text)));
    assert.ok(model.moduleScope.lookupLocal('value'));
    assert.ok(model.moduleScope.lookupLocal('deep'));
  });
});
