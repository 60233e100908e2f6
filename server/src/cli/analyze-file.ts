// Reads, decodes and analyses one file for `leak-lens scan`. Shared by the in-process scanner and
// the worker threads, so both produce identical results. Never throws: every failure becomes an
// `error` on the outcome (a noun phrase: "parser failed (Aborted())"), which the CLI reports on
// stderr as "<path> skipped: <error>" and lists in the report before moving on.
import { TextDecoder } from 'node:util';
import { DEFAULT_LIMITS } from '../config';
import { analyzeSource, isParserCrash, ParseTimeoutError } from '../engine';
import type { ProjectIndex } from '../model/project-index';
import { formatMB, ReadError, readRegularFile } from '../safe-read';
import type { EngineSettings, Finding } from '../types';

export interface FileTask {
  /** Absolute path to read. */
  path: string;
  /** Path as printed: relative to the working directory, posix separators. */
  rel: string;
  /** Index into the settings table the scan built (one entry per configuration in use). */
  settingsId: number;
  /** Named on the command line (its failures are fatal to the exit code). */
  explicit: boolean;
  /** Files larger than this are skipped unread (default: DEFAULT_LIMITS). */
  maxBytes?: number;
  /**
   * Budget of the analysis (parse and rules) per started megabyte of the file, in milliseconds
   * (default: DEFAULT_LIMITS); see `budgetMs`.
   */
  timeoutMs?: number;
}

/** A finding as the CLI prints it: fixes reduced to whether one exists (they stay in the LSP). */
export type ScanFinding = Omit<Finding, 'fixes'> & { fixable: boolean };

export interface FileOutcome {
  task: FileTask;
  findings: ScanFinding[];
  lines: number;
  bytes: number;
  hasSyntaxErrors: boolean;
  ruleErrors: { code: string; error: string }[];
  /** Why the file was skipped (unreadable, undecodable, parser failure, timeout); findings are then empty. */
  error?: string;
  /** The parser module failed on this file (it has been discarded; a worker is better replaced). */
  parserFailed?: boolean;
  /** Milliseconds spent parsing and checking (not reading). */
  analysisMs: number;
}

// PEP 263: a `coding` declaration in a comment on line 1 or 2 sets the source encoding.
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

// Python codec names that the WHATWG encoding labels spell differently.
const PYTHON_ALIASES: Record<string, string> = { 'latin-1': 'latin1', 'utf-8-sig': 'utf-8', utf8: 'utf-8' };

/** The file's declared source encoding (PEP 263), or utf-8. */
export function declaredEncoding(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 400))
    .toString('latin1')
    .split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const m = CODING.exec(line);
    if (m) {
      const name = m[1].toLowerCase().replace(/_/g, '-');
      return PYTHON_ALIASES[name] ?? name;
    }
    // Only a comment or blank first line lets the declaration sit on line 2.
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return 'utf-8';
}

/** Decodes Python source strictly: a byte that is invalid in the encoding is an error, not U+FFFD. */
export function decodeSource(bytes: Uint8Array): string {
  const encoding = declaredEncoding(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new Error(`unknown encoding "${encoding}" declared`);
  }
  try {
    return decoder.decode(bytes);
  } catch (error) {
    // V8 strings hold at most 2^29 - 24 characters: beyond that, size is the problem.
    if (error instanceof RangeError || /string longer than/i.test(String(error)))
      throw new Error(`too large to decode (${formatMB(bytes.length)})`);
    throw new Error(
      encoding === 'utf-8' ? 'not valid UTF-8 (and no other encoding is declared)' : `not valid ${encoding}`,
    );
  }
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

export function analyzeFile(task: FileTask, settings: EngineSettings, project?: ProjectIndex): FileOutcome {
  const outcome: FileOutcome = {
    task,
    findings: [],
    lines: 0,
    bytes: 0,
    hasSyntaxErrors: false,
    ruleErrors: [],
    analysisMs: 0,
  };
  let bytes: Buffer;
  try {
    bytes = readRegularFile(task.path, task.maxBytes ?? DEFAULT_LIMITS.maxBytes);
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    outcome.error = error.kind === 'too-large' ? tooLargeReason(error.message) : error.message;
    return outcome;
  }
  outcome.bytes = bytes.length;
  let text: string;
  try {
    text = decodeSource(bytes);
  } catch (error) {
    outcome.error = (error as Error).message;
    return outcome;
  }
  outcome.lines = countLines(text);
  const started = performance.now();
  const timeoutMs = budgetMs(task.timeoutMs ?? DEFAULT_LIMITS.timeoutMs, bytes.length);
  try {
    const result = analyzeSource(text, { settings, path: task.path, project, timeoutMs });
    outcome.hasSyntaxErrors = result.hasSyntaxErrors;
    outcome.ruleErrors = result.ruleErrors;
    outcome.findings = result.findings.map(({ fixes, ...rest }) => ({ ...rest, fixable: fixes.length > 0 }));
  } catch (error) {
    if (error instanceof ParseTimeoutError) outcome.error = timedOutReason(timeoutMs);
    else if (isParserCrash(error)) {
      // The module has been discarded; the caller re-initialises it before the next file.
      outcome.error = (error as Error).message;
      outcome.parserFailed = true;
    } else if (error instanceof RangeError && /call stack/i.test(error.message)) {
      outcome.error = 'nested too deeply to analyse (the analysis ran out of stack)';
    } else {
      outcome.error = `analysis failed (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  outcome.analysisMs = performance.now() - started;
  return outcome;
}

/** The skip reason for a file over the size limit, with where the limit is set. */
export function tooLargeReason(message: string): string {
  return `${message.replace(/\)$/, '')}, set by --max-file-size or max-file-size in pyproject.toml)`;
}

const MB = 1024 * 1024;

/**
 * The budget of a file of `bytes`: `timeoutMs` for each started megabyte. Parsing takes about a
 * second per megabyte, so a large generated file is not cut short by a budget meant for the
 * pathological shapes, which are small (a 120 KB file can keep tree-sitter busy for a minute).
 */
export function budgetMs(timeoutMs: number, bytes: number): number {
  return timeoutMs * Math.max(1, Math.ceil(bytes / MB));
}

/** The skip reason for a file whose analysis ran past its budget. */
export function timedOutReason(budget: number): string {
  return `analysis timed out (over ${formatSeconds(budget)}, set by --file-timeout or file-timeout in pyproject.toml)`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number(s.toFixed(s < 10 ? 1 : 0))} s`;
}
