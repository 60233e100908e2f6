// Which files are test code, left out of analysis unless `includeTests` is on. Decided once here,
// for the CLI and the language server alike, from the path alone (pure: no file-system access).
// The path is judged relative to its project root, so a project checked out under
// `/home/me/test/proj` is not all test code: only the folders inside the project count.
import { isAbsolute, relative, sep } from 'node:path';

/** Folder names that hold tests (exactly: `testing/` and `test_utils/` are shipped code). */
const TEST_FOLDERS: ReadonlySet<string> = new Set(['test', 'tests']);

/** `test_*.py`, `*_test.py` and `conftest.py`: pytest's default file names. */
export function isTestFileName(name: string): boolean {
  if (!name.endsWith('.py')) return false;
  return name === 'conftest.py' || name.startsWith('test_') || name.endsWith('_test.py');
}

/**
 * Whether the file at `path` is test code: a folder named `test` or `tests` between `root` and the
 * file, or a test file name. Both paths are absolute; a file outside `root` is judged by its name.
 */
export function isTestFile(path: string, root: string): boolean {
  const rel = relative(root, path);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  const parts = (inside ? rel : path).split(/[\\/]/);
  const name = parts.pop() ?? '';
  if (isTestFileName(name)) return true;
  return inside && parts.some((part) => TEST_FOLDERS.has(part));
}

/**
 * The project root to judge `path` against: the deepest of `roots` (the scan root or workspace
 * folder, the folder of the pyproject.toml that configures the file) that holds it. Undefined when
 * none does.
 */
export function projectRoot(path: string, roots: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const root of roots) {
    if (root === undefined) continue;
    const rel = relative(root, path);
    const holds = rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
    if (holds && (best === undefined || root.length > best.length)) best = root;
  }
  return best;
}
