// The project index for a scan: what the other files say about the names each file uses (who
// calls a helper, whether the project's own emitters hold listeners weakly). Built from the
// files being scanned, before the analysis, so every file (in-process or on a worker) sees the
// same answers. Unreadable, undecodable or very large files are left out of the index; the
// analysis reports them as usual.
import { ProjectIndex } from '../model/project-index';
import { readRegularFile } from '../safe-read';
import { decodeSource, type FileTask } from './analyze-file';

/** Files larger than this are not indexed (generated code; the analysis decides about them). */
const MAX_INDEXED_BYTES = 2 * 1024 * 1024;

export function buildProjectIndex(tasks: readonly FileTask[]): ProjectIndex {
  const index = new ProjectIndex();
  for (const task of tasks) {
    try {
      // Only regular files, never past the limit (a FIFO or /dev/zero would never end).
      index.addFile(task.path, decodeSource(readRegularFile(task.path, MAX_INDEXED_BYTES)));
    } catch {
      // Left out of the index; the analysis reports the file.
    }
  }
  index.compact();
  return index;
}
