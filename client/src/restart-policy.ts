// How often a crashed language server is restarted before the client gives up. Without a limit a
// server that crashes on start-up (a broken build, a file that kills the parser) would restart in a
// tight loop; with too low a limit one unlucky crash would leave the user without diagnostics.
// No `vscode` import: unit-tested under plain mocha.

export interface RestartPolicyOptions {
  /** Restarts allowed inside the window; one crash more and the client stops trying. */
  maxRestarts: number;
  windowMs: number;
  now?: () => number;
}

export class RestartPolicy {
  private crashes: number[] = [];
  private readonly now: () => number;

  constructor(private readonly options: RestartPolicyOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records a crash; true when the server may be restarted once more. */
  recordCrash(): boolean {
    const at = this.now();
    this.crashes = this.crashes.filter((t) => at - t < this.options.windowMs);
    this.crashes.push(at);
    return this.crashes.length <= this.options.maxRestarts;
  }

  /** Crashes counted in the current window (for the message shown when giving up). */
  get recentCrashes(): number {
    return this.crashes.length;
  }

  /** A restart the user asked for starts a fresh budget. */
  reset(): void {
    this.crashes = [];
  }
}
