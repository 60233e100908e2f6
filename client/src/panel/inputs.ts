// What a user types into the monitor's prompts (a PID, a metrics URL, a duration, an interval)
// and what another extension or a test passes to the commands, checked with messages that say
// what is wrong and what would be right.

export type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** Linux caps PIDs at 2^22; other systems stay well inside 32 bits. */
const MAX_PID = 2 ** 31 - 1;

export function parsePid(text: string): Parsed<number> {
  const s = text.trim();
  if (s === '') return { error: 'Type a process ID, e.g. 4242.' };
  if (!/^\d+$/.test(s))
    return { error: `“${s}” is not a process ID: a PID is a positive whole number, e.g. 4242.` };
  const pid = Number(s);
  if (pid <= 0 || pid > MAX_PID) return { error: `${s} is not a valid process ID.` };
  return { value: pid };
}

/**
 * A Prometheus text endpoint. `localhost:8000/metrics` gets `http://` in front (what people type
 * from a docker-compose port mapping); anything but http(s) is refused.
 */
export function parseMetricsUrl(text: string): Parsed<string> {
  const s = text.trim();
  if (s === '')
    return { error: 'Type the URL of a Prometheus metrics page, e.g. http://127.0.0.1:8000/metrics.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: `“${s}” is not a URL. Give a full address such as http://127.0.0.1:8000/metrics.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      error: `Only http and https metrics URLs are supported, not ${url.protocol.replace(/:$/, '')}.`,
    };
  }
  if (!url.hostname) return { error: `“${s}” has no host name.` };
  return { value: url.href };
}

const UNITS: Record<string, number> = { '': 1, s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** Seconds, or a number with a unit: `300`, `90s`, `5m`, `1.5h`. */
export function parseSeconds(text: string, what: string, min: number): Parsed<number> {
  const s = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(s|sec|m|min|h)?$/.exec(s);
  if (!m)
    return {
      error: `The ${what} is a number of seconds (or with a unit: 90s, 5m, 1h), not “${text.trim()}”.`,
    };
  const value = Number(m[1]) * UNITS[m[2] ?? ''];
  if (!(value >= min)) return { error: `The ${what} must be at least ${min} s.` };
  return { value };
}

/** The optional argument of the monitor commands, for tests and other extensions. */
export interface MonitorCommandArgs {
  pid?: number;
  url?: string;
  durationSeconds?: number;
  intervalSeconds?: number;
  followChildren?: boolean;
  minDurationSeconds?: number;
  rapidMBPerMin?: number;
  noiseFloorMB?: number;
}

const ARG_KEYS = new Set<string>([
  'pid',
  'url',
  'durationSeconds',
  'intervalSeconds',
  'followChildren',
  'minDurationSeconds',
  'rapidMBPerMin',
  'noiseFloorMB',
]);

/** Whether a command received an argument object (a click in a menu passes a Uri or nothing). */
export function isArgsObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).some((k) => ARG_KEYS.has(k))
  );
}

/** Checks an argument object; the error lists every problem. `needTarget`: pid or url required. */
export function parseCommandArgs(
  value: Record<string, unknown>,
  needTarget = true,
): Parsed<MonitorCommandArgs> {
  const problems: string[] = [];
  const out: MonitorCommandArgs = {};
  const unknown = Object.keys(value).filter((k) => !ARG_KEYS.has(k));
  if (unknown.length) problems.push(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  if (value.pid !== undefined) {
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && value.pid <= MAX_PID)
      out.pid = value.pid;
    else problems.push(`pid must be a positive whole number, got ${JSON.stringify(value.pid)}`);
  }
  if (value.url !== undefined) {
    const url =
      typeof value.url === 'string' ? parseMetricsUrl(value.url) : { error: 'url must be a string' };
    if (url.error !== undefined) problems.push(`url: ${url.error}`);
    else out.url = url.value;
  }
  if (value.pid !== undefined && value.url !== undefined) problems.push('give pid or url, not both');
  else if (needTarget && value.pid === undefined && value.url === undefined) problems.push('give pid or url');
  const positive = (key: 'durationSeconds' | 'intervalSeconds' | 'rapidMBPerMin', strict = true) => {
    const v = value[key];
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isFinite(v) && (strict ? v > 0 : v >= 0)) out[key] = v;
    else problems.push(`${key} must be a number ${strict ? '> 0' : '>= 0'}, got ${JSON.stringify(v)}`);
  };
  positive('durationSeconds');
  positive('intervalSeconds');
  positive('rapidMBPerMin');
  for (const key of ['minDurationSeconds', 'noiseFloorMB'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
    else problems.push(`${key} must be a number >= 0, got ${JSON.stringify(v)}`);
  }
  if (value.followChildren !== undefined) {
    if (typeof value.followChildren === 'boolean') out.followChildren = value.followChildren;
    else problems.push(`followChildren must be true or false, got ${JSON.stringify(value.followChildren)}`);
  }
  if (
    out.durationSeconds !== undefined &&
    out.intervalSeconds !== undefined &&
    out.intervalSeconds > out.durationSeconds
  ) {
    problems.push(
      `intervalSeconds (${out.intervalSeconds}) must not exceed durationSeconds (${out.durationSeconds})`,
    );
  }
  if (out.url !== undefined && out.followChildren)
    problems.push('followChildren needs a pid (a metrics URL has no child processes)');
  return problems.length ? { error: problems.join('; ') } : { value: out };
}
