// Reads, decodes and analyses one file for `leak-lens scan`. Shared by the in-process scanner and
// the worker threads, so both produce identical results. Never throws: every failure becomes an
// `error` on the outcome (a noun phrase: "parser failed (Aborted())"), which the CLI reports on
// stderr as "<path> skipped: <error>" and lists in the report before moving on.
import { TextDecoder } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { DEFAULT_LIMITS } from '../config';
import { type AnalysisResult, analyzeSource, isParserCrash, ParseTimeoutError } from '../engine';
import { fixToApply } from '../fixes/applicability';
import { fixAll, MAX_FIX_ROUNDS } from '../lsp/fix-all';
import type { ProjectIndex } from '../model/project-index';
import { formatMB, ReadError, readRegularFile } from '../safe-read';
import type { Applicability, EngineSettings, Finding, TextEdit } from '../types';
import { encodeLike, replaceIfUnchanged } from './write-back';

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
  /** Fix the file (`--fix`, `--unsafe-fixes`, `--diff`). */
  fix?: FixRequest;
  /** Answers of the rules' text tests known for the file's text (see `AnalyzeOptions.knownGates`). */
  knownGates?: Record<string, boolean>;
}

export interface FixRequest {
  /** Apply unsafe fixes too. */
  unsafe: boolean;
  /** Write the fixed file back (`--fix`); false: only describe the change as a diff (`--diff`). */
  write: boolean;
}

/** The fix a finding would get from `--fix` (or `--unsafe-fixes`), as `--format json` prints it. */
export interface ScanFix {
  applicability: Applicability;
  title: string;
  edits: TextEdit[];
}

/**
 * A finding as the CLI prints it: whether it has a fix, and the one `--fix` would apply (a safe
 * one), else the one `--unsafe-fixes` would; null when it has none.
 */
export type ScanFinding = Omit<Finding, 'fixes'> & { fixable: boolean; fix: ScanFix | null };

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
  /** With a fix request: fixes applied (written, or shown in the diff). */
  fixed?: number;
  /** With a fix request: findings left once the fixes are applied. */
  remaining?: number;
  /** `--diff`: the change as a unified diff. */
  diff?: string;
  /** Why fixes were not written (the file changed on disk, an encoding…): a phrase. */
  notFixed?: string;
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

export function countLines(text: string): number {
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
    const analyze = (source: string) =>
      analyzeSource(source, {
        settings,
        path: task.path,
        project,
        timeoutMs,
        // (Known for the text as read, not for the text the fixes make of it.)
        knownGates: source === text ? task.knownGates : undefined,
      });
    const result = analyze(text);
    outcome.hasSyntaxErrors = result.hasSyntaxErrors;
    outcome.ruleErrors = result.ruleErrors;
    outcome.findings = result.findings.map(toScanFinding);
    if (task.fix) fixFile(outcome, task.fix, bytes, text, result, analyze, timeoutMs);
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

function toScanFinding({ fixes, ...rest }: Finding): ScanFinding {
  const fix = fixToApply(fixes, true);
  return {
    ...rest,
    fixable: fixes.length > 0,
    fix: fix ? { applicability: fix.applicability, title: fix.title, edits: fix.edits } : null,
  };
}

/** How many analyses' worth of budget the fix rounds of one file may take in all. */
export const FIX_BUDGET_FACTOR = 8;

/**
 * Applies the file's fixes round by round, re-analysing in between (so a second fix sees the
 * import the first one added), then writes the result back or describes it as a diff. Stops early
 * (keeping the rounds done) when the budget is spent; refuses to write a text that no longer
 * parses where the original did.
 */
function fixFile(
  outcome: FileOutcome,
  request: FixRequest,
  bytes: Buffer,
  text: string,
  first: AnalysisResult,
  analyze: (text: string) => AnalysisResult,
  timeoutMs: number,
): void {
  const deadline = performance.now() + timeoutMs * (FIX_BUDGET_FACTOR - 1);
  let last = { text, result: first };
  const { texts, applied } = fixAll(
    [{ uri: outcome.task.path, version: null, text }],
    (source) => {
      if (source === last.text) return last.result.findings;
      if (performance.now() > deadline) return [];
      try {
        last = { text: source, result: analyze(source) };
      } catch {
        return []; // (the rounds so far stand; the last one is not analysed again below)
      }
      return last.result.findings;
    },
    MAX_FIX_ROUNDS,
    request.unsafe,
  );
  // Out of budget (or rounds) right after a fix: that text was never analysed; keep the last one that was.
  const fixed = last.text;
  const count = fixed === texts[0] ? applied : applied - 1;
  outcome.fixed = 0;
  outcome.remaining = outcome.findings.length;
  if (count === 0 || fixed === text) return;
  if (last.result.hasSyntaxErrors && !first.hasSyntaxErrors) {
    outcome.notFixed = 'the fixed file would not parse (please report this)';
    return;
  }
  const remaining = last.result.findings.map(toScanFinding);
  if (!request.write) {
    outcome.fixed = count;
    outcome.remaining = remaining.length;
    outcome.diff = unifiedDiff(outcome.task.rel, text, fixed);
    return;
  }
  const encoded = encodeLike(fixed, bytes);
  const problem =
    'error' in encoded ? encoded.error : replaceIfUnchanged(outcome.task.path, bytes, encoded.bytes);
  if (problem) {
    outcome.notFixed = problem;
    return;
  }
  outcome.fixed = count;
  outcome.remaining = remaining.length;
  outcome.findings = remaining;
  outcome.lines = countLines(fixed);
}

/** A unified diff of one file, `--- a/path` / `+++ b/path` as git prints it. */
export function unifiedDiff(rel: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, '', '', { context: 3 });
  return patch.replace(/^=+\n/, '');
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
