// Messages between the scan's main thread and its worker threads (plain data: structured clone).
import type { SerializedProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import type { FileOutcome, FileTask } from './analyze-file';

export type ToWorker =
  /** Once, first: the settings table the tasks point into, and the project index. */
  | { type: 'setup'; settings: EngineSettings[]; project?: SerializedProjectIndex }
  /** One file; the worker answers with one `outcome`, in order. */
  | { type: 'task'; task: FileTask };

export type ToMain =
  /** The parser is loaded: the budget of the first file starts now. */
  { type: 'ready' } | { type: 'outcome'; outcome: FileOutcome };
