// Server-side logging. Everything goes through `connection.console` (window/logMessage): stdout
// carries the JSON-RPC stream, so a stray console.log would corrupt it. The client's
// `leakLens.trace.server` (sent as `$/setTrace`) picks how chatty we are: errors, warnings and
// one-line notices always; per-document timings and scan details only at 'verbose'.
import type { RemoteConsole } from 'vscode-languageserver';

export type TraceLevel = 'off' | 'messages' | 'verbose';

export class Logger {
  private level: TraceLevel = 'off';

  constructor(private readonly console: RemoteConsole) {}

  setTrace(value: string | undefined): void {
    this.level = value === 'verbose' || value === 'messages' ? value : 'off';
  }

  get trace(): TraceLevel {
    return this.level;
  }

  error(message: string): void {
    this.console.error(message);
  }

  warn(message: string): void {
    this.console.warn(message);
  }

  info(message: string): void {
    this.console.info(message);
  }

  /** Shown when tracing is on ('messages' or 'verbose'). */
  log(message: string): void {
    if (this.level !== 'off') this.console.log(message);
  }

  /** Shown at 'verbose' only: per-edit timings and the like. */
  debug(message: string): void {
    if (this.level === 'verbose') this.console.log(message);
  }

  get verbose(): boolean {
    return this.level === 'verbose';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
