// Giving memory back after a one-off burst of work (the workspace scan). V8 collects its old
// generation when it next needs room, which on an idle server may be never: the garbage of a
// million-line scan (every file's text, read for the project index) would stay in RSS for good.
// Without node's --expose-gc, the flag is turned on for a fresh context that hands out `gc`.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * Runs a full garbage collection; false if this runtime does not allow it. `lastResort`: V8's
 * CollectAllAvailableGarbage (several collections in a row, slower), which also gives back the
 * freed heap pages V8 keeps pooled for reuse (V8 13, Node 24; older runtimes ignore the option).
 */
export function collectGarbage(lastResort = false): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  if (!gc) return false;
  if (lastResort)
    (gc as (options: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  else gc();
  return true;
}

/** A young generation at most this large is the one an idle server works with. */
const SETTLED_NEW_SPACE_BYTES = 4 * 1024 * 1024;

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Gives back the memory of a burst of work once it is over: a full collection `delayMs` after,
 * then one a second until the young generation is back to an idle server's size, at most
 * `attempts` in all. V8 grows the young generation during the burst (to 32 MiB) and shrinks it
 * only in a full collection that finds the allocation rate low over its last few seconds, so
 * the first collection frees the garbage and a later one usually gives back that space too.
 * `stillIdle` is asked before each: a new burst started meanwhile ends the attempts. `lastResort`:
 * the first collection also gives back the freed pages V8 keeps pooled (see collectGarbage).
 */
export function settleAfterBurst(
  stillIdle: () => boolean,
  delayMs = 1000,
  attempts = 10,
  lastResort = false,
): void {
  const attempt = (left: number) => {
    if (!stillIdle() || !collectGarbage(lastResort && left === attempts)) return;
    if (left > 1 && newSpaceBytes() > SETTLED_NEW_SPACE_BYTES)
      setTimeout(() => attempt(left - 1), 1000).unref();
  };
  setTimeout(() => attempt(attempts), delayMs).unref();
}
