// Reads files that may be anything a user (or an attacker) left in a tree: only regular files are
// read, never FIFOs, sockets or devices (opening a FIFO blocks until a writer comes; /dev/zero never
// ends), and never more than a given number of bytes. Every failure is a ReadError whose message
// is one clear noun phrase, written to follow "<path> skipped: " ("not a regular file but a FIFO").
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';

export class ReadError extends Error {
  constructor(
    message: string,
    /** Why: the file is too large, is not a regular file, or could not be read. */
    readonly kind: 'too-large' | 'not-a-file' | 'io',
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

const MB = 1024 * 1024;

/** `12 MB`, `600 MB`, `0.5 MB`: sizes as the limits are given. */
export function formatMB(bytes: number): string {
  const mb = bytes / MB;
  if (mb >= 10) return `${Math.round(mb)} MB`;
  return `${Number(mb.toFixed(mb >= 1 ? 1 : 2))} MB`;
}

/** What a non-regular file is, in words. */
export function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** An errno as words: the part a user can act on. */
export function describeErrno(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link loop (the link never reaches a file)';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EISDIR':
      return 'a directory';
    case 'EIO':
      return 'input/output error';
    default:
      return e.code ?? e.message ?? String(error);
  }
}

export interface FileCheck {
  /** Size in bytes of the regular file (the link's target for a symbolic link). */
  size: number;
}

/**
 * Checks, without opening it, that `path` is a regular file (or a symbolic link to one) of at most
 * `maxBytes`. Throws a ReadError saying what it is otherwise.
 */
export function checkRegularFile(path: string, maxBytes = Number.POSITIVE_INFINITY): FileCheck {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    throw new ReadError(`unreadable (${describeErrno(error)})`, 'io');
  }
  if (stats.isSymbolicLink()) {
    try {
      stats = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new ReadError('symbolic link loop (the link never reaches a file)', 'io');
      if (code === 'ENOENT') throw new ReadError('broken symbolic link (its target does not exist)', 'io');
      throw new ReadError(`unreadable (${describeErrno(error)})`, 'io');
    }
    if (!stats.isFile())
      throw new ReadError(`not a regular file but a symbolic link to ${describeKind(stats)}`, 'not-a-file');
  } else if (!stats.isFile()) {
    throw new ReadError(`not a regular file but ${describeKind(stats)}`, 'not-a-file');
  }
  if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes);
  return { size: stats.size };
}

function tooLarge(size: number, maxBytes: number): ReadError {
  return new ReadError(`too large (${formatMB(size)}; the limit is ${formatMB(maxBytes)})`, 'too-large');
}

/**
 * Reads a regular file of at most `maxBytes`. It is checked before opening (lstat/stat), opened
 * non-blocking (a FIFO swapped in meanwhile cannot block), checked again on the open descriptor
 * (fstat) and read no further than the limit, so a file that grows while read is still bounded.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  checkRegularFile(path, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw new ReadError(`unreadable (${describeErrno(error)})`, 'io');
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ReadError(`not a regular file but ${describeKind(stats)}`, 'not-a-file');
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes);
    // One byte more than allowed tells a file that grew past the limit from one that fits.
    const capacity = Math.min(stats.size, maxBytes) + 1;
    let buffer = Buffer.allocUnsafe(capacity);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(length, maxBytes);
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw new ReadError(`unreadable (${describeErrno(error)})`, 'io');
      }
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw tooLarge(length, maxBytes);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** `readRegularFile` decoded as UTF-8 (configuration files). */
export function readRegularTextFile(path: string, maxBytes: number): string {
  return readRegularFile(path, maxBytes).toString('utf8');
}
