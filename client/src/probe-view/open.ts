// Opening a growing line the panel lists: only a line the attached probe reported (the webview's
// messages are checked: it is a web page).
import * as vscode from 'vscode';
import { probeStore } from './store';

export async function openGrowingLine(
  path: string,
  line: number,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const known = probeStore.view?.lines.some((l) => l.path === path && l.line === line);
  if (!known) {
    log.warn(`Memory panel: ignored a request to open ${path}:${line}, which the probe did not report`);
    return;
  }
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
    const position = new vscode.Position(Math.min(line - 1, document.lineCount - 1), 0);
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(position, position),
      viewColumn: vscode.ViewColumn.One,
    });
  } catch (err) {
    void vscode.window.showErrorMessage(
      `Leak Lens: cannot open ${path}:${line} (reported by the probe): ${(err as Error).message}`,
    );
  }
}
