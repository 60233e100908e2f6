// `leak-lens detect --prometheus URL --query 'PROMQL' [--range 6h] [--step 30s]`: the memory
// history a Prometheus server already holds, a verdict per series (pod/instance) and for the
// fleet. Same exit codes as `detect`; an empty result, a refused URL or a rejected query is an
// error (2). The JSON keeps detect's leading keys (for the series that decides) and adds `series`
// and `fleet`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatRate, formatSeconds } from '../analysis/format';
import { type DetectSettings, resolveSettings } from '../analysis/settings';
import { type OutStream, VERDICT_LABEL } from '../cli';
import { MonitorError } from '../errors';
import { round } from '../export';
import { type FleetVerdict, judgeFleet, parseDuration } from './fleet';
import { type PrometheusAuth, PrometheusClient } from './prometheus-api';

export const DETECT_PROMETHEUS_USAGE = `Usage: leak-lens detect --prometheus URL [--query PROMQL] [options]

Reads the memory history a Prometheus server (or Thanos, Mimir, VictoriaMetrics) already holds
through /api/v1/query_range, and decides for every series (pod, instance) whether it leaks, then
for the fleet.

Options:
  --prometheus URL        The server's base URL, e.g. http://127.0.0.1:9090
  --query PROMQL          Series to judge, in bytes (default process_resident_memory_bytes),
                          e.g. 'process_resident_memory_bytes{job="api"}'
  --range D               How far back to read (default 6h; 90m, 1h30m, 2d, or seconds)
  --step D                Resolution (default 30s)
  --end TIME              End of the range: RFC 3339 or epoch seconds (default now)
  --bearer-token-file F   Send the token in F (or the LEAK_LENS_PROMETHEUS_TOKEN variable)
  --basic-auth-user U     Basic auth; the password comes from LEAK_LENS_PROMETHEUS_PASSWORD
  --timeout S             Request timeout, seconds (default 30)
  --min-duration S        Growth must last this long to be called a leak (default 300)
  --rapid-mb-per-min X    Growth above this is a rapid leak, severity high (default 1)
  --noise-floor-mb X      Total growth below this counts as flat (default 1)
  --format text|json      Output format (default text)

Exit codes: 0 no leak, 1 leak (slow or rapid) in any series, 3 inconclusive, 2 error.`;

/** Prometheus refuses more points than this per series. */
const MAX_POINTS = 11000;

export interface PrometheusDetectIO {
  stdout: OutStream;
  stderr: OutStream;
  env?: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

interface Args {
  url: string;
  query: string;
  rangeSeconds: number;
  stepSeconds: number;
  end: number;
  auth: PrometheusAuth;
  timeoutSeconds: number;
  format: 'text' | 'json';
  settings: DetectSettings;
}

function duration(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const s = parseDuration(raw);
  if (s === undefined || !(s > 0))
    throw new UsageError(`${flag} expects a duration such as 6h, 90m or 30s, got "${raw}"`);
  return s;
}

function num(flag: string, raw: string | undefined, positive: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || (positive && v === 0))
    throw new UsageError(
      `${flag} expects a ${positive ? 'positive number' : 'number of 0 or more'}, got "${raw}"`,
    );
  return v;
}

function parseEnd(raw: string | undefined, now: number): number {
  if (raw === undefined) return now;
  if (/^\d+(?:\.\d+)?$/.test(raw.trim())) return Number(raw);
  const t = Date.parse(raw);
  if (!Number.isFinite(t))
    throw new UsageError(`--end expects RFC 3339 (2024-05-01T12:00:00Z) or epoch seconds, got "${raw}"`);
  return t / 1000;
}

