// Worker thread for `leak-lens scan` (bundled as dist/scan-worker.js). It loads the parser as soon
// as it starts (the main thread starts one while it is still finding files), then analyses the
// files the main thread hands it one at a time, answering each with its outcome. The main thread
// stops it (and starts another) when a file runs past its budget or the parser fails, so this
// thread never has to recover from either itself.
import { parentPort } from 'node:worker_threads';
import { initEngine } from '../engine';
import { ProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import { analyzeFile } from './analyze-file';
import type { ToMain, ToWorker } from './worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('scan-worker.js must run as a worker thread');
  await initEngine();
  let settings: EngineSettings[] = [];
  let project: ProjectIndex | undefined;
  // The main thread terminates the worker once the queue is empty.
  port.on('message', (message: ToWorker) => {
    if (message.type === 'setup') {
      settings = message.settings;
      project = message.project ? ProjectIndex.fromJSON(message.project) : undefined;
      return;
    }
    const outcome = analyzeFile(message.task, settings[message.task.settingsId], project);
    port.postMessage({ type: 'outcome', outcome } satisfies ToMain);
  });
  port.postMessage({ type: 'ready' } satisfies ToMain);
}

// A failure here rejects unhandled, which ends the worker and surfaces as its 'error' event: the
// main thread then reports the file it was analysing and hands the others to a new worker.
void main();
