// Messages between the language server and its analysis worker thread (structured clone).
import type { EngineSettings } from '../types';
import type { AnalysisOutcome } from './analysis';
import type { ProjectSnapshot } from './project-index-service';
import type { Segment } from './segments';

export type WorkerJob =
  | {
      id: number;
      kind: 'analyze';
      text: string;
      settings: EngineSettings;
      label: string;
      suppressions: boolean;
      project?: ProjectSnapshot;
    }
  | {
      id: number;
      kind: 'fixAll';
      segments: Segment[];
      settings: EngineSettings;
      label: string;
      project?: ProjectSnapshot;
    };

export interface FixAllOutcome {
  texts: string[];
  applied: number;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; result: AnalysisOutcome | FixAllOutcome }
  | { kind: 'failed'; id: number; error: string };
