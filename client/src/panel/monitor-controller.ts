// Owns the window's monitoring run: one session at a time (a new one stops the old one), the
// memory panel that shows it, the status bar item, saving it across reloads, and the exports.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { Commands } from '../ids';
import { toCsv, toDetectJson } from '../monitor/export';
import { LogSession } from './log-session';
import {
  MEMORY_PANEL_TITLE,
  MEMORY_PANEL_VIEW_TYPE,
  MemoryPanel,
  type PanelHost,
  webviewOptions,
} from './memory-panel';
import { persistGapMs, persistSession, restoreSession } from './persist';
import { pngBytes } from './png';
import { PrometheusSession } from './prometheus-session';
import type { ExportFormat, WebviewMessage } from './protocol';
import { MonitorSession, type SessionConfig } from './session';
import { MonitorStatusItem } from './status-item';
import { exportFileName } from './texts';

const STATE_KEY = 'leakLens.monitor.lastRun';

export class MonitorController implements vscode.Disposable, PanelHost {
  private current: MonitorSession | undefined;
  private panel: MemoryPanel | undefined;
  private readonly status = new MonitorStatusItem();
  private readonly disposables: vscode.Disposable[] = [];
  private unsubscribe: (() => void)[] = [];
  private lastPersistAt = 0;
  private readonly changeEmitter = new vscode.EventEmitter<MonitorSession | undefined>();
  readonly onDidChangeSession = this.changeEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.status,
      this.changeEmitter,
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.panel?.sendReset()),
    );
    const saved = context.workspaceState.get<unknown>(STATE_KEY);
    if (saved !== undefined) {
      const session = restoreSession(saved);
      if (session) {
        this.setSession(session, false);
        log.info(
          `Memory monitor: restored the last run (${session.run.samples.length} samples of ${session.targetView().title})`,
        );
      } else {
        log.warn('Memory monitor: the saved run could not be read and was dropped.');
        void context.workspaceState.update(STATE_KEY, undefined);
      }
    }
  }

  get session(): MonitorSession | undefined {
    return this.current;
  }

  get canAttach(): boolean {
    return vscode.workspace.isTrusted;
  }

  /**
   * A new session for `config`, made current (the previous one is stopped; its samples are
   * replaced). Throws a MonitorError for an impossible target. Call `start()` on it.
   */
  createSession(config: SessionConfig): MonitorSession {
    const session = new MonitorSession(config);
    const previous = this.current;
    if (previous?.attached) {
      previous.stop(`replaced by a new run on ${session.targetView().title}`);
      this.log.info(
        `Memory monitor: stopped watching ${previous.targetView().title} to watch ${session.targetView().title}`,
      );
    }
    this.setSession(session, true);
    return session;
  }

  /** Shows a finished run that was not sampled (read from logs); it replaces the current run. */
  showSession(session: MonitorSession): void {
    const previous = this.current;
    if (previous?.attached) previous.stop(`replaced by ${session.targetView().title}`);
    this.setSession(session, true);
    this.showPanel({ preserveFocus: false });
  }

  /** Opens the memory panel, or brings it forward. */
  showPanel(options: { preserveFocus?: boolean; column?: vscode.ViewColumn } = {}): MemoryPanel {
    if (this.panel) {
      this.panel.reveal(options.preserveFocus ?? false, options.column);
      return this.panel;
    }
    const webview = vscode.window.createWebviewPanel(
      MEMORY_PANEL_VIEW_TYPE,
      MEMORY_PANEL_TITLE,
      {
        viewColumn: options.column ?? vscode.ViewColumn.Active,
        preserveFocus: options.preserveFocus ?? false,
      },
      webviewOptions(this.context.extensionUri),
    );
    this.panel = new MemoryPanel(webview, this.context.extensionUri, this, this.log);
    return this.panel;
  }

  /** A panel VS Code brings back after a window reload (WebviewPanelSerializer). */
  adoptPanel(webview: vscode.WebviewPanel): void {
    if (this.panel) {
      // Only one memory panel: a second restored one would show the same run.
      webview.dispose();
      return;
    }
    this.panel = new MemoryPanel(webview, this.context.extensionUri, this, this.log);
  }

  panelDisposed(panel: MemoryPanel): void {
    if (this.panel === panel) this.panel = undefined;
  }

  onMessage(message: WebviewMessage): void {
    const session = this.current;
    switch (message.type) {
      case 'pause':
        session?.pause();
        break;
      case 'resume':
        session?.resume();
        break;
      case 'detach':
        session?.stop('detached');
        break;
      case 'reattach':
        if (session) this.run(Commands.attachToProcess, reattachArgs(session.config));
        break;
      case 'attach':
        this.run(Commands.attachToProcess);
        break;
      case 'export':
        void this.exportRun(message.format);
        break;
      case 'exportPng':
        void this.savePng(message.dataUrl);
        break;
      case 'error':
        this.log.error(`Memory panel (webview): ${message.message}`);
        break;
      case 'openLocation':
        void this.openLocation(message.file, message.line);
        break;
    }
  }

  /** Opens a log file of the run shown at a line (a clicked marker); only the run's own files. */
  async openLocation(file: string, line: number): Promise<vscode.TextEditor | undefined> {
    const session = this.current;
    if (!(session instanceof LogSession) || !session.files.includes(file)) {
      this.log.warn(`Memory panel: ignored a request to open ${file}, which is not a log of the run shown.`);
      return undefined;
    }
    if (/\.gz$/i.test(file)) {
      void vscode.window.showWarningMessage(
        `Leak Lens: ${file} is compressed; decompress it to open it at line ${line}.`,
      );
      return undefined;
    }
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const at = new vscode.Position(Math.max(0, Math.min(line - 1, doc.lineCount - 1)), 0);
      return await vscode.window.showTextDocument(doc, {
        selection: new vscode.Range(at, at),
        viewColumn: vscode.ViewColumn.Beside,
        preview: true,
      });
    } catch (err) {
      const message = `Leak Lens: could not open ${file}: ${(err as Error).message ?? err}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  /** Runs a command for a panel button; its failure was already shown, so it is only logged. */
  private run(command: string, ...args: unknown[]): void {
    vscode.commands
      .executeCommand(command, ...args)
      .then(undefined, (err) =>
        this.log.error(`Memory panel: ${command} failed: ${(err as Error)?.message ?? err}`),
      );
  }

  /** Save dialog, then every sample as CSV or the detect JSON of the current run. */
  async exportRun(format: ExportFormat, session = this.current): Promise<vscode.Uri | undefined> {
    if (!session || session.run.samples.length === 0) {
      void vscode.window.showWarningMessage('Leak Lens: there are no samples to save yet.');
      return undefined;
    }
    const run = session.run;
    // A run read from logs exports what `leak-lens analyze-logs --format json` prints.
    const json =
      session instanceof LogSession ? session.analyzeLogsJson() : toDetectJson(run, session.analysis());
    const text = format === 'csv' ? toCsv(run) : `${JSON.stringify(json)}\n`;
    return this.saveFile(
      exportFileName(run.target, format),
      format === 'csv' ? { 'CSV (comma-separated)': ['csv'] } : { JSON: ['json'] },
      new TextEncoder().encode(text),
      `${run.samples.length} samples`,
    );
  }

  async savePng(dataUrl: string): Promise<vscode.Uri | undefined> {
    const bytes = pngBytes(dataUrl);
    if (!bytes) {
      this.log.error('Memory panel: the chart image was not a PNG.');
      void vscode.window.showErrorMessage('Leak Lens: the chart could not be turned into a PNG image.');
      return undefined;
    }
    const target = this.current?.run.target ?? { kind: 'url' as const, url: 'memory' };
    return this.saveFile(exportFileName(target, 'png'), { 'PNG image': ['png'] }, bytes, 'the chart');
  }

  /** Save dialog + write; says where it went (or why not) in a notification and in the panel. */
  async saveFile(
    name: string,
    filters: Record<string, string[]>,
    bytes: Uint8Array,
    what: string,
  ): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, name),
      filters,
      title: `Leak Lens: save ${what}`,
    });
    if (!uri) return undefined;
    try {
      await vscode.workspace.fs.writeFile(uri, bytes);
    } catch (err) {
      const message = `Leak Lens: could not save ${uri.fsPath}: ${(err as Error).message ?? err}`;
      this.log.error(message);
      this.panel?.notice(message, 'error');
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    this.log.info(`Memory monitor: saved ${what} to ${uri.fsPath}`);
    this.panel?.notice(`Saved ${what} to ${uri.fsPath}`);
    void vscode.window.showInformationMessage(`Leak Lens: saved ${what} to ${uri.fsPath}`);
    return uri;
  }

  dispose(): void {
    this.persist();
    if (this.current?.attached) this.current.stop('the window closed');
    for (const off of this.unsubscribe) off();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private setSession(session: MonitorSession, persistNow: boolean): void {
    for (const off of this.unsubscribe) off();
    this.current = session;
    this.unsubscribe = [
      session.on('state', () => this.persist()),
      session.on('sample', () => {
        if (Date.now() - this.lastPersistAt >= persistGapMs(session.run.samples.length)) this.persist();
      }),
      session.on('error', (e) => this.log.warn(`Memory monitor: ${e.fatal ? '' : 'warning: '}${e.message}`)),
    ];
    this.status.follow(session);
    this.panel?.follow(session);
    this.changeEmitter.fire(session);
    if (persistNow) this.persist();
  }

  private persist(): void {
    const session = this.current;
    // A failed start has nothing worth bringing back.
    if (!session || session.state === 'failed') return;
    if (session instanceof LogSession || session instanceof PrometheusSession) {
      // Not kept across reloads (the logs or the server can be read again); nor is the run it replaced.
      void Promise.resolve(this.context.workspaceState.update(STATE_KEY, undefined)).catch(() => undefined);
      return;
    }
    this.lastPersistAt = Date.now();
    void Promise.resolve(this.context.workspaceState.update(STATE_KEY, persistSession(session))).catch(
      (err) => this.log.warn(`Memory monitor: could not save the run for the next window: ${err}`),
    );
  }
}

/** The argument of "Attach to Process" that watches a session's target again. */
export function reattachArgs(config: SessionConfig): Record<string, unknown> {
  const t = config.target;
  const { minDurationSeconds, rapidMBPerMin, noiseFloorMB } = config.analysis;
  return {
    ...('url' in t ? { url: t.url } : { pid: t.pid, followChildren: !!t.children }),
    intervalSeconds: config.intervalSeconds,
    minDurationSeconds,
    rapidMBPerMin,
    noiseFloorMB,
  };
}
