// The language server's state and mechanics, independent of the wire: open documents and
// notebooks, debounced analysis, what was published where, code actions and fix-all; closed
// files (workspace scan, file watching) are delegated to ClosedFiles. server.ts feeds it LSP
// events and sends what it returns. Analyses run on the threads of an AnalysisPool: the main
// thread keeps the texts and the last result of each unit (findings with their fixes, which is
// what code actions are made from), so it always answers. It analyses a usual-size document
// itself only while no thread is ready yet (just after start: the first diagnostics must not
// wait for a thread to load the engine) and computes the fixes a code action asks for.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type CodeAction,
  type CodeActionContext,
  type Diagnostic,
  DiagnosticSeverity,
  type FileEvent,
  type TextDocumentContentChangeEvent,
  type WorkDoneProgressServerReporter,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { isExcluded } from '../exclude';
import { recentFolderListing } from '../folder-lister';
import { parsePython } from '../parser';
import { RULES } from '../rules/index';
import type { EngineSettings, Range } from '../types';
import {
  AnalysisErrorLog,
  type AnalysisOutcome,
  addSuppressions,
  analyzeText,
  type LspFinding,
  warmUpEngine,
} from './analysis';
import { AnalysisPool, PRIORITY, type Priority, seconds } from './analysis-pool';
import { ClosedFiles } from './closed-files';
import {
  FIX_ALL_KIND,
  findingFor,
  fixAllAction,
  fixEdit,
  kindRequested,
  type LazyFixData,
  quickFixes,
  sameFinding,
  sameRange,
  workspaceEdit,
} from './code-actions';
import { isOurs, SOURCE, toDiagnostic } from './diagnostics';
import { OpenDocument } from './documents';
import { FileEventBatcher } from './file-events';
import { inSkippedDirectory } from './files';
import { fixAll, minimalEdit } from './fix-all';
import { WorkspaceFolders } from './folders';
import type { HoveredFinding } from './hover';
import { describeError, type Logger } from './logger';
import { NotebookStore, type NotebookUnit } from './notebooks';
import { ProjectIndexService } from './project-index-service';
import { type Segment, SegmentedText } from './segments';
import { isExcludedTestCode, isExcludedVendoredCode, type ResolvedSettings } from './settings';
import type { SettingsService } from './settings-service';
import { isNotebookCellUri, isPythonSourceUri, uriToPath } from './uri';
import { CancelledError } from './worker-client';
import type { ScanFolder, ScanSummary } from './workspace-scan';

export interface LinterOptions {
  /** Quiet time after the last keystroke before analysing (ms). */
  debounceMs: number;
  /** Files above this size are skipped by the workspace scan (open documents are analysed). */
  maxFileBytes: number;
  /** Whether the client takes versioned `documentChanges` in workspace edits. */
  versionedEdits: boolean;
  /**
   * Whether the client resolves a code action's `edit` lazily (`codeAction/resolve`): quick fixes
   * are then listed without their edits, which come when the user picks one.
   */
  resolveEdits?: boolean;
  /**
   * The analysis worker's script (dist/analysis-worker.js). Without it (running from sources)
   * everything is analysed on the main thread.
   */
  workerScript?: string;
  /** Budget of one open document's analysis, in ms (default 10 s): past it, a notice instead of findings. */
  analysisTimeoutMs?: number;
}

export interface LinterHost {
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
  createProgress(): Promise<WorkDoneProgressServerReporter | undefined>;
  status(state: 'scanning' | 'idle', summary?: ScanSummary): void;
  /**
   * Whether an open document (or notebook) is test code or vendored third-party code left out of
   * analysis (at most one of them is true); called on its first analysis and whenever that
   * changes, so the client can say why it has no diagnostics.
   */
  documentStatus?(uri: string, status: { testFile: boolean; vendored: boolean }): void;
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
  /** Shown at the top of the document instead of findings (the analysis timed out or failed). */
  notice?: string;
  /** Undefined when the unit is disabled or excluded (nothing published). */
  settings?: ResolvedSettings;
  /**
   * The findings again with their fixes, per rule code, computed when a code action first asks
   * (diagnostics are analysed without fixes: typing never pays for them).
   */
  withFixes?: Map<string, Promise<LspFinding[]>>;
}

