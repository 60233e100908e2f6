// Messages between the scan's main thread and its worker threads (plain data: structured clone).
import type { EngineSettings } from '../types';
import type { FileOutcome, FileTask } from './analyze-file';
import type { KnownGates, QuietFile, QuietTest } from './project-index';

export type ToWorker =
  /**
   * Before the setup, when the workers build the project index: index these files (one share of
   * the project, `chunk` in the files' order); the worker answers with one `indexed`. With
   * `quiet`, it also asks the rules' text tests about them (see `indexShare`).
   */
  | { type: 'index'; chunk: number; paths: string[]; quiet?: QuietTest }
  /**
   * Once, before the tasks: the settings table the tasks point into, and the project index as
   * its shares (serialized `ProjectIndex`es, in the files' order), merged by each worker.
   */
  | { type: 'setup'; settings: EngineSettings[]; project?: string[] }
  /** One file; the worker answers with one `outcome`, in order. */
  | { type: 'task'; task: FileTask };

export type ToMain =
  /** The parser is loaded: the budget of the first file starts now. */
  | { type: 'ready' }
  | { type: 'outcome'; outcome: FileOutcome }
  /**
   * The index of one share of the files (`ProjectIndex.serialize`, not compacted), its files in
   * which no rule can fire and the known answers of the others' text tests (when asked), and the
   * names of the module-level dicts they define.
   */
  | {
      type: 'indexed';
      chunk: number;
      part: string;
      quiet: QuietFile[];
      known: KnownGates[];
      dicts: string[];
    };
