// The background workspace scan: every Python file of the workspace folders, open or not, with
// $/progress and cancellation (the progress's Cancel button, a newer scan, shutdown). One file
// at a time with a turn of the event loop in between, so edits in the editor stay responsive.
import { relative } from 'node:path';
import { CancellationTokenSource, type WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { listPythonFiles } from './files';
import { describeError, type Logger } from './logger';

export interface ScanFolder {
  uri: string;
  path: string;
}

export interface ScanSummary {
  filesScanned: number;
  findings: number;
  skipped: number;
  cancelled: boolean;
  durationMs: number;
}

export interface ScanHost {
  folders(): ScanFolder[];
  log: Logger;
  /** An exclusion test for the folder's files (from its settings and pyproject.toml files). */
  excluderFor(folder: ScanFolder): Promise<(path: string, isDirectory: boolean) => boolean>;
  /**
   * Read and analyse a closed file and publish its diagnostics; the number of findings (0 if
   * disabled), or why the file could not be read.
   */
  analyzeFile(path: string, folder: ScanFolder): Promise<number | { skipped: string }>;
  /** Open documents are analysed from the editor's text, not from disk. */
  isOpen(path: string): boolean;
  createProgress(): Promise<WorkDoneProgressServerReporter | undefined>;
  /** The scan was cancelled: stop the file being analysed right now, if that is possible. */
  interrupt(): void;
  /** Started/finished notices (for a status item in the client). */
  status(state: 'scanning' | 'idle', summary?: ScanSummary): void;
  /**
   * Index every file (the project index) before any is analysed; the index is put in place only
   * if the scan is not cancelled meanwhile (`cancelled` is asked when it is done).
   */
  indexProject?(paths: string[], cancelled: () => boolean): Promise<void>;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkspaceScanner {
  private running: CancellationTokenSource | undefined;

  constructor(private readonly host: ScanHost) {}

  cancel(): void {
    this.running?.cancel();
  }

  /** Scans all folders; a scan already running is cancelled first. */
  async scan(): Promise<ScanSummary> {
    this.running?.cancel();
    const source = new CancellationTokenSource();
    this.running = source;
    const started = performance.now();
    const summary: ScanSummary = {
      filesScanned: 0,
      findings: 0,
      skipped: 0,
      cancelled: false,
      durationMs: 0,
    };
    const progress = await this.host.createProgress().catch(() => undefined);
    const cancelled = () =>
      source.token.isCancellationRequested || (progress?.token.isCancellationRequested ?? false);
    source.token.onCancellationRequested(() => this.host.interrupt());
    progress?.token.onCancellationRequested(() => this.host.interrupt());
    this.host.status('scanning');
    try {
      progress?.begin('Leak Lens: scanning workspace', 0, 'Finding Python files…', true);
      const work: { path: string; folder: ScanFolder }[] = [];
      for (const folder of this.host.folders()) {
        const excluded = await this.host.excluderFor(folder);
        const files = await listPythonFiles(folder.path, {
          isExcluded: excluded,
          cancelled,
          onError: (path, error) => this.host.log.debug(`scan: cannot list ${path}: ${describeError(error)}`),
        });
        for (const path of files) work.push({ path, folder });
      }
      // First what every file says about names (who calls what), so each analysis sees the same
      // project the command line sees.
      if (this.host.indexProject && !cancelled()) {
        progress?.report(0, 'Indexing the workspace…');
        await this.host.indexProject(
          work.map((w) => w.path),
          cancelled,
        );
      }
      let lastReport = 0;
      for (let i = 0; i < work.length; i++) {
        if (cancelled()) break;
        const { path, folder } = work[i];
        const now = performance.now();
        if (progress && now - lastReport > 100) {
          lastReport = now;
          progress.report(
            Math.floor((i / work.length) * 100),
            `${i}/${work.length} ${relative(folder.path, path)}`,
          );
        }
        if (this.host.isOpen(path)) continue;
        try {
          const found = await this.host.analyzeFile(path, folder);
          if (typeof found === 'number') {
            summary.findings += found;
            summary.filesScanned++;
          } else {
            summary.skipped++;
            this.host.log.info(`Leak Lens: skipped ${path}: ${found.skipped}`);
          }
        } catch (error) {
          if (cancelled()) break;
          summary.skipped++;
          this.host.log.error(`Leak Lens: analysing ${path} failed: ${describeError(error)}`);
        }
        await yieldToEventLoop();
      }
    } finally {
      summary.cancelled = cancelled();
      summary.durationMs = performance.now() - started;
      progress?.done();
      const superseded = this.running !== source;
      if (!superseded) this.running = undefined;
      source.dispose();
      this.host.log.log(
        `workspace scan ${summary.cancelled ? 'cancelled' : 'finished'}: ${summary.filesScanned} files, ${summary.findings} findings, ${summary.skipped} skipped, ${Math.round(summary.durationMs)} ms`,
      );
      if (!superseded) this.host.status('idle', summary);
    }
    return summary;
  }
}
