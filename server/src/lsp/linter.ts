// The language server's state and mechanics, independent of the wire: open documents and
// notebooks, debounced analysis, what was published where, code actions and fix-all; closed
// files (workspace scan, file watching) are delegated to ClosedFiles. server.ts feeds it LSP
// events and sends what it returns.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  CodeAction,
  CodeActionContext,
  Diagnostic,
  FileEvent,
  TextDocumentContentChangeEvent,
  WorkDoneProgressServerReporter,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { isExcluded } from '../exclude';
import { dedent } from '../fixes/edits';
import { parsePython } from '../parser';
import { RULES } from '../rules/index';
import { DEFAULT_SETTINGS, type EngineSettings, type Range } from '../types';
import {
  AnalysisErrorLog,
  type AnalysisOutcome,
  addSuppressions,
  analyzeText,
  type LspFinding,
  overflowedStack,
} from './analysis';
import { ClosedFiles } from './closed-files';
import {
  FIX_ALL_KIND,
  findingFor,
  fixAllAction,
  kindRequested,
  quickFixes,
  workspaceEdit,
} from './code-actions';
import { isOurs, toDiagnostic } from './diagnostics';
import { OpenDocument } from './documents';
import { FileEventBatcher } from './file-events';
import { inSkippedDirectory } from './files';
import { fixAll, minimalEdit } from './fix-all';
import { WorkspaceFolders } from './folders';
import { describeError, type Logger } from './logger';
import { NotebookStore, type NotebookUnit } from './notebooks';
import { ProjectIndexService } from './project-index-service';
import { type Segment, SegmentedText } from './segments';
import { isExcludedTestCode, type ResolvedSettings } from './settings';
import type { SettingsService } from './settings-service';
import { isNotebookCellUri, isPythonSourceUri, uriToPath } from './uri';
import { AnalysisWorker, CancelledError } from './worker-client';
import type { ScanFolder, ScanSummary } from './workspace-scan';

export interface LinterOptions {
  /** Quiet time after the last keystroke before analysing (ms). */
  debounceMs: number;
  /** Files above this size are skipped by the workspace scan (open documents are analysed). */
  maxFileBytes: number;
  /** Whether the client takes versioned `documentChanges` in workspace edits. */
  versionedEdits: boolean;
  /**
   * The analysis worker's script (dist/analysis-worker.js). Without it (running from sources)
   * everything is analysed on the main thread.
   */
  workerScript?: string;
}

export interface LinterHost {
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
  createProgress(): Promise<WorkDoneProgressServerReporter | undefined>;
  status(state: 'scanning' | 'idle', summary?: ScanSummary): void;
  /**
   * Whether an open document (or notebook) is test code left out of analysis; called on its first
   * analysis and whenever that changes, so the client can say why it has no diagnostics.
   */
  documentStatus?(uri: string, testFile: boolean): void;
  log: Logger;
  settings: SettingsService;
}

type Unit =
  | { kind: 'document'; key: string; doc: OpenDocument }
  | { kind: 'notebook'; key: string; notebook: NotebookUnit };

interface UnitResult {
  signature: string;
  generation: number;
  joined: SegmentedText;
  findings: LspFinding[];
  /** Undefined when the unit is disabled or excluded (nothing published). */
  settings?: ResolvedSettings;
}

// Documents this large are analysed on the worker thread, after a longer pause: one analysis can
// take seconds, and the main thread must keep answering the editor meanwhile.
const LARGE_DOCUMENT = 512 * 1024;
const LARGE_DEBOUNCE_MS = 1000;
const RESCAN_DELAY_MS = 500;

