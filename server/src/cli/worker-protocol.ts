// Messages between the scan's main thread and its worker threads (plain data: structured clone).
import type { FileOutcome, FileTask } from './analyze-file';

export type ToWorker = { type: 'batch'; tasks: FileTask[] };
export type ToMain = { type: 'ready' } | { type: 'outcomes'; outcomes: FileOutcome[] };
