// Where the Python probe (the `leak_lens_probe` package) is on disk: beside the bundles in the
// VSIX and the npm package (dist/../probe), or in the repository when running from source.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CANDIDATES = [
  ['..', 'probe'], // dist/cli.js, dist/extension.js → <package>/probe
  ['..', '..', '..', 'probe'], // client/src/probe/locate.ts (tests, tsx) → <repo>/probe
];

/** The folder that holds `leak_lens_probe/` (what goes on PYTHONPATH), or undefined. */
export function probePath(from: string = __dirname): string | undefined {
  for (const parts of CANDIDATES) {
    const dir = resolve(from, ...parts);
    if (existsSync(join(dir, 'leak_lens_probe', '__init__.py'))) return dir;
  }
  return undefined;
}

/** The folder whose `sitecustomize.py` starts the probe in every Python process (`leak-lens run`). */
export function bootPath(root: string): string {
  return join(root, 'leak_lens_probe', '_boot');
}
