// `leak-lens scan --fix`, `--unsafe-fixes` and `--diff`, end to end: the BUILT CLI run as a child
// process on small trees written here, and the write-back module on its own for the races a
// process cannot time (a file edited while it is being fixed).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { encodeLike, replaceIfUnchanged } from '../../server/src/cli/write-back';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli.js');

function scan(cwd: string, args: string[]) {
  const res = spawnSync(process.execPath, [CLI, 'scan', ...args], { cwd, encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

/**
 * Read-through memos in a module that uses cachetools (TTLCache: a safe fix) and a parent/child
 * cycle (an unsafe fix).
 */
const MEMO = lines(
  'import json',
  'from cachetools import LRUCache',
  '',
  '_users = {}',
  '_pages = {}',
  '',
  '',
  'def user(uid):',
  '    if uid in _users:',
  '        return _users[uid]',
  '    value = json.dumps({"id": uid})',
  '    _users[uid] = value',
  '    return value',
  '',
  '',
  'def page(page_id):',
  '    if page_id not in _pages:',
  '        _pages[page_id] = str(page_id)',
  '    return _pages[page_id]',
);
const MEMO_FIXED = lines(
  'import json',
  'from cachetools import LRUCache',
  'from cachetools import TTLCache',
  '',
  '_users = TTLCache(maxsize=1024, ttl=3600)',
  '_pages = TTLCache(maxsize=1024, ttl=3600)',
  '',
  '',
  'def user(uid):',
  '    if uid in _users:',
  '        return _users[uid]',
  '    value = json.dumps({"id": uid})',
  '    _users[uid] = value',
  '    return value',
  '',
  '',
  'def page(page_id):',
  '    if page_id not in _pages:',
  '        _pages[page_id] = str(page_id)',
  '    return _pages[page_id]',
);
const TREE = lines(
  'class Node:',
  '    def __init__(self, name):',
  '        self.name = name',
  '        self.parent = None',
  '        self.children = []',
  '',
  '    def add(self, child):',
  '        child.parent = self',
  '        self.children.append(child)',
  '',
  '    def root(self):',
  '        node = self',
  '        while node.parent is not None:',
  '            node = node.parent',
  '        return node',
  '',
  '',
  'def build(names):',
  '    root = Node("root")',
  '    for name in names:',
  '        root.add(Node(name))',
  '    return root',
);

describe('leak-lens scan --fix / --unsafe-fixes / --diff', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    this.timeout(300_000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-fix-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'memo.py'), MEMO);
    writeFileSync(join(dir, 'app', 'tree.py'), TREE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--fix applies the safe fixes in place (one import for two caches), leaves the unsafe ones, exits 1 while findings remain', () => {
    const res = scan(dir, ['--fix']);
    assert.equal(res.status, 1, res.stderr);
    assert.equal(readFileSync(join(dir, 'app', 'memo.py'), 'utf8'), MEMO_FIXED);
    assert.equal(readFileSync(join(dir, 'app', 'tree.py'), 'utf8'), TREE, 'an unsafe fix was applied');
    // What remains is listed, at its place in the file as it is now.
    assert.match(res.stdout, /^app\/tree\.py:8:9: LEAK003 /m);
    assert.doesNotMatch(res.stdout, /memo\.py/);
    assert.match(
      res.stdout,
      /^Applied 2 fixes to 1 file; 1 finding remains \(1 fixable with --unsafe-fixes\)\.$/m,
    );
    assert.match(res.stdout, /^Found 1 finding in 1 file \(2 files scanned\)\.$/m);
    // Nothing but the two files: no temporary file left behind.
    assert.deepEqual(readdirSync(join(dir, 'app')).sort(), ['memo.py', 'tree.py']);
  });

  it('--fix --unsafe-fixes applies the unsafe ones too and exits 0 when nothing remains', () => {
    const res = scan(dir, ['--fix', '--unsafe-fixes']);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    const tree = readFileSync(join(dir, 'app', 'tree.py'), 'utf8');
    assert.match(tree, /^import weakref\n/);
    assert.match(
      tree,
      /@parent\.setter\n {4}def parent\(self, value\):\n {8}self\._parent_ref = weakref\.ref\(value\)/,
    );
    assert.match(res.stdout, /^Applied 3 fixes to 2 files; none remains\.$/m);
    assert.match(res.stdout, /^No leaks found \(2 files scanned\)\.$/m);
    // A second run finds nothing to do.
    const again = scan(dir, ['--fix', '--unsafe-fixes']);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /^No fixes applied; none remains\.$/m);
  });

  it('--diff writes nothing, prints a unified diff that turns each file into what --fix writes, and keeps the exit code', () => {
    const res = scan(dir, ['--diff', '--unsafe-fixes']);
    assert.equal(res.status, 1, 'findings are still in the files');
    assert.equal(readFileSync(join(dir, 'app', 'memo.py'), 'utf8'), MEMO);
    assert.equal(readFileSync(join(dir, 'app', 'tree.py'), 'utf8'), TREE);
    assert.match(res.stdout, /^--- a\/app\/memo\.py\n\+\+\+ b\/app\/memo\.py\n@@ /m);
    assert.match(res.stderr, /Would apply 3 fixes to 2 files; none remains\./);
    const patches = res.stdout.split(/(?=^--- a\/)/m);
    assert.equal(patches.length, 2);
    const patched = new Map<string, string>();
    for (const patch of patches) {
      const path = /^--- a\/(\S+)/.exec(patch)?.[1] as string;
      const result = applyPatch(readFileSync(join(dir, path), 'utf8'), patch);
      assert.equal(typeof result, 'string', `the diff of ${path} does not apply`);
      patched.set(path, result as string);
    }
    assert.equal(patched.get('app/memo.py'), MEMO_FIXED);
    scan(dir, ['--fix', '--unsafe-fixes']);
    assert.equal(patched.get('app/tree.py'), readFileSync(join(dir, 'app', 'tree.py'), 'utf8'));
  });

  it('keeps CRLF line endings, the encoding declaration and non-UTF-8 bytes, and the file mode', () => {
    const latin = Buffer.from(
      [
        '# -*- coding: latin-1 -*-',
        '"""Caf\u00e9 prices."""',
        'from cachetools import LRUCache',
        '_prices = {}',
        '',
        'def price(item):',
        '    if item not in _prices:',
        '        _prices[item] = len(item) * 1.5',
        '    return _prices[item]',
        '',
      ].join('\r\n'),
      'latin1',
    );
    const path = join(dir, 'app', 'latin.py');
    writeFileSync(path, latin);
    chmodSync(path, 0o640);
    const res = scan(dir, ['--fix', 'app/latin.py']);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    const bytes = readFileSync(path);
    const text = bytes.toString('latin1');
    assert.ok(text.startsWith('# -*- coding: latin-1 -*-\r\n"""Caf\u00e9 prices."""\r\n'), text);
    assert.ok(bytes.includes(0xe9), 'the latin-1 byte is kept');
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/, 'a line ending other than CRLF');
    assert.match(
      text,
      /"""\r\nfrom cachetools import LRUCache\r\nfrom cachetools import TTLCache\r\n_prices = TTLCache\(maxsize=1024, ttl=3600\)\r\n/,
    );
    assert.equal(statSync(path).mode & 0o777, 0o640);
    const compiled = spawnSync('python3', [
      '-c',
      'import ast, sys; ast.parse(open(sys.argv[1], "rb").read())',
      path,
    ]);
    assert.equal(compiled.status, 0, String(compiled.stderr));
  });

  it('writes through a symbolic link to its target and keeps the link', () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'memo.py'), MEMO);
    rmSync(join(dir, 'app', 'memo.py'));
    symlinkSync(join(dir, 'real', 'memo.py'), join(dir, 'app', 'memo.py'));
    scan(dir, ['--fix', 'app/memo.py']);
    assert.ok(statSync(join(dir, 'app', 'memo.py'), { throwIfNoEntry: false }));
    assert.ok(lstatSync(join(dir, 'app', 'memo.py')).isSymbolicLink(), 'the link was replaced by a file');
    assert.equal(readFileSync(join(dir, 'real', 'memo.py'), 'utf8'), MEMO_FIXED);
  });

  it('--format json lists the remaining findings with their fix and adds "fixed" after the other keys', () => {
    const res = scan(dir, ['--fix', '--format', 'json']);
    assert.equal(res.status, 1);
    const report = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(report), ['version', 'filesScanned', 'findings', 'skipped', 'fixed']);
    assert.equal(report.fixed, 2);
    assert.equal(report.findings.length, 1);
    const [f] = report.findings;
    assert.equal(f.code, 'LEAK003');
    assert.equal(f.fix.applicability, 'unsafe');
    assert.match(f.fix.title, /\(unsafe\)$/);
    assert.match(res.stderr, /Applied 2 fixes to 1 file; 1 finding remains/);
  });

  it('rejects --unsafe-fixes alone and --diff with a machine format, in one sentence (exit 2)', () => {
    const alone = scan(dir, ['--unsafe-fixes']);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--unsafe-fixes goes with --fix \(to apply them\) or --diff \(to see them\)/);
    const json = scan(dir, ['--diff', '--format', 'json']);
    assert.equal(json.status, 2);
    assert.match(json.stderr, /--diff prints a diff, which --format json cannot hold/);
    assert.equal(readFileSync(join(dir, 'app', 'memo.py'), 'utf8'), MEMO);
  });
});

describe('write-back: replaceIfUnchanged and encodeLike', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-writeback-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not overwrite a file that changed on disk since it was read, and leaves no temporary file', () => {
    const path = join(dir, 'm.py');
    const original = Buffer.from('x = {}\n');
    writeFileSync(path, 'x = {}\ny = 1  # saved by the editor meanwhile\n');
    const why = replaceIfUnchanged(path, original, Buffer.from('x = fixed\n'));
    assert.equal(why, 'it changed on disk while it was being fixed');
    assert.equal(readFileSync(path, 'utf8'), 'x = {}\ny = 1  # saved by the editor meanwhile\n');
    assert.deepEqual(readdirSync(dir), ['m.py']);
  });

  it('replaces an unchanged file', () => {
    const path = join(dir, 'm.py');
    writeFileSync(path, 'x = {}\n');
    assert.equal(replaceIfUnchanged(path, Buffer.from('x = {}\n'), Buffer.from('x = 1\n')), undefined);
    assert.equal(readFileSync(path, 'utf8'), 'x = 1\n');
    assert.deepEqual(readdirSync(dir), ['m.py']);
  });

  it('says why when the file is gone', () => {
    const why = replaceIfUnchanged(join(dir, 'gone.py'), Buffer.from(''), Buffer.from('x'));
    assert.match(why ?? '', /^it could not be found again \(no such file or directory\)$/);
  });

  it('keeps a UTF-8 byte-order mark and refuses encodings it cannot write back', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('x = {}\n')]);
    const encoded = encodeLike('x = 1\n', bom);
    assert.ok('bytes' in encoded);
    assert.deepEqual([...encoded.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const sjis = Buffer.from('# -*- coding: shift_jis -*-\nx = {}\n');
    assert.deepEqual(encodeLike('# -*- coding: shift_jis -*-\nx = 1\n', sjis), {
      error: 'its declared encoding shift-jis cannot be written back',
    });
    const latin = Buffer.from('# coding: latin-1\nx = {}\n');
    assert.deepEqual(encodeLike('# coding: latin-1\nx = "\u4e00"\n', latin), {
      error: 'the fix does not fit its declared encoding latin1',
    });
  });
});
