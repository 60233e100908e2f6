// The memory panel's webview: its HTML and options, and the message loop. Thin on purpose: the run
// lives in a MonitorSession, what to draw is worked out in the webview (panel-model, chart-data),
// and what the buttons do is the controller's. The webview is not kept alive while hidden; when it
// comes back it says `ready` and gets the whole run again.
import * as vscode from 'vscode';
import { openGrowingLine } from '../probe-view/open';
import { probeStore } from '../probe-view/store';
import { makeNonce, renderPanelHtml } from './html';
import { type ExtensionMessage, parseWebviewMessage, type WebviewMessage } from './protocol';
import type { MonitorSession } from './session';

export const MEMORY_PANEL_VIEW_TYPE = 'leakLens.memoryPanel';
export const MEMORY_PANEL_TITLE = 'Leak Lens: Memory';

export interface PanelHost {
  readonly session: MonitorSession | undefined;
  readonly canAttach: boolean;
  onMessage(message: WebviewMessage): void;
  panelDisposed(panel: MemoryPanel): void;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the bundles: the page cannot load anything else from the extension or the disk.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export class MemoryPanel implements vscode.Disposable {
  private ready = false;
  private unsubscribe: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    panel.title = MEMORY_PANEL_TITLE;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'images', 'icon.png');
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw) => {
        const message = parseWebviewMessage(raw);
        if (!message) {
          this.log.warn(`Memory panel: ignored an unexpected message ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        if (message.type === 'ready') {
          this.ready = true;
          this.sendReset();
          this.post({ type: 'probe', view: probeStore.view ?? null });
          return;
        }
        if (message.type === 'openGrowingLine') {
          void openGrowingLine(message.path, message.line, this.log);
          return;
        }
        if (message.type === 'detach') probeStore.detach(); // the probe's evidence goes with the run
        this.host.onMessage(message);
      }),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it asks for the run again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      probeStore.onDidChange((view) => this.post({ type: 'probe', view: view ?? null })),
    );
    this.follow(host.session);
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  reveal(preserveFocus: boolean, column?: vscode.ViewColumn): void {
    this.panel.reveal(column, preserveFocus);
  }

  /** Shows another session (or none): the webview starts over with its snapshot. */
  follow(session: MonitorSession | undefined): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (session) {
      this.unsubscribe.push(
        session.on('sample', (e) =>
          this.post({
            type: 'append',
            sessionId: session.id,
            t: e.sample.t,
            rss: e.sample.rss,
            procs: e.perProcess.map((p) => [p.id, p.rss]),
            added: e.added.length ? e.added : undefined,
            exited: e.exited.length ? e.exited : undefined,
          }),
        ),
        session.on('analysis', (analysis) =>
          this.post({ type: 'analysis', sessionId: session.id, analysis }),
        ),
        session.on('state', (state) =>
          this.post({
            type: 'state',
            sessionId: session.id,
            state,
            stop: session.run.stop,
            errors: session.run.errors,
          }),
        ),
        session.on('error', () =>
          this.post({
            type: 'state',
            sessionId: session.id,
            state: session.state,
            stop: session.run.stop,
            errors: session.run.errors,
          }),
        ),
      );
    }
    this.sendReset();
  }

  sendReset(): void {
    const session = this.host.session;
    this.post({
      type: 'reset',
      snapshot: session ? session.snapshot(this.host.canAttach) : null,
      canAttach: this.host.canAttach,
    });
  }

  notice(text: string, level: 'info' | 'error' = 'info'): void {
    this.post({ type: 'notice', text, level });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.unsubscribe) off();
    for (const d of this.disposables) d.dispose();
    this.host.panelDisposed(this);
    this.panel.dispose();
  }

  private post(message: ExtensionMessage): void {
    if (!this.ready || this.disposed) return;
    // Not delivered (false) only while the webview is torn down; it asks for a reset when back.
    this.panel.webview
      .postMessage(message)
      .then(undefined, (err) => this.log.warn(`Memory panel: could not post a message: ${err}`));
  }
}
