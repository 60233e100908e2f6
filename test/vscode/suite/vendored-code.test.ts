import * as vscode from 'vscode';
import { codeOf, openInEditor, waitForDiagnostics, workspaceFile } from './helpers';

// A copy of a third-party package under `vendor/` is not the user's code: it is left out unless
// leakLens.includeVendored is on, like test code with leakLens.includeTests.
describe('vendored code', () => {
  const uri = workspaceFile('vendor/acme_client/cache.py');
  const config = () => vscode.workspace.getConfiguration('leakLens', uri);

  after(async () => {
    await config().update('includeVendored', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a vendored file gets findings only while leakLens.includeVendored is on', async () => {
    await openInEditor(uri);
    // Turned on, its cache is reported …
    await config().update('includeVendored', true, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(
      uri,
      (ds) => ds.some((d) => codeOf(d) === 'LEAK001'),
      'LEAK001 in the vendored file with includeVendored on',
    );
    // … and back to the default, its squiggles go.
    await config().update('includeVendored', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no findings in the vendored file by default');
  });
});
