// Editor settings: validation (one message per bad key, defaults kept) and the precedence with
// pyproject.toml that docs/configuration.md documents.
import * as assert from 'node:assert/strict';
import {
  isExcludedTestCode,
  isExcludedVendoredCode,
  readEditorSettings,
  resolveSettings,
} from '../../server/src/lsp/settings';
import { RULES } from '../../server/src/rules/index';

const [first, second] = RULES.map((r) => r.code);
const py = (settings: object) => ({ path: '/p/pyproject.toml', root: '/p', settings });

describe('editor settings', () => {
  it('reads nested VS Code sections and treats defaults, null and empty lists as not set', () => {
    const { settings, problems } = readEditorSettings({
      enable: true,
      select: [],
      ignore: null,
      severity: {},
      exclude: ['gen/**'],
      cache: { maxsize: 1024, ttlSeconds: 60 },
      configurationPreference: 'filesystemFirst',
      trace: { server: 'off' },
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.select, undefined);
    assert.equal(settings.ignore, undefined);
    assert.equal(settings.cacheMaxsize, undefined, '1024 is the default: pyproject may decide');
    assert.equal(settings.cacheTtlSeconds, 60);
    assert.deepEqual(settings.exclude, ['gen/**']);
    assert.equal(settings.configurationPreference, 'filesystemFirst');
  });

  it('reports each bad key once and keeps its default', () => {
    const { settings, problems } = readEditorSettings({
      enable: 'yes',
      select: 'LEAK001',
      ignore: ['LEAK999'],
      severity: { [first]: 'loud' },
      cache: { maxsize: -5, ttlSeconds: 0 },
      configurationPreference: 'mine',
    });
    assert.equal(problems.length, 7, problems.join('\n'));
    for (const key of [
      'enable',
      'select',
      'ignore',
      'severity',
      'cache.maxsize',
      'cache.ttlSeconds',
      'configurationPreference',
    ]) {
      assert.ok(
        problems.some((p) => p.includes(`leakLens.${key}\``)),
        `a message names ${key}`,
      );
    }
    assert.equal(settings.enable, true);
    assert.equal(settings.select, undefined);
    assert.equal(settings.ignore, undefined);
    assert.deepEqual(settings.severity, {});
    assert.equal(settings.cacheMaxsize, undefined);
    assert.equal(settings.configurationPreference, 'editorFirst');
  });

  it('reads includeTests, treating false (the default) as not set', () => {
    assert.equal(readEditorSettings({ includeTests: true }).settings.includeTests, true);
    assert.equal(readEditorSettings({ includeTests: false }).settings.includeTests, undefined);
    const { settings, problems } = readEditorSettings({ includeTests: 'yes', enable: false });
    assert.equal(settings.includeTests, undefined);
    assert.equal(settings.enable, false, 'the other keys still apply');
    assert.deepEqual(problems, ['`leakLens.includeTests` must be true or false, got "yes"']);
  });

  it('reads includeVendored, treating false (the default) as not set', () => {
    assert.equal(readEditorSettings({ includeVendored: true }).settings.includeVendored, true);
    assert.equal(readEditorSettings({ includeVendored: false }).settings.includeVendored, undefined);
    const { settings, problems } = readEditorSettings({ includeVendored: 1, includeTests: true });
    assert.equal(settings.includeVendored, undefined);
    assert.equal(settings.includeTests, true, 'the other keys still apply');
    assert.deepEqual(problems, ['`leakLens.includeVendored` must be true or false, got 1']);
  });

  it('turns severity "off" into an ignored code', () => {
    const { settings } = readEditorSettings({ severity: { [first]: 'off', [second]: 'error' } });
    const resolved = resolveSettings(settings, undefined, '/w');
    assert.deepEqual(resolved.engine.ignore, [first]);
    assert.equal(resolved.engine.severity[second], 'error');
  });
});

describe('settings precedence', () => {
  const editor = readEditorSettings({
    severity: { [first]: 'hint' },
    cache: { maxsize: 10 },
    exclude: ['mine/**'],
  }).settings;
  const pyproject = py({
    severity: { [first]: 'error' },
    cacheMaxsize: 500,
    cacheTtlSeconds: 99,
    ignore: [second],
    exclude: ['gen'],
  });

  it('editorFirst: what the user set in the editor wins, pyproject fills the rest', () => {
    const r = resolveSettings(editor, pyproject, '/w');
    assert.equal(r.engine.severity[first], 'hint');
    assert.equal(r.engine.cacheMaxsize, 10);
    assert.equal(r.engine.cacheTtlSeconds, 99);
    assert.deepEqual(r.engine.ignore, [second]);
    assert.deepEqual(r.excludes, [
      { patterns: ['gen'], root: '/p' },
      { patterns: ['mine/**'], root: '/w' },
    ]);
    assert.equal(r.pyproject, '/p/pyproject.toml');
  });

  it('filesystemFirst: pyproject wins where it sets a key', () => {
    const r = resolveSettings({ ...editor, configurationPreference: 'filesystemFirst' }, pyproject, '/w');
    assert.equal(r.engine.severity[first], 'error');
    assert.equal(r.engine.cacheMaxsize, 500);
    assert.equal(r.excludes.length, 2);
  });

  it('editorOnly: pyproject is ignored entirely', () => {
    const r = resolveSettings({ ...editor, configurationPreference: 'editorOnly' }, pyproject, '/w');
    assert.equal(r.engine.severity[first], 'hint');
    assert.equal(r.engine.cacheTtlSeconds, 3600);
    assert.equal(r.engine.ignore, undefined);
    assert.deepEqual(r.excludes, [{ patterns: ['mine/**'], root: '/w' }]);
    assert.equal(r.pyproject, undefined);
  });

  it('an editor `select` starts afresh over pyproject, an editor `ignore` adds to it', () => {
    const sel = readEditorSettings({ select: [first] }).settings;
    assert.deepEqual(resolveSettings(sel, pyproject, '/w').engine.select, [first]);
    assert.equal(resolveSettings(sel, pyproject, '/w').engine.ignore, undefined);
    const ign = readEditorSettings({ ignore: [first] }).settings;
    assert.deepEqual(resolveSettings(ign, pyproject, '/w').engine.ignore, [second, first]);
  });
});

describe('settings precedence: the examples of docs/configuration.md', () => {
  // [tool.leak-lens] ignore = ["LEAK003"], cache-maxsize = 256, severity.LEAK007 = "warning"
  const project = py({ ignore: ['LEAK003'], cacheMaxsize: 256, severity: { LEAK007: 'warning' } });
  const resolve = (editor: object, preference: 'editorFirst' | 'filesystemFirst') =>
    resolveSettings(
      readEditorSettings({ ...editor, configurationPreference: preference }).settings,
      project,
      '/w',
    ).engine;

  it('no editor settings: the project applies', () => {
    for (const pref of ['editorFirst', 'filesystemFirst'] as const) {
      const e = resolve({}, pref);
      assert.deepEqual(e.ignore, ['LEAK003']);
      assert.equal(e.cacheMaxsize, 256);
      assert.equal(e.severity.LEAK007, 'warning');
    }
  });
  it('an editor ignore adds to the project ignore either way', () => {
    assert.deepEqual(resolve({ ignore: ['LEAK005'] }, 'editorFirst').ignore, ['LEAK003', 'LEAK005']);
    assert.deepEqual(resolve({ ignore: ['LEAK005'] }, 'filesystemFirst').ignore, ['LEAK005', 'LEAK003']);
  });
  it('an editor select starts afresh (editorFirst) or meets the project ignore (filesystemFirst)', () => {
    const first = resolve({ select: ['LEAK001', 'LEAK003'] }, 'editorFirst');
    assert.deepEqual([first.select, first.ignore], [['LEAK001', 'LEAK003'], undefined]);
    const fs = resolve({ select: ['LEAK001', 'LEAK003'] }, 'filesystemFirst');
    assert.deepEqual([fs.select, fs.ignore], [['LEAK001', 'LEAK003'], ['LEAK003']]);
  });
  it('severity and cache.maxsize: the editor wins with editorFirst, the project with filesystemFirst', () => {
    assert.equal(resolve({ severity: { LEAK007: 'hint' } }, 'editorFirst').severity.LEAK007, 'hint');
    assert.equal(resolve({ severity: { LEAK007: 'hint' } }, 'filesystemFirst').severity.LEAK007, 'warning');
    assert.equal(resolve({ cache: { maxsize: 4096 } }, 'editorFirst').cacheMaxsize, 4096);
    assert.equal(resolve({ cache: { maxsize: 4096 } }, 'filesystemFirst').cacheMaxsize, 256);
  });
});

describe('settings: test code', () => {
  const editor = (raw: object) => readEditorSettings(raw).settings;
  const included = (raw: object, pyproject?: object) =>
    resolveSettings(editor(raw), pyproject ? py(pyproject) : undefined, '/w').engine.includeTests;

  it('leaves test code out unless the editor or pyproject.toml includes it', () => {
    assert.equal(included({}), false);
    assert.equal(included({ includeTests: true }), true);
    assert.equal(included({}, { includeTests: true }), true, 'editor false is "not set"');
    assert.equal(included({ includeTests: true }, { includeTests: false }), true, 'editorFirst');
    assert.equal(
      included({ includeTests: true, configurationPreference: 'filesystemFirst' }, { includeTests: false }),
      false,
    );
    assert.equal(included({ configurationPreference: 'editorOnly' }, { includeTests: true }), false);
  });

  it('judges a path from the deeper of the workspace folder and the pyproject.toml folder', () => {
    const resolved = (pyprojectRoot?: string, raw: object = {}) =>
      resolveSettings(
        editor(raw),
        pyprojectRoot
          ? { path: `${pyprojectRoot}/pyproject.toml`, root: pyprojectRoot, settings: {} }
          : undefined,
        '/w',
      );
    // A workspace folder under a folder named `test`: only folders inside it count.
    assert.equal(isExcludedTestCode(resolved(), '/home/test/w/app.py', '/home/test/w'), false);
    assert.equal(isExcludedTestCode(resolved(), '/home/test/w/tests/a.py', '/home/test/w'), true);
    // A project in a `tests` folder of the workspace, with its own pyproject.toml.
    assert.equal(isExcludedTestCode(resolved('/w/tests/proj'), '/w/tests/proj/app.py', '/w'), false);
    assert.equal(isExcludedTestCode(resolved(), '/w/tests/proj/app.py', '/w'), true);
    // Outside any workspace folder: the pyproject.toml folder, else the file name alone.
    assert.equal(isExcludedTestCode(resolved('/p'), '/p/tests/a.py', undefined), true);
    assert.equal(isExcludedTestCode(resolved(), '/p/tests/a.py', undefined), false);
    assert.equal(isExcludedTestCode(resolved(), '/p/tests/test_a.py', undefined), true);
    // Included: never left out.
    assert.equal(
      isExcludedTestCode(resolved(undefined, { includeTests: true }), '/w/tests/a.py', '/w'),
      false,
    );
  });
});

describe('settings: vendored code', () => {
  const editor = (raw: object) => readEditorSettings(raw).settings;
  const resolved = (raw: object = {}, pyproject?: { root: string; settings: object }) =>
    resolveSettings(
      editor(raw),
      pyproject
        ? { path: `${pyproject.root}/pyproject.toml`, root: pyproject.root, settings: pyproject.settings }
        : undefined,
      '/w',
    );

  it('leaves vendored code out unless the editor or pyproject.toml includes it', () => {
    const included = (raw: object, settings?: object) =>
      resolved(raw, settings ? { root: '/w', settings } : undefined).engine.includeVendored;
    assert.equal(included({}), false);
    assert.equal(included({ includeVendored: true }), true);
    assert.equal(included({}, { includeVendored: true }), true, 'editor false is "not set"');
    assert.equal(
      included(
        { includeVendored: true, configurationPreference: 'filesystemFirst' },
        { includeVendored: false },
      ),
      false,
    );
    assert.equal(included({ configurationPreference: 'editorOnly' }, { includeVendored: true }), false);
  });

  it('judges a path from the outermost of the workspace folder and the pyproject.toml folder', () => {
    assert.equal(isExcludedVendoredCode(resolved(), '/home/vendor/w/app.py', '/home/vendor/w'), false);
    assert.equal(isExcludedVendoredCode(resolved(), '/w/vendor/pkg/a.py', '/w'), true);
    // A pyproject.toml shipped inside the vendored copy does not make it a project of its own.
    const inner = { root: '/w/vendor/pkg', settings: {} };
    assert.equal(isExcludedVendoredCode(resolved({}, inner), '/w/vendor/pkg/a.py', '/w'), true);
    // Outside any workspace folder: the pyproject.toml folder; without one, nothing to judge from.
    assert.equal(
      isExcludedVendoredCode(resolved({}, { root: '/p', settings: {} }), '/p/vendor/a.py', undefined),
      true,
    );
    assert.equal(isExcludedVendoredCode(resolved(), '/p/vendor/a.py', undefined), false);
    assert.equal(isExcludedVendoredCode(resolved({ includeVendored: true }), '/w/vendor/a.py', '/w'), false);
  });
});
