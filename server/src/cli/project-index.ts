// The project index for a scan: what the other files say about the names each file uses (who
// calls a helper, whether the project's own emitters hold listeners weakly). Built from the
// files being scanned, before the analysis, so every file (in-process or on a worker) sees the
// same answers. Unreadable, undecodable or very large files are left out of the index; the
// analysis reports them as usual. With worker threads, each indexes a share of the files
// (`indexFiles`) and every thread merges the shares in the files' order (`ProjectIndex.merge`).
import { ProjectIndex } from '../model/project-index';
import { readRegularFile } from '../safe-read';
import { decodeSource, type FileTask } from './analyze-file';

/** Files larger than this are not indexed (generated code; the analysis decides about them). */
const MAX_INDEXED_BYTES = 2 * 1024 * 1024;

/** The index of these files, not compacted (a share of the project: see `ProjectIndex.merge`). */
export function indexFiles(paths: readonly string[]): ProjectIndex {
  const index = new ProjectIndex();
  for (const path of paths) {
    try {
      // Only regular files, never past the limit (a FIFO or /dev/zero would never end).
      index.addFile(path, decodeSource(readRegularFile(path, MAX_INDEXED_BYTES)));
    } catch {
      // Left out of the index; the analysis reports the file.
    }
  }
  return index;
}

export function buildProjectIndex(tasks: readonly FileTask[]): ProjectIndex {
  const index = indexFiles(tasks.map((t) => t.path));
  index.compact();
  return index;
}
