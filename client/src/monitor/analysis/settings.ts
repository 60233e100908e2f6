// Every threshold of the leak verdict. The defaults are the product's; tests and the CLI pass
// smaller durations to run accelerated. "MB" means MiB (2^20 bytes) throughout, the unit Python
// users get from `rss / 1024 / 1024`.

export interface DetectSettings {
  /** Growth must be observed for at least this long (seconds) before it is called a leak. */
  minDurationSeconds: number;
  /** Growth above this rate is a rapid leak (severity high, page on-call); below, a slow leak. */
  rapidMBPerMin: number;
  /** Total growth (MiB) below which a series counts as flat: malloc settles by a fraction of a MiB. */
  noiseFloorMB: number;
  /** Fewer samples than this cannot support any verdict. */
  minSamples: number;
  /** Spearman rank correlation of RSS with time needed to call growth consistent (0..1). */
  spearmanMin: number;
  /** Largest allowed fall from a running peak, as a share of the total rise (the noise floor is always allowed). */
  drawdownTolerance: number;
  /** The warm-up break is searched for in this first share of the run (0..1). */
  warmupSearchFraction: number;
  /** A warm-up rises at least this many times faster than what follows it. */
  warmupSlopeRatio: number;
  /** A warm-up rises by at least this much (MiB). */
  warmupMinRiseMB: number;
  /** Each half of the judged window must show at least this share of the overall growth (0..1). */
  sustainedFraction: number;
  /** GC troughs may wander by this share of the median sawtooth drop (or the noise floor) without a trend. */
  troughToleranceFraction: number;
}

export const DEFAULT_DETECT_SETTINGS: Readonly<DetectSettings> = Object.freeze({
  minDurationSeconds: 300,
  rapidMBPerMin: 1,
  noiseFloorMB: 1,
  minSamples: 5,
  spearmanMin: 0.7,
  drawdownTolerance: 0.5,
  warmupSearchFraction: 0.5,
  warmupSlopeRatio: 4,
  warmupMinRiseMB: 2,
  sustainedFraction: 0.25,
  troughToleranceFraction: 0.05,
});

export const MIB = 1024 * 1024;

export function resolveSettings(overrides: Partial<DetectSettings> = {}): DetectSettings {
  const merged: DetectSettings = { ...DEFAULT_DETECT_SETTINGS };
  for (const [key, value] of Object.entries(overrides) as [keyof DetectSettings, number | undefined][]) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}
