// A minimal, real LSP client for protocol tests: starts the BUILT server (dist/server.js) as a
// child process, speaks JSON-RPC over its stdio, answers workspace/configuration from a settings
// function the test controls, and records what the server sends (diagnostics, messages,
// progress, registrations, applyEdit requests) so tests can wait for them.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type Command,
  type ConfigurationParams,
  createProtocolConnection,
  type Diagnostic,
  type InitializeResult,
  type LogMessageParams,
  type ProgressToken,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type RegistrationParams,
  type ShowMessageParams,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** `$/progress` parameters. */
export interface ProgressParams {
  token: ProgressToken;
  value: unknown;
}

export const ROOT = resolve(__dirname, '..', '..', '..');
export const SERVER = join(ROOT, 'dist', 'server.js');

let built: Promise<void> | undefined;

/** `npm run build` once per test run (LEAK_LENS_SKIP_BUILD=1 reuses an existing dist/). */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (process.env.LEAK_LENS_SKIP_BUILD === '1' && existsSync(SERVER)) return;
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  })();
  return built;
}

export type SettingsFn = (scopeUri: string | undefined) => unknown;

export interface StartOptions {
  /** Node arguments that start the server (default: dist/server.js --stdio). */
  args?: string[];
  workspaceFolders?: WorkspaceFolder[];
  /** The `leakLens` section per scope; default: nothing set. */
  settings?: SettingsFn;
  capabilities?: ClientCapabilities;
  initializationOptions?: Record<string, unknown>;
  trace?: 'off' | 'messages' | 'verbose';
  /** Environment variables for the server, on top of this process's. */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true },
    applyEdit: true,
  },
  window: { workDoneProgress: true, showMessage: {} },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    codeAction: {
      dataSupport: true,
      isPreferredSupport: true,
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
    },
  },
  notebookDocument: { synchronization: { dynamicRegistration: false } },
};

type Event =
  | { kind: 'diagnostics'; params: PublishDiagnosticsParams }
  | { kind: 'showMessage'; params: ShowMessageParams }
  | { kind: 'log'; params: LogMessageParams }
  | { kind: 'progress'; params: ProgressParams }
  | { kind: 'progressCreate'; token: string | number }
  | { kind: 'register'; params: RegistrationParams }
  | { kind: 'applyEdit'; params: ApplyWorkspaceEditParams }
  /** Any other notification (the server's own, such as leakLens/documentStatus). */
  | { kind: 'notification'; method: string; params: unknown };

export class TestClient {
  readonly events: Event[] = [];
  private readonly emitter = new EventEmitter();
  stderr = '';
  exitCode: number | null | undefined;
  readonly docs = new Map<string, TextDocument>();
  settings: SettingsFn;
  /** How the client answers workspace/applyEdit. */
  applyEditResponse = true;

  private constructor(
    readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    settings: SettingsFn,
  ) {
    this.settings = settings;
  }

