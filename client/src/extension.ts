// Extension entry point: one output channel, the language server connection, the status items and
// the commands. Static analysis runs in Restricted Mode too (it only reads files); the monitor
// commands check workspace trust themselves.
import * as vscode from 'vscode';
import { registerCoreCommands } from './commands';
import { DISPLAY_NAME } from './ids';
import { LeakLensServer } from './language-server';
import { registerLogCommands } from './log-commands';
import { registerMonitorCommands } from './monitor-commands';
import { registerProbeCommands } from './probe-view/commands';
import { registerPrometheusCommands } from './prometheus-commands';
import { StatusIndicators } from './status';
import { registerWalkthrough } from './walkthrough';

let server: LeakLensServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ server: LeakLensServer }> {
  // One LogOutputChannel for the client and the server. Its level is set with "Developer: Set Log
  // Level…"; at Trace, vscode-languageclient also logs the protocol, as detailed as
  // leakLens.trace.server says.
  const log = vscode.window.createOutputChannel(DISPLAY_NAME, { log: true });
  context.subscriptions.push(log);
  log.info(`${DISPLAY_NAME} ${context.extension.packageJSON.version} activating (VS Code ${vscode.version})`);

  const leakLens = new LeakLensServer(context, log);
  server = leakLens;
  const status = new StatusIndicators();
  context.subscriptions.push(
    leakLens,
    status,
    leakLens.onDidChangeStatus((s) => status.showServerStatus(s)),
    leakLens.onDidReceiveDocumentStatus((params) => status.showDocumentStatus(params)),
  );

  registerCoreCommands(context, leakLens, log);
  const monitor = registerMonitorCommands(context, log);
  registerLogCommands(context, monitor, log);
  registerPrometheusCommands(context, monitor, log);
  registerProbeCommands(context, log);
  registerWalkthrough(context, log);

  await leakLens.start();
  // Returned for extension-host tests, which inspect the server state.
  return { server: leakLens };
}

export async function deactivate(): Promise<void> {
  // Give the server its `shutdown`/`exit` so no orphan process outlives the window.
  await server?.stop();
  server = undefined;
}
