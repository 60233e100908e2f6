// Which files are test code, left out of analysis unless `includeTests` is on. Decided once here,
// for the CLI and the language server alike, from the path (and, through a lister the caller
// passes, the names of the files beside it: no file-system access here).
// The path is judged relative to its project root, so a project checked out under
// `/home/me/test/proj` is not all test code: only the folders inside the project count.
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * Folder names that hold tests: `test`, `tests`, the private `_tests` (a package that keeps its
 * tests inside, out of the public namespace) and suites named for their kind (`integration_tests`,
 * `playwright_tests`). Exactly those: `testing/` and `test_utils/` are shipped code.
 */
function isTestFolderName(name: string): boolean {
  return /^_?tests?$/.test(name) || /^[A-Za-z0-9]\w*_tests$/.test(name);
}

/**
 * `test_*.py`, `*_test.py` and `conftest.py` (pytest's default file names), and `tests.py`, the
 * module Django's `startapp` writes into every app, which Django's test runner collects (its
 * pattern `test*.py` is not taken whole: `testing.py` is shipped code in many projects).
 */
export function isTestFileName(name: string): boolean {
  if (!name.endsWith('.py')) return false;
  return (
    name === 'conftest.py' || name === 'tests.py' || name.startsWith('test_') || name.endsWith('_test.py')
  );
}

/** The file names in a folder, or undefined when it cannot be read. */
export type FolderLister = (dir: string) => readonly string[] | undefined;

/**
 * A folder pytest collects as a test folder under another name (celery's `t/integration/`): it
 * holds a `conftest.py` and more test modules (`test_*.py`, `*_test.py`) than other modules, so
 * the rest (tasks, settings, helpers the tests import) is test support. A package that keeps a
 * `conftest.py` for fixtures beside its own code (`saleor/graphql/`) has few or no test modules.
 */
export function isConftestTestFolder(names: readonly string[]): boolean {
  if (!names.includes('conftest.py')) return false;
  const { tests, others } = countModules(names);
  return tests > others;
}

/** Test modules and other modules among a folder's file names (`__init__.py`, `conftest.py` aside). */
function countModules(names: readonly string[]): { tests: number; others: number } {
  let tests = 0;
  let others = 0;
  for (const name of names) {
    if (!name.endsWith('.py') || name === 'conftest.py' || name === '__init__.py') continue;
    if (isTestFileName(name)) tests++;
    else others++;
  }
  return { tests, others };
}

/**
 * A folder of test modules without a `conftest.py` (an `integ_tests/` that a tox or pytest
 * configuration runs): at least three `test_*.py` / `*_test.py` modules, and three times as many
 * as other modules, so the rest is shared test support. A package with a test module or two
 * beside its code is not one.
 */
export function isTestModuleFolder(names: readonly string[]): boolean {
  const { tests, others } = countModules(names);
  return tests >= 3 && tests >= 3 * others;
}

/**
 * Whether the file at `path` is test code: a folder named `test` or `tests` between `root` and the
 * file, or a test file name; with `listFolder`, also a folder below `root` that pytest's
 * `conftest.py` marks as a test folder (see isConftestTestFolder), or that holds mostly test
 * modules (isTestModuleFolder). The project root itself is
 * never one (a one-module project keeps `conftest.py` and `test_*.py` beside its code). Both paths
 * are absolute; a file outside `root` is judged by its name.
 */
export function isTestFile(path: string, root: string, listFolder?: FolderLister): boolean {
  const below = pathBelow(root, path);
  const parts = (below ?? path).split(/[\\/]/);
  const name = parts.pop() ?? '';
  if (isTestFileName(name)) return true;
  if (below === undefined) return false;
  if (parts.some(isTestFolderName)) return true;
  if (!listFolder) return false;
  let dir = root;
  for (const part of parts) {
    dir = join(dir, part);
    const names = listFolder(dir);
    if (names && (isConftestTestFolder(names) || isTestModuleFolder(names))) return true;
  }
  return false;
}

/**
 * The project root to judge `path` against: the deepest of `roots` (the scan root or workspace
 * folder, the folder of the pyproject.toml that configures the file) that holds it. Undefined when
 * none does.
 */
export function projectRoot(path: string, roots: readonly (string | undefined)[]): string | undefined {
  return rootHolding(path, roots, 'deepest');
}

/** `path` relative to `root` when it lies below `root` (not `root` itself), else undefined. */
export function pathBelow(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : undefined;
}

/** Of `roots`, the deepest or the outermost that holds `path` (or is it). */
export function rootHolding(
  path: string,
  roots: readonly (string | undefined)[],
  pick: 'deepest' | 'outermost',
): string | undefined {
  let best: string | undefined;
  for (const root of roots) {
    if (root === undefined) continue;
    const holds = relative(root, path) === '' || pathBelow(root, path) !== undefined;
    if (!holds) continue;
    if (best === undefined || (pick === 'deepest' ? root.length > best.length : root.length < best.length))
      best = root;
  }
  return best;
}
