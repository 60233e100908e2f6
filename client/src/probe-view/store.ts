// The probe the window is attached to (at most one) and what it last said. The panel, the editor
// decorations, the CodeLens and the diagnostics follow it; detaching clears them all.
import * as vscode from 'vscode';
import type { ProbeView } from '../probe/evidence';

class ProbeStore implements vscode.Disposable {
  private current: ProbeView | undefined;
  private detachHandler: (() => void) | undefined;
  private readonly emitter = new vscode.EventEmitter<ProbeView | undefined>();
  readonly onDidChange = this.emitter.event;

  get view(): ProbeView | undefined {
    return this.current;
  }

  set(view: ProbeView | undefined): void {
    this.current = view;
    this.emitter.fire(view);
  }

  /** Whoever attached says how to stop (the poller). */
  attached(stop: () => void): void {
    this.detachHandler?.();
    this.detachHandler = stop;
  }

  detach(): void {
    const stop = this.detachHandler;
    this.detachHandler = undefined;
    stop?.();
    this.set(undefined);
  }

  get isAttached(): boolean {
    return this.detachHandler !== undefined;
  }

  dispose(): void {
    this.detach();
    this.emitter.dispose();
  }
}

export const probeStore = new ProbeStore();
