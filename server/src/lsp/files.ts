// Reading Python files from disk for the workspace scan and the file watcher: list a folder's
// Python files (skipping virtualenvs, build output and excluded paths) and decode a file exactly as
// `leak-lens scan` does (UTF-8 or the PEP 263 coding declaration), refusing what cannot be decoded.
import { type Dirent, readFileSync, type Stats, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSource } from '../cli/analyze-file';
import { isSkippedDirectoryName } from '../exclude';

export type ReadResult = { text: string } | { skipped: string };

/** Decodes Python source bytes as `leak-lens scan` does; `skipped` says why a file cannot be analysed. */
export function decodePython(bytes: Uint8Array): ReadResult {
  try {
    return { text: decodeSource(bytes) };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

export async function readPythonFile(path: string, maxBytes: number): Promise<ReadResult> {
  try {
    const info = await stat(path);
    return unreadable(info, maxBytes) ?? decodePython(await readFile(path));
  } catch (error) {
    return cannotRead(error);
  }
}

/** `readPythonFile` for a worker thread, where blocking on the disk holds up no one. */
export function readPythonFileSync(path: string, maxBytes: number): ReadResult {
  try {
    return unreadable(statSync(path), maxBytes) ?? decodePython(readFileSync(path));
  } catch (error) {
    return cannotRead(error);
  }
}

function unreadable(info: Stats, maxBytes: number): { skipped: string } | undefined {
  if (!info.isFile()) return { skipped: 'not a regular file' };
  if (info.size > maxBytes) return { skipped: `larger than ${Math.round(maxBytes / 1e6)} MB` };
  return undefined;
}

function cannotRead(error: unknown): { skipped: string } {
  return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
}

export interface WalkOptions {
  /** Whether a directory or file is excluded by configuration (absolute path). */
  isExcluded(path: string, isDirectory: boolean): boolean;
  /** Checked between directories; stops the walk when true. */
  cancelled(): boolean;
  onError(path: string, error: unknown): void;
}

/**
 * All `.py` files under `root`, breadth-first, without following symbolic links to directories
 * (they can loop) and skipping the directories isSkippedDirectoryName names. Yields to the event loop between directories.
 */
export async function listPythonFiles(root: string, options: WalkOptions): Promise<string[]> {
  const files: string[] = [];
  const queue = [root];
  while (queue.length > 0 && !options.cancelled()) {
    const dir = queue.shift() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      options.onError(dir, error);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!isSkippedDirectoryName(entry.name) && !options.isExcluded(path, true)) queue.push(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.py')) {
        if (!options.isExcluded(path, false)) files.push(path);
      }
    }
  }
  return files;
}

/** Whether a path lies in a directory no one wants analysed (.venv, node_modules…) below `root`. */
export function inSkippedDirectory(path: string, root: string): boolean {
  if (!path.startsWith(root)) return false;
  const parts = path.slice(root.length).split(/[\\/]/).slice(0, -1);
  return parts.some((p) => isSkippedDirectoryName(p));
}
