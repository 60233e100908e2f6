// The Leak Lens language server: translates between LSP and the engine, nothing more. The
// mechanics (documents and trees, settings, diagnostics, code actions, workspace scan, notebooks)
// live in ./lsp/. Started by dist/server.js (VS Code) and by `leak-lens server --stdio`.
import {
  type ClientCapabilities,
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type ExecuteCommandParams,
  type InitializeError,
  type InitializeParams,
  type InitializeResult,
  MessageType,
  ResponseError,
  SetTraceNotification,
  ShowMessageNotification,
  TextDocumentSyncKind,
  WatchKind,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { version } from '../../package.json';
import { initEngine } from './engine';
import { FIX_ALL_KIND } from './lsp/code-actions';
import { flushCodeCache, saveCodeCacheSoon } from './lsp/code-cache';
import { ruleHover } from './lsp/hover';
import { Linter } from './lsp/linter';
import { describeError, Logger } from './lsp/logger';
import { SettingsService } from './lsp/settings-service';
import { uriToPath } from './lsp/uri';
import { AnalysisWorker } from './lsp/worker-client';
import type { ScanFolder, ScanSummary } from './lsp/workspace-scan';

/** Commands served through workspace/executeCommand (the VS Code client forwards its palette commands here). */
export const SERVER_COMMANDS = {
  scanWorkspace: 'leakLens.scanWorkspace',
  fixAllInFile: 'leakLens.fixAllInFile',
} as const;
/** The same scan as a plain request, for clients that prefer not to go through executeCommand. */
export const SCAN_WORKSPACE_REQUEST = 'leakLens/scanWorkspace';
/**
 * Server → client, for clients that ask for it (`documentStatus: true` in initializationOptions):
 * `{uri, testFile, vendored}` for an open document or notebook, on its first analysis and whenever
 * it changes. `testFile: true`: it is test code left out of analysis (leakLens.includeTests is
 * off); `vendored: true`: it is vendored third-party code left out (leakLens.includeVendored is
 * off). At most one of them is true.
 */
export const DOCUMENT_STATUS_NOTIFICATION = 'leakLens/documentStatus';
export interface DocumentStatusParams {
  uri: string;
  testFile: boolean;
  vendored: boolean;
}

/** Options a client may pass in `initializationOptions` (all optional). */
interface InitializationOptions {
  /** Pause after the last edit before analysing, in ms (default 150). */
  debounceMs?: number;
  /** Scan the workspace folders once initialized (default true). */
  scanOnStartup?: boolean;
  /** Files above this size are left out of the workspace scan (default 10 MB). */
  maxFileBytes?: number;
  /** Send leakLens/documentStatus notifications (default false). */
  documentStatus?: boolean;
  /** Budget of one open document's analysis, in ms (default 10,000). */
  analysisTimeoutMs?: number;
  /**
   * A client command that shows a rule's documentation, given the rule code (VS Code:
   * `leakLens.showRuleDocumentation`); hovers link to it. Without it they link to the page itself.
   */
  ruleDocsCommand?: string;
  /** `leakLens` settings, for clients without workspace/configuration (either key). */
  settings?: unknown;
  leakLens?: unknown;
}

const DEFAULT_DEBOUNCE_MS = 150;
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const DEFAULT_ANALYSIS_TIMEOUT_MS = 10_000;

function toScanFolders(folders: readonly WorkspaceFolder[]): ScanFolder[] {
  const out: ScanFolder[] = [];
  for (const f of folders) {
    const path = uriToPath(f.uri);
    if (path) out.push({ uri: f.uri, path });
  }
  return out;
}

function initialFolders(params: InitializeParams): ScanFolder[] {
  if (params.workspaceFolders) return toScanFolders(params.workspaceFolders);
  if (params.rootUri) return toScanFolders([{ uri: params.rootUri, name: 'root' }]);
  return [];
}

function numberOption(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function startServer(): void {
  // Speak over stdio unless the client chose a transport: `node dist/server.js` just works, and
  // with --stdio vscode-languageserver routes console.* to the client log instead of stdout.
  if (!process.argv.slice(2).some((a) => /^--(stdio|node-ipc|socket|pipe)\b/.test(a)))
    process.argv.push('--stdio');
  const connection = createConnection();
  // The parser loads (its wasm compiles) while the client's first messages are on their way.
  const engine = initEngine();
  engine.catch(() => {}); // (reported by initialize)
  const log = new Logger(connection.console);
  let capabilities: ClientCapabilities = {};
  let options: InitializationOptions = {};
  let linter: Linter | undefined;

  process.on('uncaughtException', (error) =>
    log.error(`Leak Lens: unexpected error (the server keeps running): ${describeError(error)}`),
  );
  process.on('unhandledRejection', (error) =>
    log.error(`Leak Lens: unexpected error (the server keeps running): ${describeError(error)}`),
  );

  const settings = new SettingsService({
    fetchSection: async (scopeUri) =>
      capabilities.workspace?.configuration
        ? connection.workspace.getConfiguration({ scopeUri, section: 'leakLens' })
        : undefined,
    warn: (message) =>
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message }),
    log,
  });

  const scan = async (): Promise<ScanSummary | undefined> => linter?.scanWorkspace();

  connection.onInitialize(async (params): Promise<InitializeResult | ResponseError<InitializeError>> => {
    capabilities = params.capabilities;
    options = (params.initializationOptions as InitializationOptions | undefined) ?? {};
    log.setTrace(params.trace);
    const pushed = options.settings ?? options.leakLens;
    if (pushed !== undefined) settings.configurationChanged(pushed);
    try {
      await engine.catch(() => initEngine()); // (a second chance, as before)
    } catch (error) {
      return new ResponseError<InitializeError>(
        0,
        `Leak Lens could not load the Python parser: ${describeError(error)}`,
        { retry: false },
      );
    }
    linter = new Linter(
      {
        publish: (uri, diagnostics, version) => {
          void connection.sendDiagnostics({ uri, diagnostics, version });
          // The first analysis is done: the functions it needed are compiled, worth caching.
          saveCodeCacheSoon();
        },
        createProgress: async () =>
          capabilities.window?.workDoneProgress ? connection.window.createWorkDoneProgress() : undefined,
        status: (state, summary) => log.debug(`scan ${state}${summary ? ` ${JSON.stringify(summary)}` : ''}`),
        documentStatus: (uri, { testFile, vendored }) => {
          if (options.documentStatus !== true) return;
          const params: DocumentStatusParams = { uri, testFile, vendored };
          void connection.sendNotification(DOCUMENT_STATUS_NOTIFICATION, params);
        },
        log,
        settings,
      },
      {
        debounceMs: numberOption(options.debounceMs, DEFAULT_DEBOUNCE_MS),
        maxFileBytes: numberOption(options.maxFileBytes, DEFAULT_MAX_FILE_BYTES),
        versionedEdits: capabilities.workspace?.workspaceEdit?.documentChanges === true,
        resolveEdits:
          capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
        workerScript: AnalysisWorker.locate(),
        analysisTimeoutMs:
          options.analysisTimeoutMs === undefined
            ? undefined
            : Math.max(100, numberOption(options.analysisTimeoutMs, DEFAULT_ANALYSIS_TIMEOUT_MS)),
      },
    );
    linter.setFolders(initialFolders(params));
    linter.notebooks.listen(connection);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: {
          notebookSelector: [
            { notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] },
          ],
        },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
          resolveProvider: true,
        },
        hoverProvider: true,
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'Leak Lens', version },
    };
  });

  connection.onInitialized(() => {
    // After the handshake, before the first document arrives (or right behind it).
    setImmediate(() => linter?.warmUp());
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'leakLens' });
    }
    if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.py' },
          { globPattern: '**/pyproject.toml' },
          // A deleted directory is reported as itself, not as each .py file it held.
          { globPattern: '**/*', kind: WatchKind.Delete },
        ],
      });
    }
    if (capabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        if (!linter) return;
        const removed = new Set(event.removed.map((f) => f.uri));
        const kept = linter.workspaceFolders.filter((f) => !removed.has(f.uri));
        linter.setFolders([...kept, ...toScanFolders(event.added)]);
        if (event.added.length > 0) linter.scheduleScan();
      });
    }
    if (options.scanOnStartup !== false) linter?.scanAfterStartUp();
  });

  connection.onNotification(SetTraceNotification.type, (params) => log.setTrace(params.value));

  connection.onDidChangeConfiguration((params) => {
    const pushed = (params.settings as { leakLens?: unknown } | undefined)?.leakLens;
    if (linter) linter.configurationChanged(pushed);
    else settings.configurationChanged(pushed);
  });

  connection.onDidChangeWatchedFiles((params) => linter?.watchedFilesChanged(params.changes));

  connection.onDidOpenTextDocument(({ textDocument: d }) =>
    linter?.openDocument(d.uri, d.languageId, d.version, d.text),
  );
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) =>
    linter?.changeDocument(textDocument.uri, contentChanges, textDocument.version),
  );
  connection.onDidCloseTextDocument(({ textDocument }) => linter?.closeDocument(textDocument.uri));

  connection.onCodeAction(async (params) =>
    linter ? linter.codeActions(params.textDocument.uri, params.context) : [],
  );
  connection.onCodeActionResolve(async (action) => (linter ? linter.resolveCodeAction(action) : action));

  connection.onHover(async ({ textDocument, position }) => {
    if (!linter) return null;
    const command = typeof options.ruleDocsCommand === 'string' ? options.ruleDocsCommand : undefined;
    return ruleHover(await linter.findingsIn(textDocument.uri), position, { ruleDocsCommand: command });
  });

  const fixAllInFile = async (args: unknown[] | undefined) => {
    const target = args?.[0];
    const uri = typeof target === 'string' ? target : (target as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string')
      throw new ResponseError(
        -32602,
        `${SERVER_COMMANDS.fixAllInFile} expects the document URI as its argument`,
      );
    const edit = await linter?.fixAllInFile(uri);
    if (!edit) return { applied: false, reason: 'nothing to fix' };
    const result = await connection.workspace.applyEdit({ label: 'Leak Lens: Fix all', edit });
    return { applied: result.applied, reason: result.failureReason };
  };

  connection.onExecuteCommand(async (params: ExecuteCommandParams) => {
    switch (params.command) {
      case SERVER_COMMANDS.scanWorkspace:
        return scan();
      case SERVER_COMMANDS.fixAllInFile:
        return fixAllInFile(params.arguments);
      default:
        throw new ResponseError(-32601, `Leak Lens does not know the command ${params.command}`);
    }
  });
  connection.onRequest(SCAN_WORKSPACE_REQUEST, async (): Promise<ScanSummary | null> => {
    return (await scan()) ?? null;
  });

  connection.onShutdown(() => {
    flushCodeCache();
    linter?.dispose();
  });

  connection.listen();
}
