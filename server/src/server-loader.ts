// Bundle entry of dist/server.js (the VS Code client starts it; so can any LSP client): runs the
// language server's bundle, dist/server-main.js, from V8's code cache when there is one.
//
// Compiling the 0.8 MB bundle, and then each function the first analysis calls, is a good part of
// the time to the first diagnostics. The first start saves V8's code cache of the bundle once the
// first analysis is done (so it holds the functions that analysis compiled, not only the top
// level); later starts read it and skip that compilation. The cache is one file per bundle
// content and Node version, in the user's cache folder (LEAK_LENS_CACHE_DIR overrides it;
// LEAK_LENS_CODE_CACHE=0 turns it off). V8 checks the data against the source and its own version
// and flags and ignores data that does not fit (the bundle then compiles as usual, and the cache
// is written again); any error reading or writing the cache leaves the server running without it.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';
import { SAVE_CODE_CACHE } from './lsp/code-cache';

const bundle = join(__dirname, 'server-main.js');

function cacheFile(source: string): string | undefined {
  if (process.env.LEAK_LENS_CODE_CACHE === '0') return undefined;
  const base =
    process.env.LEAK_LENS_CACHE_DIR ||
    (process.platform === 'win32'
      ? join(process.env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'leak-lens')
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches', 'leak-lens')
        : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'leak-lens'));
  const key = createHash('sha256')
    .update(source)
    .update(`\0${process.version}\0${process.arch}\0${process.versions.v8}`)
    .digest('hex')
    .slice(0, 24);
  return join(base, `server-${key}.v8cache`);
}

/** The bundle compiled (from the code cache if it fits); nothing here outlives the call but the script. */
function compile(): Script {
  const source = readFileSync(bundle, 'utf8');
  let file: string | undefined;
  try {
    file = cacheFile(source);
  } catch {
    // (No home folder to put it in, say: then no cache.)
  }
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = readFileSync(file);
    } catch {
      /* no cache yet */
    }
  }
  // What Node itself wraps a CommonJS file in, so the bundle runs exactly as if required.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: bundle,
    cachedData,
    // The bundle's one dynamic import (web-tree-sitter loading a grammar from a path, which the
    // server never does) would go through Node's loader. (A script compiled from cached data
    // loses this callback: hence esbuild.mjs bundles web-tree-sitter's CommonJS build, whose
    // start-up imports nothing dynamically.)
    importModuleDynamically:
      (constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol })
        .USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((specifier: string) => import(specifier)),
  } as ConstructorParameters<typeof Script>[1]);
  if (file && (cachedData === undefined || script.cachedDataRejected)) {
    // Called by the server once its first analysis is done (or never: then nothing is written).
    (globalThis as Record<symbol, unknown>)[SAVE_CODE_CACHE] = () => save(script, file);
  }
  return script;
}

function save(script: Script, file: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, file);
    prune(dirname(file), file);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      /* never written */
    }
  }
}

/** Keep the few newest caches (other versions of the bundle or of Node); delete older ones. */
function prune(dir: string, keep: string): void {
  const caches = readdirSync(dir)
    .filter((name) => /^server-[0-9a-f]+\.v8cache$/.test(name))
    .map((name) => join(dir, name))
    .filter((path) => path !== keep)
    .map((path) => ({ path, mtime: statSync(path).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of caches.slice(KEPT_CACHES - 1)) unlinkSync(old.path);
}
const KEPT_CACHES = 4;

const NodeModule = Module as unknown as {
  new (id: string, parent?: unknown): NodeJS.Module;
  _nodeModulePaths(dir: string): string[];
};
const mod = new NodeModule(bundle, module);
mod.filename = bundle;
mod.paths = NodeModule._nodeModulePaths(__dirname);
const run = compile().runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
) => void;
run.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, __dirname);
mod.loaded = true;
