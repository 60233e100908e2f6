// The "Find memory leaks with Leak Lens" walkthrough (contributes.walkthroughs) completes its
// steps on commands. Applying a quick fix runs no command of its own (VS Code applies the
// action's edit), so each Leak Lens quick fix also carries an internal command that marks the
// step done. It is not in the palette (not declared in package.json) and does nothing else.
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './ids';

/**
 * Context key set once a Python editor shows Leak Lens diagnostics: the completion event of the
 * "Open a Python file and see the squiggles" step (`editorLangId` is an editor-scoped key the
 * walkthrough cannot see).
 */
export const SAW_FINDINGS_CONTEXT = 'leakLens.walkthrough.sawFindings';

/** Completion event of the walkthrough's "Apply a quick fix" step. */
export const QUICK_FIX_APPLIED = 'leakLens.quickFixApplied';

/**
 * Adds the step-completion command to quick fixes that carry no command. A quick fix listed lazily
 * has no edit yet: `codeAction/resolve` brings it, and the server answers with the action it was
 * given (this command included) plus the edit.
 */
export function markQuickFixes<T extends vscode.CodeAction | vscode.Command>(
  actions: T[] | null | undefined,
): T[] | null | undefined {
  for (const action of actions ?? []) {
    if (!(action instanceof vscode.CodeAction)) continue;
    if (action.command) continue;
    if (!action.kind || !vscode.CodeActionKind.QuickFix.contains(action.kind)) continue;
    action.command = { command: QUICK_FIX_APPLIED, title: 'Quick fix applied' };
  }
  return actions;
}

function showsFindings(editor: vscode.TextEditor): boolean {
  return (
    editor.document.languageId === 'python' &&
    vscode.languages.getDiagnostics(editor.document.uri).some((d) => d.source === DIAGNOSTIC_SOURCE)
  );
}

export function registerWalkthrough(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(QUICK_FIX_APPLIED, () => log.debug('quick fix applied')),
  );
  // Watches until the first squiggle is on screen, then stops.
  const watchers: vscode.Disposable[] = [];
  const check = () => {
    if (!vscode.window.visibleTextEditors.some(showsFindings)) return;
    void vscode.commands.executeCommand('setContext', SAW_FINDINGS_CONTEXT, true);
    for (const w of watchers.splice(0)) w.dispose();
  };
  watchers.push(
    vscode.languages.onDidChangeDiagnostics(check),
    vscode.window.onDidChangeVisibleTextEditors(check),
  );
  context.subscriptions.push({ dispose: () => watchers.forEach((w) => w.dispose()) });
  check();
}
