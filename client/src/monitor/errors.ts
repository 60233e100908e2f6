// Errors with a stable code and a message a user can act on. The sampler keeps the samples taken
// before any of them; the CLI maps them to exit code 2 when they happen at the start.

export type MonitorErrorCode =
  | 'bad-target'
  | 'no-such-process'
  | 'permission-denied'
  | 'target-exited'
  | 'connection-refused'
  | 'timeout'
  | 'http-status'
  | 'unreachable'
  | 'malformed-metrics'
  | 'unsupported-platform'
  | 'io';

export class MonitorError extends Error {
  override readonly name = 'MonitorError';

  constructor(
    readonly code: MonitorErrorCode,
    message: string,
    /** Retrying cannot help (a dead or unreadable process); URL errors may pass. */
    readonly fatal = false,
  ) {
    super(message);
  }
}

export function errorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

export function toMonitorError(err: unknown): MonitorError {
  if (err instanceof MonitorError) return err;
  return new MonitorError('io', err instanceof Error ? err.message : String(err));
}
