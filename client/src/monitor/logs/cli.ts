// `leak-lens analyze-logs FILE… [--format text|json]`: memory figures and events read from logs,
// a verdict per process and for all of them. Exit codes as `detect`: 0 no leak, 1 leak,
// 3 inconclusive, 2 error (bad arguments, or a file that could not be read; the others are still
// analysed and reported).
import { parseArgs } from 'node:util';
import { formatBytes } from '../analysis/format';
import { type DetectSettings, resolveSettings } from '../analysis/settings';
import type { OutStream } from '../cli';
import { collectLogs } from './collect';
import { formatLogsReport, toAnalyzeLogsJson } from './report';
import { judgeLogs } from './verdict';

export const ANALYZE_LOGS_USAGE = `Usage: leak-lens analyze-logs FILE... [options]

Reads memory figures (rss=512MB, mem_mb=…, "memory: 1.2 GiB", JSON fields such as rss_bytes,
ps/top snapshots) and memory events (OOM kills, killed or recycled workers, MemoryError, restarts)
from log files, builds a memory series per process and decides whether it leaks — including a leak
masked by restarts (memory climbs, the process is killed or recycled, and starts again).
Files ending in .gz are decompressed.

Options:
  --format text|json      Output format (default text)
  --min-duration S        Growth must last this long to be called a leak (default 300)
  --rapid-mb-per-min X    Growth above this is a rapid leak, severity high (default 1)
  --noise-floor-mb X      Total growth below this counts as flat (default 1)
  -h, --help              Show this help

Exit codes: 0 no leak, 1 leak (slow or rapid), 3 inconclusive, 2 error.`;

export interface AnalyzeLogsIO {
  stdout: OutStream;
  stderr: OutStream;
}

class UsageError extends Error {}

function number(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || (min === 0 && value < 0)) {
    throw new UsageError(
      `${flag} expects a ${min > 0 ? 'positive number' : 'number of 0 or more'}, got "${raw}"`,
    );
  }
  return value;
}

interface Args {
  files: string[];
  format: 'text' | 'json';
  settings: DetectSettings;
}

export function parseAnalyzeLogsArgs(argv: string[]): Args | 'help' {
  const raw = argv[0] === 'analyze-logs' ? argv.slice(1) : argv;
  // `--min-duration -1` → `--min-duration=-1`: the option's own message, not "ambiguous".
  const args: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const next = raw[i + 1];
    if (/^--(?:min-duration|rapid-mb-per-min|noise-floor-mb)$/.test(raw[i]) && next && /^-\.?\d/.test(next)) {
      args.push(`${raw[i]}=${next}`);
      i++;
    } else args.push(raw[i]);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'min-duration': { type: 'string' },
        'rapid-mb-per-min': { type: 'string' },
        'noise-floor-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format expects text or json, got "${format}"`);
  if (parsed.positionals.length === 0) throw new UsageError('give at least one log file');
  const settings = resolveSettings({
    minDurationSeconds: number('--min-duration', values['min-duration'] as string | undefined, 0),
    rapidMBPerMin: number('--rapid-mb-per-min', values['rapid-mb-per-min'] as string | undefined, 1e-12),
    noiseFloorMB: number('--noise-floor-mb', values['noise-floor-mb'] as string | undefined, 0),
  });
  return { files: parsed.positionals, format, settings };
}

const VERDICT_EXIT = { 'no-leak': 0, 'slow-leak': 1, 'rapid-leak': 1, inconclusive: 3 } as const;

/** Runs `leak-lens analyze-logs` and returns the exit code; never throws for bad input. */
export async function runAnalyzeLogs(
  argv: string[],
  io: AnalyzeLogsIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseAnalyzeLogsArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(
      `leak-lens analyze-logs: ${err.message}\nRun \`leak-lens analyze-logs --help\` for the options.\n`,
    );
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(`${ANALYZE_LOGS_USAGE}\n`);
    return 0;
  }
  const tty = !!io.stderr.isTTY;
  let drawn = false;
  let lastPercent = -1;
  const logs = await collectLogs(args.files, (p) => {
    const percent = p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
    const line = `Reading ${p.file}: ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)} (${percent} %), ${p.lines} lines`;
    if (tty) {
      io.stderr.write(`\r${line.slice(0, (io.stderr.columns ?? 100) - 1)}\x1b[K`);
      drawn = true;
    } else if (p.totalBytes >= 64 * 2 ** 20 && percent >= lastPercent + 10) {
      // Off a terminal, a large read still says it is alive, every 10 %.
      lastPercent = percent - (percent % 10);
      io.stderr.write(`${line}\n`);
    }
  });
  if (drawn) io.stderr.write('\r\x1b[K');
  const verdict = judgeLogs(logs, args.settings);
  const errors = logs.files.filter((f) => f.error);
  for (const f of errors) io.stderr.write(`leak-lens analyze-logs: ${f.error}\n`);
  if (args.format === 'json') io.stdout.write(`${JSON.stringify(toAnalyzeLogsJson(logs, verdict))}\n`);
  else io.stdout.write(formatLogsReport(logs, verdict));
  return errors.length > 0 ? 2 : VERDICT_EXIT[verdict.verdict];
}
