// "Leak Lens: Attach to Prometheus…": pick a job or an instance from a Prometheus server's
// `/api/v1/series`, plot its memory history in the memory panel, then keep polling live.
// Credentials (bearer token or basic auth) are asked when the server answers 401 and kept in VS
// Code's SecretStorage, per server — never in settings.json. With an argument object ({url,
// query?, historySeconds?, intervalSeconds?, …}) it asks nothing, for tests and other extensions.
import * as vscode from 'vscode';
import { Commands, DISPLAY_NAME } from './ids';
import type { DetectSettings } from './monitor/analysis/settings';
import { MonitorError } from './monitor/errors';
import { formatLabels, type PrometheusAuth, PrometheusClient } from './monitor/fleet/prometheus-api';
import type { MonitorController } from './panel/monitor-controller';
import { PrometheusSession } from './panel/prometheus-session';

const TITLE = 'Attach to Prometheus';
const METRIC = 'process_resident_memory_bytes';
const LAST_URL_KEY = 'leakLens.prometheus.lastUrl';
const DEFAULT_HISTORY_SECONDS = 3600;
const DEFAULT_STEP_SECONDS = 15;

/** SecretStorage key of a server's credentials. */
export function secretKey(baseUrl: string): string {
  return `leakLens.prometheus.credentials:${baseUrl}`;
}

/** The stored credentials of a server, read back; undefined when absent or unreadable. */
export function parseStoredAuth(text: string | undefined): PrometheusAuth | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.bearerToken === 'string' && v.bearerToken) return { bearerToken: v.bearerToken };
    if (typeof v.basicUser === 'string')
      return {
        basicUser: v.basicUser,
        basicPassword: typeof v.basicPassword === 'string' ? v.basicPassword : '',
      };
  } catch {
    // unreadable: ask again
  }
  return undefined;
}

interface AttachArgs {
  url: string;
  query?: string;
  historySeconds: number;
  stepSeconds: number;
  analysis: Partial<DetectSettings>;
}

export function parseAttachArgs(arg: unknown): AttachArgs | { error: string } | undefined {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return undefined;
  const a = arg as Record<string, unknown>;
  if (typeof a.url !== 'string' || !a.url) return { error: '"url" must be the Prometheus server URL' };
  if (a.query !== undefined && (typeof a.query !== 'string' || !a.query.trim()))
    return { error: '"query" must be a PromQL selector' };
  const num = (key: string, fallback: number, min: number) => {
    const v = a[key];
    if (v === undefined) return fallback;
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : undefined;
  };
  const historySeconds = num('historySeconds', DEFAULT_HISTORY_SECONDS, 1);
  const stepSeconds = num('intervalSeconds', DEFAULT_STEP_SECONDS, 1);
  if (historySeconds === undefined) return { error: '"historySeconds" must be a number of 1 or more' };
  if (stepSeconds === undefined) return { error: '"intervalSeconds" must be a number of 1 or more' };
  const analysis: Partial<DetectSettings> = {};
  for (const key of ['minDurationSeconds', 'rapidMBPerMin', 'noiseFloorMB'] as const) {
    const v = num(key, Number.NaN, 0);
    if (v === undefined) return { error: `"${key}" must be a number of 0 or more` };
    if (!Number.isNaN(v)) analysis[key] = v;
  }
  return { url: a.url, query: a.query as string | undefined, historySeconds, stepSeconds, analysis };
}

export function registerPrometheusCommands(
  context: vscode.ExtensionContext,
  controller: MonitorController,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.attachToPrometheus, (arg?: unknown) =>
      attachToPrometheus(context, controller, log, arg),
    ),
  );
}

async function askCredentials(baseUrl: string): Promise<PrometheusAuth | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Bearer token', value: 'bearer' as const },
      { label: 'User and password (basic auth)', value: 'basic' as const },
    ],
    {
      title: `${DISPLAY_NAME}: ${baseUrl} asks for credentials`,
      placeHolder: 'How does this server authenticate?',
    },
  );
  if (!kind) return undefined;
  if (kind.value === 'bearer') {
    const token = await vscode.window.showInputBox({
      title: `${DISPLAY_NAME}: bearer token for ${baseUrl}`,
      password: true,
      prompt: 'Kept in VS Code’s secret storage, never in settings.',
    });
    return token ? { bearerToken: token } : undefined;
  }
  const user = await vscode.window.showInputBox({ title: `${DISPLAY_NAME}: user for ${baseUrl}` });
  if (user === undefined) return undefined;
  const password = await vscode.window.showInputBox({
    title: `${DISPLAY_NAME}: password of ${user} for ${baseUrl}`,
    password: true,
    prompt: 'Kept in VS Code’s secret storage, never in settings.',
  });
  return password === undefined ? undefined : { basicUser: user, basicPassword: password };
}

