// Which open documents and notebooks the language server reported as test code that it leaves out
// of analysis (the `leakLens/documentStatus` notification), so the language status item can say
// why such a file has no squiggles. No `vscode` import: unit-tested under plain mocha.

/** What the language status item says for a test file that is not analysed. */
export const TEST_FILE_DETAIL = 'test file — not analysed';

export interface DocumentStatusParams {
  uri: string;
  testFile: boolean;
}

export function isDocumentStatus(value: unknown): value is DocumentStatusParams {
  const v = value as Partial<DocumentStatusParams> | null | undefined;
  return typeof v?.uri === 'string' && typeof v.testFile === 'boolean';
}

export class TestFiles {
  private readonly uris = new Set<string>();

  /** Applies one notification; returns whether anything changed (malformed ones are ignored). */
  update(params: unknown): boolean {
    if (!isDocumentStatus(params)) return false;
    if (params.testFile === this.uris.has(params.uri)) return false;
    if (params.testFile) this.uris.add(params.uri);
    else this.uris.delete(params.uri);
    return true;
  }

  /** Whether the document (by URI string, as the protocol spells it) is test code left out. */
  has(uri: string): boolean {
    return this.uris.has(uri);
  }

  /** The document was closed. */
  forget(uri: string): boolean {
    return this.uris.delete(uri);
  }

  /** The server (re)started: what an earlier server said no longer holds. */
  clear(): boolean {
    const had = this.uris.size > 0;
    this.uris.clear();
    return had;
  }
}
