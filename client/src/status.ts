// What the user sees of Leak Lens outside the editor: a language status item (next to "Python" in
// the status bar) with the analyser's health — or, for a test file or a vendored library's file
// the server leaves out, why it has no squiggles — and one status bar item on the left with the number of possible leaks in the
// workspace.
import * as vscode from 'vscode';
import { countFindings, describeFindings, type FindingCount } from './finding-count';
import {
  Commands,
  DIAGNOSTIC_SOURCE,
  DISPLAY_NAME,
  INCLUDE_TESTS_SETTING,
  INCLUDE_VENDORED_SETTING,
} from './ids';
import type { ServerStatus } from './language-server';
import { type LeftOutReason, TEST_FILE_DETAIL, TestFiles, VENDORED_FILE_DETAIL } from './test-files';

/** onDidChangeDiagnostics fires per file and per keystroke; counting all files that often is waste. */
const RECOUNT_DELAY_MS = 250;
const OPEN_PROBLEMS = 'workbench.actions.view.problems';
const OPEN_SETTINGS = 'workbench.action.openSettings';
/** The documents the server analyses (DOCUMENT_SELECTOR, in VS Code's own selector dialect). */
const ANALYSED_DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { notebookType: 'jupyter-notebook', language: 'python' },
];

export class StatusIndicators implements vscode.Disposable {
  private readonly health: vscode.LanguageStatusItem;
  private readonly findings: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private count: FindingCount = { findings: 0, files: 0 };
  private server: ServerStatus = { state: 'starting', busy: true };
  private recountTimer: NodeJS.Timeout | undefined;
  private readonly testFiles = new TestFiles();

  constructor() {
    this.health = vscode.languages.createLanguageStatusItem('leakLens.health', ANALYSED_DOCUMENTS);
    this.health.name = DISPLAY_NAME;
    this.findings = vscode.window.createStatusBarItem('leakLens.findings', vscode.StatusBarAlignment.Left, 0);
    this.findings.name = `${DISPLAY_NAME} findings`;
    this.disposables.push(
      this.health,
      this.findings,
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleRecount()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.testFiles.forget(d.uri.toString())),
      vscode.workspace.onDidCloseNotebookDocument((n) => this.testFiles.forget(n.uri.toString())),
    );
    this.recount();
  }

  showServerStatus(status: ServerStatus): void {
    // A new server reports its documents afresh.
    if (status.state === 'starting') this.testFiles.clear();
    this.server = status;
    this.render();
  }

  /** A `leakLens/documentStatus` notification: whether a document is test or vendored code left out. */
  showDocumentStatus(params: unknown): void {
    if (this.testFiles.update(params)) this.render();
  }

  dispose(): void {
    if (this.recountTimer) clearTimeout(this.recountTimer);
    for (const d of this.disposables) d.dispose();
  }

  private scheduleRecount(): void {
    if (this.recountTimer) return;
    this.recountTimer = setTimeout(() => {
      this.recountTimer = undefined;
      this.recount();
    }, RECOUNT_DELAY_MS);
  }

  private recount(): void {
    this.count = countFindings(vscode.languages.getDiagnostics(), DIAGNOSTIC_SOURCE);
    this.render();
  }

  /** Why the active editor's file (or the notebook of its cell) is left out, if it is. */
  private activeLeftOut(): LeftOutReason | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (!document) return undefined;
    const uri = document.uri.toString();
    const reason = this.testFiles.reason(uri);
    if (reason) return reason;
    if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
    // A notebook is analysed, and reported, as a whole.
    const notebook = vscode.workspace.notebookDocuments.find((n) =>
      n.getCells().some((c) => c.document.uri.toString() === uri),
    );
    return notebook && this.testFiles.reason(notebook.uri.toString());
  }

  private render(): void {
    const { state, busy, error } = this.server;
    const summary = describeFindings(this.count);
    const leftOut = state === 'running' ? this.activeLeftOut() : undefined;

    this.health.text = DISPLAY_NAME;
    this.health.busy = busy;
    this.health.severity =
      state === 'error'
        ? vscode.LanguageStatusSeverity.Error
        : state === 'stopped'
          ? vscode.LanguageStatusSeverity.Warning
          : vscode.LanguageStatusSeverity.Information;
    this.health.detail =
      state === 'error'
        ? 'not running'
        : state === 'stopped'
          ? 'stopped'
          : state === 'starting'
            ? 'starting…'
            : leftOut === 'test'
              ? TEST_FILE_DETAIL
              : leftOut === 'vendored'
                ? VENDORED_FILE_DETAIL
                : busy
                  ? 'scanning…'
                  : summary;
    this.health.command =
      state === 'error' || state === 'stopped'
        ? { title: 'Restart Server', command: Commands.restartServer }
        : leftOut === 'test'
          ? {
              title: 'Include Tests',
              command: OPEN_SETTINGS,
              arguments: [INCLUDE_TESTS_SETTING],
              tooltip: `Open the setting ${INCLUDE_TESTS_SETTING}, which analyses test code too`,
            }
          : leftOut === 'vendored'
            ? {
                title: 'Include Vendored Code',
                command: OPEN_SETTINGS,
                arguments: [INCLUDE_VENDORED_SETTING],
                tooltip: `Open the setting ${INCLUDE_VENDORED_SETTING}, which analyses vendored libraries too`,
              }
            : { title: 'Show Output', command: Commands.showOutput };

    const item = this.findings;
    if (state === 'error') {
      item.text = `$(error) ${DISPLAY_NAME}`;
      item.tooltip = `${error ?? 'The language server is not running.'} Click to show the output.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      item.command = Commands.showOutput;
    } else {
      const icon = busy || state === 'starting' ? '$(sync~spin) ' : '';
      item.text = `${icon}${DISPLAY_NAME}: ${this.count.findings}`;
      const stateNote = state === 'running' ? (busy ? ' Scanning the workspace…' : '') : ` Server ${state}.`;
      item.tooltip = `${summary} in the workspace.${stateNote} Click to open the Problems panel.`;
      item.backgroundColor = undefined;
      item.command = OPEN_PROBLEMS;
    }
    item.show();
  }
}
