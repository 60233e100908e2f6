// "Leak Lens: Analyze Log File…": reads memory figures and events from log files (the engine of
// `leak-lens analyze-logs`), shows each process's series in the memory panel with the events as
// markers (clicking one opens the log at its line), and gives the verdict in a notification.
// With an argument object ({files: [...], minDurationSeconds?, rapidMBPerMin?, noiseFloorMB?}) it
// asks nothing and resolves to the analyze-logs JSON, for tests and other extensions. Reading a
// file the user chose is allowed in Restricted Mode: nothing runs and nothing is fetched.
import * as vscode from 'vscode';
import { Commands, DISPLAY_NAME } from './ids';
import { formatBytes, formatRate } from './monitor/analysis/format';
import type { DetectSettings } from './monitor/analysis/settings';
import { collectLogs } from './monitor/logs/collect';
import { judgeLogs } from './monitor/logs/verdict';
import { readDetectConfig } from './panel/detect-config';
import { LogSession } from './panel/log-session';
import type { MonitorController } from './panel/monitor-controller';

const TITLE = 'Analyze Log File';

interface LogArgs {
  files: string[];
  analysis: Partial<DetectSettings>;
}

/** The argument object, checked; an error names what is wrong. */
export function parseLogArgs(arg: unknown): LogArgs | { error: string } | undefined {
  if (
    arg === undefined ||
    arg === null ||
    typeof arg !== 'object' ||
    Array.isArray(arg) ||
    arg instanceof vscode.Uri
  )
    return undefined;
  const a = arg as Record<string, unknown>;
  const files = typeof a.files === 'string' ? [a.files] : a.files;
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every((f) => typeof f === 'string' && f.length > 0)
  )
    return { error: '"files" must be a non-empty list of paths' };
  const analysis: Partial<DetectSettings> = {};
  for (const key of ['minDurationSeconds', 'rapidMBPerMin', 'noiseFloorMB'] as const) {
    const v = a[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return { error: `"${key}" must be a number of 0 or more` };
    analysis[key] = v;
  }
  return { files: files as string[], analysis };
}

function settingsAnalysis(log: vscode.LogOutputChannel): Partial<DetectSettings> {
  const section = vscode.workspace.getConfiguration('leakLens.detect');
  const { config, problems } = readDetectConfig((key) => {
    const i = section.inspect(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  });
  for (const p of problems) log.warn(`Settings: ${p}`);
  return config.analysis;
}

export function registerLogCommands(
  context: vscode.ExtensionContext,
  controller: MonitorController,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.analyzeLogFile, (arg?: unknown) =>
      analyzeLogFile(controller, log, arg),
    ),
  );
}

async function analyzeLogFile(controller: MonitorController, log: vscode.LogOutputChannel, arg: unknown) {
  const parsed = parseLogArgs(arg);
  if (parsed && 'error' in parsed) {
    const message = `${DISPLAY_NAME}: ${TITLE}: ${parsed.error}.`;
    void vscode.window.showErrorMessage(message);
    throw new Error(message);
  }
  let files: string[];
  if (parsed) files = parsed.files;
  else if (arg instanceof vscode.Uri)
    files = [arg.fsPath]; // from an explorer or editor context
  else {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Analyze',
      title: `${DISPLAY_NAME}: ${TITLE}`,
      filters: { 'Log files': ['log', 'txt', 'jsonl', 'json', 'out', 'gz'], 'All files': ['*'] },
    });
    if (!uris?.length) return undefined;
    files = uris.map((u) => u.fsPath);
  }
  const analysis = { ...settingsAnalysis(log), ...(parsed?.analysis ?? {}) };

  const abort = new AbortController();
  const logs = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `${DISPLAY_NAME}: reading logs`,
      cancellable: true,
    },
    async (progress, token) => {
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      return collectLogs(
        files,
        (p) => {
          const percent = p.totalBytes > 0 ? (100 * p.bytesRead) / p.totalBytes : 100;
          progress.report({
            increment: percent - reported,
            message: `${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}, ${p.lines} lines`,
          });
          reported = percent;
        },
        abort.signal,
      );
    },
  );
  if (abort.signal.aborted) {
    log.info(`${TITLE}: cancelled.`);
    return undefined;
  }
  const verdict = judgeLogs(logs, analysis);
  const session = new LogSession(logs, verdict, { analysis });
  controller.showSession(session);
  const json = session.analyzeLogsJson();
  log.info(
    `${TITLE}: ${files.join(', ')}: ${verdict.verdict} (${json.lines.understood} of ${json.lines.total} lines understood). ${verdict.reason}`,
  );
  for (const f of logs.files)
    if (f.error) void vscode.window.showWarningMessage(`${DISPLAY_NAME}: ${f.error}`);
  const leak = verdict.verdict === 'slow-leak' || verdict.verdict === 'rapid-leak';
  const head = leak
    ? `${verdict.verdict === 'rapid-leak' ? 'Rapid' : 'Slow'} leak in the logs (${formatRate(verdict.growthMBPerMin)})`
    : verdict.verdict === 'no-leak'
      ? 'No leak in the logs'
      : 'The logs do not decide';
  const show =
    verdict.verdict === 'rapid-leak'
      ? vscode.window.showErrorMessage
      : leak
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  void show(`${DISPLAY_NAME}: ${head}. ${verdict.reason}`, 'Save JSON').then(async (choice) => {
    if (choice === 'Save JSON') await controller.exportRun('json', session);
  });
  return json;
}
