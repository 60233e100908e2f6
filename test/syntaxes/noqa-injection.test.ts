// The noqa injection grammar, run through the real TextMate tokenizer VS Code uses
// (vscode-textmate + vscode-oniguruma) on top of VS Code's own Python grammar (from tm-grammars),
// and cross-checked against the engine's noqa parser so the colours never promise a suppression
// the engine does not make.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { type IGrammar, INITIAL, parseRawGrammar, Registry } from 'vscode-textmate';
import { SourceFile } from '../../server/src/model/source';
import { collectSuppressions } from '../../server/src/noqa';
import { initParser, parsePython } from '../../server/src/parser';

const ROOT = join(__dirname, '..', '..');
const INJECTION_PATH = join(ROOT, 'syntaxes', 'leak-lens-noqa.injection.json');
const CODE_SCOPE = 'constant.other.rule-code.leak-lens';
const NOQA_SCOPE = 'keyword.other.noqa.leak-lens';

interface Token {
  text: string;
  scopes: string[];
}

async function loadPythonWithInjection(): Promise<IGrammar> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const contribution = manifest.contributes.grammars.find(
    (g: { path: string }) => join(ROOT, g.path) === INJECTION_PATH,
  );
  assert.ok(contribution, 'package.json contributes the injection grammar');
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    async loadGrammar(scopeName) {
      if (scopeName === 'source.python') {
        const path = require.resolve('tm-grammars/grammars/python.json');
        return parseRawGrammar(readFileSync(path, 'utf8'), path);
      }
      if (scopeName === contribution.scopeName) {
        return parseRawGrammar(readFileSync(INJECTION_PATH, 'utf8'), INJECTION_PATH);
      }
      return null;
    },
    // What VS Code derives from the manifest's `injectTo`.
    getInjections: (scopeName) =>
      contribution.injectTo.includes(scopeName) ? [contribution.scopeName] : undefined,
  });
  const grammar = await registry.loadGrammar('source.python');
  assert.ok(grammar, 'source.python loads');
  return grammar;
}

describe('noqa injection grammar', () => {
  let grammar: IGrammar;

  before(async () => {
    await initParser();
    grammar = await loadPythonWithInjection();
  });

  function tokenize(line: string): Token[] {
    const { tokens } = grammar.tokenizeLine(line, INITIAL);
    return tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  }

  function highlighted(line: string): { noqa: boolean; codes: string[] } {
    const tokens = tokenize(line);
    return {
      noqa: tokens.some((t) => t.scopes.includes(NOQA_SCOPE)),
      codes: tokens.filter((t) => t.scopes.includes(CODE_SCOPE)).map((t) => t.text),
    };
  }

  it('is contributed as an injection into source.python comments', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const raw = JSON.parse(readFileSync(INJECTION_PATH, 'utf8'));
    const contribution = manifest.contributes.grammars.find(
      (g: { scopeName: string }) => g.scopeName === raw.scopeName,
    );
    assert.deepEqual(contribution.injectTo, ['source.python']);
    assert.match(raw.injectionSelector, /comment\.line\.number-sign\.python/);
  });

  it('scopes the noqa keyword and each LEAK code inside the comment', () => {
    const tokens = tokenize('_cache = {}  # noqa: LEAK001, LEAK003');
    const noqa = tokens.find((t) => t.text === 'noqa');
    assert.ok(noqa?.scopes.includes(NOQA_SCOPE));
    assert.ok(noqa?.scopes.includes('comment.line.number-sign.python'), 'still inside the comment');
    for (const code of ['LEAK001', 'LEAK003']) {
      const token = tokens.find((t) => t.text === code);
      assert.ok(token, `${code} is its own token`);
      assert.ok(token.scopes.includes(CODE_SCOPE), `${code}: ${token.scopes.join(' ')}`);
      assert.ok(token.scopes.includes('comment.line.number-sign.python'));
    }
    const comma = tokens.find((t) => t.text === ',');
    assert.ok(comma?.scopes.includes('punctuation.separator.rule-codes.leak-lens'));
  });

  it('leaves other tools’ codes and the rest of the comment uncoloured', () => {
    const tokens = tokenize('x = f()  # noqa: E501,LEAK002 because the cache is cleared nightly');
    assert.deepEqual(
      tokens.filter((t) => t.scopes.includes(CODE_SCOPE)).map((t) => t.text),
      ['LEAK002'],
    );
    const tail = tokens.find((t) => t.text.includes('because'));
    assert.ok(tail);
    assert.ok(!tail.scopes.some((s) => s.endsWith('.leak-lens')), tail.scopes.join(' '));
  });

  it('does not touch strings, docstrings or code that merely mention noqa', () => {
    for (const line of [
      's = "# noqa: LEAK001"',
      "t = f'# noqa: LEAK004'",
      'noqa = LEAK001',
      '"""# noqa: LEAK008"""',
    ]) {
      const { noqa, codes } = highlighted(line);
      assert.equal(noqa, false, line);
      assert.deepEqual(codes, [], line);
    }
  });

  it('highlights a comment that follows a string containing a hash', () => {
    assert.deepEqual(highlighted('s = "#"  # noqa: LEAK005').codes, ['LEAK005']);
  });

  // Each line: what the engine's parser (server/src/noqa.ts, through tree-sitter) suppresses must be
  // exactly what the grammar colours: the keyword iff the line has a suppression, and the same LEAK codes.
  const agreement: string[] = [
    'x = 1  # noqa: LEAK001',
    'x = 1  # noqa:LEAK001,LEAK002',
    'x = 1  #noqa:leak007',
    'x = 1  # NOQA: LEAK004 LEAK006',
    'x = 1  # noqa: LEAK001 , LEAK008',
    'x = 1  # noqa',
    'x = 1  # noqa:',
    'x = 1  # noqa : LEAK001',
    'x = 1  # noqa: E501',
    'x = 1  # noqa: E501, LEAK003, W291',
    'x = 1  # noqa: LEAK001LEAK002',
    'x = 1  # noqa: LEAK002 see issue 12',
    'x = 1  # type: ignore  # noqa: LEAK005',
    'x = 1  # see noqa: LEAK001',
    'x = 1  # LEAK001',
    '# noqa: LEAK002',
    'x = "# noqa: LEAK001"',
    'x = 1  # TODO: fix # noqa: LEAK006',
  ];
  for (const line of agreement) {
    it(`agrees with the engine on: ${line}`, () => {
      const tree = parsePython(`${line}\n`);
      try {
        const suppression = collectSuppressions(new SourceFile(`${line}\n`, tree)).get(0);
        const engineCodes =
          suppression === undefined || suppression === 'all'
            ? []
            : [...suppression].filter((c) => c.startsWith('LEAK')).sort();
        const grammarSays = highlighted(line);
        assert.equal(grammarSays.noqa, suppression !== undefined, 'noqa keyword coloured iff it suppresses');
        assert.deepEqual(grammarSays.codes.map((c) => c.toUpperCase()).sort(), engineCodes);
      } finally {
        tree.delete();
      }
    });
  }
});
