// "Leak Lens: Fix All in File": applies the server's `source.fixAll.leakLens` action, the same one
// `editor.codeActionsOnSave` runs, so the command and fix-on-save cannot disagree. The server
// decides what is safe to apply; suppressions (`# noqa`) are never part of it.
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from './ids';

const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('leakLens');
/** Code actions the server may return unresolved (edits computed on `codeAction/resolve`). */
const RESOLVE_COUNT = 10;
/** A freshly opened workbench sometimes cancels the first provider request; retry then. */
const CANCELED_RETRIES = 3;
const CANCELED_RETRY_DELAY_MS = 300;

export async function fixAllInFile(log: vscode.LogOutputChannel, target?: vscode.Uri): Promise<void> {
  const document = target
    ? await vscode.workspace.openTextDocument(target)
    : vscode.window.activeTextEditor?.document;
  if (document?.languageId !== 'python') {
    void vscode.window.showInformationMessage('Leak Lens: open a Python file to fix its leaks.');
    return;
  }
  const findings = () =>
    vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === DIAGNOSTIC_SOURCE).length;
  const before = findings();
  const actions = (await fixAllActions(document)).filter((a) => a.kind && FIX_ALL.contains(a.kind));
  const edits = actions.filter((a) => a.edit || a.command);
  if (edits.length === 0) {
    void vscode.window.showInformationMessage(
      before === 0
        ? 'Leak Lens: no possible leaks in this file.'
        : 'Leak Lens: none of the findings in this file has an automatic fix. Use the quick fixes (Ctrl+.) to review them one by one.',
    );
    return;
  }
  for (const action of edits) {
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) {
      log.warn(`Fix All: VS Code refused the edit of "${action.title}" (the file changed meanwhile?)`);
      void vscode.window.showWarningMessage('Leak Lens: the fixes could not be applied. Try again.');
      return;
    }
    if (action.command) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
  }
  log.info(`Fix All applied to ${document.uri.toString(true)}`);
}

async function fixAllActions(document: vscode.TextDocument): Promise<vscode.CodeAction[]> {
  const whole = document.validateRange(new vscode.Range(0, 0, document.lineCount, 0));
  for (let attempt = 1; ; attempt++) {
    try {
      return (
        (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
          'vscode.executeCodeActionProvider',
          document.uri,
          whole,
          FIX_ALL_KIND,
          RESOLVE_COUNT,
        )) ?? []
      );
    } catch (error) {
      const canceled = error instanceof Error && (error.name === 'Canceled' || error.message === 'Canceled');
      if (!canceled || attempt >= CANCELED_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, CANCELED_RETRY_DELAY_MS));
    }
  }
}
