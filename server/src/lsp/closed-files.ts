// Diagnostics for files that are not open in the editor: the workspace scan, files changed on
// disk (git checkout, code generators), deleted files and folders. Analysis runs on a worker
// thread so that a scan never holds up the editor; open documents always win over disk.
import { join, sep } from 'node:path';
import type { Diagnostic, FileEvent, WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { FileChangeType } from 'vscode-languageserver';
import { isExcluded } from '../exclude';
import { recentFolderListing } from '../folder-lister';
import type { Range } from '../types';
import { type AnalysisErrorLog, type AnalysisOutcome, analyzeText } from './analysis';
import { toDiagnostic } from './diagnostics';
import { readPythonFile } from './files';
import { isInside, type WorkspaceFolders } from './folders';
import { describeError, type Logger } from './logger';
import { settleAfterBurst } from './memory';
import type { ProjectIndexService } from './project-index-service';
import {
  isExcludedTestCode,
  isExcludedVendoredCode,
  type ResolvedSettings,
  resolveSettings,
} from './settings';
import type { SettingsService } from './settings-service';
import { pathToUri, uriToPath } from './uri';
import { AnalysisWorker, CancelledError } from './worker-client';
import { type ScanFolder, type ScanSummary, WorkspaceScanner } from './workspace-scan';

export interface ClosedFilesHost {
  publish(uri: string, diagnostics: Diagnostic[]): void;
  createProgress(): Promise<WorkDoneProgressServerReporter | undefined>;
  status(state: 'scanning' | 'idle', summary?: ScanSummary): void;
  log: Logger;
  settings: SettingsService;
  errors: AnalysisErrorLog;
  folders: WorkspaceFolders;
  isOpen(path: string): boolean;
  /** Configured excludes, the never-analysed folders (.venv & co.) and test code not included. */
  excluded(settings: ResolvedSettings, path: string): boolean;
  /** The workspace's project index, which the scan builds and file events keep current. */
  project: ProjectIndexService;
  /** The scan indexed the whole workspace (before analysing it). */
  projectIndexed(): void;
  /** A scan ended (not superseded by another): its burst of work is over. */
  scanFinished?(): void;
}

/** Pause between the end of a workspace scan and the full garbage collection after it. */
const GARBAGE_AFTER_SCAN_MS = 1000;

export class ClosedFiles {
  /** Closed files we published diagnostics for: path → URI used. */
  private readonly published = new Map<string, string>();
  private readonly scanner: WorkspaceScanner;
  private readonly worker: AnalysisWorker | undefined;
  /** Paths analysed during the running scan, to clear the ones it no longer reaches. */
  private scanned: Set<string> | undefined;

  constructor(
    private readonly host: ClosedFilesHost,
    private readonly maxFileBytes: number,
    workerScript: string | undefined,
  ) {
    this.worker = workerScript ? new AnalysisWorker(workerScript) : undefined;
    this.scanner = new WorkspaceScanner({
      folders: () => [...host.folders.all],
      log: host.log,
      excluderFor: (folder) => this.excluderFor(folder),
      analyzeFile: (path, folder) => this.analyze(path, undefined, folder),
      isOpen: (path) => host.isOpen(path),
      createProgress: () => host.createProgress(),
      interrupt: () => this.worker?.cancel(),
      status: (state, summary) => host.status(state, summary),
      indexProject: (paths, cancelled) => this.indexProject(paths, cancelled),
    });
  }

  /**
   * The project index of the scan's files. The scan's thread reads them and builds it: the main
   * thread, which keeps running for as long as the editor, never holds the workspace's texts
   * (reading a million lines grew its heap for good). Without the thread, it is built here.
   */
  private async indexProject(paths: string[], cancelled: () => boolean): Promise<void> {
    if (this.worker) {
      try {
        const built = await this.worker.index(paths, this.maxFileBytes);
        if (cancelled()) return;
        this.worker.adoptIndex(this.host.project.install(built.index));
        this.host.projectIndexed();
        return;
      } catch (error) {
        if (cancelled()) return;
        this.host.log.error(`Leak Lens: indexing the workspace on a thread failed: ${describeError(error)}`);
      }
    }
    const rebuild = this.host.project.rebuild();
    for (let i = 0; i < paths.length && !cancelled(); i++) {
      const read = await readPythonFile(paths[i], this.maxFileBytes);
      if (!('skipped' in read)) rebuild.add(paths[i], read.text);
    }
    if (cancelled()) return;
    rebuild.finish();
    this.host.projectIndexed();
  }

  /** The file was opened: its diagnostics now come from the editor's text. */
  opened(path: string, uri: string): void {
    const published = this.published.get(path);
    if (published === undefined) return;
    this.published.delete(path);
    // The client may spell the URI differently from us: clear ours explicitly.
    if (published !== uri) this.host.publish(published, []);
  }

  /** Workspace folders went away: their files' diagnostics too. */
  foldersRemoved(removed: readonly ScanFolder[]): void {
    for (const [path, uri] of this.published) {
      if (removed.some((f) => isInside(path, f.path)) && !this.host.folders.of(path)) this.clear(path, uri);
    }
  }

  /** Scan every Python file of the workspace folders (cancelling a scan in progress). */
  async scan(): Promise<ScanSummary> {
    const scanned = new Set<string>();
    this.scanned = scanned;
    const before = new Map(this.published);
    const summary = await this.scanner.scan();
    if (this.scanned === scanned) {
      this.scanned = undefined;
      // The scan's thread holds the parser's heap (as large as the largest file needed) and a
      // copy of the project index: let it go now rather than after the idle timeout. A file
      // changed on disk later starts a fresh one.
      this.worker?.stopIfIdle();
      this.host.scanFinished?.();
      // Then, once the last diagnostics are out, the scan's garbage goes too.
      // (On Node 24 a plain collection leaves the freed pages pooled for a while: ~10 MiB here.)
      settleAfterBurst(() => this.scanned === undefined, GARBAGE_AFTER_SCAN_MS, undefined, true);
    }
    if (!summary.cancelled) {
      // Files that now fall under an exclude (or were deleted unseen) lose their diagnostics.
      for (const [path, uri] of before)
        if (!scanned.has(path) && this.published.get(path) === uri) this.clear(path, uri);
    }
    return summary;
  }

  /** workspace/didChangeWatchedFiles. Returns whether a pyproject.toml changed. */
  changed(events: readonly FileEvent[]): boolean {
    let pyproject = false;
    for (const event of events) {
      const path = uriToPath(event.uri);
      if (!path) continue;
      if (path.endsWith(`${sep}pyproject.toml`)) {
        pyproject = true;
        continue;
      }
      if (event.type === FileChangeType.Deleted) {
        if (path.endsWith('.py')) this.host.project.remove(path);
        // A deleted file, or a deleted folder holding files we published for.
        for (const [p, uri] of this.published) if (isInside(p, path)) this.clear(p, uri);
        continue;
      }
      if (!path.endsWith('.py') || this.host.isOpen(path)) continue;
      const folder = this.host.folders.of(path);
      if (folder) void this.refresh(path, folder);
    }
    return pyproject;
  }

  /** Re-read one file from disk and publish its diagnostics (or clear them). */
  async refresh(path: string, folder: ScanFolder): Promise<void> {
    const read = await readPythonFile(path, this.maxFileBytes);
    if (!('skipped' in read)) {
      this.host.project.set(path, read.text);
      // What the open documents learn from this file may have changed.
      this.host.projectIndexed();
    }
    if (this.host.isOpen(path)) return;
    if ('skipped' in read) {
      this.host.log.info(`Leak Lens: skipped ${path}: ${read.skipped}`);
      this.clear(path, this.published.get(path) ?? pathToUri(path));
      return;
    }
    try {
      await this.analyze(path, read.text, folder);
    } catch (error) {
      if (!(error instanceof CancelledError))
        this.host.log.error(`Leak Lens: analysing ${path} failed: ${describeError(error)}`);
    }
  }

  private async excluderFor(folder: ScanFolder): Promise<(path: string, isDirectory: boolean) => boolean> {
    const editor = await this.host.settings.editorSettings(folder.uri);
    if (!editor.enable) return () => true;
    return (path, isDirectory) => {
      const probe = isDirectory ? join(path, '__init__.py') : path;
      // Resolving per path is cheap: pyproject.toml lookups are cached per directory.
      const pyproject =
        editor.configurationPreference === 'editorOnly' ? undefined : this.host.settings.pyprojectFor(probe);
      const settings = resolveSettings(editor, pyproject, folder.path);
      return (
        !settings.enabled ||
        settings.excludes.some((e) => isExcluded(path, e.patterns, e.root)) ||
        // A `tests/` folder is not walked at all; `test_*.py` files are not listed.
        isExcludedTestCode(settings, probe, folder.path, recentFolderListing) ||
        // Nor is a vendored library's folder (`vendor/`, a `lib/` of copied libraries).
        isExcludedVendoredCode(settings, probe, folder.path, recentFolderListing)
      );
    };
  }

  /**
   * Analyse a closed file and publish; returns the number of findings, or why it could not be
   * read. Without `text`, the file is read (by the thread that analyses it, if there is one).
   */
  private async analyze(
    path: string,
    text: string | undefined,
    folder: ScanFolder,
  ): Promise<number | { skipped: string }> {
    const settings = await this.host.settings.resolve(folder.uri, path, folder.path);
    const uri = this.published.get(path) ?? pathToUri(path);
    this.scanned?.add(path);
    if (this.host.isOpen(path)) return 0;
    if (!settings.enabled || this.host.excluded(settings, path)) {
      this.clear(path, uri);
      return 0;
    }
    let outcome: AnalysisOutcome;
    if (text !== undefined && this.worker)
      outcome = await this.worker.analyze(text, settings.engine, path, false, this.host.project);
    else if (this.worker)
      outcome = await this.worker.analyzeFile(path, this.maxFileBytes, settings.engine, this.host.project);
    else {
      const read = text === undefined ? await readPythonFile(path, this.maxFileBytes) : { text };
      if ('skipped' in read) return read;
      outcome = analyzeText(read.text, settings.engine, path, { project: this.host.project.index });
    }
    if (outcome.unreadable !== undefined) return { skipped: outcome.unreadable };
    if (outcome.parserFailed || outcome.timedOut)
      this.host.log.warn(`Leak Lens: skipped ${path}: ${outcome.engineError ?? 'analysis failed'}`);
    else this.host.errors.report(outcome, path);
    // Opened while the worker analysed it: the editor's text wins.
    if (this.host.isOpen(path)) return 0;
    // (The ranges are the file's own: one segment, the whole file.)
    const diagnostics = outcome.findings.map((f) =>
      toDiagnostic(f, f.range, (range: Range) => ({ index: 0, uri, range })),
    );
    if (diagnostics.length > 0) {
      this.published.set(path, uri);
      this.host.publish(uri, diagnostics);
    } else this.clear(path, uri);
    return diagnostics.length;
  }

  private clear(path: string, uri: string): void {
    if (this.published.delete(path)) this.host.publish(uri, []);
  }

  dispose(): void {
    this.scanner.cancel();
    this.worker?.dispose();
  }
}
