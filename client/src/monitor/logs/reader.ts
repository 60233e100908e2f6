// Reads a log file line by line in bounded memory: 1 MiB chunks, lines cut at MAX_LINE_BYTES (the
// rest of an overlong line is skipped, not buffered), `.gz` decompressed on the fly. A file that
// starts with binary data is refused with one sentence; NUL bytes later on (a log cut by a crash
// is often padded with them) only make those lines unreadable.
import { createReadStream, type Stats, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** Longest line parsed; anything longer is parsed from its first MAX_LINE_BYTES. */
export const MAX_LINE_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export class LogReadError extends Error {
  override readonly name = 'LogReadError';
}

export interface LineInfo {
  /** 1-based. */
  number: number;
  text: string;
  /** The file's last line had no newline (still being written, or cut short). */
  unterminated: boolean;
  /** The line held NUL bytes or was cut at MAX_LINE_BYTES. */
  damaged: boolean;
}

/** The file's size and modification time, or a LogReadError saying why it cannot be read. */
export function statLog(path: string): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LogReadError(
      code === 'ENOENT'
        ? `${path}: no such file.`
        : code === 'EACCES'
          ? `${path}: permission denied.`
          : `${path}: cannot be read (${(err as Error).message}).`,
    );
  }
  if (st.isDirectory()) throw new LogReadError(`${path} is a folder: give the log files in it.`);
  return st;
}

/** Share of bytes in a file's first chunk that no text log contains (NUL, most C0 controls). */
function binaryShare(buf: Buffer): { share: number; firstAt: number } {
  let bad = 0;
  let firstAt = -1;
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27)) {
      bad++;
      if (firstAt < 0) firstAt = i;
    }
  }
  return { share: n ? bad / n : 0, firstAt };
}

/**
 * Calls `onLine` for every line of `path` and `onBytes` with the bytes read so far (of the file as
 * stored: compressed for `.gz`). Rejects with a LogReadError for unreadable, binary or corrupt files.
 */
export async function readLines(
  path: string,
  onLine: (line: LineInfo) => void,
  onBytes?: (bytesRead: number) => void,
  /** Aborting stops the read between chunks (a LogReadError saying so; lines read so far stay). */
  signal?: AbortSignal,
): Promise<void> {
  const gz = /\.gz$/i.test(path);
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let stored = 0;
  raw.on('data', (chunk) => {
    stored += chunk.length;
    onBytes?.(stored);
  });
  const source = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (err) => source.destroy(err));

  let carry: Buffer | undefined; // start of a line split across chunks (at most MAX_LINE_BYTES)
  let carryDamaged = false;
  let skipping = false; // inside an overlong line, past its first MAX_LINE_BYTES
  let number = 0;
  let first = true;

  const emit = (buf: Buffer, damaged: boolean, unterminated: boolean) => {
    number++;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--; // CRLF
    const hasNul = buf.subarray(0, end).includes(0);
    const text = buf.toString('utf8', 0, end);
    onLine({
      number,
      text: hasNul ? text.replace(/\0/g, '') : text,
      unterminated,
      damaged: damaged || hasNul,
    });
  };

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new LogReadError(`${path}: reading was cancelled after ${number} lines.`);
      if (first) {
        first = false;
        const { share, firstAt } = binaryShare(chunk);
        if (share > 0.01) {
          throw new LogReadError(
            `${path} is not a text log: it holds binary data (first at byte ${firstAt}${gz ? ' after decompression' : ''}).`,
          );
        }
      }
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        if (skipping) {
          skipping = false;
          carry = undefined;
        } else if (carry) {
          const room = MAX_LINE_BYTES - carry.length;
          const piece = chunk.subarray(start, Math.min(nl, start + room));
          emit(Buffer.concat([carry, piece]), carryDamaged || nl - start > room, false);
          carry = undefined;
        } else if (nl - start > MAX_LINE_BYTES) {
          emit(chunk.subarray(start, start + MAX_LINE_BYTES), true, false);
        } else {
          emit(chunk.subarray(start, nl), false, false);
        }
        carryDamaged = false;
        start = nl + 1;
      }
      if (start < chunk.length && !skipping) {
        const rest = chunk.subarray(start);
        const have = carry?.length ?? 0;
        if (have + rest.length > MAX_LINE_BYTES) {
          const keep = rest.subarray(0, MAX_LINE_BYTES - have);
          emit(carry ? Buffer.concat([carry, keep]) : keep, true, false);
          carry = undefined;
          skipping = true;
        } else {
          // Copy: the chunk's memory is reused once we return to the stream.
          carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        }
      }
    }
  } catch (err) {
    if (err instanceof LogReadError) {
      raw.destroy();
      throw err;
    }
    const e = err as NodeJS.ErrnoException;
    if (gz && (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end/i.test(e.message))) {
      // What was decompressed before the damage has been read; say where it stopped.
      throw new LogReadError(
        `${path} is a damaged or truncated gzip file (${e.message}); ${number} lines were read before it.`,
      );
    }
    throw new LogReadError(`${path}: cannot be read (${e.message}).`);
  }
  if (carry && carry.length > 0) emit(carry, carryDamaged, true);
}