export class Linter {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly results = new Map<string, UnitResult>();
  /** Per unit key, the URIs we published diagnostics for (to clear removed cells). */
  private readonly published = new Map<string, Set<string>>();
  private readonly timers = new Map<string, Pending>();
  private readonly folders = new WorkspaceFolders();
  private readonly errors: AnalysisErrorLog;
  /** Worker thread for large open documents (undefined: everything on the main thread). */
  private readonly documentWorker: AnalysisWorker | undefined;
  /** Units whose analysis is running on the document worker. */
  private readonly inWorker = new Set<string>();
  /** Per unit key, whether it was last reported as test code left out (documentStatus). */
  private readonly testStatus = new Map<string, boolean>();
  readonly notebooks: NotebookStore;
  private readonly closed: ClosedFiles;
  /** What the rest of the workspace says about names (who calls a helper, weak emitters). */
  private readonly project = new ProjectIndexService();
  private readonly fileEvents: FileEventBatcher;
  private scanTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly host: LinterHost,
    private readonly options: LinterOptions,
  ) {
    this.errors = new AnalysisErrorLog(host.log);
    this.documentWorker = options.workerScript ? new AnalysisWorker(options.workerScript) : undefined;
    this.notebooks = new NotebookStore({
      changed: (uri) => this.scheduleNotebook(uri, options.debounceMs),
      closed: (uri) => this.notebookClosed(uri),
    });
    this.closed = new ClosedFiles(
      {
        publish: (uri, diagnostics) => host.publish(uri, diagnostics),
        createProgress: () => host.createProgress(),
        status: (state, summary) => host.status(state, summary),
        log: host.log,
        settings: host.settings,
        errors: this.errors,
        folders: this.folders,
        isOpen: (path) => this.isOpenPath(path),
        excluded: (settings, path) => this.excludedBy(settings, path) || this.isTestCode(settings, path),
        project: this.project,
        // The index now knows the whole workspace: open documents were analysed without it.
        projectIndexed: () => this.reanalyzeOpen(),
      },
      options.maxFileBytes,
      options.workerScript,
    );
    this.fileEvents = new FileEventBatcher((events) => this.filesChanged(events));
  }

  // ---- workspace folders and closed files --------------------------------------------------

  setFolders(folders: ScanFolder[]): void {
    this.closed.foldersRemoved(this.folders.set(folders));
  }

  get workspaceFolders(): readonly ScanFolder[] {
    return this.folders.all;
  }

  /** Scan every Python file of the workspace folders now (cancelling a scan in progress). */
  scanWorkspace(): Promise<ScanSummary> {
    clearTimeout(this.scanTimer);
    return this.closed.scan();
  }

  /** Scan soon: several reasons to rescan in a row (settings, pyproject.toml, folders) make one. */
  scheduleScan(): void {
    clearTimeout(this.scanTimer);
    this.scanTimer = setTimeout(() => {
      this.scanWorkspace().catch((e) =>
        this.host.log.error(`Leak Lens: workspace scan failed: ${describeError(e)}`),
      );
    }, RESCAN_DELAY_MS);
  }

  /** workspace/didChangeWatchedFiles (batched: bursts and duplicate watchers make one pass). */
  watchedFilesChanged(events: readonly FileEvent[]): void {
    this.fileEvents.add(events);
  }

  private filesChanged(events: readonly FileEvent[]): void {
    if (!this.closed.changed(events)) return;
    // A pyproject.toml changed: every file's settings may have.
    this.host.settings.pyprojectChanged();
    this.reanalyzeOpen();
    this.scheduleScan();
  }

  /** workspace/didChangeConfiguration (`pushed`: settings sent with it, if any). */
  configurationChanged(pushed: unknown): void {
    this.host.settings.configurationChanged(pushed);
    this.reanalyzeOpen();
    this.scheduleScan();
  }

  // ---- text documents ----------------------------------------------------------------------

  openDocument(uri: string, languageId: string, version: number, text: string): void {
    if (isNotebookCellUri(uri)) {
      // A cell of a synced notebook arrives with the notebook; never analyse it twice.
      if (this.notebooks.isSyncedCell(uri)) return;
      const nb = this.notebooks.openLooseCell(uri, languageId, version, text);
      if (nb) this.scheduleNotebook(nb, 0);
      return;
    }
    if (!isPythonSourceUri(uri, languageId)) return;
    this.docs.get(uri)?.dispose();
    const doc = new OpenDocument(uri, languageId, version, text);
    this.docs.set(uri, doc);
    const path = uriToPath(uri);
    if (path) this.closed.opened(path, uri);
    this.schedule({ kind: 'document', key: uri, doc }, 0);
  }

  changeDocument(uri: string, changes: TextDocumentContentChangeEvent[], version: number): void {
    if (this.notebooks.isLooseCell(uri)) {
      const nb = this.notebooks.changeLooseCell(uri, changes, version);
      if (nb) this.scheduleNotebook(nb, this.options.debounceMs);
      return;
    }
    const doc = this.docs.get(uri);
    if (!doc) return;
    try {
      doc.applyChanges(changes, version);
    } catch (error) {
      this.host.log.error(`Leak Lens: applying changes to ${uri} failed: ${describeError(error)}`);
    }
    // Whatever the worker is doing for this document is stale now.
    if (this.inWorker.has(uri)) this.documentWorker?.cancel();
    const delay =
      doc.text.length > LARGE_DOCUMENT
        ? Math.max(LARGE_DEBOUNCE_MS, this.options.debounceMs)
        : this.options.debounceMs;
    this.schedule({ kind: 'document', key: uri, doc }, delay);
  }

  closeDocument(uri: string): void {
    if (this.notebooks.isLooseCell(uri)) {
      const closed = this.notebooks.closeLooseCell(uri);
      this.host.publish(uri, []);
      if (closed?.empty) this.notebookClosed(closed.notebook);
      else if (closed) this.scheduleNotebook(closed.notebook, 0);
      return;
    }
    const doc = this.docs.get(uri);
    if (!doc) return;
    this.docs.delete(uri);
    doc.dispose();
    this.forget(uri);
    this.host.settings.forgetScope(uri);
    this.host.publish(uri, []);
    // A file of the workspace keeps its diagnostics from disk (the scan's view of it).
    const path = uriToPath(uri);
    const folder = path && this.folders.of(path);
    if (path && folder && existsSync(path)) void this.closed.refresh(path, folder);
  }

  private forget(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.results.delete(key);
    this.published.delete(key);
    this.testStatus.delete(key);
  }

  private isOpenPath(path: string): boolean {
    for (const uri of this.docs.keys()) if (uriToPath(uri) === path) return true;
    return false;
  }

  // ---- notebooks ---------------------------------------------------------------------------

  private scheduleNotebook(uri: string, delay: number): void {
    const notebook = this.notebooks.notebook(uri);
    if (notebook) this.schedule({ kind: 'notebook', key: uri, notebook }, delay);
  }

  private notebookClosed(uri: string): void {
    for (const cell of this.published.get(uri) ?? []) this.host.publish(cell, []);
    this.forget(uri);
    this.host.settings.forgetScope(uri);
  }

  // ---- units and analysis ------------------------------------------------------------------

  private unitForUri(uri: string): Unit | undefined {
    const doc = this.docs.get(uri);
    if (doc) return { kind: 'document', key: uri, doc };
    const notebook = this.notebooks.notebookOfCell(uri);
    return notebook ? { kind: 'notebook', key: notebook.uri, notebook } : undefined;
  }

  private unitForKey(key: string): Unit | undefined {
    const doc = this.docs.get(key);
    if (doc) return { kind: 'document', key, doc };
    const notebook = this.notebooks.notebook(key);
    return notebook ? { kind: 'notebook', key, notebook } : undefined;
  }

  private signature(unit: Unit): string {
    return unit.kind === 'document' ? String(unit.doc.version) : unit.notebook.signature();
  }

  private schedule(unit: Unit, delay: number): void {
    this.timers.get(unit.key)?.cancel();
    this.timers.set(
      unit.key,
      later(() => {
        this.timers.delete(unit.key);
        const current = this.unitForKey(unit.key);
        if (current) void this.analyze(current, performance.now());
      }, delay),
    );
  }

  /** Re-analyse every open document and notebook (settings changed). */
  reanalyzeOpen(): void {
    for (const [key, doc] of this.docs) this.schedule({ kind: 'document', key, doc }, 0);
    for (const notebook of this.notebooks.all())
      this.schedule({ kind: 'notebook', key: notebook.uri, notebook }, 0);
  }

  private settingsScope(unit: Unit): { scopeUri: string; path?: string; root: string } {
    const uri = unit.kind === 'document' ? unit.doc.uri : unit.notebook.uri;
    const path = uriToPath(uri);
    const folder = path ? this.folders.of(path) : undefined;
    return {
      scopeUri: uri,
      path,
      root: folder?.path ?? (path ? dirname(path) : (this.folders.all[0]?.path ?? process.cwd())),
    };
  }

  /** Whether resolved settings leave `path` out (configured excludes, or .venv & co.). */
  private excludedBy(settings: ResolvedSettings, path: string | undefined): boolean {
    if (!path) return false;
    const folder = this.folders.of(path);
    if (folder && inSkippedDirectory(path, folder.path)) return true;
    return settings.excludes.some((e) => isExcluded(path, e.patterns, e.root));
  }

  /** Whether `path` is test code that resolved settings leave out (leakLens.includeTests off). */
  private isTestCode(settings: ResolvedSettings, path: string | undefined): boolean {
    return path !== undefined && isExcludedTestCode(settings, path, this.folders.of(path)?.path);
  }

  /**
   * Analyse a unit and publish. Stale runs (the text or the settings changed while we waited
   * for the settings) give up: the change that made them stale scheduled a newer run.
   */
  private async analyze(unit: Unit, started = performance.now()): Promise<UnitResult | undefined> {
    const signature = this.signature(unit);
    const generation = this.host.settings.generation;
    const scope = this.settingsScope(unit);
    let settings: ResolvedSettings;
    try {
      settings = await this.host.settings.resolve(scope.scopeUri, scope.path, scope.root);
    } catch (error) {
      this.host.log.error(
        `Leak Lens: reading settings for ${scope.scopeUri} failed: ${describeError(error)}`,
      );
      return undefined;
    }
    const current = this.unitForKey(unit.key);
    if (
      !current ||
      this.disposed ||
      this.signature(current) !== signature ||
      this.host.settings.generation !== generation
    ) {
      return undefined;
    }
    const segments: Segment[] =
      current.kind === 'document'
        ? [
            {
              uri: current.doc.uri,
              version: current.doc.version,
              text: current.doc.text,
              lines: current.doc.lineCount,
            },
          ]
        : current.notebook.cells();
    const joined = new SegmentedText(segments);
    const result: UnitResult = { signature, generation, joined, findings: [] };
    const analysed = settings.enabled && !this.excludedBy(settings, scope.path);
    const testFile = analysed && this.isTestCode(settings, scope.path);
    if (analysed && !testFile) {
      result.settings = settings;
      const outcome = await this.runAnalysis(current, joined.text, settings.engine);
      if (!outcome) return undefined;
      // The worker took a while: drop the result if the unit moved on meanwhile.
      const now = this.unitForKey(unit.key);
      if (
        !now ||
        this.disposed ||
        this.signature(now) !== signature ||
        this.host.settings.generation !== generation
      )
        return undefined;
      result.findings = outcome.findings;
    }
    this.results.set(unit.key, result);
    this.publishUnit(unit.key, result);
    if (this.testStatus.get(unit.key) !== testFile) {
      this.testStatus.set(unit.key, testFile);
      this.host.documentStatus?.(unit.key, testFile);
    }
    // From the end of the debounce to diagnostics sent: settings, parse, analysis, conversion.
    this.host.log.debug(
      `published ${unit.key} @${signature}: pipeline ${(performance.now() - started).toFixed(2)} ms`,
    );
    return result;
  }

  /**
   * Parse (incrementally, for an open document) and analyse on the main thread — or, for a large
   * document, on the worker thread. Undefined when the worker's run was cancelled or failed.
   */
  private async runAnalysis(
    unit: Unit,
    text: string,
    settings: EngineSettings,
  ): Promise<AnalysisOutcome | undefined> {
    let outcome: AnalysisOutcome;
    let parseMs = 0;
    if (this.documentWorker && text.length > LARGE_DOCUMENT) {
      this.inWorker.add(unit.key);
      try {
        outcome = await this.documentWorker.analyze(text, settings, unit.key, true, this.project);
      } catch (error) {
        if (!(error instanceof CancelledError))
          this.host.log.error(`Leak Lens: analysing ${unit.key} failed: ${describeError(error)}`);
        // Cancelled because of another document's edit: this one still needs its analysis.
        else if (this.unitForKey(unit.key)) this.schedule(unit, LARGE_DEBOUNCE_MS);
        return undefined;
      } finally {
        this.inWorker.delete(unit.key);
      }
    } else {
      let tree: ReturnType<OpenDocument['syntaxTree']> | undefined;
      if (unit.kind === 'document') {
        try {
          tree = unit.doc.syntaxTree();
          parseMs = unit.doc.lastParseMs;
        } catch (error) {
          this.host.log.error(`Leak Lens: parsing ${unit.key} failed: ${describeError(error)}`);
        }
      }
      outcome = analyzeText(text, settings, unit.key, { tree, project: this.project.index });
      if (this.documentWorker && overflowedStack(outcome)) {
        // The worker thread has a far deeper stack: try there before settling for partial results.
        this.host.log.info(
          `Leak Lens: ${unit.key} is nested too deeply for the main thread; analysing it on the worker`,
        );
        outcome =
          (await this.documentWorker
            .analyze(text, settings, unit.key, true, this.project)
            .catch(() => undefined)) ?? outcome;
      }
    }
    this.errors.report(outcome, unit.key);
    this.host.log.debug(
      `analysed ${unit.key}: parse ${parseMs.toFixed(2)} ms, analyse ${outcome.analyzeMs.toFixed(2)} ms, ${outcome.findings.length} findings`,
    );
    return outcome;
  }

  private publishUnit(key: string, result: UnitResult): void {
    const { joined } = result;
    const perSegment = joined.segments.map((): Diagnostic[] => []);
    const locate = (range: Range) => joined.locate(range);
    for (const finding of result.findings) {
      const where = joined.locate(finding.range);
      if (where) perSegment[where.index].push(toDiagnostic(finding, where.range, locate));
    }
    const now = new Set<string>();
    joined.segments.forEach((segment, i) => {
      now.add(segment.uri);
      this.host.publish(segment.uri, perSegment[i], segment.version ?? undefined);
    });
    for (const uri of this.published.get(key) ?? []) if (!now.has(uri)) this.host.publish(uri, []);
    this.published.set(key, now);
  }

  /** The analysis for the unit's current text, running it now when it is missing or stale. */
  private async fresh(unit: Unit): Promise<UnitResult | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = this.unitForKey(unit.key);
      if (!current) return undefined;
      const cached = this.results.get(unit.key);
      if (
        cached &&
        cached.signature === this.signature(current) &&
        cached.generation === this.host.settings.generation
      )
        return cached;
      this.timers.get(unit.key)?.cancel();
      this.timers.delete(unit.key);
      const result = await this.analyze(current);
      if (result) return result;
    }
    return undefined;
  }

  // ---- code actions ------------------------------------------------------------------------

  async codeActions(uri: string, context: CodeActionContext): Promise<CodeAction[]> {
    const unit = this.unitForUri(uri);
    if (!unit) return [];
    const result = await this.fresh(unit);
    if (!result?.settings) return [];
    const actions: CodeAction[] = [];
    if (kindRequested(context.only, 'quickfix')) {
      const matched: [Diagnostic, LspFinding][] = [];
      for (const diagnostic of context.diagnostics) {
        const finding = isOurs(diagnostic)
          ? findingFor(diagnostic, uri, result.joined, result.findings)
          : undefined;
        if (finding) matched.push([diagnostic, finding]);
      }
      this.ensureSuppressions(
        unit,
        result,
        matched.map(([, f]) => f),
      );
      const ctx = { joined: result.joined, versioned: this.options.versionedEdits };
      for (const [diagnostic, finding] of matched) actions.push(...quickFixes(finding, diagnostic, ctx));
    }
    // Fix-all re-analyses many times: only when asked for by kind (on save, Source Action menu).
    if (context.only?.length && kindRequested(context.only, FIX_ALL_KIND)) {
      const edit = await this.fixAllEdit(unit, result);
      if (edit) actions.push(fixAllAction(edit));
    }
    return actions;
  }

  /** Compute the "Suppress … on this line" fix of findings that lack it (from the unit's tree). */
  private ensureSuppressions(unit: Unit, result: UnitResult, findings: LspFinding[]): void {
    const missing = findings.filter((f) => !('suppression' in f));
    if (missing.length === 0) return;
    const text = result.joined.text;
    try {
      if (unit.kind === 'document' && result.signature === this.signature(unit)) {
        addSuppressions(missing, text, unit.doc.syntaxTree());
        return;
      }
      const tree = parsePython(text);
      try {
        addSuppressions(missing, text, tree);
      } finally {
        tree.delete();
      }
    } catch (error) {
      this.host.log.error(
        `Leak Lens: preparing the suppression fix for ${unit.key} failed: ${describeError(error)}`,
      );
    }
  }

  /** The "Fix all" edit for the document (or notebook) holding `uri`; undefined if nothing to fix. */
  async fixAllInFile(uri: string): Promise<WorkspaceEdit | undefined> {
    const unit = this.unitForUri(uri);
    if (!unit) return undefined;
    const result = await this.fresh(unit);
    return result?.settings ? this.fixAllEdit(unit, result) : undefined;
  }

  private async fixAllEdit(unit: Unit, result: UnitResult): Promise<WorkspaceEdit | undefined> {
    const settings = result.settings;
    if (!settings) return undefined;
    const segments = [...result.joined.segments];
    let texts: string[];
    let applied: number;
    if (this.documentWorker && result.joined.text.length > LARGE_DOCUMENT) {
      try {
        ({ texts, applied } = await this.documentWorker.fixAll(
          segments,
          settings.engine,
          unit.key,
          this.project,
        ));
      } catch (error) {
        this.host.log.warn(`Leak Lens: fix all for ${unit.key} did not finish: ${describeError(error)}`);
        return undefined;
      }
      // The user kept typing: these edits no longer fit the document.
      const now = this.unitForKey(unit.key);
      if (!now || this.signature(now) !== result.signature) return undefined;
    } else {
      ({ texts, applied } = fixAll(
        segments,
        (text) => analyzeText(text, settings.engine, unit.key, { project: this.project.index }).findings,
      ));
    }
    this.host.log.debug(`fix all ${unit.key}: ${applied} fixes applied`);
    const perSegment = new Map<number, { range: Range; newText: string }[]>();
    texts.forEach((text, i) => {
      const edit = minimalEdit(segments[i].text, text);
      if (edit) perSegment.set(i, [edit]);
    });
    return perSegment.size > 0
      ? workspaceEdit(result.joined, perSegment, this.options.versionedEdits)
      : undefined;
  }

  /**
   * Run every rule once on its documented example, so the first real analysis does not also pay
   * for compiling the engine's code (the JIT), which otherwise adds a second to the first file.
   */
  warmUp(): void {
    const started = performance.now();
    for (const rule of RULES)
      analyzeText(dedent(rule.docs.example), DEFAULT_SETTINGS, `warm-up ${rule.code}`);
    this.host.log.debug(`warm-up: ${(performance.now() - started).toFixed(0)} ms`);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.scanTimer);
    this.fileEvents.dispose();
    this.closed.dispose();
    this.documentWorker?.dispose();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const doc of this.docs.values()) doc.dispose();
    this.docs.clear();
  }
}

interface Pending {
  cancel(): void;
}

/** Run `fn` after `delay` ms; with no delay, right after pending I/O (setTimeout(0) waits 1 ms). */
function later(fn: () => void, delay: number): Pending {
  if (delay <= 0) {
    const handle = setImmediate(fn);
    return { cancel: () => clearImmediate(handle) };
  }
  const timer = setTimeout(fn, delay);
  return { cancel: () => clearTimeout(timer) };
}
