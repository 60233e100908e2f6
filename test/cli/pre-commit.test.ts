// The pre-commit hook definition (.pre-commit-hooks.yaml), tested the way pre-commit uses it: its
// `entry` run from the root of a sample git repository with the staged Python files appended (as
// pre-commit passes them), the `leak-lens` command being the package's bin (what pre-commit's
// `language: node` installs from `npm pack`, whose contents are checked too).
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';

const REPO = join(__dirname, '..', '..');

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  types?: string[];
  args?: string[];
  require_serial?: boolean;
}

const hooks = load(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };

/** Runs `hook` as pre-commit would: its entry, its args, then the files. */
function runHook(hook: Hook, cwd: string, files: string[], extraArgs: string[] = []) {
  const [command, ...entryArgs] = hook.entry.split(/\s+/);
  const bin = pkg.bin[command];
  assert.ok(bin, `the entry's command ${command} is not a bin of the package`);
  const res = spawnSync(
    process.execPath,
    [join(REPO, bin), ...entryArgs, ...(hook.args ?? []), ...extraArgs, ...files],
    { cwd, encoding: 'utf8' },
  );
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The staged files pre-commit would pass to a `types: [python]` hook. */
function stagedPython(cwd: string): string[] {
  return execFileSync('git', ['diff', '--cached', '--name-only', '--diff-filter=ACMR'], {
    cwd,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f.endsWith('.py'));
}

describe('pre-commit hook', function () {
  this.timeout(120_000);
  let repo: string;

  before(function () {
    this.timeout(300_000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'leak-lens-precommit-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(repo, 'app'));
    writeFileSync(
      join(repo, 'app', 'cache.py'),
      'import json\n\n_users = {}\n\n\ndef user(uid):\n    if uid not in _users:\n        _users[uid] = json.dumps(uid)\n    return _users[uid]\n',
    );
    writeFileSync(join(repo, 'app', 'clean.py'), 'def add(a, b):\n    return a + b\n');
    writeFileSync(join(repo, 'README.md'), '# sample\n');
    git('add', '.');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('defines one node hook running `leak-lens scan` on Python files', () => {
    assert.equal(hooks.length, 1);
    const [hook] = hooks;
    assert.equal(hook.id, 'leak-lens');
    assert.equal(hook.language, 'node');
    assert.match(hook.entry, /^leak-lens scan(\s|$)/);
    assert.deepEqual(hook.types, ['python']);
    // One invocation for all files: the scan sees the whole change (callers in other files).
    assert.equal(hook.require_serial, true);
  });

  it('the package pre-commit installs (npm pack) carries the CLI, its worker and the parser', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    const bin = pkg.bin['leak-lens'].replace(/^\.\//, '');
    for (const needed of [
      bin,
      'dist/scan-worker.js',
      'dist/tree-sitter.wasm',
      'dist/tree-sitter-python.wasm',
    ])
      assert.ok(files.includes(needed), `${needed} is not in the package: ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/')));
  });

  it('fails the commit on a staged file with a leak and names it', () => {
    const files = stagedPython(repo);
    assert.deepEqual(files.sort(), ['app/cache.py', 'app/clean.py']);
    const res = runHook(hooks[0], repo, files);
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stdout, /^app\/cache\.py:3:1: LEAK001 /m);
    assert.match(res.stdout, /^Found 1 finding in 1 file \(2 files scanned\)\.$/m);
  });

  it('passes when the staged files have no leak', () => {
    execFileSync('git', ['rm', '-q', '--cached', 'app/cache.py'], { cwd: repo });
    const res = runHook(hooks[0], repo, stagedPython(repo));
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /^No leaks found \(1 file scanned\)\.$/m);
  });

  it("the README's pre-commit config and GitHub Actions workflow are valid and run the scan that uploads SARIF", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### pre-commit and CI'),
      readme.indexOf('### `leak-lens detect`'),
    );
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => load(m[1]) as Record<string, any>,
    );
    assert.equal(blocks.length, 2);
    const [config, workflow] = blocks;
    assert.deepEqual(
      config.repos[0].hooks.map((h: { id: string }) => h.id),
      hooks.map((h) => h.id),
    );
    assert.equal(workflow.permissions['security-events'], 'write');
    const steps = workflow.jobs['leak-lens'].steps as {
      run?: string;
      uses?: string;
      with?: Record<string, string>;
    }[];
    const scanStep = steps.find((s) => s.run?.startsWith('leak-lens scan'));
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    assert.ok(scanStep?.run && upload?.with);
    const m = /^leak-lens (scan .*?) > (\S+)$/.exec(scanStep.run);
    assert.ok(m, scanStep.run);
    assert.equal(m[2], upload.with.sarif_file);
    // The step's command line, run here on the sample repository, writes a SARIF log and passes.
    const res = runHook({ ...hooks[0], entry: `leak-lens ${m[1]}` }, repo, []);
    assert.equal(res.status, 0, res.stderr);
    const sarif = JSON.parse(res.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0].results[0].ruleId, 'LEAK001');
  });

  it('with args: [--fix] it applies the safe fix to the staged file', () => {
    const res = runHook(hooks[0], repo, stagedPython(repo), ['--fix']);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    // (No cachetools in the project: the standard-library bound is the safe fix.)
    assert.match(
      readFileSync(join(repo, 'app', 'cache.py'), 'utf8'),
      /^ {12}del _users\[next\(iter\(_users\)\)\]$/m,
    );
  });
});
