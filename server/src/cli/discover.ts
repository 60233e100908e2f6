// Finds the Python files a scan covers. Directories are walked for *.py files, skipping the
// well-known non-source directories and whatever the applicable configuration excludes.
// Decisions: the built-in skip list applies only to directories met while walking (naming
// `build/` or `venv/x.py` explicitly scans it), while configured `exclude` globs also apply to
// paths named explicitly (like Ruff with --force-exclude, so pre-commit style invocations that
// pass changed files respect pyproject.toml). Symlinked directories met while walking are not
// followed, and a directory reached twice (named twice, or through a symlink named on the command
// line) is walked once, so link loops cannot repeat the tree. Symlinked files are scanned.
// Nothing is opened here: a `*.py` that is not a regular file (a FIFO, a socket, a device, a link
// to one of those, a broken link or a link loop) or whose name is not valid UTF-8 is listed in
// `skipped` with the reason, never read and never silently dropped.
import { type Dirent, lstatSync, readdirSync, type Stats, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isExcluded, isSkippedDirectoryName } from '../exclude';
import { describeErrno, describeKind } from '../safe-read';

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

export interface SkippedPath {
  /** Absolute path. */
  path: string;
  /** A noun phrase, printed after "<path> skipped: ". */
  reason: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Named paths that do not exist or cannot be listed: the scan exits with 2. */
  fatal: string[];
  /** Files and directories inside a tree that cannot be analysed (special files, unlistable folders). */
  skipped: SkippedPath[];
}

/** Node.js decodes file names as UTF-8 and replaces what is not with U+FFFD: such a path no longer names the file. */
const REPLACEMENT = '\uFFFD';
const NOT_UTF8 = 'file name is not valid UTF-8 (rename the file to analyse it)';

function reason(error: unknown, path: string): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' && path.includes(REPLACEMENT)) {
    return 'no such file or directory (if its name is not valid UTF-8, rename it: such names cannot be passed to Node.js)';
  }
  return describeErrno(error);
}

/** Emacs keeps `.#name.py` lock files as dangling symlinks while a buffer is modified. */
function isEditorLock(name: string): boolean {
  return name.startsWith('.#');
}

/**
 * Files under `paths` (relative to `cwd`). `excludeFor(dir)` gives the exclude globs that apply
 * to entries of `dir` (from the nearest pyproject.toml or --config).
 */
export function discoverFiles(
  paths: readonly string[],
  cwd: string,
  excludeFor: (dir: string) => ExcludeContext,
  /** How a path is written in a message (relative to the working directory in the CLI). */
  shown: (path: string) => string = (path) => path,
): Discovery {
  const result: Discovery = { files: [], fatal: [], skipped: [] };
  const seen = new Set<string>();
  /** Directories walked, by device and inode: each is walked once however it is reached. */
  const walked = new Set<string>();
  const identity = (stats: Stats) => `${stats.dev}:${stats.ino}`;
  const excluded = (path: string) => {
    const { patterns, root } = excludeFor(dirname(path));
    return isExcluded(path, patterns, root);
  };
  const add = (path: string, explicit: boolean, root?: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    result.files.push(root === undefined ? { path, explicit } : { path, explicit, root });
  };

  const skip = (path: string, why: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    result.skipped.push({ path, reason: why });
  };

  /** A `*.py` entry met while walking that is not a plain regular file: add it, or say why not. */
  const special = (entry: Dirent, path: string, start: string) => {
    if (!entry.isSymbolicLink()) {
      if (entry.name.includes(REPLACEMENT) && !namesItself(path)) skip(path, NOT_UTF8);
      else skip(path, `not a regular file but ${entryKind(entry)}`);
      return;
    }
    let target: Stats;
    try {
      target = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && entry.name.includes(REPLACEMENT)) skip(path, NOT_UTF8);
      else if (code === 'ENOENT') {
        if (!isEditorLock(entry.name)) skip(path, 'broken symbolic link (its target does not exist)');
      } else skip(path, describeErrno(error));
      return;
    }
    if (target.isFile()) add(path, false, start);
    else if (!target.isDirectory())
      skip(path, `not a regular file but a symbolic link to ${describeKind(target)}`);
  };

  const walk = (start: string) => {
    const stack = [start];
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (dir === start) result.fatal.push(`${shown(dir)}: cannot list directory (${reason(error, dir)})`);
        else skip(dir, `directory that cannot be listed (${reason(error, dir)})`);
        continue;
      }
      const subdirs: string[] = [];
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (isSkippedDirectoryName(entry.name) || excluded(path)) continue;
          if (entry.name.includes(REPLACEMENT)) {
            skip(path, 'directory whose name is not valid UTF-8 (rename it to analyse its files)');
            continue;
          }
          let stats: Stats;
          try {
            stats = statSync(path);
          } catch (error) {
            skip(path, `directory that cannot be listed (${reason(error, path)})`);
            continue;
          }
          if (walked.has(identity(stats))) continue;
          walked.add(identity(stats));
          subdirs.push(path);
        } else if (entry.name.endsWith('.py') && !excluded(path)) {
          if (entry.isFile() && (!entry.name.includes(REPLACEMENT) || namesItself(path)))
            add(path, false, start);
          else special(entry, path, start);
        }
      }
      // Reverse so the stack pops subdirectories in name order (output is sorted anyway).
      stack.push(...subdirs.reverse());
    }
  };

  for (const arg of paths) {
    const path = resolve(cwd, arg);
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      result.fatal.push(`${arg}: ${reason(error, path)}`);
      continue;
    }
    if (excluded(path)) continue;
    if (stats.isDirectory()) {
      if (walked.has(identity(stats))) continue;
      walked.add(identity(stats));
      walk(path);
    }
    // Whatever else it is, it is read as a file: the reader refuses FIFOs and devices, with a message.
    else add(path, true);
  }
  return result;
}

/** Whether `path` (whose name holds U+FFFD) names an existing file: the name really is that character. */
function namesItself(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function entryKind(entry: Dirent): string {
  if (entry.isFIFO()) return 'a FIFO (named pipe)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}
