// Reading a probe over HTTP: one clear sentence for each way it can fail (refused, timed out,
// token missing, not a probe).
import { PROBE_PREFIX } from './documents';

export class ProbeError extends Error {}

export interface ProbeEndpoint {
  /** Base URL: `http://127.0.0.1:9464` (or the app's own URL when set up in code). */
  url: string;
  token?: string;
  timeoutSeconds?: number;
}

/** `http://h:p/api/debug/memory/growth` or `http://h:p/metrics` → `http://h:p`; validates the URL. */
export function probeBase(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ProbeError(`"${raw}" is not a URL (expected e.g. http://127.0.0.1:9464)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ProbeError(`"${raw}" is not an http(s) URL`);
  let path = url.pathname.replace(/\/+$/, '');
  const at = path.indexOf(PROBE_PREFIX);
  if (at >= 0) path = path.slice(0, at);
  else if (path.endsWith('/metrics')) path = path.slice(0, -'/metrics'.length);
  return `${url.protocol}//${url.host}${path}`;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'the connection was refused (is the service running with the probe?)';
  if (code === 'ENOTFOUND') return 'the host was not found';
  if ((err as Error).name === 'TimeoutError') return 'it did not answer in time';
  return cause?.message ?? (err as Error).message;
}

/** GETs (or POSTs) `<base>/api/debug/memory/<name>` and returns its JSON document. */
export async function fetchProbe<T>(endpoint: ProbeEndpoint, name: string, method = 'GET'): Promise<T> {
  const base = probeBase(endpoint.url);
  const url = `${base}${PROBE_PREFIX}/${name}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      signal: AbortSignal.timeout((endpoint.timeoutSeconds ?? 5) * 1000),
    });
  } catch (err) {
    throw new ProbeError(`Cannot read the Leak Lens probe at ${url}: ${describe(err)}.`);
  }
  const text = await response.text();
  if (response.status === 401)
    throw new ProbeError(`The probe at ${base} needs a bearer token (--token, or LEAK_LENS_PROBE_TOKEN).`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ProbeError(
      `${url} answered HTTP ${response.status} without JSON: is a Leak Lens probe serving there?`,
    );
  }
  const body = doc as { version?: unknown; error?: unknown };
  if (!response.ok)
    throw new ProbeError(
      `The probe at ${url} answered HTTP ${response.status}: ${String(body.error ?? text)}`,
    );
  if (body.version !== 1)
    throw new ProbeError(`${url} answered a document without "version": 1: not a Leak Lens probe.`);
  return doc as T;
}