/** A client for `url` with the stored credentials, asking for new ones once on a 401. */
async function connect(
  context: vscode.ExtensionContext,
  url: string,
  probe: (client: PrometheusClient) => Promise<unknown>,
  interactive: boolean,
): Promise<PrometheusClient> {
  const bare = new PrometheusClient(url);
  const key = secretKey(bare.baseUrl);
  let auth = parseStoredAuth(await context.secrets.get(key));
  for (let attempt = 0; ; attempt++) {
    const client = new PrometheusClient(url, { auth });
    try {
      await probe(client);
      return client;
    } catch (err) {
      const unauthorized = err instanceof MonitorError && /HTTP 40[13]/.test(err.message);
      if (!unauthorized || !interactive || attempt > 0) throw err;
      auth = await askCredentials(bare.baseUrl);
      if (!auth) throw err;
      await context.secrets.store(key, JSON.stringify(auth));
    }
  }
}

interface Pick extends vscode.QuickPickItem {
  query: string;
}

/** Jobs (all their instances) first, then each series, from `/api/v1/series`. */
function seriesItems(labelSets: Record<string, string>[]): Pick[] {
  const byJob = new Map<string, number>();
  for (const l of labelSets) byJob.set(l.job ?? '', (byJob.get(l.job ?? '') ?? 0) + 1);
  const items: Pick[] = [];
  for (const [job, n] of [...byJob].sort()) {
    if (!job) continue;
    items.push({
      label: `$(layers) job ${job}`,
      description: `all ${n} series`,
      query: `${METRIC}{job="${job.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}`,
    });
  }
  for (const l of [...labelSets].sort((a, b) => (a.instance ?? '').localeCompare(b.instance ?? ''))) {
    const { __name__: _name, ...labels } = l;
    items.push({
      label: l.instance ?? formatLabels(labels),
      description: l.job ? `job ${l.job}` : undefined,
      detail: formatLabels(labels),
      query: `${METRIC}${formatLabels(labels).replace(/", /g, '",')}`,
    });
  }
  return items;
}

async function attachToPrometheus(
  context: vscode.ExtensionContext,
  controller: MonitorController,
  log: vscode.LogOutputChannel,
  arg: unknown,
): Promise<{ query: string; series: number; samples: number } | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      `${DISPLAY_NAME}: ${TITLE} reads a metrics server, which Restricted Mode does not allow. Trust this workspace to use it.`,
    );
    return undefined;
  }
  const parsed = parseAttachArgs(arg);
  if (parsed && 'error' in parsed) {
    const message = `${DISPLAY_NAME}: ${TITLE}: ${parsed.error}.`;
    void vscode.window.showErrorMessage(message);
    throw new Error(message);
  }
  const fail = (err: unknown) => {
    if (!(err instanceof MonitorError)) throw err;
    const message = `${DISPLAY_NAME}: ${TITLE}: ${err.message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
    if (parsed) throw new Error(message);
    return undefined;
  };
  let url = parsed?.url;
  if (!url) {
    url = await vscode.window.showInputBox({
      title: `${DISPLAY_NAME}: ${TITLE}`,
      prompt: 'The Prometheus server (or Thanos, Mimir, VictoriaMetrics) to read',
      value: context.globalState.get<string>(LAST_URL_KEY) ?? 'http://127.0.0.1:9090',
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'An http:// or https:// URL'),
    });
    if (!url) return undefined;
    url = url.trim();
  }
  let query = parsed?.query;
  let client: PrometheusClient;
  try {
    const now = Date.now() / 1000;
    let labelSets: Record<string, string>[] = [];
    client = await connect(
      context,
      url,
      async (c) => {
        labelSets = await c.series(query ?? METRIC, now - 3600, now);
      },
      !parsed,
    );
    void context.globalState.update(LAST_URL_KEY, url);
    if (!query) {
      if (labelSets.length === 0)
        throw new MonitorError(
          'malformed-metrics',
          `${client.baseUrl} has no ${METRIC} series in the last hour.`,
          true,
        );
      const pick = await vscode.window.showQuickPick(seriesItems(labelSets), {
        title: `${DISPLAY_NAME}: ${TITLE}: ${labelSets.length} series at ${client.baseUrl}`,
        placeHolder: 'A job (all its instances) or one instance',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!pick) return undefined;
      query = pick.query;
    }
  } catch (err) {
    return fail(err);
  }
  const session = new PrometheusSession(client, {
    query,
    historySeconds: parsed?.historySeconds ?? DEFAULT_HISTORY_SECONDS,
    stepSeconds: parsed?.stepSeconds ?? DEFAULT_STEP_SECONDS,
    analysis: parsed?.analysis ?? {},
  });
  try {
    await session.load();
  } catch (err) {
    return fail(err);
  }
  controller.showSession(session);
  await session.start();
  log.info(
    `${TITLE}: ${query} at ${client.baseUrl}: ${session.run.processes.length} series, ${session.run.samples.length} points of history; polling every ${session.config.intervalSeconds} s`,
  );
  return { query, series: session.run.processes.length, samples: session.run.samples.length };
}
