import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, openInEditor, waitFor, workspaceFile } from './helpers';

const COMMANDS = [
  'leakLens.restartServer',
  'leakLens.scanWorkspace',
  'leakLens.showOutput',
  'leakLens.fixAllInFile',
  'leakLens.detectMemoryLeak',
  'leakLens.openMemoryPanel',
  'leakLens.attachToProcess',
];

describe('Leak Lens extension', () => {
  it('is loaded and activates when a Python file is opened', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const others = vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.'));
    assert.ok(ext, `${EXTENSION_ID} is not loaded; non-builtin extensions: ${others.join(', ') || 'none'}`);
    await openInEditor(workspaceFile('all_patterns.py'));
    await waitFor(() => ext.isActive, Boolean, `${EXTENSION_ID} to activate`);
    console.log(
      `      (extension host: Node ${process.version}, VS Code API ${vscode.version}, ${vscode.env.appHost})`,
    );
  });

  it('registers the seven Leak Lens commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('declares every command in the manifest under the "Leak Lens" category', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const declared: { command: string; category?: string }[] = ext?.packageJSON.contributes?.commands ?? [];
    for (const command of COMMANDS) {
      const entry = declared.find((c) => c.command === command);
      assert.ok(entry, `${command} is not in contributes.commands`);
      assert.equal(entry.category, 'Leak Lens', `${command} has category ${entry.category}`);
    }
  });
});
