// Jupyter notebooks. With LSP notebook sync (what vscode-languageclient does when the server
// declares `notebookDocumentSync`), the notebook and its cells arrive through notebookDocument/*
// notifications and `NotebookDocuments` keeps them. Clients without notebook sync send each cell
// as a plain text document with a `vscode-notebook-cell:` URI; those are grouped back into their
// notebook here, ordered by the cell handle in the URI (creation order: the best we can know).
import {
  type Connection,
  NotebookCellKind,
  NotebookDocuments,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Segment } from './segments';
import { parseCellUri } from './uri';

export interface NotebookUnit {
  /** The notebook's URI (or, for loose cells, the one derived from the cell URIs). */
  uri: string;
  /** The Python code cells in order. */
  cells(): Segment[];
  /** Changes whenever a cell's text, the cell list or their order changes. */
  signature(): string;
}

export interface NotebookEvents {
  changed(notebookUri: string): void;
  closed(notebookUri: string): void;
}

function isPython(doc: TextDocument | undefined): doc is TextDocument {
  return doc !== undefined && doc.languageId === 'python';
}

function segmentOf(doc: TextDocument): Segment {
  return { uri: doc.uri, version: doc.version, text: doc.getText(), ipython: true };
}

function signatureOf(segments: Segment[]): string {
  return segments.map((s) => `${s.uri}@${s.version}`).join('|');
}

/** Cells that arrived as plain text documents, grouped by notebook. */
class LooseNotebook implements NotebookUnit {
  readonly docs = new Map<string, { doc: TextDocument; handle: number }>();
  constructor(readonly uri: string) {}

  cells(): Segment[] {
    return [...this.docs.values()]
      .filter((c) => isPython(c.doc))
      .sort((a, b) => a.handle - b.handle)
      .map((c) => segmentOf(c.doc));
  }
  signature(): string {
    return signatureOf(this.cells());
  }
}

export class NotebookStore {
  private readonly synced = new NotebookDocuments(TextDocument);
  private readonly loose = new Map<string, LooseNotebook>();
  private readonly syncedUris = new Set<string>();

  constructor(private readonly events: NotebookEvents) {}

  /** Take over the notebookDocument/* notifications of the connection. */
  listen(connection: Connection): void {
    this.synced.listen(connection);
    this.synced.onDidOpen((nb) => {
      this.syncedUris.add(nb.uri);
      this.events.changed(nb.uri);
    });
    this.synced.onDidChange((e) => this.events.changed(e.notebookDocument.uri));
    this.synced.onDidClose((nb) => {
      this.syncedUris.delete(nb.uri);
      this.events.closed(nb.uri);
    });
  }

  /** The notebook a cell belongs to (synced or loose), by cell URI. */
  notebookOfCell(cellUri: string): NotebookUnit | undefined {
    const nb = this.synced.findNotebookDocumentForCell(cellUri);
    if (nb && this.synced.getNotebookDocument(nb.uri)) return this.syncedUnit(nb.uri);
    const parsed = parseCellUri(cellUri);
    const loose = parsed && this.loose.get(parsed.notebook);
    return loose?.docs.has(cellUri) ? loose : undefined;
  }

  notebook(uri: string): NotebookUnit | undefined {
    return this.synced.getNotebookDocument(uri) ? this.syncedUnit(uri) : this.loose.get(uri);
  }

  all(): NotebookUnit[] {
    return [...[...this.syncedUris].map((uri) => this.syncedUnit(uri)), ...this.loose.values()];
  }

  private syncedUnit(uri: string): NotebookUnit {
    const store = this.synced;
    const cells = (): Segment[] => {
      const nb = store.getNotebookDocument(uri);
      if (!nb) return [];
      const out: Segment[] = [];
      for (const cell of nb.cells) {
        if (cell.kind !== NotebookCellKind.Code) continue;
        const doc = store.getCellTextDocument(cell);
        if (isPython(doc)) out.push(segmentOf(doc));
      }
      return out;
    };
    return { uri, cells, signature: () => signatureOf(cells()) };
  }

  /** A `vscode-notebook-cell:` document opened as plain text. Returns the notebook's URI. */
  openLooseCell(uri: string, languageId: string, version: number, text: string): string | undefined {
    const parsed = parseCellUri(uri);
    if (!parsed) return undefined;
    let nb = this.loose.get(parsed.notebook);
    if (!nb) {
      nb = new LooseNotebook(parsed.notebook);
      this.loose.set(parsed.notebook, nb);
    }
    nb.docs.set(uri, { doc: TextDocument.create(uri, languageId, version, text), handle: parsed.handle });
    return nb.uri;
  }

  changeLooseCell(
    uri: string,
    changes: TextDocumentContentChangeEvent[],
    version: number,
  ): string | undefined {
    const parsed = parseCellUri(uri);
    const nb = parsed && this.loose.get(parsed.notebook);
    const cell = nb?.docs.get(uri);
    if (!nb || !cell) return undefined;
    cell.doc = TextDocument.update(cell.doc, changes, version);
    return nb.uri;
  }

  /** Returns the notebook's URI and whether the notebook has no open cells left. */
  closeLooseCell(uri: string): { notebook: string; empty: boolean } | undefined {
    const parsed = parseCellUri(uri);
    const nb = parsed && this.loose.get(parsed.notebook);
    if (!nb?.docs.delete(uri)) return undefined;
    if (nb.docs.size === 0) this.loose.delete(nb.uri);
    return { notebook: nb.uri, empty: nb.docs.size === 0 };
  }

  /** Whether a cell belongs to a notebook synced through notebookDocument/* (not loose). */
  isSyncedCell(uri: string): boolean {
    const nb = this.synced.findNotebookDocumentForCell(uri);
    return nb !== undefined && this.syncedUris.has(nb.uri) && nb.cells.some((c) => c.document === uri);
  }

  isLooseCell(uri: string): boolean {
    const parsed = parseCellUri(uri);
    return parsed !== undefined && (this.loose.get(parsed.notebook)?.docs.has(uri) ?? false);
  }

  /** The TextDocument of any cell we know (synced or loose). */
  cellDocument(uri: string): TextDocument | undefined {
    const cell = this.synced.getNotebookCell(uri);
    if (cell) return this.synced.getCellTextDocument(cell);
    const parsed = parseCellUri(uri);
    return parsed ? this.loose.get(parsed.notebook)?.docs.get(uri)?.doc : undefined;
  }
}
