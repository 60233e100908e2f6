// The `leakLens.detect.*` settings. VS Code hands back whatever the user wrote in settings.json,
// schema or not ("abc", -5, null): each bad value is named in a problem and its default is used.
import type { DetectSettings } from '../monitor/analysis/settings';

export interface DetectConfig {
  durationSeconds: number;
  intervalSeconds: number;
  followChildren: boolean;
  analysis: Pick<DetectSettings, 'minDurationSeconds' | 'rapidMBPerMin' | 'noiseFloorMB'>;
}

export const DETECT_DEFAULTS: DetectConfig = Object.freeze({
  durationSeconds: 300,
  intervalSeconds: 10,
  followChildren: true,
  analysis: Object.freeze({ minDurationSeconds: 300, rapidMBPerMin: 1, noiseFloorMB: 1 }),
}) as DetectConfig;

interface NumberRule {
  key: string;
  min: number;
  /** `min` itself is not allowed. */
  exclusive?: boolean;
}

const RULES: Record<
  'durationSeconds' | 'intervalSeconds' | 'minDurationSeconds' | 'rapidMBPerMin' | 'noiseFloorMB',
  NumberRule
> = {
  durationSeconds: { key: 'durationSeconds', min: 1 },
  intervalSeconds: { key: 'intervalSeconds', min: 0.1 },
  minDurationSeconds: { key: 'minDurationSeconds', min: 0 },
  rapidMBPerMin: { key: 'rapidMBPerMin', min: 0, exclusive: true },
  noiseFloorMB: { key: 'noiseFloorMB', min: 0 },
};

/**
 * Reads the settings through `get(key)` (key without the `leakLens.detect.` prefix; undefined when
 * unset). Returns the values to use and one message per setting that was ignored.
 */
export function readDetectConfig(get: (key: string) => unknown): {
  config: DetectConfig;
  problems: string[];
} {
  const problems: string[] = [];
  const number = (name: keyof typeof RULES, fallback: number): number => {
    const rule = RULES[name];
    const raw = get(rule.key);
    if (raw === undefined) return fallback;
    const ok =
      typeof raw === 'number' && Number.isFinite(raw) && (rule.exclusive ? raw > rule.min : raw >= rule.min);
    if (ok) return raw;
    problems.push(
      `leakLens.detect.${rule.key} must be a number ${rule.exclusive ? '>' : '>='} ${rule.min}, not ${JSON.stringify(raw)}: using ${fallback}.`,
    );
    return fallback;
  };
  const d = DETECT_DEFAULTS;
  const durationSeconds = number('durationSeconds', d.durationSeconds);
  let intervalSeconds = number('intervalSeconds', d.intervalSeconds);
  if (intervalSeconds > durationSeconds) {
    problems.push(
      `leakLens.detect.intervalSeconds (${intervalSeconds}) is longer than leakLens.detect.durationSeconds (${durationSeconds}): using ${Math.min(d.intervalSeconds, durationSeconds)}.`,
    );
    intervalSeconds = Math.min(d.intervalSeconds, durationSeconds);
  }
  let followChildren = d.followChildren;
  const rawFollow = get('followChildren');
  if (typeof rawFollow === 'boolean') followChildren = rawFollow;
  else if (rawFollow !== undefined) {
    problems.push(
      `leakLens.detect.followChildren must be true or false, not ${JSON.stringify(rawFollow)}: using ${d.followChildren}.`,
    );
  }
  return {
    config: {
      durationSeconds,
      intervalSeconds,
      followChildren,
      analysis: {
        minDurationSeconds: number('minDurationSeconds', d.analysis.minDurationSeconds),
        rapidMBPerMin: number('rapidMBPerMin', d.analysis.rapidMBPerMin),
        noiseFloorMB: number('noiseFloorMB', d.analysis.noiseFloorMB),
      },
    },
    problems,
  };
}
