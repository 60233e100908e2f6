// Which paths are left out of analysis: the directories no one wants linted (virtualenvs, build
// output, VCS metadata) and the `exclude` globs from configuration, with Ruff's semantics:
// a pattern without a slash (`migrations`, `*_pb2.py`) matches a file or directory name anywhere;
// a pattern with a slash (`tests/fixtures`, `src/*/gen.py`) matches the path relative to the
// project root (the folder of the pyproject.toml that set it), and excluding a directory excludes
// everything below it.
import { isAbsolute, relative, sep } from 'node:path';
import { Minimatch } from 'minimatch';

/** Directory names skipped while walking a tree (not when named explicitly on the command line). */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git',
  '.venv',
  'venv',
  'node_modules',
  '__pycache__',
  'site-packages',
  'build',
  'dist',
]);

/**
 * Whether a directory met while walking a tree is skipped: the names above, and hidden
 * directories (`.tox`, `.mypy_cache`, `.github`, editor and tool folders), as Pyright skips
 * hidden paths by default: they hold tooling, not the service's code.
 */
export function isSkippedDirectoryName(name: string): boolean {
  return SKIPPED_DIRECTORIES.has(name) || (name.length > 1 && name.startsWith('.'));
}

const compiled = new Map<string, Minimatch>();

function matcher(pattern: string): Minimatch {
  let m = compiled.get(pattern);
  if (!m) {
    m = new Minimatch(pattern, { dot: true, nocomment: true, nonegate: true });
    compiled.set(pattern, m);
  }
  return m;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Whether `path` (absolute) is excluded by `patterns`, which are relative to `root` (absolute).
 * Every ancestor between `root` and `path` is tested too, so `tests/fixtures` covers
 * `tests/fixtures/a/b.py` even when that file is named directly.
 */
export function isExcluded(path: string, patterns: readonly string[], root: string): boolean {
  if (patterns.length === 0) return false;
  const rel = toPosix(relative(root, path));
  if (rel === '') return false; // the project root itself is never excluded
  const inside = !rel.startsWith('../') && rel !== '..' && !isAbsolute(rel);
  // Outside the project root only name patterns can apply, to the file's own name.
  const parts = inside ? rel.split('/') : [toPosix(path).split('/').pop() ?? ''];
  const absolute = toPosix(path);
  for (const raw of patterns) {
    const pattern = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (pattern === '') continue;
    const m = matcher(pattern);
    if (!pattern.includes('/')) {
      if (parts.some((name) => m.match(name))) return true;
    } else if (isAbsolute(pattern) || pattern.startsWith('/')) {
      if (prefixes(absolute.split('/')).some((p) => m.match(p))) return true;
    } else if (inside && prefixes(parts).some((p) => m.match(p))) return true;
  }
  return false;
}

/** `a`, `a/b`, `a/b/c` for ['a', 'b', 'c']. */
function prefixes(parts: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}
