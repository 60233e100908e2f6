// "Leak Lens: Attach to Probe" (a probe's URL, or the PID of a process started by `leak-lens run`)
// and "Leak Lens: Detach Probe". Attaching reads the probe every 5 s into the memory panel, the
// editor and the diagnostics, and watches the probe's RSS in the panel; detaching removes it all.
// Not in Restricted Mode: it fetches URLs and reads other processes.
import * as vscode from 'vscode';
import { Commands } from '../ids';
import { findRunForPid, listRuns } from '../probe/discovery';
import { ProbeError, probeBase } from '../probe/fetch';
import { runtimeConfirmations } from './diagnostics';
import { registerGrowingLineEditor } from './editor';
import { ProbePoller } from './poller';
import { probeStore } from './store';

export interface AttachProbeArgs {
  url?: string;
  pid?: number;
  token?: string;
  /** Also watch the probe's RSS in the memory panel (default true). */
  watchRss?: boolean;
}

/** A URL, or the URL of the `leak-lens run` serving `pid`. Throws a ProbeError with a sentence. */
export function resolveProbeUrl(input: string | number): string {
  const text = String(input).trim();
  if (/^\d+$/.test(text)) {
    const run = findRunForPid(Number(text));
    if (!run)
      throw new ProbeError(
        `No probe found for PID ${text}: start the service with \`leak-lens run -- <command>\`, or give the probe's URL.`,
      );
    return run.url;
  }
  return probeBase(text);
}

async function askForProbe(): Promise<string | undefined> {
  const runs = listRuns();
  const enter = 'Enter a URL or PID…';
  if (runs.length) {
    const picked = await vscode.window.showQuickPick(
      [
        ...runs.map((r) => ({ label: r.url, description: `PID ${r.pid}`, detail: r.command })),
        { label: enter },
      ],
      { title: 'Leak Lens: Attach to Probe', placeHolder: 'A service started with `leak-lens run`' },
    );
    if (!picked) return undefined;
    if (picked.label !== enter) return picked.label;
  }
  return vscode.window.showInputBox({
    title: 'Leak Lens: Attach to Probe',
    prompt:
      'The URL of a Leak Lens probe (leak-lens run, or an app with setup_memory_monitoring), or a PID started by `leak-lens run`',
    placeHolder: 'http://127.0.0.1:9464',
  });
}

async function attach(log: vscode.LogOutputChannel, arg: unknown): Promise<void> {
  const args = arg && typeof arg === 'object' ? (arg as AttachProbeArgs) : undefined;
  if (!vscode.workspace.isTrusted) {
    const message =
      'Leak Lens: Attach to Probe reads a running service, which Restricted Mode does not allow. Trust this workspace to use it.';
    void vscode.window.showWarningMessage(message);
    if (args) throw new Error(message);
    return;
  }
  const input = args ? (args.url ?? args.pid) : await askForProbe();
  if (input === undefined || input === '') return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  try {
    const url = resolveProbeUrl(input);
    const poller = new ProbePoller({ url, token: args?.token }, folder, log);
    await poller.start();
    log.info(`Attached to the probe at ${url}`);
    if (args?.watchRss !== false && !args?.token) {
      // The RSS of every probed process, from the probe's Prometheus page, in the panel.
      await vscode.commands
        .executeCommand('leakLens.attachToProcess', { url: `${url}/api/debug/memory/metrics` })
        .then(undefined, (err) => log.warn(`Probe: could not watch its RSS: ${(err as Error).message}`));
    }
    await vscode.commands.executeCommand('leakLens.openMemoryPanel');
  } catch (err) {
    const message = `Leak Lens: ${(err as Error).message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
    if (args) throw new Error(message);
  }
}

export function registerProbeCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  registerGrowingLineEditor(context);
  context.subscriptions.push(
    probeStore,
    runtimeConfirmations,
    vscode.commands.registerCommand(Commands.attachToProbe, (arg?: unknown) => attach(log, arg)),
    vscode.commands.registerCommand(Commands.detachProbe, () => {
      if (probeStore.isAttached) log.info('Detached from the probe');
      probeStore.detach();
    }),
  );
}
