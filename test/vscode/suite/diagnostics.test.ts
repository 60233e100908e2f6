import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  ALL_CODES,
  codeOf,
  expectedFindings,
  hasCodes,
  leakDiagnostics,
  openInEditor,
  revertActiveEditor,
  waitForDiagnostics,
  workspaceFile,
} from './helpers';

// Seed severities (issue 2): HIGH → Warning, MEDIUM → Information.
const HIGH = new Set(['LEAK001', 'LEAK002', 'LEAK004', 'LEAK005']);

describe('diagnostics', () => {
  const uri = workspaceFile('all_patterns.py');
  let expected: Map<string, number>;

  before(async () => {
    const editor = await openInEditor(uri);
    expected = expectedFindings(editor.document.getText());
    assert.deepEqual([...expected.keys()].sort(), ALL_CODES, 'fixture must mark each code once');
  });

  it('reports each of the eight codes once, on the marked line', async () => {
    const ds = await waitForDiagnostics(uri, (d) => hasCodes(d, ALL_CODES), 'all eight codes');
    for (const code of ALL_CODES) {
      const found = ds.filter((d) => codeOf(d) === code);
      assert.equal(
        found.length,
        1,
        `${code}: expected 1 diagnostic, got lines ${found.map((d) => d.range.start.line + 1)}`,
      );
      assert.equal(
        found[0].range.start.line,
        expected.get(code),
        `${code} on line ${found[0].range.start.line + 1}`,
      );
      assert.ok(found[0].message.length > 10, `${code} has a real message: "${found[0].message}"`);
    }
    assert.equal(ds.length, ALL_CODES.length, `no other findings; got ${ds.map(codeOf).join(', ')}`);
  });

  it('uses the default severities and links each code to its rule page', () => {
    for (const d of leakDiagnostics(uri)) {
      const code = codeOf(d) as string;
      const want = HIGH.has(code) ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
      assert.equal(d.severity, want, `${code} severity`);
      assert.ok(typeof d.code === 'object', `${code} carries a codeDescription link`);
      assert.match(d.code.target.toString(), new RegExp(`docs/rules/${code}\\.md$`), `${code} link`);
    }
  });

  it('follows edits: a `# noqa` comment typed on the line hides the finding', async () => {
    const editor = await openInEditor(uri);
    const line = editor.document.lineAt(expected.get('LEAK008') as number);
    try {
      await editor.edit((b) => b.insert(line.range.end, '  # noqa: LEAK008'));
      await waitForDiagnostics(
        uri,
        (ds) => !hasCodes(ds, ['LEAK008']) && hasCodes(ds, ALL_CODES.slice(0, 7)),
        'LEAK008 to go after typing noqa',
      );
    } finally {
      await revertActiveEditor();
    }
    await waitForDiagnostics(uri, (ds) => hasCodes(ds, ALL_CODES), 'LEAK008 back after revert');
  });
});
