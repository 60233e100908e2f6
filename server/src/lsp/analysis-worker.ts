// Worker thread of the language server (bundled as dist/analysis-worker.js): analyses what would
// block the server for too long — very large documents, and the files of the workspace scan — so
// the main thread keeps answering the editor. Stale work is cancelled by terminating the thread.
import { parentPort } from 'node:worker_threads';
import { initEngine } from '../engine';
import { analyzeText } from './analysis';
import { fixAll } from './fix-all';
import { describeError } from './logger';
import { ProjectIndexReplica } from './project-index-service';
import type { WorkerJob, WorkerReply } from './worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('analysis-worker.js must run as a worker thread');
  await initEngine();
  const replica = new ProjectIndexReplica();
  port.on('message', (job: WorkerJob) => {
    const project = replica.apply(job.project);
    let reply: WorkerReply;
    try {
      if (job.kind === 'analyze')
        reply = {
          kind: 'done',
          id: job.id,
          result: analyzeText(job.text, job.settings, job.label, { suppressions: job.suppressions, project }),
        };
      else {
        const result = fixAll(
          job.segments,
          (text) => analyzeText(text, job.settings, job.label, { project }).findings,
        );
        reply = { kind: 'done', id: job.id, result };
      }
    } catch (error) {
      reply = { kind: 'failed', id: job.id, error: describeError(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void main();
