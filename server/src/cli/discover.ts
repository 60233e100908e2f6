// Finds the Python files a scan covers. Directories are walked for *.py files, skipping the
// well-known non-source directories and whatever the applicable configuration excludes.
// Decisions: the built-in skip list applies only to directories met while walking (naming
// `build/` or `venv/x.py` explicitly scans it), while configured `exclude` globs also apply to
// paths named explicitly (like Ruff with --force-exclude, so pre-commit style invocations that
// pass changed files respect pyproject.toml). Symlinked directories are not followed (no cycles);
// symlinked files are scanned.
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isExcluded, SKIPPED_DIRECTORIES } from '../exclude';

export interface ExcludeContext {
  patterns: readonly string[];
  /** The folder the patterns are relative to. */
  root: string;
}

export interface DiscoveredFile {
  /** Absolute path. */
  path: string;
  /** Named on the command line rather than found by walking. */
  explicit: boolean;
  /** The directory named on the command line that the file was found under (walked files only). */
  root?: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Named paths that do not exist or cannot be listed: the scan exits with 2. */
  fatal: string[];
  /** Directories inside a tree that could not be listed: reported, skipped. */
  warnings: string[];
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.code ?? e.message;
}

/**
 * Files under `paths` (relative to `cwd`). `excludeFor(dir)` gives the exclude globs that apply
 * to entries of `dir` (from the nearest pyproject.toml or --config).
 */
export function discoverFiles(
  paths: readonly string[],
  cwd: string,
  excludeFor: (dir: string) => ExcludeContext,
): Discovery {
  const result: Discovery = { files: [], fatal: [], warnings: [] };
  const seen = new Set<string>();
  const excluded = (path: string) => {
    const { patterns, root } = excludeFor(dirname(path));
    return isExcluded(path, patterns, root);
  };
  const add = (path: string, explicit: boolean, root?: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    result.files.push(root === undefined ? { path, explicit } : { path, explicit, root });
  };

  const walk = (start: string) => {
    const stack = [start];
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (dir === start) result.fatal.push(`${dir}: cannot list directory (${reason(error)})`);
        else result.warnings.push(`${dir}: skipped, cannot list directory (${reason(error)})`);
        continue;
      }
      const subdirs: string[] = [];
      for (const entry of entries) {
        const path = join(dir, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          try {
            isFile = statSync(path).isFile();
          } catch {
            isFile = false; // dangling link
          }
          isDir = false;
        }
        if (isDir) {
          if (!SKIPPED_DIRECTORIES.has(entry.name) && !excluded(path)) subdirs.push(path);
        } else if (isFile && entry.name.endsWith('.py') && !excluded(path)) add(path, false, start);
      }
      // Reverse so the stack pops subdirectories in name order (output is sorted anyway).
      stack.push(...subdirs.reverse());
    }
  };

  for (const arg of paths) {
    const path = resolve(cwd, arg);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      result.fatal.push(`${arg}: ${reason(error)}`);
      continue;
    }
    if (excluded(path)) continue;
    if (isDir) walk(path);
    else add(path, true);
  }
  return result;
}
