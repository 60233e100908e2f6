// Writing a fixed file back for `leak-lens scan --fix`, without ever losing the user's work:
// - encoded as it was read: the PEP 263 declared encoding (kept, since fixes insert below it), a
//   UTF-8 byte-order mark kept; an encoding we cannot write faithfully is refused, never guessed;
// - atomically: the new bytes go to a temporary file next to the original (same file system),
//   which then replaces it by rename, so a reader or a crash sees the old or the new file, never
//   half of one; the original's permissions are kept, and a symbolic link's target is written;
// - only if the file is still what was analysed: a file changed on disk since it was read (an
//   editor saved, a formatter ran) is left alone.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TextDecoder } from 'node:util';
import { describeErrno, ReadError, readRegularFile } from '../safe-read';
import { declaredEncoding } from './analyze-file';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((b, i) => bytes[i] === b);
}

/** Byte of each character of a single-byte encoding (latin-1, cp1252, koi8-r…), or undefined. */
function singleByteTable(encoding: string): Map<string, number> | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: false });
  } catch {
    return undefined;
  }
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    const ch = decoder.decode(Uint8Array.of(b));
    if (ch.length !== 1) return undefined;
    if (ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
  }
  // A multi-byte encoding (Shift JIS, GBK…) decodes its lead bytes alone as U+FFFD: far fewer
  // distinct characters than bytes. (ISO-8859 parts leave a few bytes undefined.)
  return table.size >= 224 ? table : undefined;
}

/**
 * `text` encoded as the original `bytes` were (same declared encoding, same BOM), or a sentence
 * saying why it cannot be.
 */
export function encodeLike(text: string, bytes: Uint8Array): { bytes: Buffer } | { error: string } {
  const encoding = declaredEncoding(bytes);
  if (encoding === 'utf-8' || encoding === 'utf8') {
    const body = Buffer.from(text, 'utf8');
    return { bytes: hasUtf8Bom(bytes) ? Buffer.concat([Buffer.from(UTF8_BOM), body]) : body };
  }
  const table = singleByteTable(encoding);
  if (!table) return { error: `its declared encoding ${encoding} cannot be written back` };
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = table.get(text[i]);
    if (b === undefined) return { error: `the fix does not fit its declared encoding ${encoding}` };
    out[i] = b;
  }
  // Safety net: the bytes must read back as exactly the fixed text.
  if (new TextDecoder(encoding).decode(out) !== text)
    return { error: `the fix does not fit its declared encoding ${encoding}` };
  return { bytes: out };
}

/**
 * Replaces the file at `path` with `next` if it still holds exactly `original`. Returns undefined
 * when written, or why not (a phrase to follow "<path> not fixed: ").
 */
export function replaceIfUnchanged(path: string, original: Uint8Array, next: Uint8Array): string | undefined {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (error) {
    return `it could not be found again (${describeErrno(error)})`;
  }
  const temp = join(
    dirname(target),
    `.${basename(target)}.leak-lens-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  let mode: number;
  try {
    mode = statSync(target).mode & 0o7777;
  } catch (error) {
    return `it could not be found again (${describeErrno(error)})`;
  }
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, next);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    // Last look before the swap: anything that wrote the file since it was read wins.
    let now: Buffer;
    try {
      now = readRegularFile(target, original.length + 1);
    } catch (error) {
      if (error instanceof ReadError && error.kind === 'too-large')
        return 'it changed on disk while it was being fixed';
      throw error;
    }
    if (!now.equals(original)) return 'it changed on disk while it was being fixed';
    renameSync(temp, target);
    return undefined;
  } catch (error) {
    return `it could not be written (${error instanceof ReadError ? error.message : describeErrno(error)})`;
  } finally {
    rmSync(temp, { force: true });
  }
}
