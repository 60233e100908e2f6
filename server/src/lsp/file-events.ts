// File-system events arrive in bursts (a git checkout, a code generator) and sometimes twice (the
// client's own watchers and ours): collect them for a moment and keep the last event per file.
import type { FileEvent } from 'vscode-languageserver';

export class FileEventBatcher {
  private pending = new Map<string, FileEvent>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (events: FileEvent[]) => void,
    private readonly delayMs = 100,
  ) {}

  add(events: readonly FileEvent[]): void {
    for (const e of events) {
      this.pending.delete(e.uri);
      this.pending.set(e.uri, e);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const batch = [...this.pending.values()];
      this.pending = new Map();
      this.flush(batch);
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.pending.clear();
  }
}
