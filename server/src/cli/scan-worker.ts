// Worker thread for `leak-lens scan` (bundled as dist/scan-worker.js). It loads the parser as soon
// as it starts (the main thread starts one while it is still finding files); meanwhile it can
// index shares of the project's files (the line scanner needs no parser), asking the rules' text
// tests about each file while its text is at hand. Then it analyses the
// files the main thread hands it one at a time, answering each with its outcome. The main thread
// stops it (and starts another) when a file runs past its budget or the parser fails, so this
// thread never has to recover from either itself.
import { parentPort } from 'node:worker_threads';
import { initEngine } from '../engine';
import { ProjectIndex, type SerializedProjectIndex } from '../model/project-index';
import type { EngineSettings } from '../types';
import { analyzeFile } from './analyze-file';
import { indexShare } from './project-index';
import type { ToMain, ToWorker } from './worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('scan-worker.js must run as a worker thread');
  let settings: EngineSettings[] = [];
  let project: ProjectIndex | undefined;
  // Setup and tasks wait for the parser; index shares do not.
  const waiting: ToWorker[] = [];
  let engineReady = false;
  const handle = (message: ToWorker) => {
    if (message.type === 'index') {
      const { index, quiet, known } = indexShare(message.paths, message.quiet);
      const dicts = index.moduleDicts();
      port.postMessage({
        type: 'indexed',
        chunk: message.chunk,
        part: index.serialize(),
        quiet,
        known,
        dicts,
      } satisfies ToMain);
    } else if (!engineReady) {
      waiting.push(message);
    } else if (message.type === 'setup') {
      settings = message.settings;
      project = message.project
        ? ProjectIndex.merge(message.project.map((part) => JSON.parse(part) as SerializedProjectIndex))
        : undefined;
      // Ready once set up: the first file's budget starts after the index is merged.
      port.postMessage({ type: 'ready' } satisfies ToMain);
    } else {
      const outcome = analyzeFile(message.task, settings[message.task.settingsId], project);
      port.postMessage({ type: 'outcome', outcome } satisfies ToMain);
    }
  };
  // The main thread terminates the worker once the queue is empty.
  port.on('message', handle);
  await initEngine();
  engineReady = true;
  for (const message of waiting.splice(0)) handle(message);
}

// A failure here rejects unhandled, which ends the worker and surfaces as its 'error' event: the
// main thread then reports the file it was analysing and hands the others to a new worker.
void main();
