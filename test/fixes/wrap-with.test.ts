// The statement-wrapping builder behind the resource fixes: re-indentation by the block's own unit
// (4 spaces, 2 spaces, tabs), strings and continuations, comments, removals and refusals.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { applyEdits } from '../../server/src/fixes/edits';
import {
  fileIndentUnit,
  insideString,
  type WrapRequest,
  wrapStatements,
} from '../../server/src/fixes/wrap-with';
import { SourceFile } from '../../server/src/model/source';
import { initParser, type Node, parsePython } from '../../server/src/parser';

function fileOf(text: string): SourceFile {
  return new SourceFile(text, parsePython(text));
}

/** The innermost statement (direct child of a block) that starts on 1-based `line`. */
function statementAt(file: SourceFile, line: number): Node {
  const found = file.root
    .descendantsOfType('block')
    .flatMap((b) => b?.namedChildren ?? [])
    .filter((s): s is Node => !!s && s.type !== 'comment' && s.startPosition.row === line - 1)
    .pop();
  assert.ok(found, `no statement on line ${line}`);
  return found;
}

type Options = Omit<WrapRequest, 'file' | 'first' | 'last'> & {
  first: number;
  last: number;
  remove?: Node[];
};

/** Wrap lines `first`..`last`; `header` replaces the first statement unless mode is `insert`. */
function wrap(
  text: string,
  options: Omit<Options, 'remove'> & { removeLines?: number[] },
): string | undefined {
  const file = fileOf(text);
  const { first, last, removeLines, ...rest } = options;
  const edit = wrapStatements({
    ...rest,
    file,
    first: statementAt(file, first),
    last: statementAt(file, last),
    remove: removeLines?.map((l) => statementAt(file, l)),
  });
  return edit ? applyEdits(text, [edit]) : undefined;
}

function compiles(text: string): void {
  execFileSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "<fix>", "exec")'], { input: text });
}

