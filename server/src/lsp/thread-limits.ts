// V8 limits of the language server's analysis threads (the pool's and the workspace scan's).
import type { ResourceLimits } from 'node:worker_threads';

export const ANALYSIS_THREAD_LIMITS: ResourceLimits = {
  // A deep stack: recursive code in the engine survives nesting that would overflow a default one.
  stackSizeMb: 64,
  // A thread's young generation otherwise grows to 32 MiB of new space after a few large files
  // (a workspace scan meets them all) and keeps it for as long as the server runs: three
  // threads held ~90 MiB for it. An analysis's garbage is short-lived, so a small one costs only
  // a few more scavenges.
  maxYoungGenerationSizeMb: 12,
};
