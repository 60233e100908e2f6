// `leak-lens detect`: watch a PID (optionally with its children) or a Prometheus URL for a while,
// then print the verdict. Exit codes: 0 no leak, 1 leak, 3 inconclusive, 2 error (bad arguments,
// a target that cannot be watched at the start, an export that cannot be written).
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, formatRate, formatSeconds, shortCommand } from './analysis/format';
import { type DetectSettings, resolveSettings } from './analysis/settings';
import { analyzeMonitorRun, type DetectResult } from './detect';
import { MonitorError } from './errors';
import { toCsv, toDetectJson } from './export';
import { Sampler } from './sampler';
import type { MonitorRun, MonitorTarget } from './types';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface DetectIO {
  stdout: OutStream;
  stderr: OutStream;
  /** Aborting stops the run early, like Ctrl+C: the verdict is given on what was collected. */
  signal?: AbortSignal;
}

export const DETECT_USAGE = `Usage: leak-lens detect (--pid N | --url URL) [options]

Samples the resident memory (RSS) of a running process, or of a service's Prometheus metrics
(process_resident_memory_bytes), and decides whether it leaks.

Options:
  --pid N                 Process to watch
  --url URL               Prometheus text endpoint (e.g. http://127.0.0.1:8000/metrics)
  --duration S            How long to sample, seconds (default 300)
  --interval S            Seconds between samples (default 10, at least 0.1)
  --children              Also watch the process's children (uvicorn/gunicorn workers), each and summed
  --min-duration S        Growth must last this long to be called a leak (default 300; 0 judges any run)
  --rapid-mb-per-min X    Growth above this is a rapid leak, severity high (default 1)
  --noise-floor-mb X      Total growth below this counts as flat (default 1; 0 counts any growth)
  --timeout S             Per-request timeout for --url (default 5)
  --format text|json      Output format (default text)
  --csv FILE              Also write every sample to FILE (one column per process with --children);
                          its folder must exist (checked before sampling)
  -h, --help              Show this help

Exit codes: 0 no leak, 1 leak (slow or rapid), 3 inconclusive, 2 error.
Ctrl+C stops early and gives the verdict on the samples collected so far.

A Prometheus server's history instead (a verdict per pod/instance and for the fleet):
  leak-lens detect --prometheus URL --query 'PROMQL' [--range 6h] [--step 30s]
  (see \`leak-lens detect --prometheus URL --help\`)`;

interface DetectArgs {
  target: MonitorTarget;
  durationSeconds: number;
  intervalSeconds: number;
  format: 'text' | 'json';
  csv?: string;
  settings: DetectSettings;
}

class UsageError extends Error {}

/** Fastest sampling allowed (the `leakLens.detect.intervalSeconds` setting's minimum too). */
export const MIN_INTERVAL_SECONDS = 0.1;
/** The largest process ID any system hands out (pid_t is a 32-bit signed integer). */
const MAX_PID = 2 ** 31 - 1;

function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} expects a positive number, got "${raw}"`);
  }
  return value;
}

function nonNegativeNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} expects a number of 0 or more, got "${raw}"`);
  }
  return value;
}

/** Options that take a value (a value such as `-5` is still theirs, not another option). */
const VALUE_OPTIONS = new Set([
  '--pid',
  '--url',
  '--duration',
  '--interval',
  '--min-duration',
  '--rapid-mb-per-min',
  '--noise-floor-mb',
  '--timeout',
  '--format',
  '--csv',
]);

