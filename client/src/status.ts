// What the user sees of Leak Lens outside the editor: a language status item (next to "Python" in
// the status bar) with the analyser's health, and one status bar item on the left with the number
// of possible leaks in the workspace.
import * as vscode from 'vscode';
import { countFindings, describeFindings, type FindingCount } from './finding-count';
import { Commands, DIAGNOSTIC_SOURCE, DISPLAY_NAME } from './ids';
import type { ServerStatus } from './language-server';

/** onDidChangeDiagnostics fires per file and per keystroke; counting all files that often is waste. */
const RECOUNT_DELAY_MS = 250;
const OPEN_PROBLEMS = 'workbench.actions.view.problems';
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

  constructor() {
    this.health = vscode.languages.createLanguageStatusItem('leakLens.health', ANALYSED_DOCUMENTS);
    this.health.name = DISPLAY_NAME;
    this.findings = vscode.window.createStatusBarItem('leakLens.findings', vscode.StatusBarAlignment.Left, 0);
    this.findings.name = `${DISPLAY_NAME} findings`;
    this.disposables.push(
      this.health,
      this.findings,
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleRecount()),
    );
    this.recount();
  }

  showServerStatus(status: ServerStatus): void {
    this.server = status;
    this.render();
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

  private render(): void {
    const { state, busy, error } = this.server;
    const summary = describeFindings(this.count);

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
            : busy
              ? 'scanning…'
              : summary;
    this.health.command =
      state === 'error' || state === 'stopped'
        ? { title: 'Restart Server', command: Commands.restartServer }
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
