// The static-analysis commands of the palette (category "Leak Lens"). The monitor commands live in
// monitor-commands.ts.
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { fixAllInFile } from './fix-all';
import { Commands, ServerCommands } from './ids';
import { type LeakLensServer, messageOf } from './language-server';
import { showRuleDocumentation } from './rule-docs';
import { describeScan, isScanSummary } from './scan-summary';

export function registerCoreCommands(
  context: vscode.ExtensionContext,
  server: LeakLensServer,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.restartServer, () => server.restart()),
    vscode.commands.registerCommand(Commands.showOutput, () => log.show()),
    vscode.commands.registerCommand(Commands.scanWorkspace, () => scanWorkspace(server, log)),
    vscode.commands.registerCommand(Commands.showRuleDocumentation, (rule?: unknown) =>
      showRuleDocumentation(context.extensionPath, log, rule),
    ),
    vscode.commands.registerCommand(Commands.fixAllInFile, (uri?: unknown) =>
      fixAllInFile(log, uri instanceof vscode.Uri ? uri : undefined).catch((error) => {
        log.error(`Fix All in File: ${messageOf(error)}`);
        void vscode.window
          .showErrorMessage(`Leak Lens: Fix All failed: ${messageOf(error)}`, 'Show Output')
          .then((choice) => choice && log.show());
      }),
    ),
  );
}

/** Asks the server to analyse every Python file of the workspace folders; it reports `$/progress`. */
async function scanWorkspace(server: LeakLensServer, log: vscode.LogOutputChannel): Promise<void> {
  const client = server.runningClient;
  if (!client) {
    const choice = await vscode.window.showWarningMessage(
      'Leak Lens: the language server is not running, so the workspace cannot be scanned.',
      'Restart Server',
      'Show Output',
    );
    if (choice === 'Restart Server') await server.restart();
    else if (choice === 'Show Output') log.show();
    return;
  }
  log.info('Scanning the workspace');
  try {
    const result: unknown = await server.whileBusy(() =>
      client.sendRequest(ExecuteCommandRequest.type, {
        command: ServerCommands.scanWorkspace,
        arguments: [],
      }),
    );
    if (isScanSummary(result)) {
      const message = describeScan(result);
      log.info(message);
      void vscode.window.showInformationMessage(`Leak Lens: ${message}`);
    }
  } catch (error) {
    log.error(`Scan Workspace: ${messageOf(error)}`);
    void vscode.window
      .showErrorMessage(`Leak Lens: the workspace scan failed: ${messageOf(error)}`, 'Show Output')
      .then((choice) => choice && log.show());
  }
}
