// Axis and legend labels of the memory chart. Values are MiB (the chart's unit) and seconds since
// the run's first sample.

/** Tick steps for the time axis, in seconds: round clock values from 0.1 s to a day. */
export const TIME_INCREMENTS = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

/** 75 → "1:15", 3725 → "1:02:05", 2.5 → "0:02.5"; with `startedAt`, the clock time too. */
export function formatElapsed(seconds: number, startedAt?: number): string {
  const negative = seconds < 0;
  const abs = Math.abs(seconds);
  const whole = Math.floor(abs + 1e-9);
  const tenths = Math.round((abs - whole) * 10);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  let s = String(whole % 60).padStart(2, '0');
  if (tenths > 0 && tenths < 10) s += `.${tenths}`;
  const text = `${negative ? '-' : ''}${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${s}`;
  if (startedAt === undefined) return text;
  const clock = new Date(startedAt + seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${text} (${pad(clock.getHours())}:${pad(clock.getMinutes())}:${pad(clock.getSeconds())})`;
}

/** MiB for an axis tick: "182 MB", "1.5 GB"; `precise` (legend) keeps one more digit. */
export function formatAxisMB(mb: number, precise = false): string {
  if (Math.abs(mb) >= 1024) {
    const gb = mb / 1024;
    return `${trimZeros(gb.toFixed(precise || Math.abs(gb) < 10 ? 2 : 1))} GB`;
  }
  const digits = precise ? (Math.abs(mb) >= 100 ? 1 : 2) : Math.abs(mb) >= 10 ? 0 : 1;
  const text = mb.toFixed(digits);
  return `${precise ? text : trimZeros(text)} MB`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * Labels for the y axis ticks (MiB): as many decimals as the tick step needs, so 2.5 MB steps do
 * not read "55, 58, 60" — the same number of decimals on every tick.
 */
export function formatAxisTicks(splits: readonly number[]): string[] {
  if (splits.length === 0) return [];
  const max = Math.max(...splits.map(Math.abs));
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 0;
  if (max >= 1024) {
    const gbStep = step / 1024;
    const digits = gbStep === 0 || gbStep >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(gbStep) - 1e-9));
    return splits.map((v) => `${(v / 1024).toFixed(digits)} GB`);
  }
  const digits = step === 0 || Number.isInteger(step) ? 0 : Math.min(3, Math.max(1, decimalsOf(step)));
  return splits.map((v) => `${v.toFixed(digits)} MB`);
}

function decimalsOf(x: number): number {
  for (let d = 0; d <= 3; d++) if (Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) < 1e-6) return d;
  return 3;
}