export function parsePrometheusArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args | 'help' {
  const raw = argv[0] === 'detect' ? argv.slice(1) : argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: raw,
      strict: true,
      allowPositionals: false,
      options: {
        prometheus: { type: 'string' },
        query: { type: 'string' },
        range: { type: 'string' },
        step: { type: 'string' },
        end: { type: 'string' },
        'bearer-token-file': { type: 'string' },
        'basic-auth-user': { type: 'string' },
        timeout: { type: 'string' },
        'min-duration': { type: 'string' },
        'rapid-mb-per-min': { type: 'string' },
        'noise-floor-mb': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const msg = (err as Error).message;
    const hint = /'--(?:pid|url|duration|interval|children|csv)'/.test(msg)
      ? ' (--prometheus reads history; it does not go with --pid, --url, --duration, --interval, --children or --csv)'
      : '';
    throw new UsageError(msg + hint);
  }
  if (values.help) return 'help';
  const url = values.prometheus as string | undefined;
  if (!url) throw new UsageError('--prometheus expects the server URL, e.g. http://127.0.0.1:9090');
  const query = ((values.query as string | undefined) ?? 'process_resident_memory_bytes').trim();
  if (!query) throw new UsageError('--query is empty');
  const rangeSeconds = duration('--range', values.range as string | undefined, 6 * 3600);
  const stepSeconds = duration('--step', values.step as string | undefined, 30);
  if (rangeSeconds / stepSeconds > MAX_POINTS) {
    throw new UsageError(
      `--range ${values.range ?? '6h'} at --step ${values.step ?? '30s'} is ${Math.ceil(rangeSeconds / stepSeconds)} points per series; Prometheus allows ${MAX_POINTS}: raise --step to ${Math.ceil(rangeSeconds / MAX_POINTS)}s or more`,
    );
  }
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format expects text or json, got "${format}"`);
  const auth: PrometheusAuth = {};
  const tokenFile = values['bearer-token-file'] as string | undefined;
  if (tokenFile !== undefined) {
    try {
      auth.bearerToken = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`cannot read the token file ${tokenFile}: ${(err as Error).message}`);
    }
    if (!auth.bearerToken) throw new UsageError(`the token file ${tokenFile} is empty`);
  } else if (env.LEAK_LENS_PROMETHEUS_TOKEN) auth.bearerToken = env.LEAK_LENS_PROMETHEUS_TOKEN;
  const user = values['basic-auth-user'] as string | undefined;
  if (user !== undefined) {
    if (auth.bearerToken) throw new UsageError('give either a bearer token or --basic-auth-user, not both');
    auth.basicUser = user;
    auth.basicPassword = env.LEAK_LENS_PROMETHEUS_PASSWORD ?? '';
  }
  return {
    url,
    query,
    rangeSeconds,
    stepSeconds,
    end: parseEnd(values.end as string | undefined, Date.now() / 1000),
    auth,
    timeoutSeconds: num('--timeout', values.timeout as string | undefined, true) ?? 30,
    format,
    settings: resolveSettings({
      minDurationSeconds: num('--min-duration', values['min-duration'] as string | undefined, false),
      rapidMBPerMin: num('--rapid-mb-per-min', values['rapid-mb-per-min'] as string | undefined, true),
      noiseFloorMB: num('--noise-floor-mb', values['noise-floor-mb'] as string | undefined, false),
    }),
  };
}

export function toFleetJson(
  args: Pick<Args, 'url' | 'query' | 'rangeSeconds' | 'stepSeconds'>,
  start: number,
  end: number,
  f: FleetVerdict,
) {
  const lead = f.decidedBy?.analysis;
  return {
    version: 1 as const,
    target: { prometheus: args.url, query: args.query },
    samples: (f.decidedBy?.samples ?? []).map((s) => [round(s.t, 3), s.rss]),
    growthMBPerMin: round(lead?.growthMBPerMin ?? 0, 4),
    r2: round(lead?.r2 ?? 0, 4),
    warmupSeconds: round(lead?.warmupSeconds ?? 0, 3),
    verdict: f.verdict,
    severity: f.severity,
    reason: f.reason,
    decidedBy: f.decidedBy?.labels ?? null,
    fleet: {
      series: f.series.length,
      leaking: f.counts['slow-leak'] + f.counts['rapid-leak'],
      ...f.counts,
    },
    series: f.series.map((s) => ({
      labels: s.labels,
      samples: s.samples.map((p) => [round(p.t, 3), p.rss]),
      growthMBPerMin: round(s.analysis.growthMBPerMin, 4),
      r2: round(s.analysis.r2, 4),
      warmupSeconds: round(s.analysis.warmupSeconds, 3),
      verdict: s.analysis.verdict,
      severity: s.analysis.severity,
      reason: s.analysis.reason,
      shape: s.analysis.shape,
    })),
    query: args.query,
    rangeSeconds: args.rangeSeconds,
    stepSeconds: args.stepSeconds,
    start: new Date(start * 1000).toISOString(),
    end: new Date(end * 1000).toISOString(),
  };
}

const VERDICT_ORDER = { 'rapid-leak': 0, 'slow-leak': 1, inconclusive: 2, 'no-leak': 3 } as const;
const MAX_LISTED = 25;

export function formatFleetReport(
  args: Pick<Args, 'url' | 'query' | 'rangeSeconds' | 'stepSeconds'>,
  f: FleetVerdict,
): string {
  const tail =
    f.verdict === 'rapid-leak' ? ' — page on-call' : f.verdict === 'slow-leak' ? ' — schedule a fix' : '';
  const out = [
    `Leak Lens: ${VERDICT_LABEL[f.verdict]} (severity ${f.severity})${tail}`,
    `Target:   ${args.url} · ${args.query} · last ${formatSeconds(args.rangeSeconds)}, step ${formatSeconds(args.stepSeconds)}`,
    `Fleet:    ${f.series.length} series: ${f.counts['rapid-leak']} rapid leak, ${f.counts['slow-leak']} slow leak, ${f.counts['no-leak']} no leak, ${f.counts.inconclusive} inconclusive`,
    `Reason:   ${f.reason}`,
    'Series:',
  ];
  const sorted = [...f.series].sort(
    (a, b) =>
      VERDICT_ORDER[a.analysis.verdict] - VERDICT_ORDER[b.analysis.verdict] ||
      b.analysis.growthMBPerMin - a.analysis.growthMBPerMin,
  );
  for (const s of sorted.slice(0, MAX_LISTED)) {
    out.push(
      `  ${s.analysis.verdict.padEnd(12)} ${formatRate(s.analysis.growthMBPerMin).padStart(16)}  ${s.samples.length} samples  ${s.name}`,
    );
  }
  if (sorted.length > MAX_LISTED)
    out.push(`  … and ${sorted.length - MAX_LISTED} more (--format json lists them all)`);
  return `${out.join('\n')}\n`;
}

/** Runs `leak-lens detect --prometheus …`; never throws for bad input or an unreachable server. */
export async function runDetectPrometheus(argv: string[], io: PrometheusDetectIO): Promise<number> {
  let args: Args | 'help';
  try {
    args = parsePrometheusArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`leak-lens detect: ${err.message}\nRun \`leak-lens detect --help\` for the options.\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(`${DETECT_PROMETHEUS_USAGE}\n`);
    return 0;
  }
  const start = args.end - args.rangeSeconds;
  let fleet: FleetVerdict;
  try {
    const client = new PrometheusClient(args.url, { auth: args.auth, timeoutSeconds: args.timeoutSeconds });
    if (io.stderr.isTTY)
      io.stderr.write(
        `Querying ${client.baseUrl} for ${args.query} over the last ${formatSeconds(args.rangeSeconds)}…\n`,
      );
    const result = await client.queryRange(args.query, start, args.end, args.stepSeconds);
    for (const w of result.warnings) io.stderr.write(`leak-lens detect: warning from Prometheus: ${w}\n`);
    if (result.series.length === 0) {
      io.stderr.write(
        `leak-lens detect: the query ${args.query} returned no series over the last ${formatSeconds(args.rangeSeconds)} at ${client.baseUrl}: check the metric name and labels (e.g. process_resident_memory_bytes{job="api"}) and that the range covers data.\n`,
      );
      return 2;
    }
    fleet = judgeFleet(result.series, start, args.settings);
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    io.stderr.write(`leak-lens detect: ${err.message}\n`);
    return 2;
  }
  if (args.format === 'json')
    io.stdout.write(`${JSON.stringify(toFleetJson(args, start, args.end, fleet))}\n`);
  else io.stdout.write(formatFleetReport(args, fleet));
  return fleet.verdict === 'no-leak' ? 0 : fleet.verdict === 'inconclusive' ? 3 : 1;
}
