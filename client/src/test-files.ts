// Which open documents and notebooks the language server reported as test code, or as vendored
// third-party code, that it leaves out of analysis (the `leakLens/documentStatus` notification),
// so the language status item can say why such a file has no squiggles. No `vscode` import:
// unit-tested under plain mocha.

/** What the language status item says for a test file that is not analysed. */
export const TEST_FILE_DETAIL = 'test file — not analysed';
/** What it says for a file of a vendored third-party library that is not analysed. */
export const VENDORED_FILE_DETAIL = 'vendored library — not analysed';

export interface DocumentStatusParams {
  uri: string;
  testFile: boolean;
  /** Absent from servers that predate it: not vendored. */
  vendored?: boolean;
}

/** Why a document is left out of analysis. */
export type LeftOutReason = 'test' | 'vendored';

export function isDocumentStatus(value: unknown): value is DocumentStatusParams {
  const v = value as Partial<DocumentStatusParams> | null | undefined;
  return (
    typeof v?.uri === 'string' &&
    typeof v.testFile === 'boolean' &&
    (v.vendored === undefined || typeof v.vendored === 'boolean')
  );
}

export class TestFiles {
  private readonly uris = new Map<string, LeftOutReason>();

  /** Applies one notification; returns whether anything changed (malformed ones are ignored). */
  update(params: unknown): boolean {
    if (!isDocumentStatus(params)) return false;
    const reason: LeftOutReason | undefined = params.vendored
      ? 'vendored'
      : params.testFile
        ? 'test'
        : undefined;
    if (reason === this.uris.get(params.uri)) return false;
    if (reason) this.uris.set(params.uri, reason);
    else this.uris.delete(params.uri);
    return true;
  }

  /** Whether the document (by URI string, as the protocol spells it) is left out, and why. */
  reason(uri: string): LeftOutReason | undefined {
    return this.uris.get(uri);
  }

  /** Whether the document (by URI string, as the protocol spells it) is test code left out. */
  has(uri: string): boolean {
    return this.uris.get(uri) === 'test';
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
