// Growing lines in the editor: a decoration after the line ("+38.0 MB in 10 min, growing") with
// a hover, a mark in the overview ruler, and a CodeLens above it. All gone on detach.
import * as vscode from 'vscode';
import { linesOfFile, type ProbeView } from '../probe/evidence';
import { probeStore } from './store';

export const CODELENS_PREFIX = 'Leak Lens (runtime): ';

function decorationType(): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.errorForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    after: {
      margin: '0 0 0 2em',
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
    },
  });
}

function decorate(
  editor: vscode.TextEditor,
  view: ProbeView | undefined,
  type: vscode.TextEditorDecorationType,
) {
  if (editor.document.uri.scheme !== 'file') return;
  const lines = linesOfFile(view, editor.document.uri.fsPath);
  const options: vscode.DecorationOptions[] = [];
  for (const [line, growing] of lines) {
    if (line >= editor.document.lineCount) continue;
    const hover = new vscode.MarkdownString(
      `**Leak Lens, measured in the running process** (${view?.source}): traced memory allocated at this line keeps rising — ${growing.text}; ${growing.count} live blocks.`,
    );
    options.push({
      range: editor.document.lineAt(line).range,
      hoverMessage: hover,
      renderOptions: { after: { contentText: `◀ ${growing.text}` } },
    });
  }
  editor.setDecorations(type, options);
}

class GrowingLineLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.uri.scheme !== 'file') return [];
    const lenses: vscode.CodeLens[] = [];
    for (const [line, growing] of linesOfFile(probeStore.view, document.uri.fsPath)) {
      if (line >= document.lineCount) continue;
      lenses.push(
        new vscode.CodeLens(document.lineAt(line).range, {
          title: `${CODELENS_PREFIX}${growing.text}`,
          command: 'leakLens.openMemoryPanel',
          tooltip: 'Measured by the Leak Lens probe in the running process. Open the memory panel.',
        }),
      );
    }
    return lenses;
  }
}

export function registerGrowingLineEditor(context: vscode.ExtensionContext): void {
  const type = decorationType();
  const lenses = new GrowingLineLenses();
  const redraw = () => {
    for (const editor of vscode.window.visibleTextEditors) decorate(editor, probeStore.view, type);
    lenses.refresh();
  };
  context.subscriptions.push(
    type,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, lenses),
    probeStore.onDidChange(redraw),
    vscode.window.onDidChangeVisibleTextEditors(redraw),
  );
}
