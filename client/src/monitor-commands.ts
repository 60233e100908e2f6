// The memory monitor's commands (issue 4):
// - "Detect Memory Leak": pick a target, a duration and an interval, sample with a cancellable
//   countdown, then give the verdict in a notification (error style for a rapid leak) and in the
//   memory panel, with JSON/CSV exports. With an argument object ({pid|url, durationSeconds, …})
//   it asks nothing and resolves to the detect JSON, for tests and other extensions.
// - "Attach to Process": watch a target until detached, live in the panel and the status bar.
// - "Open Memory Panel": show the panel (the current run, the last one, or an empty panel).
// None of them runs in Restricted Mode: reading other processes' memory and fetching URLs is not
// something an untrusted folder may trigger (package.json also disables them there).
import * as vscode from 'vscode';
import { Commands, DISPLAY_NAME } from './ids';
import { formatTextReport } from './monitor/cli';
import { MonitorError } from './monitor/errors';
import { type DetectJson, toDetectJson } from './monitor/export';
import type { MonitorTarget, StopInfo } from './monitor/types';
import { type DetectConfig, readDetectConfig } from './panel/detect-config';
import { isArgsObject, type MonitorCommandArgs, parseCommandArgs } from './panel/inputs';
import { MEMORY_PANEL_VIEW_TYPE, webviewOptions } from './panel/memory-panel';
import { MonitorController } from './panel/monitor-controller';
import { askDuration, askInterval, pickTarget } from './panel/pickers';
import type { MonitorSession, SessionConfig } from './panel/session';
import {
  describeRunTarget,
  exportFileName,
  notificationLevel,
  progressMessage,
  verdictMessage,
} from './panel/texts';

const TITLES = {
  detect: 'Detect Memory Leak',
  attach: 'Attach to Process',
  open: 'Open Memory Panel',
} as const;

export function registerMonitorCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): MonitorController {
  const controller = new MonitorController(context, log);
  context.subscriptions.push(
    controller,
    vscode.commands.registerCommand(Commands.detectMemoryLeak, (arg?: unknown) =>
      detectMemoryLeak(controller, log, arg),
    ),
    vscode.commands.registerCommand(Commands.attachToProcess, (arg?: unknown) =>
      attachToProcess(controller, log, arg),
    ),
    vscode.commands.registerCommand(Commands.openMemoryPanel, (arg?: unknown) =>
      openMemoryPanel(controller, log, arg),
    ),
    vscode.window.registerWebviewPanelSerializer(MEMORY_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        // The run itself comes from the workspace state (MonitorController); the webview's own
        // state only holds what it drew, for the moment before the run arrives.
        panel.webview.options = webviewOptions(context.extensionUri);
        controller.adoptPanel(panel);
      },
    }),
  );
  return controller;
}

function trusted(title: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(
    `${DISPLAY_NAME}: ${title} reads the memory of running processes, which Restricted Mode does not allow. Trust this workspace to use it.`,
  );
  return false;
}