  static async start(options: StartOptions = {}): Promise<TestClient> {
    await ensureBuilt();
    const child = spawn(process.execPath, [SERVER, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: ROOT,
      // The server's code cache (server-loader.ts) goes to a folder of the tests, not the user's.
      env: {
        LEAK_LENS_CACHE_DIR: join(tmpdir(), 'leak-lens-test-code-cache'),
        ...process.env,
        ...options.env,
      },
    });
    if (!child.stdout || !child.stdin) throw new Error('no stdio');
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new TestClient(child, connection, options.settings ?? (() => ({})));
    child.stderr?.on('data', (d) => {
      client.stderr += String(d);
    });
    child.on('exit', (code) => {
      client.exitCode = code;
      client.emitter.emit('event');
    });
    client.wire();
    connection.listen();
    const init: InitializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.workspaceFolders?.[0]?.uri ?? null,
      workspaceFolders: options.workspaceFolders ?? null,
      capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
      initializationOptions: { scanOnStartup: false, debounceMs: 20, ...options.initializationOptions },
      trace: options.trace ?? 'off',
    });
    client.initializeResult = init;
    await connection.sendNotification('initialized', {});
    return client;
  }

  initializeResult: InitializeResult | undefined;

  private record(event: Event): void {
    this.events.push(event);
    this.emitter.emit('event');
  }

  private wire(): void {
    const c = this.connection;
    c.onRequest('workspace/configuration', (params: ConfigurationParams) =>
      params.items.map((item) =>
        item.section === 'leakLens' ? (this.settings(item.scopeUri) ?? null) : null,
      ),
    );
    c.onRequest('window/workDoneProgress/create', (params: { token: string | number }) => {
      this.record({ kind: 'progressCreate', token: params.token });
      return null;
    });
    c.onRequest('client/registerCapability', (params: RegistrationParams) => {
      this.record({ kind: 'register', params });
      return null;
    });
    c.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
      this.record({ kind: 'applyEdit', params });
      if (this.applyEditResponse) this.applyWorkspaceEdit(params.edit);
      return { applied: this.applyEditResponse };
    });
    c.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) =>
      this.record({ kind: 'diagnostics', params }),
    );
    c.onNotification('window/showMessage', (params: ShowMessageParams) =>
      this.record({ kind: 'showMessage', params }),
    );
    c.onNotification('window/logMessage', (params: LogMessageParams) => this.record({ kind: 'log', params }));
    c.onNotification('$/progress', (params: ProgressParams) => this.record({ kind: 'progress', params }));
    c.onUnhandledNotification((message) =>
      this.record({ kind: 'notification', method: message.method, params: message.params }),
    );
  }

  /** Resolves with the first event (past or future) matching `pick`; rejects after `timeoutMs`. */
  waitFor<T>(pick: (e: Event) => T | undefined, timeoutMs = 15000, since = 0): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      let index = since;
      const check = () => {
        for (; index < this.events.length; index++) {
          const hit = pick(this.events[index]);
          if (hit !== undefined) {
            cleanup();
            resolvePromise(hit);
            return;
          }
        }
        if (this.exitCode !== undefined) {
          cleanup();
          reject(new Error(`server exited (${this.exitCode}) while waiting; stderr:\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for an event; stderr:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.emitter.off('event', check);
      };
      this.emitter.on('event', check);
      check();
    });
  }

  /** The next diagnostics for `uri` published after event index `since` that satisfy `accept`. */
  diagnosticsFor(
    uri: string,
    accept: (p: PublishDiagnosticsParams) => boolean = () => true,
    since = 0,
    timeoutMs = 15000,
  ): Promise<PublishDiagnosticsParams> {
    return this.waitFor(
      (e) => (e.kind === 'diagnostics' && e.params.uri === uri && accept(e.params) ? e.params : undefined),
      timeoutMs,
      since,
    );
  }

  /** The diagnostics last published for a URI (undefined if never). */
  latestDiagnostics(uri: string): Diagnostic[] | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.kind === 'diagnostics' && e.params.uri === uri) return e.params.diagnostics;
    }
    return undefined;
  }

  get mark(): number {
    return this.events.length;
  }

  async open(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    this.docs.set(uri, TextDocument.create(uri, languageId, version, text));
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version, text },
    });
  }

  /** Open and wait for the diagnostics of that version. */
  async openAndWait(uri: string, text: string, languageId = 'python'): Promise<Diagnostic[]> {
    const since = this.mark;
    await this.open(uri, text, languageId);
    return (await this.diagnosticsFor(uri, (p) => p.version === 1 || p.version === undefined, since))
      .diagnostics;
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`not open: ${uri}`);
    const version = doc.version + 1;
    this.docs.set(uri, TextDocument.update(doc, changes, version));
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  /** Replace the whole text by one incremental change covering the document; waits for diagnostics. */
  async setText(uri: string, text: string): Promise<Diagnostic[]> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`not open: ${uri}`);
    const since = this.mark;
    const end = doc.positionAt(doc.getText().length);
    const version = await this.change(uri, [{ range: { start: { line: 0, character: 0 }, end }, text }]);
    return (await this.diagnosticsFor(uri, (p) => p.version === version, since)).diagnostics;
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`not open: ${uri}`);
    return doc.getText();
  }

  codeActions(
    uri: string,
    range: Range,
    diagnostics: Diagnostic[],
    only?: string[],
  ): Promise<(CodeAction | Command)[] | null> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, only },
    });
  }

  /** Applies a workspace edit to the documents this client holds (as an editor would). */
  applyWorkspaceEdit(edit: WorkspaceEdit): Map<string, string> {
    const perUri = new Map<string, TextEdit[]>();
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) perUri.set(uri, edits);
    for (const change of edit.documentChanges ?? []) {
      if (!('textDocument' in change)) throw new Error('unexpected resource operation');
      const doc = this.docs.get(change.textDocument.uri);
      if (doc && change.textDocument.version !== null && change.textDocument.version !== doc.version) {
        throw new Error(`edit for version ${change.textDocument.version}, document at ${doc.version}`);
      }
      perUri.set(change.textDocument.uri, [
        ...(perUri.get(change.textDocument.uri) ?? []),
        ...(change.edits as TextEdit[]),
      ]);
    }
    const result = new Map<string, string>();
    for (const [uri, edits] of perUri) {
      const doc = this.docs.get(uri);
      if (!doc) throw new Error(`edit for a document that is not open: ${uri}`);
      result.set(uri, TextDocument.applyEdits(doc, edits));
    }
    return result;
  }

  /** VS Code's URI for cell `handle` of a notebook file (`vscode-notebook-cell:…#W<n>s<b64 scheme>`). */
  static cellUri(notebookPath: string, handle: number): string {
    return `vscode-notebook-cell:${notebookPath}#W${handle.toString(7)}s${encodeURIComponent(Buffer.from('file').toString('base64'))}`;
  }

  /** notebookDocument/didOpen with code cells (`kind` 2) and markdown cells (`kind` 1). */
  async openNotebook(
    uri: string,
    cells: { uri: string; text: string; kind?: 1 | 2; languageId?: string }[],
  ): Promise<void> {
    for (const c of cells)
      this.docs.set(
        c.uri,
        TextDocument.create(c.uri, c.languageId ?? (c.kind === 1 ? 'markdown' : 'python'), 1, c.text),
      );
    await this.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: {
        uri,
        notebookType: 'jupyter-notebook',
        version: 1,
        cells: cells.map((c) => ({ kind: c.kind ?? 2, document: c.uri })),
      },
      cellTextDocuments: cells.map((c) => ({
        uri: c.uri,
        languageId: c.languageId ?? (c.kind === 1 ? 'markdown' : 'python'),
        version: 1,
        text: c.text,
      })),
    });
  }

  private notebookVersions = new Map<string, number>();

  /** Replace the text of some cells (one notebookDocument/didChange). */
  async changeCells(notebook: string, texts: Map<string, string>): Promise<void> {
    const version = (this.notebookVersions.get(notebook) ?? 1) + 1;
    this.notebookVersions.set(notebook, version);
    const textContent = [...texts].map(([uri, text]) => {
      const doc = this.docs.get(uri);
      if (!doc) throw new Error(`unknown cell ${uri}`);
      const end = doc.positionAt(doc.getText().length);
      const changes = [{ range: { start: { line: 0, character: 0 }, end }, text }];
      const next = TextDocument.update(doc, changes, doc.version + 1);
      this.docs.set(uri, next);
      return { document: { uri, version: next.version }, changes };
    });
    await this.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: notebook, version },
      change: { cells: { textContent } },
    });
  }

  /** Remove `deleteCount` cells at `start` (their text documents close). */
  async removeCells(notebook: string, start: number, deleteCount: number, uris: string[]): Promise<void> {
    const version = (this.notebookVersions.get(notebook) ?? 1) + 1;
    this.notebookVersions.set(notebook, version);
    for (const uri of uris) this.docs.delete(uri);
    await this.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: notebook, version },
      change: {
        cells: { structure: { array: { start, deleteCount }, didClose: uris.map((uri) => ({ uri })) } },
      },
    });
  }

  async closeNotebook(notebook: string, cellUris: string[]): Promise<void> {
    for (const uri of cellUris) this.docs.delete(uri);
    await this.connection.sendNotification('notebookDocument/didClose', {
      notebookDocument: { uri: notebook },
      cellTextDocuments: cellUris.map((uri) => ({ uri })),
    });
  }

  alive(): boolean {
    return this.exitCode === undefined;
  }

  async stop(): Promise<number | null | undefined> {
    if (this.exitCode === undefined) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), delay(3000)]);
        await this.connection.sendNotification('exit');
      } catch {
        // already gone
      }
      await Promise.race([new Promise((r) => this.child.once('exit', r)), delay(3000)]);
      if (this.exitCode === undefined) this.child.kill();
    }
    this.connection.dispose();
    return this.exitCode;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Compile Python text with the real CPython; undefined when it compiles, else the error. */
export function pyCompile(text: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-proto-'));
  try {
    const file = join(dir, 'fixed.py');
    writeFileSync(file, text);
    execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function codesOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code)).sort();
}

export function isCodeAction(a: CodeAction | Command): a is CodeAction {
  return typeof (a as CodeAction).title === 'string' && typeof (a as Command).command !== 'string';
}
