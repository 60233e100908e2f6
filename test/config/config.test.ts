// pyproject.toml [tool.leak-lens]: parsing, validation messages, discovery and layering.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConfigResult,
  configForDirectory,
  DEFAULT_LIMITS,
  findPyproject,
  isValidSelector,
  loadSettingsForFile,
  mergeSettings,
  parseToolConfig,
} from '../../server/src/config';
import { RULES } from '../../server/src/rules/index';
import { DEFAULT_SETTINGS } from '../../server/src/types';

const FILE = '/proj/pyproject.toml';
// Codes of registered rules (the registry fills as rules land); tests needing two skip without.
const [codeA, codeB] = RULES.map((r) => r.code);

function parse(toml: string) {
  return parseToolConfig(toml, FILE);
}

describe('parseToolConfig', () => {
  it('returns nothing for a pyproject.toml without [tool.leak-lens]', () => {
    assert.deepEqual(parse('[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n'), {
      settings: {},
      errors: [],
    });
    assert.deepEqual(parse(''), { settings: {}, errors: [] });
  });

  it('reads every documented key', function () {
    if (!codeB) this.skip();
    const { settings, errors } = parse(`
[tool.leak-lens]
select = ["LEAK00", "${codeA}"]
ignore = ["${codeB.toLowerCase()}"]
exclude = ["tests/fixtures", "*_pb2.py"]
extend-connection-factories = ["mylib.db.connect", "acme.Client"]
cache-maxsize = 256
cache-ttl-seconds = 0.5
include-tests = true

[tool.leak-lens.severity]
${codeA} = "error"
${codeB} = "hint"
`);
    assert.deepEqual(errors, []);
    assert.deepEqual(settings, {
      select: ['LEAK00', codeA],
      ignore: [codeB],
      exclude: ['tests/fixtures', '*_pb2.py'],
      extendConnectionFactories: ['mylib.db.connect', 'acme.Client'],
      cacheMaxsize: 256,
      cacheTtlSeconds: 0.5,
      includeTests: true,
      severity: { [codeA]: 'error', [codeB]: 'hint' },
    });
  });

  it('accepts dotted keys and an inline severity table', function () {
    if (!codeA) this.skip();
    const { settings, errors } = parse(
      `tool.leak-lens.cache-maxsize = 10\ntool.leak-lens.severity = { ${codeA} = "warning" }\n`,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(settings, { cacheMaxsize: 10, severity: { [codeA]: 'warning' } });
  });

  it('reports invalid TOML once, with file, line and column, and yields no settings', () => {
    const { settings, errors } = parse('[tool.leak-lens]\nselect = ["LEAK001"\ncache-maxsize = 3\n');
    assert.deepEqual(settings, {});
    assert.equal(errors.length, 1);
    assert.match(
      errors[0],
      /^\/proj\/pyproject\.toml:3:\d+: invalid TOML \(.+\); using the default Leak Lens settings$/,
    );
  });

  it('names the file, line and key of an unknown key and suggests the right spelling', () => {
    const { settings, errors } = parse('[tool.leak-lens]\ncache-maxsize = 5\ncache_ttl_seconds = 60\n');
    assert.deepEqual(settings, { cacheMaxsize: 5 });
    assert.equal(errors.length, 1);
    assert.match(
      errors[0],
      /^\/proj\/pyproject\.toml:3: \[tool\.leak-lens\] `cache_ttl_seconds` is not a Leak Lens setting/,
    );
    assert.match(errors[0], /did you mean `cache-ttl-seconds`\?/);
  });

  it('rejects wrong types per key, keeping the valid keys', () => {
    const { settings, errors } = parse(`[tool.leak-lens]
select = "LEAK001"
exclude = ["ok/*", 3]
cache-maxsize = 0
cache-ttl-seconds = "60"
extend-connection-factories = ["mylib.db.connect", "not a name"]
severity = "error"
`);
    assert.deepEqual(settings, {});
    assert.equal(errors.length, 6);
    const byKey = (key: string) => errors.find((e) => e.includes(`\`${key}\``)) ?? '';
    assert.match(
      byKey('select'),
      /:2: .*must be an array of rule codes.*got the string "LEAK001"; using the default$/,
    );
    assert.match(
      errors.find((e) => e.includes('`exclude[1]`')) ?? '',
      /:3: \[tool\.leak-lens\] `exclude\[1\]`: expected a glob pattern string, got 3; using the default for `exclude`$/,
    );
    assert.match(byKey('cache-maxsize'), /:4: .*must be a positive integer, got 0;/);
    assert.match(
      byKey('cache-ttl-seconds'),
      /:5: .*must be a positive number of seconds, got the string "60"/,
    );
    assert.match(byKey('extend-connection-factories'), /:6: .*invalid qualified name "not a name"/);
    assert.match(byKey('severity'), /:7: .*must be a table/);
    for (const e of errors) assert.ok(e.startsWith('/proj/pyproject.toml:'), e);
  });

  it('reads include-tests as a boolean, naming the key and line of anything else', () => {
    assert.deepEqual(parse('[tool.leak-lens]\ninclude-tests = false\n'), {
      settings: { includeTests: false },
      errors: [],
    });
    for (const bad of ['"true"', '1', '["tests"]']) {
      const { settings, errors } = parse(`[tool.leak-lens]\ncache-maxsize = 5\ninclude-tests = ${bad}\n`);
      assert.deepEqual(settings, { cacheMaxsize: 5 }, bad);
      assert.equal(errors.length, 1, bad);
      assert.match(
        errors[0],
        /^\/proj\/pyproject\.toml:3: \[tool\.leak-lens\] `include-tests` must be true or false, got .+; using the default$/,
      );
    }
  });

  it('reads include-vendored as a boolean, naming the key and line of anything else', () => {
    assert.deepEqual(parse('[tool.leak-lens]\ninclude-vendored = true\n'), {
      settings: { includeVendored: true },
      errors: [],
    });
    for (const bad of ['"yes"', '0', '["lib"]']) {
      const { settings, errors } = parse(`[tool.leak-lens]\ncache-maxsize = 5\ninclude-vendored = ${bad}\n`);
      assert.deepEqual(settings, { cacheMaxsize: 5 }, bad);
      assert.equal(errors.length, 1, bad);
      assert.match(
        errors[0],
        /^\/proj\/pyproject\.toml:3: \[tool\.leak-lens\] `include-vendored` must be true or false, got .+; using the default$/,
      );
    }
    for (const key of ['include_vendored', 'includeVendored']) {
      const { errors } = parse(`[tool.leak-lens]\n${key} = true\n`);
      assert.match(errors[0], /is not a Leak Lens setting \(did you mean `include-vendored`\?\)/, key);
    }
  });

  it("suggests include-tests for the editor's and Python's spellings", () => {
    for (const key of ['include_tests', 'includeTests']) {
      const { errors } = parse(`[tool.leak-lens]\n${key} = true\n`);
      assert.equal(errors.length, 1, key);
      assert.match(errors[0], /is not a Leak Lens setting \(did you mean `include-tests`\?\)/, key);
    }
  });

  it('rejects non-integer and negative cache sizes and non-positive TTLs', () => {
    for (const bad of ['1.5', '-3', 'true']) {
      assert.equal(parse(`[tool.leak-lens]\ncache-maxsize = ${bad}\n`).errors.length, 1, bad);
    }
    for (const bad of ['0', '-1', 'nan', 'inf']) {
      assert.equal(parse(`[tool.leak-lens]\ncache-ttl-seconds = ${bad}\n`).errors.length, 1, bad);
    }
  });

  it('rejects unknown rule codes in select/ignore and keeps prefixes', () => {
    const { settings, errors } = parse(
      '[tool.leak-lens]\nselect = ["LEAK999", "E501"]\nignore = ["LEAK0", "ALL"]\n',
    );
    assert.deepEqual(settings, { ignore: ['LEAK0', 'ALL'] });
    assert.equal(errors.length, 1);
    assert.match(errors[0], /:2: \[tool\.leak-lens\] `select` has unknown rule codes "LEAK999", "E501"/);
  });

  it('checks each severity entry on its own', function () {
    if (!codeA) this.skip();
    const { settings, errors } = parse(
      `[tool.leak-lens.severity]\n${codeA} = "information"\nLEAK999 = "error"\n${codeB ?? codeA} = "fatal"\n`,
    );
    assert.deepEqual(settings.severity, codeB ? { [codeA]: 'information' } : {});
    assert.equal(errors.length, 2);
    assert.match(errors[0], /:3: \[tool\.leak-lens\] `severity\.LEAK999` names an unknown rule code/);
    assert.match(
      errors[1],
      /:4: .*`severity\.LEAK\d{3}` must be one of "error", "warning", "information", "hint", "off", got the string "fatal"/,
    );
  });

  it('reports a [tool.leak-lens] that is not a table', () => {
    const { settings, errors } = parse('[tool]\nleak-lens = 3\n');
    assert.deepEqual(settings, {});
    assert.equal(errors.length, 1);
    assert.match(errors[0], /\/proj\/pyproject\.toml: \[tool\.leak-lens\] must be a table/);
  });
});

describe('parseToolConfig: exact elements, "off" and the scan limits', () => {
  it('names the exact bad element of a list', () => {
    const { settings, errors } = parse('[tool.leak-lens]\nselect = ["LEAK001", 5]\nignore = [true]\n');
    assert.deepEqual(settings, {});
    assert.deepEqual(errors, [
      '/proj/pyproject.toml:2: [tool.leak-lens] `select[1]`: expected a rule code string, got 5; using the default for `select`',
      '/proj/pyproject.toml:3: [tool.leak-lens] `ignore[0]`: expected a rule code string, got true; using the default for `ignore`',
    ]);
    const factories = parse('[tool.leak-lens]\nextend-connection-factories = ["a.b", ["c"]]\n').errors;
    assert.match(
      factories[0],
      /`extend-connection-factories\[1\]`: expected a qualified name string, got an array;/,
    );
  });

  it('accepts severity "off" as the editor setting does: the rule is ignored', function () {
    if (!codeA || !codeB) this.skip();
    const { settings, errors } = parse(
      `[tool.leak-lens]\nignore = ["${codeB}"]\n\n[tool.leak-lens.severity]\n${codeA} = "off"\n`,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(settings.ignore, [codeB, codeA]);
    assert.deepEqual(settings.severity, {});
    // With a select in the same file, "off" still removes the rule from the selection.
    const merged = mergeSettings(
      DEFAULT_SETTINGS,
      parse(`[tool.leak-lens]\nselect = ["LEAK"]\nseverity = { ${codeA} = "off" }\n`).settings,
    );
    assert.deepEqual(merged.ignore, [codeA]);
  });

  it('reads max-file-size (MB) and file-timeout (seconds), rejecting nonsense with the key and line', () => {
    const ok = parse('[tool.leak-lens]\nmax-file-size = 2.5\nfile-timeout = 3\n');
    assert.deepEqual(ok, {
      settings: {},
      errors: [],
      limits: { maxBytes: 2.5 * 1024 * 1024, timeoutMs: 3000 },
    });
    for (const [key, bad] of [
      ['max-file-size', '0'],
      ['max-file-size', '"10MB"'],
      ['max-file-size', '100000'],
      ['file-timeout', '-1'],
      ['file-timeout', 'inf'],
    ]) {
      const { errors, limits } = parse(`[tool.leak-lens]\n${key} = ${bad}\n`);
      assert.equal(limits, undefined, `${key} = ${bad}`);
      assert.equal(errors.length, 1, `${key} = ${bad}`);
      assert.match(
        errors[0],
        new RegExp(`:2: \\[tool\\.leak-lens\\] \`${key}\` must be a number of (megabytes|seconds) above 0`),
      );
    }
    assert.equal(DEFAULT_LIMITS.maxBytes, 10 * 1024 * 1024);
  });
});

describe('isValidSelector', () => {
  it("accepts ALL, LEAK and code prefixes, and rejects other linters' codes", () => {
    for (const ok of ['ALL', 'all', 'LEAK', 'LEAK0', 'LEAK00', 'leak00']) assert.ok(isValidSelector(ok), ok);
    for (const bad of ['E501', 'LEAK999', 'LEAK0001', 'LEAKY', '', 'L'])
      assert.ok(!isValidSelector(bad), bad);
  });

  it('accepts every registered code', () => {
    for (const rule of RULES) assert.ok(isValidSelector(rule.code), rule.code);
  });
});

describe('mergeSettings', () => {
  it('starts from the base and leaves it untouched', () => {
    const merged = mergeSettings(DEFAULT_SETTINGS);
    assert.deepEqual(merged, DEFAULT_SETTINGS);
    merged.severity.LEAK001 = 'error';
    assert.deepEqual(DEFAULT_SETTINGS.severity, {});
  });

  it('lets later layers replace scalar and list settings, and merges severity per code', () => {
    const merged = mergeSettings(
      DEFAULT_SETTINGS,
      { cacheMaxsize: 10, exclude: ['a'], severity: { LEAK001: 'error', LEAK002: 'hint' } },
      { exclude: ['b'], severity: { LEAK002: 'warning' }, extendConnectionFactories: ['x.connect'] },
    );
    assert.equal(merged.cacheMaxsize, 10);
    assert.equal(merged.cacheTtlSeconds, DEFAULT_SETTINGS.cacheTtlSeconds);
    assert.deepEqual(merged.exclude, ['b']);
    assert.deepEqual(merged.severity, { LEAK001: 'error', LEAK002: 'warning' });
    assert.deepEqual(merged.extendConnectionFactories, ['x.connect']);
    assert.equal(merged.includeTests, false, 'test code is left out by default');
    assert.equal(mergeSettings(merged, { includeTests: true }).includeTests, true);
    assert.equal(mergeSettings(merged, { includeTests: true }, { includeTests: false }).includeTests, false);
    assert.equal(mergeSettings(merged, { includeTests: true }, { cacheMaxsize: 3 }).includeTests, true);
  });

  it('adds ignores across layers, but an explicit select starts afresh', () => {
    const config = mergeSettings(DEFAULT_SETTINGS, { ignore: ['LEAK003'] });
    assert.deepEqual(mergeSettings(config, { ignore: ['LEAK005'] }).ignore, ['LEAK003', 'LEAK005']);
    const selected = mergeSettings(config, { select: ['LEAK00'] });
    assert.deepEqual(selected.select, ['LEAK00']);
    assert.equal(selected.ignore, undefined);
    assert.deepEqual(mergeSettings(config, { select: ['LEAK'], ignore: ['LEAK001'] }).ignore, ['LEAK001']);
  });
});

describe('pyproject.toml discovery', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    const path = join(root, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'leak-lens-config-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the nearest pyproject.toml that configures Leak Lens, passing over ones that do not', () => {
    const top = write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 7\n');
    write('libs/pkg/pyproject.toml', '[project]\nname = "pkg"\n');
    const nested = write('services/api/pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 9\n');
    write('libs/pkg/src/mod.py', '');
    assert.equal(findPyproject(join(root, 'libs/pkg/src/mod.py')), top);
    assert.equal(findPyproject(join(root, 'services/api/app/main.py')), nested);
    assert.equal(findPyproject(join(root, 'services/api/main.py')), nested);
    assert.equal(findPyproject(join(root, 'main.py')), top);
  });

  it('layers the pyproject over the defaults', () => {
    const top = write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 7\nexclude = ["gen"]\n');
    const result = loadSettingsForFile(join(root, 'a/b.py'));
    assert.equal(result.pyproject, top);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.settings, { ...DEFAULT_SETTINGS, cacheMaxsize: 7, exclude: ['gen'] });
  });

  it('uses the defaults and reports the file when the pyproject is malformed', () => {
    const top = write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = \n');
    const result = loadSettingsForFile(join(root, 'x.py'));
    assert.equal(result.pyproject, top);
    assert.deepEqual(result.settings, DEFAULT_SETTINGS);
    assert.equal(result.errors.length, 1);
    assert.ok(result.errors[0].startsWith(`${top}:2:`), result.errors[0]);
  });

  it('never opens a pyproject.toml that is a FIFO or a link to a device: it is passed over with a note', () => {
    const top = write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 7\n');
    mkdirSync(join(root, 'fifo'));
    execFileSync('mkfifo', [join(root, 'fifo', 'pyproject.toml')]);
    mkdirSync(join(root, 'dev'));
    symlinkSync('/dev/zero', join(root, 'dev', 'pyproject.toml'));
    const shown = (p: string) => p.slice(root.length + 1);
    const fifo = configForDirectory(join(root, 'fifo'), undefined, { displayPath: shown });
    assert.equal(fifo.pyproject, top);
    assert.equal(fifo.settings.cacheMaxsize, 7);
    assert.deepEqual(fifo.errors, [
      'fifo/pyproject.toml skipped: not a regular file but a FIFO (named pipe); the settings above it apply',
    ]);
    const dev = configForDirectory(join(root, 'dev'), undefined, { displayPath: shown });
    assert.equal(dev.settings.cacheMaxsize, 7);
    assert.match(
      dev.errors[0],
      /^dev\/pyproject\.toml skipped: not a regular file but a symbolic link to a character device;/,
    );
    // The folders above keep their own result, without the note.
    const cache = new Map<string, ConfigResult>();
    configForDirectory(join(root, 'fifo'), cache);
    assert.deepEqual(configForDirectory(root, cache).errors, []);
  });

  it('caches lookups per folder: siblings share one result and the file is read once', () => {
    write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 7\n');
    const cache = new Map<string, ConfigResult>();
    const first = loadSettingsForFile(join(root, 'a/b/one.py'), cache);
    const second = loadSettingsForFile(join(root, 'a/b/two.py'), cache);
    const third = loadSettingsForFile(join(root, 'a/three.py'), cache);
    assert.equal(first, second);
    assert.equal(first, third);
    assert.ok(cache.has(join(root, 'a/b')) && cache.has(join(root, 'a')) && cache.has(root));
    // A cached answer is reused even after the file changes (one cache per run).
    write('pyproject.toml', '[tool.leak-lens]\ncache-maxsize = 8\n');
    assert.equal(loadSettingsForFile(join(root, 'a/b/four.py'), cache).settings.cacheMaxsize, 7);
    assert.equal(loadSettingsForFile(join(root, 'a/b/four.py')).settings.cacheMaxsize, 8);
  });
});