function readSettings(log: vscode.LogOutputChannel): DetectConfig {
  const section = vscode.workspace.getConfiguration('leakLens.detect');
  const { config, problems } = readDetectConfig((key) => {
    // inspect(): only what the user set; get() would hand back the default as a user value.
    const i = section.inspect(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  });
  if (problems.length) {
    for (const p of problems) log.warn(`Settings: ${p}`);
    void vscode.window.showWarningMessage(`${DISPLAY_NAME}: ignoring bad settings. ${problems.join(' ')}`);
  }
  return config;
}

/** Argument object → checked options; a bad one is an error for the caller (and said). */
function commandArgs(arg: unknown, title: string, needTarget = true): MonitorCommandArgs | undefined {
  if (!isArgsObject(arg)) return undefined;
  const parsed = parseCommandArgs(arg, needTarget);
  if (parsed.error !== undefined) {
    const message = `${DISPLAY_NAME}: ${title}: ${parsed.error}.`;
    void vscode.window.showErrorMessage(message);
    throw new Error(message);
  }
  return parsed.value;
}

function targetFromArgs(args: MonitorCommandArgs, config: DetectConfig): MonitorTarget | undefined {
  if (args.url !== undefined) return { url: args.url };
  if (args.pid !== undefined)
    return { pid: args.pid, children: args.followChildren ?? config.followChildren };
  return undefined;
}

function analysisFrom(args: MonitorCommandArgs | undefined, config: DetectConfig): SessionConfig['analysis'] {
  return {
    minDurationSeconds: args?.minDurationSeconds ?? config.analysis.minDurationSeconds,
    rapidMBPerMin: args?.rapidMBPerMin ?? config.analysis.rapidMBPerMin,
    noiseFloorMB: args?.noiseFloorMB ?? config.analysis.noiseFloorMB,
  };
}

/** A session for `config`, or undefined after saying why the target is impossible. */
function newSession(
  controller: MonitorController,
  config: SessionConfig,
  title: string,
): MonitorSession | undefined {
  try {
    return controller.createSession(config);
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    void vscode.window.showErrorMessage(`${DISPLAY_NAME}: ${title}: ${err.message}`);
    return undefined;
  }
}

async function detectMemoryLeak(
  controller: MonitorController,
  log: vscode.LogOutputChannel,
  arg: unknown,
): Promise<DetectJson | undefined> {
  const title = TITLES.detect;
  if (!trusted(title)) return undefined;
  const args = commandArgs(arg, title);
  const settings = readSettings(log);
  const analysis = analysisFrom(args, settings);
  let target: MonitorTarget | undefined;
  let durationSeconds: number | undefined;
  let intervalSeconds: number | undefined;
  if (args) {
    target = targetFromArgs(args, settings);
    durationSeconds = args.durationSeconds ?? settings.durationSeconds;
    intervalSeconds = args.intervalSeconds ?? Math.min(settings.intervalSeconds, durationSeconds);
    if (intervalSeconds > durationSeconds) {
      const message = `${DISPLAY_NAME}: ${title}: the interval (${intervalSeconds} s) is longer than the duration (${durationSeconds} s).`;
      void vscode.window.showErrorMessage(message);
      throw new Error(message);
    }
  } else {
    const steps = `${DISPLAY_NAME}: ${title}`;
    target = await pickTarget(steps, settings.followChildren);
    if (!target) return undefined;
    durationSeconds = await askDuration(steps, settings.durationSeconds, analysis.minDurationSeconds ?? 0);
    if (durationSeconds === undefined) return undefined;
    intervalSeconds = await askInterval(steps, settings.intervalSeconds, durationSeconds);
    if (intervalSeconds === undefined) return undefined;
  }
  if (!target) return undefined;

  const session = newSession(
    controller,
    { mode: 'detect', target, durationSeconds, intervalSeconds, analysis },
    title,
  );
  if (!session) {
    if (args) throw new Error(`${title}: the target cannot be watched.`);
    return undefined;
  }
  controller.showPanel({ preserveFocus: true });
  const duration = durationSeconds;
  log.info(`Detect: sampling ${session.targetView().title} every ${intervalSeconds} s for ${duration} s`);

  let startError: MonitorError | undefined;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `${DISPLAY_NAME}: detecting a memory leak in ${session.targetView().title}`,
      cancellable: true,
    },
    async (progress, token) => {
      token.onCancellationRequested(() => session.stop('cancelled; judged on the samples so far'));
      progress.report({ message: 'attaching…' });
      try {
        await session.start();
      } catch (err) {
        if (!(err instanceof MonitorError)) throw err;
        startError = err;
        return;
      }
      let reported = 0;
      let growth: number | undefined;
      const offAnalysis = session.on('analysis', (a) => {
        growth = a.sampleCount >= 3 ? a.growthMBPerMin : undefined;
      });
      const startedAt = Date.now();
      const tick = () => {
        const run = session.run;
        const elapsed = (Date.now() - startedAt) / 1000;
        const percent = Math.min(100, (elapsed / duration) * 100);
        const last = run.samples[run.samples.length - 1];
        progress.report({
          increment: percent - reported,
          message: progressMessage({
            remainingSeconds: duration - elapsed,
            samples: run.samples.length,
            rss: last?.rss,
            growthMBPerMin: growth,
            processes: run.processes.filter((p) => p.exitedT === undefined).length,
          }),
        });
        reported = percent;
      };
      tick();
      const timer = setInterval(tick, 1000);
      try {
        await session.done;
      } finally {
        clearInterval(timer);
        offAnalysis();
      }
    },
  );

  if (startError) {
    const message = `${DISPLAY_NAME}: cannot watch ${session.targetView().title}: ${startError.message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
    if (args) throw new Error(message);
    return undefined;
  }

  const run = session.run;
  const result = session.analysis();
  const json = toDetectJson(run, result);
  log.info(`Detect result for ${describeRunTarget(run)}:\n${formatTextReport(run, result).trimEnd()}`);
  void showVerdict(controller, session, json, verdictMessage(run, result), notificationLevel(result));
  return json;
}

/** The verdict notification; its buttons open the panel or save this run's JSON/CSV. */
async function showVerdict(
  controller: MonitorController,
  session: MonitorSession,
  json: DetectJson,
  message: string,
  level: 'error' | 'warning' | 'info',
): Promise<void> {
  const buttons = ['Open Memory Panel', 'Save JSON', 'Save CSV'];
  const show =
    level === 'error'
      ? vscode.window.showErrorMessage
      : level === 'warning'
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  const choice = await show(message, ...buttons);
  if (choice === 'Open Memory Panel') controller.showPanel();
  else if (choice === 'Save JSON') {
    // Exactly what `leak-lens detect --format json` prints for this run.
    await controller.saveFile(
      exportFileName(session.run.target, 'json'),
      { JSON: ['json'] },
      new TextEncoder().encode(`${JSON.stringify(json)}\n`),
      `${json.samples.length} samples`,
    );
  } else if (choice === 'Save CSV') {
    await controller.exportRun('csv', session);
  }
}

async function attachToProcess(
  controller: MonitorController,
  log: vscode.LogOutputChannel,
  arg: unknown,
): Promise<void> {
  const title = TITLES.attach;
  if (!trusted(title)) return;
  const args = commandArgs(arg, title);
  const settings = readSettings(log);
  const target = args
    ? targetFromArgs(args, settings)
    : await pickTarget(`${DISPLAY_NAME}: ${title}`, settings.followChildren);
  if (!target) return;
  const session = newSession(
    controller,
    {
      mode: 'attach',
      target,
      intervalSeconds: args?.intervalSeconds ?? settings.intervalSeconds,
      analysis: analysisFrom(args, settings),
    },
    title,
  );
  if (!session) return;
  controller.showPanel({ preserveFocus: false });
  try {
    await session.start();
    log.info(`Attached to ${session.targetView().title}, sampling every ${session.config.intervalSeconds} s`);
    void session.done.then((stop) => announceEarlyEnd(controller, session, stop));
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    const message = `${DISPLAY_NAME}: cannot watch ${session.targetView().title}: ${err.message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
    if (args) throw new Error(message);
  }
}

