import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  ALL_CODES,
  assertCompiles,
  codeActions,
  codeOf,
  hasCodes,
  openInEditor,
  revertActiveEditor,
  waitFor,
  waitForDiagnostics,
  workspaceFile,
} from './helpers';

const isSuppress = (a: vscode.CodeAction) => /suppress/i.test(a.title);

describe('code actions', () => {
  const uri = workspaceFile('all_patterns.py');

  async function freshDiagnostics(): Promise<vscode.Diagnostic[]> {
    await openInEditor(uri);
    return waitForDiagnostics(uri, (ds) => hasCodes(ds, ALL_CODES), 'all eight codes');
  }

  async function quickFixesFor(code: string): Promise<vscode.CodeAction[]> {
    const diag = (await freshDiagnostics()).find((d) => codeOf(d) === code);
    assert.ok(diag, `${code} diagnostic`);
    const actions = await codeActions(uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    return actions.filter((a) => a.diagnostics?.some((d) => codeOf(d) === code) ?? true);
  }

  afterEach(revertActiveEditor);

  it('LEAK001: the TTLCache fix (unsafe: it adds the cachetools dependency) imports it once, after the imports', async () => {
    const fixes = await quickFixesFor('LEAK001');
    const fix = fixes.find((a) => /TTLCache/.test(a.title) && !isSuppress(a));
    assert.ok(fix?.edit, `no TTLCache fix; offered: ${fixes.map((a) => a.title).join(' | ')}`);
    assert.match(fix.title, /\(unsafe\)$/);
    // The preferred fix is the safe one, from the standard library.
    assert.ok(fixes.some((a) => a.isPreferred && /Evict the oldest entry/.test(a.title)));
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'edit applied');
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    assert.match(text, /^_customer_cache = TTLCache\(maxsize=\d+, ttl=\d+\)/m);
    const lines = text.split('\n');
    const importLine = lines.indexOf('from cachetools import TTLCache');
    assert.notEqual(importLine, -1, 'import added');
    assert.equal(lines.filter((l) => /import TTLCache/.test(l)).length, 1, 'imported once');
    const lastOtherImport = lines.findIndex((l) => l.startsWith('from concurrent.futures import'));
    assert.ok(importLine > lastOtherImport, 'import placed after the existing imports');
    await assertCompiles(text, 'all_patterns.py after the LEAK001 fix');
    await waitForDiagnostics(
      uri,
      (ds) => !hasCodes(ds, ['LEAK001']) && hasCodes(ds, ALL_CODES.slice(1)),
      'LEAK001 gone, the other seven still there',
    );
  });

  for (const code of ALL_CODES) {
    it(`${code}: offers "Suppress ${code} on this line", and every other fix yields valid Python`, async () => {
      const fixes = await quickFixesFor(code);
      const suppress = fixes.find((a) => isSuppress(a) && a.title.includes(code));
      assert.ok(suppress?.edit, `no suppress action; offered: ${fixes.map((a) => a.title).join(' | ')}`);
      const realFixes = fixes.filter((a) => !isSuppress(a) && a.edit);
      // LEAK005 may offer only suppression when the class has no close/__exit__ (issue 3).
      if (code !== 'LEAK005') assert.ok(realFixes.length > 0, `${code} has no fix besides suppression`);
      for (const fix of realFixes) {
        assert.ok(await vscode.workspace.applyEdit(fix.edit as vscode.WorkspaceEdit), `${fix.title} applied`);
        const text = (await vscode.workspace.openTextDocument(uri)).getText();
        await assertCompiles(text, `all_patterns.py after "${fix.title}"`);
        await waitForDiagnostics(
          uri,
          (ds) => !ds.some((d) => codeOf(d) === code),
          `${code} gone after "${fix.title}"`,
        );
        await revertActiveEditor();
      }
    });
  }

  it('LEAK003: the weakref fix is labelled "(unsafe)", is not preferred, and Fix All leaves it out', async () => {
    const fixes = (await quickFixesFor('LEAK003')).filter((a) => !isSuppress(a));
    assert.ok(fixes.length > 0, 'a fix besides suppression');
    for (const fix of fixes) {
      assert.match(fix.title, / \(unsafe\)$/, fix.title);
      assert.notEqual(fix.isPreferred, true, `${fix.title} is preferred`);
    }
    await vscode.commands.executeCommand('leakLens.fixAllInFile');
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitFor(
      () => doc.getText(),
      (t) => /deque\(/.test(t),
      'Fix All to apply the safe fixes',
    );
    const text = doc.getText();
    assert.match(text, /^ {8}child\.parent = self {2}# expect: LEAK003$/m, 'the unsafe fix was applied');
    assert.doesNotMatch(text, /weakref/);
    await waitForDiagnostics(
      uri,
      (ds) => hasCodes(ds, ['LEAK003']) && !hasCodes(ds, ['LEAK002']),
      'LEAK003 left',
    );
  });

  it('offers source.fixAll.leakLens for the whole file (fix on save)', async () => {
    const doc = (await openInEditor(uri)).document;
    await freshDiagnostics();
    const full = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = await codeActions(uri, full, vscode.CodeActionKind.SourceFixAll.value);
    assert.ok(
      actions.some((a) => a.kind?.value === 'source.fixAll.leakLens'),
      `kinds offered: ${actions.map((a) => a.kind?.value).join(', ')}`,
    );
  });
});
