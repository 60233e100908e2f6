// Bundles the extension client, the language server, the CLI (and its scan worker) and the
// memory panel's webview script into dist/, and copies the two wasm files and web-tree-sitter's
// CommonJS runtime (for re-instantiating the parser after a crash) beside them.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --outdir=DIR: build somewhere else than dist/ (bench/targets.bench.mjs measures the production
// bundles without replacing the development build).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  // web-tree-sitter's CommonJS build, not its ES module one: that one starts with
  // `await import("module")`, and a dynamic import fails in a bundle run from V8's code cache
  // (dist/server.js runs dist/server-main.js that way, see server/src/server-loader.ts).
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  // Packages' ES module builds read import.meta.url: a CommonJS bundle has none, so give them
  // the bundle's own file URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const builds = [
  { ...node, entryPoints: { extension: 'client/src/extension.ts' }, outdir },
  {
    ...node,
    entryPoints: {
      // dist/server.js is a small loader that runs this bundle from V8's code cache.
      server: 'server/src/server-loader.ts',
      'server-main': 'server/src/server-main.ts',
      'scan-worker': 'server/src/cli/scan-worker.ts',
      'analysis-worker': 'server/src/lsp/analysis-worker.ts',
    },
    outdir,
  },
  {
    ...node,
    entryPoints: { cli: 'server/src/cli/main.ts' },
    outdir,
    banner: { js: `#!/usr/bin/env node\n${node.banner.js}` },
  },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: { webview: 'client/src/panel/webview/main.ts' },
    outdir,
    loader: { '.css': 'css' },
  },
];

mkdirSync(outdir, { recursive: true });
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), `${outdir}/tree-sitter.wasm`);
copyFileSync(
  require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
  `${outdir}/tree-sitter-python.wasm`,
);
// After a wasm crash the parser evaluates a fresh copy of web-tree-sitter's runtime (the bundled
// one caches its module instance): server/src/parser.ts reads it from here, next to the bundle.
copyFileSync(require.resolve('web-tree-sitter'), `${outdir}/web-tree-sitter.cjs`);

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
