// Owns the connection to the bundled language server (dist/server.js): starts it, restarts it
// when it crashes (within a budget), and reports its state and whether it is busy.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  type DocumentSelector,
  ErrorAction,
  type ErrorHandler,
  type ErrorHandlerResult,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ProgressToken,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { CLIENT_ID, Commands, DISPLAY_NAME, DOCUMENT_STATUS_NOTIFICATION } from './ids';
import { runtimeConfirmations } from './probe-view/diagnostics';
import { RestartPolicy } from './restart-policy';
import { markQuickFixes } from './walkthrough';

/** Python files on disk, unsaved Python editors, and the Python cells of Jupyter notebooks. */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { notebook: 'jupyter-notebook', language: 'python' },
];

/** Crashes tolerated before giving up: 5 restarts within 3 minutes, as vscode-languageclient's default. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60_000;
/** Port for `--inspect` when the extension itself runs under a debugger (F5 in this repository). */
const DEBUG_PORT = 6011;

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export interface ServerStatus {
  state: ServerState;
  /** A workspace scan or other server-side progress is running. */
  busy: boolean;
  /** Why the server is in the error state. */
  error?: string;
}

export class LeakLensServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientDisposables: vscode.Disposable[] = [];
  private readonly restartPolicy = new RestartPolicy({
    maxRestarts: MAX_RESTARTS,
    windowMs: RESTART_WINDOW_MS,
  });
  /** `$/progress` tokens between `begin` and `end`: the server's own scans and long requests. */
  private readonly activeProgress = new Set<ProgressToken>();
  /** Requests the client itself is waiting for (e.g. Scan Workspace). */
  private pendingWork = 0;
  private error: string | undefined;
  private readonly changed = new vscode.EventEmitter<ServerStatus>();
  readonly onDidChangeStatus = this.changed.event;
  private readonly documentStatus = new vscode.EventEmitter<unknown>();
  /** `leakLens/documentStatus` notifications (unvalidated params): is a document test code left out. */
  readonly onDidReceiveDocumentStatus = this.documentStatus.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get status(): ServerStatus {
    const busy = this.activeProgress.size > 0 || this.pendingWork > 0;
    if (this.error !== undefined) return { state: 'error', busy: false, error: this.error };
    switch (this.client?.state) {
      case State.Starting:
        return { state: 'starting', busy: true };
      case State.Running:
        return { state: 'running', busy };
      case State.StartFailed:
        // E.g. a restart after a crash whose new server died while initializing.
        return { state: 'error', busy: false, error: 'The Leak Lens language server failed to start.' };
      default:
        return { state: 'stopped', busy: false };
    }
  }

  /** The client, only while it is connected to a running server. */
  get runningClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  async start(): Promise<void> {
    this.error = undefined;
    const client = this.createClient();
    this.client = client;
    this.fireChanged();
    try {
      await client.start();
    } catch (error) {
      // Keep this message for the status item; the notification offers the output and a retry.
      if (this.client === client)
        this.fail(`The Leak Lens language server could not start: ${messageOf(error)}`);
    }
  }

  /** Stops the server (if any) and starts a fresh one with a fresh crash budget. */
  async restart(): Promise<void> {
    this.log.info('Restarting the language server');
    this.restartPolicy.reset();
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.activeProgress.clear();
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    if (client) {
      try {
        await client.dispose(2000);
      } catch (error) {
        // A server that already died cannot answer `shutdown`; that is not worth a message.
        this.log.warn(`Stopping the language server: ${messageOf(error)}`);
      }
    }
    this.fireChanged();
  }

  /** Marks the server busy while `work` runs (for requests whose progress the server does not report). */
  async whileBusy<T>(work: () => Promise<T>): Promise<T> {
    this.pendingWork++;
    this.fireChanged();
    try {
      return await work();
    } finally {
      this.pendingWork--;
      this.fireChanged();
    }
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
    this.documentStatus.dispose();
  }

  private createClient(): LanguageClient {
    const serverModule = this.context.asAbsolutePath(path.join('dist', 'server.js'));
    // The server's V8 code cache goes to this extension's own storage folder, which VS Code
    // removes with the extension (unless the user chose another place with LEAK_LENS_CACHE_DIR).
    const env = {
      ...process.env,
      LEAK_LENS_CACHE_DIR:
        process.env.LEAK_LENS_CACHE_DIR || path.join(this.context.globalStorageUri.fsPath, 'code-cache'),
      // glibc gives each thread that allocates its own malloc arena and keeps what they freed: on
      // Node 24 the server's analysis threads left 13-19 MiB in them after a workspace scan. Two
      // arenas are plenty for a main thread and two analysis threads (ignored off glibc; a value
      // the user set wins). Measured side by side: no difference in speed beyond the noise.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '2',
    };
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.stdio, options: { env } },
      debug: {
        module: serverModule,
        transport: TransportKind.stdio,
        options: { env, execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] },
      },
    };
    // No `synchronize` options: the server registers, dynamically, for `workspace/didChangeConfiguration`
    // (section leakLens) and for file events on **/*.py and **/pyproject.toml, as it must for every
    // other editor. Declaring the same here would send each notification twice and make the server
    // re-analyse twice per change.
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      // Ask for leakLens/documentStatus, which the language status item shows for test files;
      // hovers link to the rule's page through our command (Markdown preview of the bundled page).
      initializationOptions: { documentStatus: true, ruleDocsCommand: Commands.showRuleDocumentation },
      // The hover's "Open the LEAK00k documentation" is a command link: trusted for that command only.
      markdown: { isTrusted: { enabledCommands: [Commands.showRuleDocumentation] } },
      // The status items show trouble; popping the output open on every server error would be noise.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      errorHandler: this.errorHandler(),
      initializationFailedHandler: (error) => {
        this.log.error(`The language server failed to initialize: ${messageOf(error)}`);
        return false;
      },
      middleware: {
        // Findings a running probe confirms (issue 10) say so and come first.
        handleDiagnostics: (uri, diagnostics, next) => runtimeConfirmations.handle(uri, diagnostics, next),
        // Each quick fix also completes the walkthrough's "Apply a quick fix" step.
        provideCodeActions: async (document, range, context, token, next) =>
          markQuickFixes(await next(document, range, runtimeConfirmations.restore(context), token)),
        handleWorkDoneProgress: (token, params, next) => {
          if (params.kind === 'begin') this.activeProgress.add(token);
          else if (params.kind === 'end') this.activeProgress.delete(token);
          this.fireChanged();
          next(token, params);
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, DISPLAY_NAME, serverOptions, clientOptions);
    keepClientCommandsOwnedByClient(client);
    this.clientDisposables.push(
      client.onNotification(DOCUMENT_STATUS_NOTIFICATION, (params: unknown) => {
        if (client === this.client) this.documentStatus.fire(params);
      }),
      client.onDidChangeState(({ newState }) => {
        if (client !== this.client) return;
        this.log.info(`Language server ${stateName(newState)}`);
        if (newState !== State.Running) this.activeProgress.clear();
        this.fireChanged();
      }),
    );
    return client;
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (error, _message, count): ErrorHandlerResult => {
        this.log.error(`Connection to the language server: ${messageOf(error)}`);
        // A few garbled messages can be survived; a stream of them means the connection is gone.
        return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
      },
      closed: (): CloseHandlerResult => {
        if (this.restartPolicy.recordCrash()) {
          this.log.warn('The language server stopped unexpectedly; restarting it');
          return { action: CloseAction.Restart, handled: true };
        }
        const minutes = RESTART_WINDOW_MS / 60_000;
        this.fail(
          `The Leak Lens language server crashed ${this.restartPolicy.recentCrashes} times in ${minutes} minutes and was not restarted. Leak diagnostics are off until you restart it.`,
        );
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  private fail(message: string): void {
    this.error = message;
    this.log.error(message);
    this.fireChanged();
    void vscode.window.showErrorMessage(message, 'Show Output', 'Restart Server').then((choice) => {
      if (choice === 'Show Output') this.log.show();
      else if (choice === 'Restart Server') void vscode.commands.executeCommand(Commands.restartServer);
    });
  }

  private fireChanged(): void {
    this.changed.fire(this.status);
  }
}

/**
 * vscode-languageclient registers a VS Code command for every command the server lists in
 * `executeCommandProvider`, and registering an id twice throws, which would fail the whole start.
 * The palette commands (`leakLens.scanWorkspace`, …) belong to this client, which forwards to the
 * server itself, so such ids are dropped from what the library registers.
 */
function keepClientCommandsOwnedByClient(client: LanguageClient): void {
  const owned = new Set<string>(Object.values(Commands));
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) =>
    register({
      ...data,
      registerOptions: {
        ...data.registerOptions,
        commands: (data.registerOptions.commands ?? []).filter((command) => !owned.has(command)),
      },
    });
}

function stateName(state: State): string {
  switch (state) {
    case State.Starting:
      return 'starting';
    case State.Running:
      return 'running';
    case State.StartFailed:
      return 'failed to start';
    default:
      return 'stopped';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
