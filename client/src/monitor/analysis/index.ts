// Pure analysis of RSS series: statistics, shape detectors and the leak verdict.
export { formatBytes, formatMB, formatRate, formatSeconds, shortCommand } from './format';
export {
  analyzeRun,
  describeProcess,
  isLeak,
  type ProcessAnalysis,
  type ProcessSeriesInput,
  type RunAnalysis,
  type RunInput,
} from './run';
export {
  analyzeSeries,
  type SamplePoint,
  type SeriesAnalysis,
  type Severity,
  type Shape,
  type Trend,
  type Verdict,
} from './series';
export { DEFAULT_DETECT_SETTINGS, type DetectSettings, MIB, resolveSettings } from './settings';
export { detectOneOffStep, detectWarmup, zigzag } from './shapes';
export { linearFit, maxDrawdown, spearman } from './stats';
