import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertCompiles,
  leakDiagnostics,
  openInEditor,
  revertActiveEditor,
  waitFor,
  waitForDiagnostics,
  workspaceFile,
} from './helpers';

describe('Fix All in File', () => {
  const uri = workspaceFile('fix_all.py');

  after(revertActiveEditor);

  it('applies the automatic fixes and leaves valid Python with fewer findings', async () => {
    const editor = await openInEditor(uri);
    const before = editor.document.getText();
    const found = await waitForDiagnostics(uri, (ds) => ds.length >= 3, 'findings in fix_all.py');
    await vscode.commands.executeCommand('leakLens.fixAllInFile');
    const after = await waitFor(
      () => editor.document.getText(),
      (t) => t !== before,
      'the command to change fix_all.py',
    );
    assert.match(
      after,
      /del _report_cache\[next\(iter\(_report_cache\)\)\]/,
      'the LEAK001 cache was bounded',
    );
    await assertCompiles(after, 'fix_all.py after Fix All');
    const left = await waitFor(
      () => leakDiagnostics(uri),
      (ds) => ds.length < found.length,
      'fewer findings after Fix All',
    );
    console.log(`      (findings: ${found.length} before, ${left.length} after)`);
  });
});
