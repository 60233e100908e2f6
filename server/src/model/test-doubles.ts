// Test code that creates resources on purpose: a creation expected to raise
// (`with self.assertRaises(E): open(p)`) and a factory replaced by a mock
// (`with patch("builtins.open", …)`, `@patch("m.open")`) are not leaks.
import type { Node } from '../parser';
import { endsBlock, statementNode } from './control-flow';
import { parentOf } from './parents';
import type { SemanticModel } from './semantic';
import type { SourceFile } from './source';

const TEST_HINT = /assertRaises|raises|assertWarns|patch/;

const EXPECT_FAILURE = new Set([
  'assertRaises',
  'assertRaisesRegex',
  'assertRaisesRegexp',
  'raises',
  'assertWarns',
  'assertWarnsRegex',
]);

/**
 * `with self.assertRaises(E): open(p)` — the creation is the statement expected to raise; and
 * `with patch("builtins.open", …): open(p)` / `@patch("m.open")` — the factory is a mock.
 */
export function testDouble(model: SemanticModel, call: Node): string | undefined {
  // Climbing every ancestor costs (tree-sitter finds a parent from the root): only in test-like files.
  if (!looksLikeTestCode(model.file)) return undefined;
  const factoryName = lastCalleeName(call);
  const statement = statementNode(call);
  for (let p = parentOf(call); p; p = parentOf(p)) {
    const type = p.type;
    if (type === 'module') break;
    if (type === 'with_statement') {
      const body = p.childForFieldName('body');
      const items = p.namedChildren.find((c) => c?.type === 'with_clause')?.namedChildren ?? [];
      for (const item of items) {
        const value = item?.childForFieldName('value');
        const ctxCall = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
        if (ctxCall?.type !== 'call') continue;
        const name = lastCalleeName(ctxCall);
        if (EXPECT_FAILURE.has(name) && body && endsBlock(statement, body)) return 'expected to raise';
        if (isPatchOf(ctxCall, factoryName)) return 'mocked';
      }
    }
    const decorated = type === 'function_definition' ? parentOf(p) : null;
    if (decorated?.type === 'decorated_definition') {
      for (const d of decorated.namedChildren) {
        if (d?.type !== 'decorator') continue;
        const expr = d.namedChildren[0];
        if (expr?.type === 'call' && isPatchOf(expr, factoryName)) return 'mocked';
      }
    }
  }
  return undefined;
}

// Per file: the resource rules ask once per creating call.
const testLike = new WeakMap<SourceFile, boolean>();
function looksLikeTestCode(file: SourceFile): boolean {
  let answer = testLike.get(file);
  if (answer === undefined) {
    answer = TEST_HINT.test(file.text);
    testLike.set(file, answer);
  }
  return answer;
}

export function lastCalleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return fn.text;
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  return '';
}

/** `patch("builtins.open", …)`, `mock.patch.object(io, "open")`: a patch whose target names `factory`. */
function isPatchOf(call: Node, factory: string): boolean {
  if (!factory) return false;
  const fn = call.childForFieldName('function');
  if (!fn || !/(^|\.)patch(\.object|\.dict)?$/.test(fn.text)) return false;
  const args = call.childForFieldName('arguments');
  if (!args) return false;
  for (const str of args.descendantsOfType('string')) {
    if (str && new RegExp(`(^|[^\\w])${factory}(['"]|$)`).test(str.text)) return true;
  }
  return false;
}
