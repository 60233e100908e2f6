// The hook between dist/server.js (server-loader.ts), which runs the server's bundle from V8's
// code cache, and the server, which says when that cache is worth writing: after its first
// analysis, when the functions an analysis needs have been compiled.

/** Where the loader leaves its "write the code cache now" function (absent: nothing to write). */
export const SAVE_CODE_CACHE = Symbol.for('leak-lens.saveCodeCache');

let timer: NodeJS.Timeout | undefined;

function take(): (() => void) | undefined {
  const store = globalThis as Record<symbol, unknown>;
  const save = store[SAVE_CODE_CACHE];
  delete store[SAVE_CODE_CACHE];
  return typeof save === 'function' ? (save as () => void) : undefined;
}

/**
 * Write the code cache, once, if the loader asked for it: a moment from now, off the path of the
 * diagnostics just computed (or at shutdown, if that comes first: see flushCodeCache).
 */
export function saveCodeCacheSoon(delayMs = 1000): void {
  if (timer || !(SAVE_CODE_CACHE in globalThis)) return;
  timer = setTimeout(() => take()?.(), delayMs);
  timer.unref();
}

/** At shutdown: write the code cache now if an analysis asked for it and it is not written yet. */
export function flushCodeCache(): void {
  if (!timer) return;
  clearTimeout(timer);
  take()?.();
}
