// Reads, decodes and analyses one file for `leak-lens scan`. Shared by the in-process scanner and
// the worker threads, so both produce identical results. Never throws: every failure becomes an
// `error` on the outcome, which the CLI reports on stderr before moving on.
import { readFileSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { analyzeSource } from '../engine';
import type { ProjectIndex } from '../model/project-index';
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
  /** Why the file was skipped (unreadable, undecodable); findings are then empty. */
  error?: string;
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
    throw new Error(`declares the unknown encoding "${encoding}"`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Error(
      encoding === 'utf-8'
        ? 'is not valid UTF-8 (and declares no other encoding)'
        : `is not valid ${encoding}`,
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
  };
  let bytes: Buffer;
  try {
    bytes = readFileSync(task.path);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    outcome.error = `cannot be read (${e.code ?? e.message})`;
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
  try {
    const result = analyzeSource(text, { settings, path: task.path, project });
    outcome.hasSyntaxErrors = result.hasSyntaxErrors;
    outcome.ruleErrors = result.ruleErrors;
    outcome.findings = result.findings.map(({ fixes, ...rest }) => ({ ...rest, fixable: fixes.length > 0 }));
  } catch (error) {
    // Parsing itself failed (tree-sitter gave no tree): report it, keep scanning the rest.
    outcome.error = `cannot be analysed (${error instanceof Error ? error.message : String(error)})`;
  }
  return outcome;
}
