// Public API of the runtime monitor (no `vscode` import: the CLI, the panel and plain mocha share
// it). See README.md in this folder.
export * from './analysis/index';
export { exitCodeFor, formatTextReport, parseDetectArgs, runDetect } from './cli';
export { analyzeMonitorRun, type DetectResult } from './detect';
export { MonitorError, type MonitorErrorCode } from './errors';
export { type DetectJson, toCsv, toDetectJson } from './export';
export {
  classifyCommand,
  findProcess,
  listProcesses,
  type ProcessInfo,
  type ProcessKind,
} from './processes';
export {
  createSource,
  type ProcessSample,
  Sampler,
  type SamplerEvents,
  type SamplerOptions,
  type SamplerState,
} from './sampler';
export { parseMetric, RSS_METRIC } from './sources/prometheus';
export type { ProcessReading, Reading, SampleSource } from './sources/source';
export type {
  MonitorRun,
  MonitorTarget,
  ProcessSeries,
  RunError,
  Sample,
  StopInfo,
  StopReason,
  TargetInfo,
} from './types';
