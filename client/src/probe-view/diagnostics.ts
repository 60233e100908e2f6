// "confirmed at runtime: …" on the static findings a growing line confirms, sorted first. The
// language client's diagnostics middleware passes every publication through `annotate`; when the
// probe's answer changes, the last publication of each file is passed again.
import * as vscode from 'vscode';
import { annotateFindings, linesOfFile } from '../probe/evidence';
import { probeStore } from './store';

type Next = (uri: vscode.Uri, diagnostics: vscode.Diagnostic[]) => void;

class RuntimeConfirmations implements vscode.Disposable {
  private readonly last = new Map<
    string,
    { uri: vscode.Uri; diagnostics: vscode.Diagnostic[]; next: Next }
  >();
  private readonly originals = new WeakMap<vscode.Diagnostic, vscode.Diagnostic>();
  private readonly subscription = probeStore.onDidChange(() => this.republish());

  /** For `middleware.handleDiagnostics`. */
  handle(uri: vscode.Uri, diagnostics: vscode.Diagnostic[], next: Next): void {
    this.last.set(uri.toString(), { uri, diagnostics, next });
    next(uri, this.annotate(uri, diagnostics));
  }

  annotate(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
    if (uri.scheme !== 'file') return diagnostics;
    const growing = linesOfFile(probeStore.view, uri.fsPath);
    return annotateFindings(
      diagnostics,
      growing,
      (d) =>
        (d.relatedInformation ?? [])
          .filter((r) => r.location.uri.toString() === uri.toString())
          .map((r) => r.location.range.start.line),
      (d, message) => {
        // Same class (the client's ProtocolDiagnostic keeps the server's `data`), new message.
        const copy = Object.assign(Object.create(Object.getPrototypeOf(d)) as vscode.Diagnostic, d);
        copy.message = message;
        this.originals.set(copy, d);
        return copy;
      },
    );
  }

  /** For `middleware.provideCodeActions`: the server matches its findings by their own message. */
  restore(context: vscode.CodeActionContext): vscode.CodeActionContext {
    if (!context.diagnostics.some((d) => this.originals.has(d))) return context;
    return { ...context, diagnostics: context.diagnostics.map((d) => this.originals.get(d) ?? d) };
  }

  private republish(): void {
    for (const { uri, diagnostics, next } of this.last.values()) next(uri, this.annotate(uri, diagnostics));
  }

  dispose(): void {
    this.subscription.dispose();
    this.last.clear();
  }
}

export const runtimeConfirmations = new RuntimeConfirmations();
