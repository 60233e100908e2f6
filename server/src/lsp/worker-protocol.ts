// Messages between the language server and its analysis worker threads (structured clone).
import type { EngineSettings } from '../types';
import type { AnalysisOutcome } from './analysis';
import type { ProjectSnapshot } from './project-index-service';
import type { Segment } from './segments';

export type WorkerJob =
  | {
      id: number;
      kind: 'analyze';
      /** The text to analyse; without it, the thread reads `path` (a closed file of the workspace scan). */
      text?: string;
      /** The file to read when no text is given; its outcome says `unreadable` when it cannot be read. */
      path?: string;
      /** With `path`: larger files are not read. */
      maxBytes?: number;
      settings: EngineSettings;
      label: string;
      suppressions: boolean;
      project?: ProjectSnapshot;
      /**
       * An open document's (or notebook's) key: the worker keeps the text and tree it last
       * analysed under this key and re-parses the next text incrementally from them.
       */
      key?: string;
      /** Budget of parsing and the rules, in ms (past it the outcome is `timedOut`). */
      timeoutMs?: number;
      /**
       * With the findings' fixes (a code action asks), for these rule codes only; without it,
       * the findings alone (diagnostics while the user types).
       */
      fixesFor?: string[];
    }
  | {
      id: number;
      kind: 'fixAll';
      segments: Segment[];
      settings: EngineSettings;
      label: string;
      project?: ProjectSnapshot;
    }
  /** Drop what is kept for these keys (the documents closed). No reply. */
  | { id: number; kind: 'forget'; keys: string[] }
  /**
   * Build the project index of these files (the workspace scan), reading them here: the answer is
   * an `IndexOutcome`. The thread keeps what it built until `adoptIndex` says which version of
   * the project that is (no copy of it is then sent back to the thread that made it).
   */
  | { id: number; kind: 'index'; paths: string[]; maxBytes: number }
  /** The index this thread built last is now the project's `version`. No reply. */
  | { id: number; kind: 'adoptIndex'; version: number }
  /**
   * The thread is let go while idle: it gives its memory back to the system and ends (see
   * `retire` in analysis-worker.ts). No reply but the thread's exit.
   */
  | { id: number; kind: 'retire' };

export interface IndexOutcome {
  /** The index, serialized (`ProjectIndex.serialize`). */
  index: string;
  /** Files indexed (the others could not be read). */
  files: number;
}

export interface FixAllOutcome {
  texts: string[];
  applied: number;
}

export type WorkerReply =
  | { kind: 'ready' }
  | {
      kind: 'done';
      id: number;
      result: AnalysisOutcome | FixAllOutcome | IndexOutcome;
      /** The thread's memory outside the JavaScript heap (the parser's wasm heap), in bytes. */
      external: number;
      /** The thread's JavaScript heap, in bytes. */
      heap: number;
      /**
       * The parser module failed on this job: the thread exits right after this answer (a fresh
       * thread is a fresh module), so it must be sent nothing more.
       */
      exiting?: boolean;
    }
  | { kind: 'failed'; id: number; error: string; external: number; heap: number };
