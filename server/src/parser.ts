// Loads web-tree-sitter and the Python grammar once per process. The wasm files sit next to
// the bundle in dist/ (VSIX, CLI); when running from sources they come from node_modules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, type Node, Parser, type Tree } from 'web-tree-sitter';

export type { Node, Tree };

let ready: Promise<Language> | undefined;
let language: Language | undefined;
let sharedParser: Parser | undefined;

function locate(file: string, packagePath: string): string {
  const besideBundle = join(__dirname, file);
  if (existsSync(besideBundle)) return besideBundle;
  return require.resolve(packagePath);
}

/** Initialise tree-sitter and load the Python grammar; safe to call any number of times. */
export function initParser(): Promise<Language> {
  ready ??= (async () => {
    await Parser.init({ locateFile: () => locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm') });
    language = await Language.load(
      locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'),
    );
    return language;
  })();
  return ready;
}

export function pythonLanguage(): Language {
  if (!language) throw new Error('initParser() must be awaited before parsing');
  return language;
}

/** Parse Python source; pass the previous tree (after `tree.edit`) to re-parse incrementally. */
export function parsePython(source: string, previous?: Tree): Tree {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(pythonLanguage());
  }
  const tree = sharedParser.parse(source, previous ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
