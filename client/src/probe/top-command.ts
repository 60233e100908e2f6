// `leak-lens top --url URL [--format json]`: what a probe says is growing — object types, source
// lines — and the endpoints ranked by the memory their requests keep. Exit 0, or 2 with one
// sentence when the probe cannot be read.
import { parseArgs } from 'node:util';
import { formatBytes } from '../monitor/analysis/format';
import type { EndpointsDoc, GrowthDoc, SnapshotDoc } from './documents';
import { fetchProbe, type ProbeEndpoint, ProbeError, probeBase } from './fetch';

export const TOP_USAGE = `Usage: leak-lens top --url URL [--format text|json] [--token T] [--timeout S]

Reads a Leak Lens probe (\`leak-lens run\`, or an app set up with setup_memory_monitoring) and
prints the object types and source lines whose memory keeps growing, and the endpoints ranked by
the memory their requests keep.

Options:
  --url URL            The probe's URL (http://127.0.0.1:9464, or the app's URL)
  --format text|json   Output format (default text)
  --token T            Bearer token (default: LEAK_LENS_PROBE_TOKEN, if set)
  --timeout S          Per-request timeout in seconds (default 5)
  -h, --help           Show this help`;

export interface TopReport {
  version: 1;
  url: string;
  pid: number;
  rssBytes: number;
  tracedBytes: number;
  windowSeconds: number;
  types: GrowthDoc['types'];
  lines: GrowthDoc['lines'];
  endpoints: EndpointsDoc['endpoints'];
}

export async function readTop(endpoint: ProbeEndpoint): Promise<TopReport> {
  const [snapshot, growth, endpoints] = await Promise.all([
    fetchProbe<SnapshotDoc>(endpoint, 'snapshot'),
    fetchProbe<GrowthDoc>(endpoint, 'growth'),
    fetchProbe<EndpointsDoc>(endpoint, 'endpoints'),
  ]);
  return {
    version: 1,
    url: probeBase(endpoint.url),
    pid: snapshot.pid,
    rssBytes: snapshot.rssBytes,
    tracedBytes: snapshot.tracedBytes,
    windowSeconds: growth.windowSeconds,
    types: growth.types,
    lines: growth.lines,
    endpoints: endpoints.endpoints,
  };
}

/** Bytes in the unit that keeps them readable: 812 B, 3.2 KB, 41.0 MB (KB = KiB, MB = MiB). */
export function formatSize(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  if (abs < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return formatBytes(bytes);
}

export function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${formatSize(Math.abs(bytes))}`;
}

export function formatTop(report: TopReport): string {
  const out: string[] = [];
  out.push(
    `Leak Lens probe at ${report.url}: PID ${report.pid}, RSS ${formatBytes(report.rssBytes)}, traced ${formatBytes(report.tracedBytes)}`,
  );
  const window = `${Math.round(report.windowSeconds)} s`;
  out.push('', `Growing lines (traced size rising across the last ${window}):`);
  if (report.lines.length === 0) out.push('  none');
  for (const l of report.lines)
    out.push(
      `  ${signed(l.deltaBytes).padStart(11)}  now ${formatSize(l.sizeBytes).padStart(9)}  ${l.file}:${l.line}`,
    );
  out.push('', 'Growing object types:');
  if (report.types.length === 0) out.push('  none');
  for (const t of report.types)
    out.push(`  ${`+${t.delta}`.padStart(11)}  ${String(t.count).padStart(9)} live  ${t.type}`);
  out.push('', 'Endpoints by memory kept per request:');
  const ranked = [...report.endpoints].sort((a, b) => b.meanDeltaBytes - a.meanDeltaBytes);
  if (ranked.length === 0) out.push('  none measured yet');
  for (const e of ranked)
    out.push(
      `  ${signed(e.meanDeltaBytes).padStart(11)}/req  ${String(e.requests).padStart(7)} req  ${signed(e.totalDeltaBytes).padStart(11)} total  ${e.method} ${e.route}`,
    );
  return `${out.join('\n')}\n`;
}

export async function runTop(
  argv: string[],
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } } = process,
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        format: { type: 'string' },
        token: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(
      `leak-lens top: ${(err as Error).message}\nRun \`leak-lens top --help\` for the options.\n`,
    );
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${TOP_USAGE}\n`);
    return 0;
  }
  const fail = (message: string) => {
    io.stderr.write(`leak-lens top: ${message}\n`);
    return 2;
  };
  const url = values.url as string | undefined;
  if (!url) return fail('give the probe with --url URL (e.g. --url http://127.0.0.1:9464).');
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') return fail(`--format expects text or json, got "${format}".`);
  const rawTimeout = (values.timeout as string | undefined) ?? '5';
  const timeoutSeconds = Number(rawTimeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    return fail(`--timeout expects a positive number, got "${rawTimeout}".`);
  const token = (values.token as string | undefined) ?? process.env.LEAK_LENS_PROBE_TOKEN ?? undefined;
  try {
    const report = await readTop({ url, token: token || undefined, timeoutSeconds });
    io.stdout.write(format === 'json' ? `${JSON.stringify(report)}\n` : formatTop(report));
    return 0;
  } catch (err) {
    if (err instanceof ProbeError) return fail(err.message);
    throw err;
  }
}
