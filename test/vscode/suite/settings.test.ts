import * as vscode from 'vscode';
import { ALL_CODES, codeOf, hasCodes, openInEditor, waitForDiagnostics, workspaceFile } from './helpers';

describe('settings', () => {
  const uri = workspaceFile('all_patterns.py');
  const config = () => vscode.workspace.getConfiguration('leakLens', uri);

  before(async () => {
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => hasCodes(ds, ALL_CODES), 'all eight codes');
  });

  it('leakLens.ignore hides a code and brings it back when removed', async () => {
    try {
      await config().update('ignore', ['LEAK008'], vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(
        uri,
        (ds) => !hasCodes(ds, ['LEAK008']) && hasCodes(ds, ALL_CODES.slice(0, 7)),
        'LEAK008 ignored, the other seven kept',
      );
    } finally {
      await config().update('ignore', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(uri, (ds) => hasCodes(ds, ALL_CODES), 'LEAK008 back');
  });

  it('leakLens.severity overrides the severity of one code', async () => {
    try {
      await config().update('severity', { LEAK001: 'error' }, vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(
        uri,
        (ds) =>
          ds.some((d) => codeOf(d) === 'LEAK001' && d.severity === vscode.DiagnosticSeverity.Error) &&
          ds.some((d) => codeOf(d) === 'LEAK002' && d.severity === vscode.DiagnosticSeverity.Warning),
        'LEAK001 as Error, LEAK002 unchanged',
      );
    } finally {
      await config().update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
