// URIs and file paths. Clients and Node encode file URIs slightly differently (VS Code escapes
// more characters), so state about files is keyed by the decoded path, never by the URI string.
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell';

export function isFileUri(uri: string): boolean {
  return uri.startsWith('file:');
}

/** The file-system path of a `file:` URI; undefined for other schemes or malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!isFileUri(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** A stable key for per-resource state: the path for files, the URI itself otherwise. */
export function resourceKey(uri: string): string {
  return uriToPath(uri) ?? uri;
}

export function isNotebookCellUri(uri: string): boolean {
  return uri.startsWith(`${NOTEBOOK_CELL_SCHEME}:`);
}

/**
 * A notebook cell URI as VS Code makes them: the notebook's URI with the cell scheme and a
 * fragment `<length letter><handle in base 7>s<base64 of the notebook's scheme>`. Returns the
 * notebook's URI (as a key) and the cell's handle (creation order), or undefined.
 */
export function parseCellUri(uri: string): { notebook: string; handle: number } | undefined {
  if (!isNotebookCellUri(uri)) return undefined;
  const hash = uri.indexOf('#');
  if (hash < 0) return undefined;
  const fragment = decodeURIComponent(uri.slice(hash + 1));
  const s = fragment.indexOf('s');
  const digits = (s >= 0 ? fragment.slice(0, s) : fragment).replace(/^[W-Za-z]+/, '');
  const handle = /^[0-6]+$/.test(digits) ? Number.parseInt(digits, 7) : Number.NaN;
  let scheme = 'file';
  if (s >= 0) {
    try {
      scheme = Buffer.from(fragment.slice(s + 1), 'base64').toString('utf8') || 'file';
    } catch {
      // keep 'file'
    }
  }
  const rest = uri.slice(`${NOTEBOOK_CELL_SCHEME}:`.length, hash);
  return { notebook: `${scheme}:${rest}`, handle: Number.isNaN(handle) ? Number.MAX_SAFE_INTEGER : handle };
}

/** Whether the URI names a Python source file we analyse (stubs hold no runtime code). */
export function isPythonSourceUri(uri: string, languageId?: string): boolean {
  const path = uri.split(/[?#]/)[0].toLowerCase();
  if (path.endsWith('.pyi')) return false;
  if (languageId !== undefined) return languageId === 'python';
  return path.endsWith('.py');
}
