// A client for a Prometheus server's HTTP API (also Thanos, Mimir, VictoriaMetrics, which speak
// it): `/api/v1/query_range` for a fleet's memory history and `/api/v1/series` to list what can be
// watched. Credentials go in an Authorization header (bearer token or basic auth, or the URL's
// user:password); every failure becomes a MonitorError with a sentence a user can act on.
import { MonitorError } from '../errors';

export interface PrometheusAuth {
  bearerToken?: string;
  basicUser?: string;
  basicPassword?: string;
}

export interface PrometheusClientOptions {
  auth?: PrometheusAuth;
  timeoutSeconds?: number;
}

/** One series of a range query: its labels and its [epoch seconds, value] points. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

export interface RangeResult {
  series: RangeSeries[];
  warnings: string[];
}

/** Largest response read: hundreds of series × thousands of points is tens of MB. */
const MAX_RESPONSE_BYTES = 512 * 2 ** 20;

/** `{job="api", instance="10.0.0.5:8000"}`, without `__name__`. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort();
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ')}}`;
}

export class PrometheusClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(url: string, options: PrometheusClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MonitorError(
        'bad-target',
        `Not a URL: ${url}. Give the Prometheus server's address, e.g. http://127.0.0.1:9090.`,
        true,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new MonitorError(
        'bad-target',
        `Only http and https Prometheus URLs are supported, not ${parsed.protocol}`,
        true,
      );
    const auth = { ...options.auth };
    // fetch() refuses URLs with credentials: they become the basic-auth header.
    if (parsed.username && auth.basicUser === undefined) {
      auth.basicUser = decodeURIComponent(parsed.username);
      auth.basicPassword = decodeURIComponent(parsed.password);
    }
    parsed.username = '';
    parsed.password = '';
    // The API lives under the server's base path (`http://host/prometheus` behind a proxy).
    parsed.pathname = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1(?:\/.*)?$/, '');
    parsed.search = '';
    parsed.hash = '';
    this.baseUrl = parsed.href.replace(/\/$/, '');
    this.headers = { accept: 'application/json' };
    if (auth.bearerToken) this.headers.authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.basicUser !== undefined)
      this.headers.authorization = `Basic ${Buffer.from(`${auth.basicUser}:${auth.basicPassword ?? ''}`).toString('base64')}`;
    this.timeoutMs = (options.timeoutSeconds ?? 30) * 1000;
  }

  /** `query` evaluated every `step` seconds over [start, end] (epoch seconds). */
  async queryRange(query: string, start: number, end: number, step: number): Promise<RangeResult> {
    const data = await this.call('query_range', {
      query,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    const d = data.data as { resultType?: string; result?: unknown } | undefined;
    if (!d || d.resultType !== 'matrix' || !Array.isArray(d.result)) {
      throw new MonitorError(
        'malformed-metrics',
        `The query gave a ${d?.resultType ?? 'malformed'} result, not series over time: query a metric such as process_resident_memory_bytes, not a scalar or string.`,
        true,
      );
    }
    const series: RangeSeries[] = [];
    for (const item of d.result as { metric?: Record<string, string>; values?: [number, string][] }[]) {
      const points: [number, number][] = [];
      for (const [t, v] of item.values ?? []) {
        const value = Number(v);
        if (Number.isFinite(value)) points.push([Number(t), value]);
      }
      series.push({ labels: item.metric ?? {}, points });
    }
    return { series, warnings: Array.isArray(data.warnings) ? (data.warnings as string[]) : [] };
  }

  /** Label sets of the series matching `match` over [start, end]. */
  async series(match: string, start: number, end: number): Promise<Record<string, string>[]> {
    const data = await this.call('series', { 'match[]': match, start: String(start), end: String(end) });
    return Array.isArray(data.data) ? (data.data as Record<string, string>[]) : [];
  }

  private async call(endpoint: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const url = `${this.baseUrl}/api/v1/${endpoint}`;
    const body = new URLSearchParams(params).toString();
    let res = await this.send(url, 'POST', body);
    if (res.status === 405) {
      await res.body?.cancel().catch(() => undefined);
      res = await this.send(`${url}?${body}`, 'GET');
    }
    const text = await this.readText(res, url);
    let doc: Record<string, unknown> | undefined;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (res.status === 401 || res.status === 403) {
      throw new MonitorError(
        'http-status',
        `${this.baseUrl} answered HTTP ${res.status} ${res.statusText}: give credentials with --bearer-token-file FILE or --basic-auth-user USER (password in the LEAK_LENS_PROMETHEUS_PASSWORD environment variable).`,
        true,
      );
    }
    if (doc && doc.status === 'error') {
      const why = String(doc.error ?? 'unknown error');
      const kind = String(doc.errorType ?? '');
      throw new MonitorError(
        kind === 'bad_data' ? 'bad-target' : 'http-status',
        kind === 'bad_data'
          ? `Prometheus rejected the query: ${why}.`
          : `Prometheus could not run the query (${kind || `HTTP ${res.status}`}): ${why}.`,
        true,
      );
    }
    if (!doc || doc.status !== 'success') {
      const hint =
        res.status === 404
          ? ` Give the server's base URL (e.g. http://127.0.0.1:9090), not a page or a /metrics endpoint.`
          : '';
      throw new MonitorError(
        'malformed-metrics',
        `${this.baseUrl} did not answer as a Prometheus HTTP API (${url} gave HTTP ${res.status}${/^\s*</.test(text) ? ', an HTML page' : ''}).${hint}`,
        true,
      );
    }
    return doc;
  }

  private async send(url: string, method: 'GET' | 'POST', body?: string): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        body,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: body
          ? { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' }
          : this.headers,
      });
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
        throw new MonitorError(
          'timeout',
          `${this.baseUrl} did not answer within ${this.timeoutMs / 1000} s.`,
          true,
        );
      const code = e?.cause?.code;
      if (code === 'ECONNREFUSED')
        throw new MonitorError(
          'connection-refused',
          `Connection refused by ${this.baseUrl}: is Prometheus running and listening there?`,
          true,
        );
      throw new MonitorError(
        'unreachable',
        `Cannot reach ${this.baseUrl}: ${code ? `${code} ` : ''}${e?.cause?.message ?? e?.message ?? String(err)}`,
        true,
      );
    }
  }

  private async readText(res: Response, url: string): Promise<string> {
    if (!res.body) return '';
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (err) {
        throw new MonitorError(
          'unreachable',
          `${url}: the answer was cut off (${(err as Error).message}).`,
          true,
        );
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new MonitorError(
          'malformed-metrics',
          `${url} sent more than ${MAX_RESPONSE_BYTES / 2 ** 20} MiB: narrow the query (labels), shorten --range or raise --step.`,
          true,
        );
      }
      chunks.push(step.value);
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  }
}