// Documents this large (or slow to analyse) wait for a longer pause after an edit: one analysis
// can take seconds. Without analysis threads (running from sources), they go to the one worker.
const LARGE_DOCUMENT = 512 * 1024;
const LARGE_DEBOUNCE_MS = 1000;
const DEFAULT_ANALYSIS_TIMEOUT_MS = 10_000;
/** Documents up to this size get their code actions' fixes computed on the main thread. */
const MAIN_THREAD_FIX_CHARS = 128 * 1024;
/** Documents up to this size are analysed on the main thread until the first analysis thread is ready. */
const FIRST_ON_MAIN_THREAD_CHARS = 128 * 1024;
/** The analysis threads start this long after initialization at the latest. */
const THREADS_START_MS = 300;
/** More edits than this within BURST_WINDOW_MS (server-wide) are a burst, not typing. */
const BURST_EDITS = 100;
const BURST_WINDOW_MS = 250;
const RESCAN_DELAY_MS = 500;

export class Linter {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly results = new Map<string, UnitResult>();
  /** Per unit key, the URIs we published diagnostics for (to clear removed cells). */
  private readonly published = new Map<string, Set<string>>();
  private readonly timers = new Map<string, Scheduled>();
  private readonly folders = new WorkspaceFolders();
  private readonly errors: AnalysisErrorLog;
  /** The threads that analyse open documents and notebooks (undefined: the main thread does). */
  private readonly pool: AnalysisPool | undefined;
  /** Per unit key, the analysis on its way (code actions wait for it rather than start another). */
  private readonly inflight = new Map<
    string,
    { signature: string; generation: number; result: Promise<UnitResult | undefined> }
  >();
  /** Per unit key, what it was last reported as (documentStatus): analysed, test or vendored code left out. */
  private readonly reportedStatus = new Map<string, 'analysed' | 'test' | 'vendored'>();
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
    this.pool = options.workerScript
      ? new AnalysisPool(options.workerScript, this.project, {
          timeoutMs: options.analysisTimeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
          heavyChars: LARGE_DOCUMENT,
          log: (message) => host.log.log(message),
          trace: process.env.LEAK_LENS_TRACE_POOL === '1',
        })
      : undefined;
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
        excluded: (settings, path) =>
          this.excludedBy(settings, path) ||
          this.isVendoredCode(settings, path) ||
          this.isTestCode(settings, path),
        project: this.project,
        // The index now knows the whole workspace: open documents were analysed without it.
        projectIndexed: () => this.reanalyzeOpen(),
        // One idle analysis thread is enough once the scan's burst is over (each holds its own
        // engine and copy of the project index); another starts when a job needs it.
        scanFinished: () => this.pool?.trimIdle(),
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
    // With analysis threads, the main thread keeps no tree: edits are only queued until read.
    const doc = new OpenDocument(uri, languageId, version, text, { keepsTree: !this.pool });
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
    this.countEdit();
    try {
      doc.applyChanges(changes, version);
    } catch (error) {
      this.host.log.error(`Leak Lens: applying changes to ${uri} failed: ${describeError(error)}`);
    }
    // A slow analysis of this document's previous text is wasted work now.
    this.pool?.stopStale(uri);
    const delay = this.isHeavy(uri, doc.approximateLength)
      ? Math.max(LARGE_DEBOUNCE_MS, this.options.debounceMs)
      : this.options.debounceMs;
    this.schedule({ kind: 'document', key: uri, doc }, delay);
  }

  /**
   * Edits arriving faster than anyone types (a replace across files, a generator, a test's storm)
   * make a burst: while it lasts, analyses after edits wait for it to end — they would be
   * superseded anyway — and the threads stay free for documents being opened and code actions.
   */
  private countEdit(): void {
    const now = performance.now();
    if (now - this.burstWindowStart > BURST_WINDOW_MS) {
      this.burstWindowStart = now;
      this.burstEdits = 0;
    }
    if (++this.burstEdits > BURST_EDITS) this.burstUntil = now + BURST_WINDOW_MS;
  }
  private burstWindowStart = 0;
  private burstEdits = 0;
  /** Until when edits count as a burst (performance.now() time). */
  private burstUntil = 0;

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
    this.pool?.forget(key);
    this.inflight.delete(key);
    this.results.delete(key);
    this.published.delete(key);
    this.reportedStatus.delete(key);
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

  /** Whether a document is large or slow to analyse (it waits for a longer pause after edits). */
  private isHeavy(key: string, chars: number): boolean {
    return this.pool ? this.pool.isHeavy(key, chars) : chars > LARGE_DOCUMENT;
  }

  /**
   * Analyse the unit after `delay` ms. Its priority: a first analysis (just opened) goes before
   * edits of other documents; `background` (everything again) after them.
   */
  private schedule(unit: Unit, delay: number, background = false): void {
    const due = performance.now() + delay;
    const pending = this.timers.get(unit.key);
    // Another keystroke only moves the analysis later: the timer already set is kept (it sets
    // itself again for the rest when it fires early), not replaced by a new one per keystroke.
    if (pending && pending.background === background && pending.due <= due) {
      pending.due = due;
      return;
    }
    pending?.cancel();
    this.arm(unit.key, due, background);
  }

  private arm(key: string, due: number, background: boolean): void {
    const entry: Scheduled = {
      due,
      background,
      cancel: () => handle.cancel(),
    };
    const handle = later(() => {
      if (this.timers.get(key) !== entry) return;
      if (entry.due - performance.now() >= 1) {
        this.arm(key, entry.due, entry.background);
        return;
      }
      this.timers.delete(key);
      const current = this.unitForKey(key);
      const diagnosed = this.results.has(key) || this.published.has(key);
      const wait = this.burstUntil - performance.now();
      if (current && diagnosed && wait > 0) {
        // A burst of edits is on: this analysis waits for its end.
        this.schedule(current, wait + this.options.debounceMs, background);
        return;
      }
      const priority = background ? PRIORITY.background : diagnosed ? PRIORITY.edit : PRIORITY.open;
      if (current) void this.analyze(current, performance.now(), priority);
    }, due - performance.now());
    this.timers.set(key, entry);
  }

  /** Re-analyse every open document and notebook (settings or the project changed). */
  reanalyzeOpen(): void {
    for (const [key, doc] of this.docs) this.schedule({ kind: 'document', key, doc }, 0, true);
    for (const notebook of this.notebooks.all())
      this.schedule({ kind: 'notebook', key: notebook.uri, notebook }, 0, true);
  }

  /**
   * Where a unit's settings come from. The editor is asked per workspace folder (resource
   * settings differ per folder, never per file), for a file outside every folder without a
   * scope: one request serves every document of a folder, and a document opened while edits
   * stream in does not wait for its own round trip behind them.
   */
  private settingsScope(unit: Unit): { scopeUri: string | undefined; path?: string; root: string } {
    const uri = unit.kind === 'document' ? unit.doc.uri : unit.notebook.uri;
    const path = uriToPath(uri);
    const folder = path ? this.folders.of(path) : undefined;
    return {
      scopeUri: folder?.uri,
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
    return (
      path !== undefined &&
      isExcludedTestCode(settings, path, this.folders.of(path)?.path, recentFolderListing)
    );
  }

  /** Whether `path` is vendored third-party code that resolved settings leave out (leakLens.includeVendored off). */
  private isVendoredCode(settings: ResolvedSettings, path: string | undefined): boolean {
    return (
      path !== undefined &&
      isExcludedVendoredCode(settings, path, this.folders.of(path)?.path, recentFolderListing)
    );
  }

  /**
   * Analyse a unit and publish. Stale runs (the text or the settings changed while we waited
   * for the settings or the analysis) give up: the change that made them stale scheduled a newer
   * run.
   */
  private analyze(
    unit: Unit,
    started = performance.now(),
    priority: Priority = PRIORITY.edit,
  ): Promise<UnitResult | undefined> {
    const signature = this.signature(unit);
    const generation = this.host.settings.generation;
    const result = this.analyzeAndPublish(unit, started, priority, signature, generation);
    const entry = { signature, generation, result };
    this.inflight.set(unit.key, entry);
    const clear = () => {
      if (this.inflight.get(unit.key) === entry) this.inflight.delete(unit.key);
    };
    result.then(clear, clear);
    return result;
  }

  private async analyzeAndPublish(
    unit: Unit,
    started: number,
    priority: Priority,
    signature: string,
    generation: number,
  ): Promise<UnitResult | undefined> {
    const scope = this.settingsScope(unit);
    let settings: ResolvedSettings;
    try {
      settings = await this.host.settings.resolve(scope.scopeUri, scope.path, scope.root);
    } catch (error) {
      this.host.log.error(
        `Leak Lens: reading settings for ${scope.scopeUri ?? unit.key} failed: ${describeError(error)}`,
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
      this.host.log.debug(`not analysing ${unit.key} @${signature}: it changed while its settings were read`);
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
    // Vendored first: a vendored library's own tests are the library's.
    const vendored = analysed && this.isVendoredCode(settings, scope.path);
    const testFile = analysed && !vendored && this.isTestCode(settings, scope.path);
    if (analysed && !testFile && !vendored) {
      result.settings = settings;
      const outcome = await this.runAnalysis(current, joined.text, settings.engine, priority);
      if (!outcome) return undefined;
      result.findings = outcome.findings;
      result.notice = noticeFor(
        outcome,
        this.pool?.budgetFor(joined.text.length) ??
          this.options.analysisTimeoutMs ??
          DEFAULT_ANALYSIS_TIMEOUT_MS,
      );
      // The analysis took a while and the unit moved on meanwhile: the newer text has its own
      // analysis coming, so this result is neither kept nor published — unless it is a
      // document's first (an editor typing into a document just opened still wants to see its
      // diagnostics, for the version they were computed for, until the next analysis). It is
      // still the answer for the version it was asked for (a code action about that version).
      const now = this.unitForKey(unit.key);
      if (!now || this.disposed || this.host.settings.generation !== generation) return undefined;
      if (this.signature(now) !== signature) {
        this.host.log.debug(`analysed ${unit.key} @${signature}, now @${this.signature(now)}: stale`);
        if (now.kind === 'document' && !this.published.has(unit.key)) this.publishUnit(unit.key, result);
        return result;
      }
    }
    this.results.set(unit.key, result);
    this.publishUnit(unit.key, result);
    const status = vendored ? 'vendored' : testFile ? 'test' : 'analysed';
    if (this.reportedStatus.get(unit.key) !== status) {
      this.reportedStatus.set(unit.key, status);
      this.host.documentStatus?.(unit.key, { testFile, vendored });
    }
    // From the end of the debounce to diagnostics sent: settings, parse, analysis, conversion.
    this.host.log.debug(
      `published ${unit.key} @${signature}: pipeline ${(performance.now() - started).toFixed(2)} ms`,
    );
    return result;
  }

  /**
   * Analyse on a thread of the pool (which re-parses the unit's tree incrementally) — or, running
   * from sources without one, parse incrementally and analyse on the main thread. Undefined when
   * the run was superseded, stopped or failed.
   */
  private async runAnalysis(
    unit: Unit,
    text: string,
    settings: EngineSettings,
    priority: Priority,
  ): Promise<AnalysisOutcome | undefined> {
    let outcome: AnalysisOutcome;
    let parseMs = 0;
    if (this.pool && !this.pool.startedUp && text.length <= FIRST_ON_MAIN_THREAD_CHARS) {
      // Just started: the threads are still loading the engine (seconds on a busy machine), and
      // the main thread has it loaded already, so a usual-size document is analysed here rather
      // than wait for them. The threads take over once one is ready.
      outcome = analyzeText(text, settings, unit.key, {
        project: this.project.index,
        timeoutMs: this.options.analysisTimeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
        suppressions: true,
        fixes: false,
      });
      setImmediate(() => this.startThreads());
    } else if (this.pool) {
      try {
        outcome = await this.pool.analyze(unit.key, text, settings, unit.key, priority);
      } catch (error) {
        // Superseded by a newer text (which will publish), stopped as stale, or closed.
        if (error instanceof CancelledError) {
          this.host.log.debug(`analysis of ${unit.key} superseded or stopped`);
          return undefined;
        }
        this.host.log.error(`Leak Lens: analysing ${unit.key} failed: ${describeError(error)}`);
        return undefined;
      }
      parseMs = outcome.parseMs ?? 0;
      if (outcome.parserFailed)
        this.host.log.warn(`Leak Lens: skipped ${unit.key}: ${outcome.engineError ?? 'parser failed'}`);
      else if (outcome.timedOut)
        this.host.log.warn(`Leak Lens: ${unit.key}: ${outcome.engineError ?? 'analysis timed out'}`);
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
      outcome = analyzeText(text, settings, unit.key, {
        tree,
        project: this.project.index,
        timeoutMs: this.options.analysisTimeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
        fixes: false,
      });
    }
    if (!outcome.timedOut && !outcome.parserFailed) this.errors.report(outcome, unit.key);
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
    if (result.notice && perSegment.length > 0) perSegment[0].unshift(noticeDiagnostic(result.notice));
    const now = new Set<string>();
    joined.segments.forEach((segment, i) => {
      now.add(segment.uri);
      this.host.publish(segment.uri, perSegment[i], segment.version ?? undefined);
    });
    for (const uri of this.published.get(key) ?? []) if (!now.has(uri)) this.host.publish(uri, []);
    this.published.set(key, now);
  }

  /**
   * The analysis for the unit's current text: the published one, the one on its way (moved to the
   * front of the queue), or one run now ahead of every other document's. The answer is for the
   * text as it was when asked, even if edits arrived since (the client discards answers about a
   * version it has left behind); another try only if that analysis gave way to a newer one.
   */
  private async fresh(unit: Unit): Promise<UnitResult | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = this.unitForKey(unit.key);
      if (!current) return undefined;
      const signature = this.signature(current);
      const generation = this.host.settings.generation;
      const cached = this.results.get(unit.key);
      if (cached && cached.signature === signature && cached.generation === generation) return cached;
      const inflight = this.inflight.get(unit.key);
      let result: UnitResult | undefined;
      if (inflight && inflight.signature === signature && inflight.generation === generation) {
        this.pool?.prioritize(unit.key, PRIORITY.urgent);
        result = await inflight.result;
      } else {
        this.timers.get(unit.key)?.cancel();
        this.timers.delete(unit.key);
        result = await this.analyze(current, performance.now(), PRIORITY.urgent);
      }
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
      // The rules' fixes, computed now for the rules asked about (the same findings, with fixes).
      const fixed = await this.findingsWithFixes(
        unit,
        result,
        matched.map(([, f]) => f.code),
      );
      const withFixes: [Diagnostic, LspFinding][] = matched.map(([diagnostic, finding]) => {
        const full = fixed.find((f) => f.code === finding.code && sameFinding(f, finding));
        // (Its suppression fix comes with the fixes, or from an analysis on this thread.)
        if (!full) return [diagnostic, finding];
        if (full.suppression || !finding.suppression) return [diagnostic, full];
        return [diagnostic, { ...full, suppression: finding.suppression }];
      });
      this.ensureSuppressions(
        unit,
        result,
        withFixes.map(([, f]) => f),
      );
      const ctx = {
        joined: result.joined,
        versioned: this.options.versionedEdits,
        lazy: this.options.resolveEdits ? { uri, signature: result.signature } : undefined,
      };
      for (const [diagnostic, finding] of withFixes) actions.push(...quickFixes(finding, diagnostic, ctx));
    }
    // Fix-all re-analyses many times: only when asked for by kind (on save, Source Action menu).
    if (context.only?.length && kindRequested(context.only, FIX_ALL_KIND)) {
      const edit = await this.fixAllEdit(unit, result);
      if (edit) actions.push(fixAllAction(edit));
    }
    return actions;
  }

  /**
   * The findings shown in `uri` (a document or a notebook cell), in its coordinates: what a hover
   * there is about. The analysis of the current text, as for code actions.
   */
  async findingsIn(uri: string): Promise<HoveredFinding[]> {
    const unit = this.unitForUri(uri);
    if (!unit) return [];
    const result = await this.fresh(unit);
    if (!result?.settings) return [];
    const out: HoveredFinding[] = [];
    for (const finding of result.findings) {
      const where = result.joined.locate(finding.range);
      if (where && where.uri === uri) out.push({ code: finding.code, range: where.range });
    }
    return out;
  }

  /**
   * The unit's findings with their fixes, for the rules `codes` (each rule's computed once per
   * analysed version, on an analysis thread when there are threads). Empty when that fails.
   */
  private async findingsWithFixes(unit: Unit, result: UnitResult, codes: string[]): Promise<LspFinding[]> {
    const settings = result.settings;
    if (!settings || codes.length === 0) return [];
    result.withFixes ??= new Map();
    const cache = result.withFixes;
    const missing = [...new Set(codes)].filter((c) => !cache.has(c));
    if (missing.length > 0) {
      const computed = this.computeFixes(unit, result, settings.engine, missing);
      for (const code of missing)
        cache.set(
          code,
          computed.then((findings) => findings.filter((f) => f.code === code)),
        );
    }
    const parts = await Promise.all([...new Set(codes)].map((c) => cache.get(c) as Promise<LspFinding[]>));
    return parts.flat();
  }

  private async computeFixes(
    unit: Unit,
    result: UnitResult,
    engine: EngineSettings,
    codes: string[],
  ): Promise<LspFinding[]> {
    const text = result.joined.text;
    try {
      // A large document goes to an analysis thread; a usual one is done here at once, from the
      // tree the document keeps (a few ms for the rules asked about), so the lightbulb never
      // waits behind the threads, which yield to everything else on a busy machine. During a
      // burst of edits the threads do it too: this thread must keep reading the burst (and the
      // documents opened behind it), and the first fixes made here also compile the rules' code.
      if (this.pool && (text.length > MAIN_THREAD_FIX_CHARS || performance.now() < this.burstUntil))
        return (await this.pool.analyze(unit.key, text, engine, unit.key, PRIORITY.urgent, codes)).findings;
      const wanted = new Set(codes);
      const tree =
        unit.kind === 'document' && result.signature === this.signature(unit)
          ? unit.doc.syntaxTree()
          : undefined;
      return analyzeText(text, engine, unit.key, {
        tree,
        suppressions: true,
        project: this.project.index,
        rules: RULES.filter((r) => wanted.has(r.code)),
        timeoutMs: this.options.analysisTimeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
      }).findings;
    } catch (error) {
      if (!(error instanceof CancelledError))
        this.host.log.error(`Leak Lens: computing the fixes of ${unit.key} failed: ${describeError(error)}`);
      result.withFixes?.clear(); // (asked again next time)
      return [];
    }
  }

  /**
   * The edit of a quick fix listed without one (`codeAction/resolve`): the same fix, computed
   * for the version the action was listed for. An action whose document changed since comes
   * back without an edit (the editor then applies nothing).
   */
  async resolveCodeAction(action: CodeAction): Promise<CodeAction> {
    const data = action.data as LazyFixData | undefined;
    if (!data || typeof data.uri !== 'string') return action;
    const unit = this.unitForUri(data.uri);
    if (!unit || this.signature(unit) !== data.signature) return action;
    const result = await this.fresh(unit);
    if (!result?.settings || result.signature !== data.signature) return action;
    const findings = await this.findingsWithFixes(unit, result, [data.code]);
    const finding = findings.find(
      (f) => f.code === data.code && sameRange(f.range, data.at) && f.message === data.message,
    );
    const fix = finding?.fixes.find((f) => f.title === action.title);
    const edit = fix ? fixEdit(fix, result.joined, this.options.versionedEdits) : undefined;
    return edit ? { ...action, edit } : action;
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
    if (this.pool) {
      try {
        ({ texts, applied } = await this.pool.fixAll(unit.key, segments, settings.engine, unit.key));
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
   * Get the analysis ready before the first document arrives: start the first analysis thread
   * (it loads the engine and runs every rule once, so the first real analysis does not also pay
   * for compiling the engine's code), or warm the engine up here without threads.
   */
  warmUp(): void {
    if (this.pool) {
      // Not at once: the documents open at start are analysed here on the main thread meanwhile
      // (see runAnalysis), and threads loading the engine would take the CPU their first
      // diagnostics need (two cores are common). They start after the first analysis, or soon.
      this.startupTimer ??= setTimeout(() => this.startThreads(), THREADS_START_MS);
      return;
    }
    this.host.log.debug(`warm-up: ${warmUpEngine().toFixed(0)} ms`);
  }

  /**
   * Scan the workspace once the server has started: after the first diagnostics of the open
   * documents (the user is looking at those), when the analysis threads start.
   */
  scanAfterStartUp(): void {
    if (this.startedThreads || !this.pool) this.scheduleScan();
    else this.scanOnStart = true;
  }

  private startThreads(): void {
    clearTimeout(this.startupTimer);
    if (this.startedThreads || this.disposed) return;
    this.startedThreads = true;
    this.pool?.warmUp();
    if (this.scanOnStart) this.scheduleScan();
  }
  private startupTimer: NodeJS.Timeout | undefined;
  private startedThreads = false;
  private scanOnStart = false;

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.scanTimer);
    clearTimeout(this.startupTimer);
    this.fileEvents.dispose();
    this.closed.dispose();
    this.pool?.dispose();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const doc of this.docs.values()) doc.dispose();
    this.docs.clear();
  }
}

interface Pending {
  cancel(): void;
}

/** A unit's analysis to come: at `due` (performance.now() time) at the earliest. */
interface Scheduled extends Pending {
  due: number;
  background: boolean;
}

/** What the user sees instead of findings when the analysis did not finish. */
function noticeFor(outcome: AnalysisOutcome, timeoutMs: number): string | undefined {
  if (outcome.timedOut)
    return `Leak Lens stopped analysing this file after ${seconds(timeoutMs)} (analysis timed out): its possible leaks are not shown. A smaller or simpler file gets them back.`;
  if (outcome.parserFailed)
    return `Leak Lens could not parse this file (${outcome.engineError ?? 'parser failed'}): its possible leaks are not shown.`;
  return undefined;
}

function noticeDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    message,
  };
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
