// Giving memory back after a one-off burst of work (the workspace scan). V8 collects its old
// generation when it next needs room, which on an idle server may be never: the garbage of a
// million-line scan (every file's text, read for the project index) would stay in RSS for good.
// Without node's --expose-gc, the flag is turned on for a fresh context that hands out `gc`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full garbage collection; false if this runtime does not allow it. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  if (!gc) return false;
  gc();
  return true;
}
