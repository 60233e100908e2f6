// RSS read from a Prometheus text endpoint: `process_resident_memory_bytes`, which
// prometheus_client's default registry exports (the same counter as VmRSS). For services in
// containers or on other hosts, where no PID can be read.
import { MonitorError } from '../errors';
import type { TargetInfo } from '../types';
import type { ProcessReading, Reading, SampleSource } from './source';

export const RSS_METRIC = 'process_resident_memory_bytes';
const START_METRIC = 'process_start_time_seconds';

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
  /** 1-based line number in the page. */
  line: number;
}

// Go's ParseFloat forms that exporters write: decimals, exponents (3.8170624e+07), ±Inf, NaN.
const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf(?:inity)?|NaN)$/;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * The samples of one metric in a Prometheus (or OpenMetrics) text page. Lines of other metrics are
 * skipped unread; a line of this metric that does not parse throws, naming the line.
 */
export function parseMetric(text: string, name: string): MetricSample[] {
  const out: MetricSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trimStart();
    if (!line.startsWith(name)) continue;
    const after = line.charAt(name.length);
    if (after !== '{' && after !== ' ' && after !== '\t' && after !== '') continue; // another metric sharing the prefix
    const fail = (why: string) =>
      new MonitorError(
        'malformed-metrics',
        `Malformed metrics page, line ${i + 1} (${why}): ${line.slice(0, 120)}`,
      );
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (after === '{') {
      pos++;
      for (;;) {
        while (line[pos] === ' ' || line[pos] === '\t') pos++;
        if (line[pos] === '}') {
          pos++;
          break;
        }
        LABEL_NAME.lastIndex = pos;
        const m = LABEL_NAME.exec(line);
        if (!m) throw fail('bad label name');
        pos += m[0].length;
        while (line[pos] === ' ') pos++;
        if (line[pos] !== '=') throw fail('expected = after a label name');
        pos++;
        while (line[pos] === ' ') pos++;
        if (line[pos] !== '"') throw fail('expected a quoted label value');
        pos++;
        let value = '';
        for (;;) {
          const c = line[pos];
          if (c === undefined) throw fail('unterminated label value');
          pos++;
          if (c === '"') break;
          if (c === '\\') {
            const e = line[pos++];
            value += e === 'n' ? '\n' : e === '"' || e === '\\' ? e : `\\${e ?? ''}`;
          } else value += c;
        }
        labels[m[0]] = value;
        while (line[pos] === ' ') pos++;
        if (line[pos] === ',') pos++;
        else if (line[pos] !== '}') throw fail('expected , or } in the labels');
      }
    }
    const fields = line
      .slice(pos)
      .trim()
      .split(/[ \t]+/);
    if (fields.length < 1 || fields.length > 2 || !FLOAT.test(fields[0])) throw fail('bad value');
    if (fields.length === 2 && !/^-?\d+(?:\.\d+)?$/.test(fields[1])) throw fail('bad timestamp');
    const v = fields[0].replace(/^([+-]?)[Ii]nf(inity)?$/, '$1Infinity');
    out.push({ labels, value: Number(v), line: i + 1 });
  }
  return out;
}

function labelKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}` : '';
}

/** Largest metrics response read (a real one is kilobytes; a wrong URL can stream without end). */
export const MAX_METRICS_BYTES = 16 * 2 ** 20;

export interface UrlSourceOptions {
  timeoutSeconds?: number;
}

/** `localhost:9/metrics`, `127.0.0.1:8000/metrics`: an address without its `http://`. */
function withoutScheme(url: string): string | undefined {
  if (!/^(?:[\w.-]+|\[[\da-f:.]+\])(?::\d+)?(?:[/?#]|$)/i.test(url.trim())) return undefined;
  try {
    const guess = new URL(`http://${url.trim()}`);
    return guess.hostname ? guess.href : undefined;
  } catch {
    return undefined;
  }
}

export function createUrlSource(url: string, options: UrlSourceOptions = {}): SampleSource {
  const suggestion = withoutScheme(url);
  if (suggestion) {
    throw new MonitorError(
      'bad-target',
      `${url} has no http:// or https://: did you mean ${suggestion}?`,
      true,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MonitorError(
      'bad-target',
      `Not a URL: ${url}. Give a full address such as http://127.0.0.1:8000/metrics.`,
      true,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MonitorError(
      'bad-target',
      `Only http and https metrics URLs are supported, not ${parsed.protocol}`,
      true,
    );
  }
  return new UrlSource(parsed.href, (options.timeoutSeconds ?? 5) * 1000);
}

class UrlSource implements SampleSource {
  readonly target: TargetInfo;
  private startTime: number | undefined;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {
    this.target = { kind: 'url', url };
  }

  async open(): Promise<Reading> {
    const { reading, startTime } = await this.fetchReading();
    this.startTime = startTime;
    return reading;
  }

  async read(): Promise<Reading> {
    const { reading, startTime } = await this.fetchReading();
    if (
      this.startTime !== undefined &&
      startTime !== undefined &&
      Math.abs(startTime - this.startTime) > 0.5
    ) {
      throw new MonitorError(
        'target-exited',
        `The service behind ${this.url} restarted (process_start_time_seconds changed): its memory starts over, so the run ends here.`,
        true,
      );
    }
    return reading;
  }

  close(): void {}

  private async fetchReading(): Promise<{ reading: Reading; startTime?: number }> {
    const text = await this.fetchText();
    const samples = parseMetric(text, RSS_METRIC);
    if (samples.length === 0) {
      const looksHtml = /^\s*<(?:!doctype|html)/i.test(text);
      throw new MonitorError(
        'malformed-metrics',
        `${this.url} has no ${RSS_METRIC} sample${looksHtml ? ' (it returned an HTML page)' : ''}. Point at a Prometheus endpoint of the service (prometheus_client exports it by default, e.g. /metrics).`,
      );
    }
    const bad = samples.find((s) => !Number.isFinite(s.value) || s.value < 0);
    if (bad) {
      throw new MonitorError(
        'malformed-metrics',
        `${RSS_METRIC} on line ${bad.line} of ${this.url} is ${bad.value}, not a size in bytes.`,
      );
    }
    const processes: ProcessReading[] = samples.map((s) => {
      const pid = Number(s.labels.pid);
      const key = labelKey(s.labels);
      return {
        key: key || 'rss',
        pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
        command: key ? `${this.url} ${key}` : this.url,
        rss: Math.round(s.value),
        root: samples.length === 1,
      };
    });
    let startTime: number | undefined;
    try {
      const starts = parseMetric(text, START_METRIC);
      startTime = starts.length === 1 && Number.isFinite(starts[0].value) ? starts[0].value : undefined;
    } catch {
      startTime = undefined; // only used to notice restarts
    }
    return { reading: { processes }, startTime };
  }

  private async fetchText(): Promise<string> {
    const seconds = `${this.timeoutMs / 1000} s`;
    let res: Response;
    try {
      // fetch follows redirects: prometheus_client's ASGI app answers /metrics with 307 → /metrics/.
      res = await fetch(this.url, {
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5,*/*;q=0.1' },
      });
    } catch (err) {
      throw this.mapFetchError(err, seconds);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new MonitorError(
        'http-status',
        `${this.url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
      );
    }
    try {
      return await this.readCapped(res);
    } catch (err) {
      if (err instanceof MonitorError) throw err;
      throw this.mapFetchError(err, seconds);
    }
  }

  /** The body as text, refusing one larger than MAX_METRICS_BYTES (a metrics page is kilobytes). */
  private async readCapped(res: Response): Promise<string> {
    const tooLarge = () =>
      new MonitorError(
        'malformed-metrics',
        `${this.url} sent more than ${MAX_METRICS_BYTES / 2 ** 20} MiB, far more than any metrics page: point at the service's Prometheus endpoint (e.g. /metrics).`,
        true,
      );
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_METRICS_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!res.body) return '';
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_METRICS_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  }

  private mapFetchError(err: unknown, seconds: string): MonitorError {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new MonitorError('timeout', `${this.url} did not answer within ${seconds}.`);
    }
    const code = e?.cause?.code;
    if (code === 'ECONNREFUSED') {
      return new MonitorError(
        'connection-refused',
        `Connection refused by ${this.url}: is the service running and listening there?`,
      );
    }
    const detail = e?.cause?.message ?? e?.message ?? String(err);
    return new MonitorError('unreachable', `Cannot reach ${this.url}: ${code ? `${code} ` : ''}${detail}`);
  }
}