/**
 * `--duration -5` → `--duration=-5`: Node's parser would call the negative number "ambiguous"; as
 * the option's value, it gets the option's own message ("expects a positive number, got "-5"").
 */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (VALUE_OPTIONS.has(args[i]) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

export function parseDetectArgs(argv: string[]): DetectArgs | 'help' {
  const args = joinNegativeValues(argv[0] === 'detect' ? argv.slice(1) : argv);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        pid: { type: 'string' },
        url: { type: 'string' },
        duration: { type: 'string' },
        interval: { type: 'string' },
        children: { type: 'boolean' },
        'min-duration': { type: 'string' },
        'rapid-mb-per-min': { type: 'string' },
        'noise-floor-mb': { type: 'string' },
        timeout: { type: 'string' },
        format: { type: 'string' },
        csv: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const pidRaw = values.pid as string | undefined;
  const url = values.url as string | undefined;
  if ((pidRaw === undefined) === (url === undefined))
    throw new UsageError('give exactly one of --pid N or --url URL');
  let target: MonitorTarget;
  if (pidRaw !== undefined) {
    if (!/^\d+$/.test(pidRaw.trim()) || Number(pidRaw) <= 0)
      throw new UsageError(`--pid expects a process ID, got "${pidRaw}"`);
    if (Number(pidRaw) > MAX_PID)
      throw new UsageError(
        `--pid ${pidRaw.trim()} is not a valid process ID: process IDs are whole numbers from 1 to ${MAX_PID}`,
      );
    target = { pid: Number(pidRaw), children: !!values.children };
  } else {
    if (values.children)
      throw new UsageError('--children needs --pid (a metrics URL has no child processes)');
    target = {
      url: url as string,
      timeoutSeconds: positiveNumber('--timeout', values.timeout as string | undefined, 5),
    };
  }
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format expects text or json, got "${format}"`);
  const durationSeconds = positiveNumber('--duration', values.duration as string | undefined, 300);
  const intervalSeconds = positiveNumber('--interval', values.interval as string | undefined, 10);
  if (intervalSeconds < MIN_INTERVAL_SECONDS)
    throw new UsageError(
      `--interval must be at least ${MIN_INTERVAL_SECONDS} s (faster sampling measures the sampler, not the target), got ${values.interval}`,
    );
  if (intervalSeconds > durationSeconds) {
    throw new UsageError(`--interval (${intervalSeconds}) must not exceed --duration (${durationSeconds})`);
  }
  const settings = resolveSettings({
    minDurationSeconds: nonNegativeNumber(
      '--min-duration',
      values['min-duration'] as string | undefined,
      300,
    ),
    rapidMBPerMin: positiveNumber('--rapid-mb-per-min', values['rapid-mb-per-min'] as string | undefined, 1),
    noiseFloorMB: nonNegativeNumber('--noise-floor-mb', values['noise-floor-mb'] as string | undefined, 1),
  });
  const csv = values.csv as string | undefined;
  if (csv !== undefined && csv.trim() === '') throw new UsageError('--csv expects a file name');
  return { target, durationSeconds, intervalSeconds, format, csv, settings };
}

/**
 * Why `file` cannot be written (its folder is missing, it is a folder, no permission), or
 * undefined: checked before sampling, so a run is not wasted on a CSV that cannot be saved.
 */
export function csvProblem(file: string): string | undefined {
  const path = resolve(file);
  const folder = dirname(path);
  let folderStat: ReturnType<typeof statSync>;
  try {
    folderStat = statSync(folder);
  } catch {
    return `the folder ${folder} does not exist`;
  }
  if (!folderStat.isDirectory()) return `${folder} is not a folder`;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return 'it is a folder';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return 'it exists and is not writable';
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return `the folder ${folder} is not writable`;
  }
  return undefined;
}

export const VERDICT_LABEL = {
  'no-leak': 'NO LEAK',
  'slow-leak': 'SLOW LEAK',
  'rapid-leak': 'RAPID LEAK',
  inconclusive: 'INCONCLUSIVE',
} as const;

export function exitCodeFor(verdict: DetectResult['verdict']): number {
  return verdict === 'no-leak' ? 0 : verdict === 'inconclusive' ? 3 : 1;
}

function describeTarget(run: MonitorRun, short = false): string {
  if (run.target.kind === 'url') return run.target.url;
  return `PID ${run.target.pid} (${short ? shortCommand(run.target.command) : run.target.command})`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatTextReport(run: MonitorRun, result: DetectResult): string {
  const lines: string[] = [];
  const tail =
    result.verdict === 'rapid-leak'
      ? ' — page on-call'
      : result.verdict === 'slow-leak'
        ? ' — schedule a fix'
        : '';
  lines.push(`Leak Lens: ${VERDICT_LABEL[result.verdict]} (severity ${result.severity})${tail}`);
  lines.push(`Target:   ${describeTarget(run)}${run.followChildren ? ' and its children' : ''}`);
  lines.push(
    `Samples:  ${run.samples.length} over ${formatSeconds(result.observedSeconds)}, every ${formatSeconds(run.intervalSeconds)}${run.missedSlots ? ` (${run.missedSlots} skipped: the machine was too busy)` : ''}`,
  );
  const warm = result.warmupSeconds > 0 ? ` · warm-up ${formatSeconds(result.warmupSeconds)} excluded` : '';
  lines.push(`Growth:   ${formatRate(result.growthMBPerMin)} (R² ${result.r2.toFixed(2)})${warm}`);
  if (run.samples.length > 0) {
    const rss = run.samples.map((s) => s.rss);
    lines.push(
      `RSS:      ${formatBytes(rss[0])} → ${formatBytes(rss[rss.length - 1])} (min ${formatBytes(Math.min(...rss))}, max ${formatBytes(Math.max(...rss))})`,
    );
  }
  lines.push(`Reason:   ${result.reason}`);
  if (result.processes.length > 1 || run.followChildren) {
    lines.push('Processes:');
    for (const p of result.processes) {
      const series = run.processes.find((s) => s.id === p.id);
      const life = series?.exitedT !== undefined ? ` (exited at ${formatSeconds(series.exitedT)})` : '';
      lines.push(
        `  ${String(p.pid ?? '-').padStart(7)}  ${p.analysis.verdict.padEnd(12)} ${formatRate(p.analysis.growthMBPerMin).padStart(16)}  ${shortCommand(p.label, 60)}${life}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Live progress: rewritten in place on a terminal, an occasional line otherwise. */
class Progress {
  private lastLineAt = 0;
  private drawn = false;

  constructor(
    private readonly out: OutStream,
    private readonly enabled: boolean,
    private readonly durationSeconds: number,
  ) {}

  update(run: MonitorRun, growth: number | undefined): void {
    if (!this.enabled) return;
    const last = run.samples[run.samples.length - 1];
    if (!last) return;
    const trend = growth === undefined ? '' : ` · trend ${formatRate(growth)}`;
    const line = `${formatSeconds(last.t)}/${formatSeconds(this.durationSeconds)} · ${run.samples.length} samples · RSS ${formatBytes(last.rss)}${run.processes.length > 1 ? ` (${run.processes.filter((p) => p.exitedT === undefined).length} processes)` : ''}${trend}`;
    if (this.out.isTTY) {
      const width = (this.out.columns ?? 100) - 1;
      this.out.write(`\r${truncate(line, width)}\x1b[K`);
      this.drawn = true;
    } else {
      const every = Math.max(1, this.durationSeconds / 10);
      if (last.t - this.lastLineAt >= every) {
        this.lastLineAt = last.t;
        this.out.write(`${line}\n`);
      }
    }
  }

  /** Prints a message on its own line without garbling the live line. */
  message(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

/**
 * Runs `leak-lens detect` with `argv` (the arguments after `detect`) and returns the exit code.
 * Never throws for bad input or a bad target: it prints a message and returns 2.
 */
export async function runDetect(
  argv: string[],
  io: DetectIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  if (argv.some((a) => a === '--prometheus' || a.startsWith('--prometheus='))) {
    // A Prometheus server's history, many series at once: its own module (fleet/).
    const { runDetectPrometheus } = await import('./fleet/cli');
    return runDetectPrometheus(argv, io);
  }
  let args: DetectArgs | 'help';
  try {
    args = parseDetectArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`leak-lens detect: ${err.message}\nRun \`leak-lens detect --help\` for the options.\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(`${DETECT_USAGE}\n`);
    return 0;
  }
  const { settings } = args;
  if (args.csv !== undefined) {
    const problem = csvProblem(args.csv);
    if (problem) {
      io.stderr.write(`leak-lens detect: cannot write the CSV file ${args.csv}: ${problem}.\n`);
      return 2;
    }
  }
  const text = args.format === 'text';
  const progress = new Progress(io.stderr, text || !!io.stderr.isTTY, args.durationSeconds);

  let sampler: Sampler;
  try {
    sampler = Sampler.forTarget(args.target, {
      intervalSeconds: args.intervalSeconds,
      durationSeconds: args.durationSeconds,
    });
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    io.stderr.write(`leak-lens detect: ${err.message}\n`);
    return 2;
  }

  let interrupted = 0;
  let announced = false;
  const onSignal = () => {
    interrupted++;
    if (interrupted > 1) process.exit(130); // a second Ctrl+C means "now"
    progress.message(
      'Interrupted: stopping and judging the samples collected so far (Ctrl+C again to quit).',
    );
    sampler.stop('interrupted');
  };
  const onAbort = () => sampler.stop('interrupted');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onAbort);
  try {
    sampler.on('sample', () => {
      const run = sampler.run;
      const growth = run.samples.length >= 3 ? analyzeMonitorRun(run, settings).growthMBPerMin : undefined;
      progress.update(run, growth);
    });
    if (text) {
      sampler.on('child-added', (p) =>
        progress.message(`+ child PID ${p.pid} started: ${shortCommand(p.command)}`),
      );
      sampler.on('child-exited', (p) => progress.message(`- child PID ${p.pid} exited`));
    }
    sampler.on('target-exited', (info) =>
      progress.message(
        `leak-lens detect: ${info.message.replace(/\.$/, '')} (at ${formatSeconds(info.t)}): the verdict covers the samples taken until then.`,
      ),
    );
    sampler.on('error', (e) =>
      progress.message(`leak-lens detect: ${e.fatal ? '' : 'warning: '}${e.message}`),
    );
    sampler.on('state', (state) => {
      // Announced once the target is known, before anything about its first sample.
      if (state !== 'running' || !text || announced) return;
      announced = true;
      const withChildren = 'pid' in args.target && args.target.children ? ' and its children' : '';
      progress.message(
        `Sampling ${describeTarget(sampler.run, true)}${withChildren} every ${formatSeconds(args.intervalSeconds)} for ${formatSeconds(args.durationSeconds)} (Ctrl+C to stop early)…`,
      );
    });
    try {
      await sampler.start();
    } catch (err) {
      if (!(err instanceof MonitorError)) throw err;
      progress.clear();
      io.stderr.write(`leak-lens detect: ${err.message}\n`);
      return 2;
    }
    if (args.durationSeconds + 1e-9 < settings.minDurationSeconds) {
      progress.message(
        `Note: --duration ${args.durationSeconds} is shorter than --min-duration ${settings.minDurationSeconds}: the verdict will be inconclusive. Pass --min-duration ${args.durationSeconds} to judge a shorter run.`,
      );
    }
    if (io.signal?.aborted) sampler.stop('interrupted');
    await sampler.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', onAbort);
    progress.clear();
  }

  const run = sampler.run;
  const result = analyzeMonitorRun(run, settings);
  let code = exitCodeFor(result.verdict);
  let csvNote = '';
  if (args.csv) {
    try {
      writeFileSync(args.csv, toCsv(run));
      csvNote = `CSV:      ${run.samples.length} samples written to ${args.csv}\n`;
    } catch (err) {
      io.stderr.write(`leak-lens detect: cannot write the CSV file ${args.csv}: ${(err as Error).message}\n`);
      code = 2;
    }
  }
  if (text) io.stdout.write(formatTextReport(run, result) + csvNote);
  else io.stdout.write(`${JSON.stringify(toDetectJson(run, result))}\n`);
  return code;
}
