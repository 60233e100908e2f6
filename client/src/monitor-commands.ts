// PLACEHOLDER, to be replaced by the memory monitor (issue 4): registers the three monitor commands
// so the ids declared in package.json exist, and says they are not available yet.
// Whatever replaces it must keep the trust check: attaching to processes and reading metrics URLs
// stays off in Restricted Mode (package.json also hides the commands there via `isWorkspaceTrusted`).
import * as vscode from 'vscode';
import { Commands } from './ids';

const TITLES: Record<string, string> = {
  [Commands.detectMemoryLeak]: 'Detect Memory Leak',
  [Commands.openMemoryPanel]: 'Open Memory Panel',
  [Commands.attachToProcess]: 'Attach to Process',
};

export function registerMonitorCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): void {
  for (const [command, title] of Object.entries(TITLES)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, () => {
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage(`Leak Lens: ${title} needs a trusted workspace.`);
          return;
        }
        log.info(`${title}: not available yet`);
        void vscode.window.showInformationMessage(`Leak Lens: ${title} is not available yet.`);
      }),
    );
  }
}
