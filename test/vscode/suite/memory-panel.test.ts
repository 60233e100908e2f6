import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

describe('memory panel', () => {
  it('"Open Memory Panel" opens a webview tab', async () => {
    await vscode.commands.executeCommand('leakLens.openMemoryPanel');
    const tab = await waitFor(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => t.input instanceof vscode.TabInputWebview),
      (t) => t !== undefined,
      'a webview tab',
      15_000,
    );
    assert.match(tab?.label ?? '', /memory|leak lens/i, `tab label "${tab?.label}"`);
  });
});
