import * as vscode from 'vscode';
import { codeOf, openInEditor, waitForDiagnostics, workspaceFile } from './helpers';

describe('test code', () => {
  const uri = workspaceFile('tests/test_cache.py');
  const config = () => vscode.workspace.getConfiguration('leakLens', uri);

  after(async () => {
    await config().update('includeTests', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a test file gets findings only while leakLens.includeTests is on', async () => {
    await openInEditor(uri);
    // Turned on, the file is analysed: its cache is reported …
    await config().update('includeTests', true, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(
      uri,
      (ds) => ds.some((d) => codeOf(d) === 'LEAK001'),
      'LEAK001 in the test file with includeTests on',
    );
    // … and back to the default, it is left out again and its squiggles go.
    await config().update('includeTests', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no findings in the test file by default');
  });
});
