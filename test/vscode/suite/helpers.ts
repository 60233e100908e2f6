// Helpers shared by the extension-host tests (they run inside VS Code/code-server, with `vscode`).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'leak-lens.leak-lens';
export const SOURCE = 'Leak Lens';
export const ALL_CODES = [
  'LEAK001',
  'LEAK002',
  'LEAK003',
  'LEAK004',
  'LEAK005',
  'LEAK006',
  'LEAK007',
  'LEAK008',
];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `get` until `ok` accepts its value; the error names `what` and shows the last value. */
export async function waitFor<T>(
  get: () => T | Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${describe(value)}`);
    }
    await sleep(100);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => v instanceof vscode.Diagnostic)) {
    return `[${(value as vscode.Diagnostic[]).map((d) => `${codeOf(d)}@${d.range.start.line + 1}`).join(', ')}]`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * While a fresh workbench settles, the main thread sometimes cancels provider requests issued
 * through executeCommand ("Canceled"; E2E.md §5.5). Retry those instead of failing.
 */
export async function retryCanceled<T>(fn: () => Thenable<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= tries || !/Canceled/.test(String(e))) throw e;
      await sleep(300);
    }
  }
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open as a folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openInEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Discards unsaved edits of the active editor, so every test starts from the fixture text. */
export async function revertActiveEditor(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return code === undefined ? undefined : String(code);
}

export function leakDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

// The first wait covers the server's start (up to 30 s); once it has answered, re-analysis after
// an edit or a settings change takes milliseconds, so later waits give up after 10 s. And once a
// wait saw no Leak Lens diagnostic at all, the server is not publishing: later waits fail after
// 5 s instead of each burning its full timeout, so the whole run stays well inside its limit.
let serverAnswered = false;
let serverSilent = false;

/** Waits until Leak Lens has published diagnostics for `uri` that satisfy `ok`. */
export async function waitForDiagnostics(
  uri: vscode.Uri,
  ok: (ds: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  const limit = timeoutMs ?? (serverSilent ? 5000 : serverAnswered ? 10_000 : 30_000);
  try {
    const ds = await waitFor(
      () => leakDiagnostics(uri),
      ok,
      `${what} in ${path.basename(uri.fsPath)}`,
      limit,
    );
    serverAnswered = true;
    serverSilent = false;
    return ds;
  } catch (e) {
    if (leakDiagnostics(uri).length === 0) serverSilent = true;
    else serverAnswered = true;
    throw e;
  }
}

/** `# expect: LEAK00k` markers of a fixture: code → 0-based line. */
export function expectedFindings(text: string): Map<string, number> {
  const expected = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(/# expect: (LEAK\d{3})/g)) expected.set(m[1], i);
  });
  return expected;
}

export function hasCodes(ds: vscode.Diagnostic[], codes: string[]): boolean {
  const present = new Set(ds.map(codeOf));
  return codes.every((c) => present.has(c));
}

/**
 * The code actions for `range`, resolved as the editor resolves the one the user picks (quick
 * fixes come without their edit; `codeAction/resolve` brings it).
 */
export function codeActions(
  uri: vscode.Uri,
  range: vscode.Range,
  kind?: string,
): Promise<vscode.CodeAction[]> {
  return retryCanceled(() =>
    vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      kind,
      RESOLVE_ALL,
    ),
  ).then((actions) => actions ?? []);
}
const RESOLVE_ALL = 100;

/** Compiles Python source with the machine's python3 (as a user's CI would); rejects with its error. */
export async function assertCompiles(source: string, label: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-lens-compile-'));
  const file = path.join(dir, 'fixed.py');
  fs.writeFileSync(file, source);
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('python3', ['-m', 'py_compile', file], { timeout: 30_000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`${label} does not compile:\n${stderr}\n--- source ---\n${source}`));
        else resolve();
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
