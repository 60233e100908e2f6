// Compiles the extension-host test suite 1:1 (not bundled) to out/test/vscode/suite/*.js.
// `vscode` and `mocha` stay require() calls: the extension host provides `vscode`, and mocha is
// resolved from the repository's node_modules (the extensionDevelopmentPath).
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = join(root, 'test', 'vscode', 'suite');
const outdir = join(root, 'out', 'test', 'vscode', 'suite');

rmSync(outdir, { recursive: true, force: true }); // no stale test files from renamed sources
await esbuild.build({
  entryPoints: readdirSync(suiteDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(suiteDir, f)),
  outdir,
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
console.log(`extension-host tests compiled to ${outdir}`);
