// Folder listings for the test-code check (model/test-code.ts asks which files sit beside a
// `conftest.py`). One scan reads each folder once; the language server re-reads a folder after a
// few seconds, so a test module created since is seen without a restart.
import { readdirSync } from 'node:fs';
import type { FolderLister } from './model/test-code';

function list(dir: string): readonly string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    // Unreadable or gone: judged by the path alone.
    return undefined;
  }
}

/** A lister that reads each folder at most once per `maxAgeMs` (forever when omitted). */
export function cachedFolderLister(maxAgeMs = Number.POSITIVE_INFINITY): FolderLister {
  const cache = new Map<string, { names: readonly string[] | undefined; at: number }>();
  return (dir) => {
    const now = Date.now();
    const known = cache.get(dir);
    if (known && now - known.at < maxAgeMs) return known.names;
    const names = list(dir);
    cache.set(dir, { names, at: now });
    return names;
  };
}

/** The language server's listings (its open and closed files alike), re-read after five seconds. */
export const recentFolderListing: FolderLister = cachedFolderLister(5000);
