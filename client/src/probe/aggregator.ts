// The HTTP server of `leak-lens run`: one URL for all the Python processes of the command. Reads
// each process's probe (127.0.0.1, a per-run token) and answers the sum, with each process under
// `processes`. /leaks is the verdict of the Leak Lens engine (`leak-lens detect --format json`)
// on the probes' RSS histories, per process and summed.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolveSettings } from '../monitor/analysis/settings';
import { analyzeMonitorRun } from '../monitor/detect';
import { toDetectJson } from '../monitor/export';
import type { MonitorRun } from '../monitor/types';
import { listProcessRecords, type ProcessRecord } from './discovery';
import { type HistoryDoc, PROBE_PREFIX } from './documents';
import {
  mergeEndpoints,
  mergeGcCollect,
  mergeGrowth,
  mergeHistory,
  mergeMetrics,
  mergeSnapshots,
  type Part,
} from './merge';

export interface AggregatorOptions {
  runDir: string;
  /** Token of the processes' own probes. */
  innerToken: string;
  /** Bearer token the user's requests must carry, if any. */
  token?: string;
  rootPid: () => number;
  command: string;
}

async function readPart(
  record: ProcessRecord,
  path: string,
  innerToken: string,
  method = 'GET',
): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${record.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${innerToken}` },
    signal: AbortSignal.timeout(10000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/** Each live process's answer to `path` (processes that fail to answer — exiting — are left out). */
async function gather(options: AggregatorOptions, path: string, method = 'GET'): Promise<Part<string>[]> {
  const records = listProcessRecords(options.runDir);
  const answers = await Promise.allSettled(records.map((r) => readPart(r, path, options.innerToken, method)));
  const parts: Part<string>[] = [];
  answers.forEach((a, i) => {
    if (a.status === 'fulfilled')
      parts.push({ pid: records[i].pid, command: records[i].command, doc: a.value });
  });
  return parts;
}

function parsed<T>(parts: Part<string>[]): Part<T>[] {
  const out: Part<T>[] = [];
  for (const p of parts) {
    try {
      out.push({ ...p, doc: JSON.parse(p.doc) as T });
    } catch {
      // a process that answered garbage is left out like one that did not answer
    }
  }
  return out;
}

/** The `leak-lens detect --format json` verdict on the processes' histories. */
export function leaksDocument(rootPid: number, command: string, parts: Part<HistoryDoc>[]) {
  const merged = mergeHistory(parts);
  const t0 = merged.samples[0]?.[0] ?? 0;
  const rel = (t: number) => Math.round((t - t0) * 1000) / 1000;
  const run: MonitorRun = {
    target: { kind: 'pid', pid: rootPid, command },
    followChildren: parts.length > 1,
    intervalSeconds: 1,
    startedAt: t0 * 1000,
    samples: merged.samples.map(([t, rss]) => ({ t: rel(t), rss })),
    processes: parts.map((p) => ({
      id: String(p.pid),
      pid: p.pid,
      command: p.command,
      root: p.pid === rootPid,
      firstT: p.doc.samples.length ? rel(p.doc.samples[0][0]) : 0,
      samples: p.doc.samples.map(([t, rss]) => ({ t: rel(t), rss })),
    })),
    errors: [],
    missedSlots: 0,
  };
  return toDetectJson(run, analyzeMonitorRun(run, resolveSettings({})));
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, status: number, doc: unknown): void {
  send(res, status, JSON.stringify(doc));
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const JSON_GETS = new Set(['snapshot', 'growth', 'history', 'leaks', 'endpoints']);

async function answer(options: AggregatorOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (!authorized(req, options.token))
    return json(res, 401, { version: 1, error: 'A bearer token is required (Authorization: Bearer …).' });
  const name = path.startsWith(`${PROBE_PREFIX}/`) ? path.slice(PROBE_PREFIX.length + 1) : undefined;
  const isMetrics = path === '/metrics' || name === 'metrics';
  if (!isMetrics && name !== 'gc-collect' && !JSON_GETS.has(name ?? ''))
    return json(res, 404, { version: 1, error: `No such probe endpoint: ${path}` });
  const wantPost = name === 'gc-collect';
  if (wantPost ? method !== 'POST' : method !== 'GET' && method !== 'HEAD')
    return json(res, 405, { version: 1, error: wantPost ? 'Use POST for gc-collect.' : 'Use GET.' });
  const inner = isMetrics ? '/metrics' : `${PROBE_PREFIX}/${name}`;
  const parts = await gather(options, inner, method === 'HEAD' ? 'GET' : method);
  if (parts.length === 0)
    return json(res, 503, {
      version: 1,
      error: 'No Python process of the command is running the probe (yet): is it a Python program?',
    });
  const rootPid = options.rootPid();
  if (isMetrics) return send(res, 200, mergeMetrics(parts), 'text/plain; version=0.0.4; charset=utf-8');
  switch (name) {
    case 'snapshot':
      return json(res, 200, mergeSnapshots(rootPid, parsed(parts)));
    case 'growth':
      return json(res, 200, mergeGrowth(parsed(parts)));
    case 'history':
      return json(res, 200, mergeHistory(parsed(parts)));
    case 'endpoints':
      return json(res, 200, mergeEndpoints(parsed(parts)));
    case 'gc-collect':
      return json(res, 200, mergeGcCollect(parsed(parts)));
    default:
      return json(res, 200, leaksDocument(rootPid, options.command, parsed(parts)));
  }
}

export function createAggregator(options: AggregatorOptions): Server {
  return createServer((req, res) => {
    answer(options, req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { version: 1, error: err.message });
      else res.end();
    });
  });
}