describe('wrapStatements', () => {
  before(async () => {
    await initParser();
  });

  it('replaces the creation with the header and indents the run by four spaces', () => {
    const text = 'def f(p):\n    f = open(p)\n    data = f.read()\n    return data\n';
    const out = wrap(text, { first: 2, last: 3, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(out, 'def f(p):\n    with open(p) as f:\n        data = f.read()\n    return data\n');
    compiles(out ?? '');
  });

  it('keeps a two-space indentation unit', () => {
    const text = 'def f(p):\n  f = open(p)\n  if f:\n    print(f.read())\n  return 1\n';
    const out = wrap(text, { first: 2, last: 3, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(out, 'def f(p):\n  with open(p) as f:\n    if f:\n      print(f.read())\n  return 1\n');
  });

  it('keeps tabs', () => {
    const text = 'def f(p):\n\tf = open(p)\n\tfor x in f:\n\t\tprint(x)\n';
    const out = wrap(text, { first: 2, last: 3, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(out, 'def f(p):\n\twith open(p) as f:\n\t\tfor x in f:\n\t\t\tprint(x)\n');
    compiles(out ?? '');
  });

  it('leaves the lines inside multi-line strings untouched (their value would change)', () => {
    const text = [
      'def f(p):',
      '    f = open(p)',
      '    sql = """SELECT *',
      '  FROM t',
      '"""',
      "    msg = 'one \\",
      "two'",
      '    f.write(sql + msg)',
      '',
    ].join('\n');
    const out = wrap(text, { first: 2, last: 8, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(
      out,
      [
        'def f(p):',
        '    with open(p) as f:',
        '        sql = """SELECT *',
        '  FROM t',
        '"""',
        "        msg = 'one \\",
        "two'",
        '        f.write(sql + msg)',
        '',
      ].join('\n'),
    );
    compiles(out ?? '');
  });

  it('indents comments and continuation lines, keeps blank lines empty', () => {
    const text = [
      'def f(p):',
      '    f = open(p)  # the input',
      '',
      '    # read it all',
      '    n = len(f.read()) + \\',
      '        1',
      '    m = max(n,',
      '            2)',
      '    return m',
      '',
    ].join('\n');
    const out = wrap(text, { first: 2, last: 7, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(
      out,
      [
        'def f(p):',
        '    with open(p) as f:  # the input',
        '',
        '        # read it all',
        '        n = len(f.read()) + \\',
        '            1',
        '        m = max(n,',
        '                2)',
        '    return m',
        '',
      ].join('\n'),
    );
    compiles(out ?? '');
  });

  it('wraps nested blocks inside a method', () => {
    const text = [
      'class A:',
      '    def f(self, p):',
      '        if p:',
      '            f = open(p)',
      '            for line in f:',
      '                if line:',
      '                    self.lines.append(line)',
      '            f.close()',
      '        return self',
      '',
    ].join('\n');
    const out = wrap(text, {
      first: 4,
      last: 8,
      mode: 'replace-first',
      header: 'with open(p) as f:',
      removeLines: [8],
    });
    assert.equal(
      out,
      [
        'class A:',
        '    def f(self, p):',
        '        if p:',
        '            with open(p) as f:',
        '                for line in f:',
        '                    if line:',
        '                        self.lines.append(line)',
        '        return self',
        '',
      ].join('\n'),
    );
    compiles(out ?? '');
  });

  it('puts pass in a body left empty', () => {
    const text = 'def f(p):\n    f = open(p)\n    f.close()\n    return 1\n';
    const out = wrap(text, {
      first: 2,
      last: 3,
      mode: 'replace-first',
      header: 'with open(p) as f:',
      removeLines: [3],
    });
    assert.equal(out, 'def f(p):\n    with open(p) as f:\n        pass\n    return 1\n');
  });

  it('inserts a header before a statement, with a replacement inside it', () => {
    const text = 'def f(p):\n    data = load(open(p))\n    return data\n';
    const file = fileOf(text);
    const call = file.root.descendantsOfType('call').find((c) => c?.text === 'open(p)');
    assert.ok(call);
    const stmt = statementAt(file, 2);
    const edit = wrapStatements({
      file,
      first: stmt,
      last: stmt,
      mode: 'insert',
      header: 'with open(p) as f:',
      replacements: [{ start: call.startIndex, end: call.endIndex, text: 'f' }],
    });
    assert.ok(edit);
    assert.equal(
      applyEdits(text, [edit]),
      'def f(p):\n    with open(p) as f:\n        data = load(f)\n    return data\n',
    );
  });

  it('appends a trailer (try/finally)', () => {
    const text = 'def f(url):\n    e = make(url)\n    e.run()\n    return 1\n';
    const out = wrap(text, {
      first: 3,
      last: 3,
      mode: 'insert',
      header: 'try:',
      trailer: [
        { depth: 0, text: 'finally:' },
        { depth: 1, text: 'e.dispose()' },
      ],
    });
    assert.equal(
      out,
      'def f(url):\n    e = make(url)\n    try:\n        e.run()\n    finally:\n        e.dispose()\n    return 1\n',
    );
  });

  it('keeps CRLF line endings', () => {
    const text = 'def f(p):\r\n    f = open(p)\r\n    x = f.read()\r\n    return x\r\n';
    const out = wrap(text, { first: 2, last: 3, mode: 'replace-first', header: 'with open(p) as f:' });
    assert.equal(out, 'def f(p):\r\n    with open(p) as f:\r\n        x = f.read()\r\n    return x\r\n');
  });

  it('refuses statements that share their line or sit on their header line', () => {
    assert.equal(
      wrap('def f(p):\n    f = open(p); x = f.read()\n    return x\n', {
        first: 2,
        last: 2,
        mode: 'replace-first',
        header: 'with open(p) as f:',
      }),
      undefined,
    );
    assert.equal(
      wrap('def f(p):\n    if p: f = open(p)\n    return 1\n', {
        first: 2,
        last: 2,
        mode: 'replace-first',
        header: 'with open(p) as f:',
      }),
      undefined,
    );
  });

  it('detects the file indentation unit and string interiors', () => {
    assert.equal(fileIndentUnit(fileOf('x = 1\nif x:\n\ty = 2\n')), '\t');
    assert.equal(fileIndentUnit(fileOf('if x:\n  y = 2\n')), '  ');
    assert.equal(fileIndentUnit(fileOf('x = 1\n')), '    ');
    const file = fileOf('s = """a\nb"""\nt = 1\n');
    assert.equal(insideString(file, file.lineStart(1)), true);
    assert.equal(insideString(file, file.lineStart(2)), false);
  });
});