/**
 * A live run that ends by itself (the target exited, the URL stopped answering) is said in a
 * notification too: the panel may be hidden. Its samples stay in the panel and can be saved.
 */
async function announceEarlyEnd(
  controller: MonitorController,
  session: MonitorSession,
  stop: StopInfo | undefined,
): Promise<void> {
  if (!stop || (stop.reason !== 'target-exited' && stop.reason !== 'error')) return;
  const n = session.run.samples.length;
  const why = (stop.message ?? 'sampling failed').replace(/\.?$/, '.');
  const kept = `The ${n} sample${n === 1 ? ' is' : 's are'} kept in the memory panel.`;
  const choice = await vscode.window.showWarningMessage(
    `${DISPLAY_NAME}: stopped watching ${session.targetView().title}: ${why} ${kept}`,
    'Open Memory Panel',
    'Save CSV',
  );
  if (choice === 'Open Memory Panel') controller.showPanel();
  else if (choice === 'Save CSV') await controller.exportRun('csv', session);
}

async function openMemoryPanel(
  controller: MonitorController,
  log: vscode.LogOutputChannel,
  arg: unknown,
): Promise<void> {
  if (!trusted(TITLES.open)) return;
  if (isArgsObject(arg)) {
    await attachToProcess(controller, log, arg);
    return;
  }
  controller.showPanel();
}
