// The extension manifest (package.json) against the code and the packaging rules it must satisfy:
// what VS Code reads from it is checked here because no compiler checks it.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands } from '../../client/src/ids';
import { DEFAULT_SETTINGS } from '../../server/src/types';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, { default: unknown; scope?: string; type: string }> =
  manifest.contributes.configuration.properties;

/** The lowest version a `^1.91.0`-style range admits, as [major, minor]. */
function minimumVersion(range: string): [number, number] {
  const m = /^\^?(\d+)\.(\d+)\.\d+$/.exec(range);
  assert.ok(m, `engines.vscode ${range} is a plain ^x.y.z range`);
  return [Number(m[1]), Number(m[2])];
}

describe('extension manifest', () => {
  it('declares every command the client registers, each under the "Leak Lens" category', () => {
    const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Leak Lens', c.command);
      assert.ok(
        c.title && !c.title.startsWith('Leak Lens'),
        `${c.command}: the category already prefixes the title`,
      );
    }
  });

  it('has a walkthrough whose steps each complete on an event and show an image that exists', () => {
    const [walkthrough, ...others] = manifest.contributes.walkthroughs;
    assert.deepEqual(others, []);
    assert.equal(walkthrough.steps.length, 5);
    const commands = new Set<string>([
      ...Object.values(Commands),
      'leakLens.quickFixApplied',
      'workbench.action.openSettings',
      'workbench.action.quickOpen',
      'editor.action.quickFix',
    ]);
    for (const step of walkthrough.steps) {
      assert.ok(step.completionEvents?.length > 0, `${step.id} completes on an event`);
      for (const event of step.completionEvents) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command) assert.ok(commands.has(command), `${step.id}: ${command} is a command we know`);
        else assert.match(event, /^(onContext:leakLens\.|onSettingChanged:leakLens)/, `${step.id}: ${event}`);
      }
      for (const link of step.description.matchAll(/\(command:([\w.]+)/g))
        assert.ok(commands.has(link[1]), `${step.id} links ${link[1]}`);
      const image = join(ROOT, step.media.image);
      assert.ok(existsSync(image), `${step.media.image} exists`);
      assert.equal(readFileSync(image).toString('latin1', 1, 4), 'PNG', `${step.media.image} is a PNG`);
      assert.ok(step.media.altText.length > 20, `${step.id} describes its image`);
    }
  });

  it('keeps the monitor commands out of untrusted workspaces', () => {
    const monitor = [
      Commands.detectMemoryLeak,
      Commands.openMemoryPanel,
      Commands.attachToProcess,
      Commands.attachToProbe,
    ];
    for (const id of monitor) {
      const command = manifest.contributes.commands.find((c: { command: string }) => c.command === id);
      assert.equal(command.enablement, 'isWorkspaceTrusted', id);
      const palette = manifest.contributes.menus.commandPalette.find(
        (m: { command: string }) => m.command === id,
      );
      assert.equal(palette?.when, 'isWorkspaceTrusted', id);
    }
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  });

  it('activates on Python, pyproject.toml and notebooks, never on start-up', () => {
    assert.deepEqual(manifest.activationEvents, [
      'onLanguage:python',
      'workspaceContains:**/pyproject.toml',
      'onNotebook:jupyter-notebook',
      // The memory panel comes back after a window reload (WebviewPanelSerializer).
      'onWebviewPanel:leakLens.memoryPanel',
    ]);
    assert.deepEqual(manifest.extensionKind, ['workspace']);
  });

  it('gives every setting a leakLens.* name, a deliberate scope and a description', () => {
    for (const [key, p] of Object.entries(properties)) {
      assert.match(key, /^leakLens\.[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)?$/, key);
      const expectedScope = /^leakLens\.(trace|detect)\./.test(key) ? 'window' : 'resource';
      assert.equal(p.scope, expectedScope, key);
      assert.ok(
        (p as { markdownDescription?: string }).markdownDescription,
        `${key} has a markdownDescription`,
      );
    }
  });

  it('declares exactly the settings the language server and the monitor read', () => {
    assert.deepEqual(Object.keys(properties).sort(), [
      'leakLens.cache.maxsize',
      'leakLens.cache.ttlSeconds',
      'leakLens.configurationPreference',
      'leakLens.detect.durationSeconds',
      'leakLens.detect.followChildren',
      'leakLens.detect.intervalSeconds',
      'leakLens.detect.minDurationSeconds',
      'leakLens.detect.noiseFloorMB',
      'leakLens.detect.rapidMBPerMin',
      'leakLens.enable',
      'leakLens.exclude',
      'leakLens.ignore',
      'leakLens.includeTests',
      'leakLens.includeVendored',
      'leakLens.select',
      'leakLens.severity',
      'leakLens.trace.server',
    ]);
  });

  it('uses the engine defaults as the settings defaults', () => {
    assert.equal(properties['leakLens.cache.maxsize'].default, DEFAULT_SETTINGS.cacheMaxsize);
    assert.equal(properties['leakLens.cache.ttlSeconds'].default, DEFAULT_SETTINGS.cacheTtlSeconds);
    assert.deepEqual(properties['leakLens.exclude'].default, DEFAULT_SETTINGS.exclude);
    assert.deepEqual(properties['leakLens.severity'].default, DEFAULT_SETTINGS.severity);
    // The engine's "no select list" (every rule) is an empty list in the editor.
    assert.equal(DEFAULT_SETTINGS.select, undefined);
    assert.deepEqual(properties['leakLens.select'].default, []);
    assert.deepEqual(properties['leakLens.ignore'].default, []);
    assert.equal(properties['leakLens.enable'].default, true);
    assert.equal(properties['leakLens.includeTests'].default, DEFAULT_SETTINGS.includeTests);
    assert.equal(properties['leakLens.includeVendored'].default, DEFAULT_SETTINGS.includeVendored);
    assert.equal(properties['leakLens.configurationPreference'].default, 'editorFirst');
    assert.equal(properties['leakLens.trace.server'].default, 'off');
  });

  it('uses the monitor defaults the detect command documents', () => {
    const detect = Object.fromEntries(
      Object.entries(properties)
        .filter(([k]) => k.startsWith('leakLens.detect.'))
        .map(([k, p]) => [k.slice('leakLens.detect.'.length), p.default]),
    );
    assert.deepEqual(detect, {
      durationSeconds: 300,
      intervalSeconds: 10,
      minDurationSeconds: 300,
      rapidMBPerMin: 1,
      noiseFloorMB: 1,
      followChildren: true,
    });
  });

  it('can be installed into the VS Code (code-server 1.139) the end-to-end tests use', () => {
    const [major, minor] = minimumVersion(manifest.engines.vscode);
    assert.ok(major === 1 && minor <= 139, `engines.vscode ${manifest.engines.vscode} must admit 1.139`);
    // Types newer than the minimum engine would let code call API that older hosts lack.
    assert.equal(manifest.devDependencies['@types/vscode'], `${major}.${minor}.0`);
  });

  it('has what vsce needs to package without prompting, and the files the manifest names', () => {
    // The repository is set by a release (`npm pkg set repository.url=…`), never guessed; without
    // one, `npm run package` tells vsce so (scripts/package.mjs) instead of letting it prompt.
    assert.equal(manifest.repository, undefined, 'no guessed repository');
    assert.equal(manifest.scripts.package, 'node scripts/package.mjs');
    assert.equal(manifest.license, 'MIT');
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', manifest.icon, ...grammarPaths()]) {
      assert.ok(existsSync(join(ROOT, file)), `${file} exists`);
    }
    const icon = readFileSync(join(ROOT, manifest.icon));
    assert.equal(icon.toString('latin1', 1, 4), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'icon is 128×128');
    assert.match(
      readFileSync(join(ROOT, 'scripts', 'package.mjs'), 'utf8'),
      /'package', '--no-dependencies'/,
    );
    assert.match(manifest.scripts['vscode:prepublish'], /--production/);
  });
});

function grammarPaths(): string[] {
  return manifest.contributes.grammars.map((g: { path: string }) => g.path);
}
