// The workspace folders (file-system ones only) and which one holds a path.
import { sep } from 'node:path';
import type { ScanFolder } from './workspace-scan';

export function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

export class WorkspaceFolders {
  private list: ScanFolder[] = [];

  get all(): readonly ScanFolder[] {
    return this.list;
  }

  /** Replace the folders; returns the ones that went away. */
  set(folders: ScanFolder[]): ScanFolder[] {
    const removed = this.list.filter((f) => !folders.some((g) => g.path === f.path));
    this.list = folders;
    return removed;
  }

  /** The innermost folder holding `path` (nested folders of a multi-root workspace). */
  of(path: string): ScanFolder | undefined {
    let best: ScanFolder | undefined;
    for (const f of this.list)
      if (isInside(path, f.path) && (!best || f.path.length > best.path.length)) best = f;
    return best;
  }
}
