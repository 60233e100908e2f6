// Worker thread for `leak-lens scan` on large trees (bundled as dist/scan-worker.js). It loads the
// parser once, then analyses the batches of files the main thread hands it, one batch at a time,
// so the faster worker simply asks for more.
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '../engine';
import { ProjectIndex, type SerializedProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import { analyzeFile, type FileTask } from './analyze-file';
import type { ToMain, ToWorker } from './worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('scan-worker.js must run as a worker thread');
  const data = workerData as { settings: EngineSettings[]; project?: SerializedProjectIndex };
  const settings = data.settings;
  const project = data.project ? ProjectIndex.fromJSON(data.project) : undefined;
  await initEngine();
  // The main thread terminates the worker once the queue is empty.
  port.on('message', (message: ToWorker) => {
    const outcomes = message.tasks.map((task: FileTask) =>
      analyzeFile(task, settings[task.settingsId], project),
    );
    port.postMessage({ type: 'outcomes', outcomes } satisfies ToMain);
  });
  port.postMessage({ type: 'ready' } satisfies ToMain);
}

// A failure here rejects unhandled, which ends the worker and surfaces as its 'error' event: the
// main thread then takes the worker's files back.
void main();
