import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  ALL_CODES,
  codeOf,
  hasCodes,
  openInEditor,
  retryCanceled,
  waitFor,
  waitForDiagnostics,
  workspaceFile,
} from './helpers';

function previewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));
}

async function closePreviews(): Promise<void> {
  await vscode.window.tabGroups.close(previewTabs());
}

function waitForPreview(code: string): Promise<vscode.Tab | undefined> {
  return waitFor(
    () => previewTabs().find((t) => t.label.includes(`${code}.md`)),
    (t) => t !== undefined,
    `a Markdown preview of ${code}.md`,
    15_000,
  );
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

describe('rule documentation', () => {
  const uri = workspaceFile('all_patterns.py');
  let diagnostics: vscode.Diagnostic[];

  before(async () => {
    await openInEditor(uri);
    diagnostics = await waitForDiagnostics(uri, (d) => hasCodes(d, ALL_CODES), 'all eight codes');
  });
  afterEach(closePreviews);

  it('links every diagnostic to a rule page that exists on disk', () => {
    for (const d of diagnostics) {
      assert.ok(typeof d.code === 'object', `${codeOf(d)} has a link`);
      assert.ok(fs.existsSync(d.code.target.fsPath), `${d.code.target.toString()} exists`);
    }
  });

  it('hovering a finding shows what the rule does, why it leaks, the example and the fix', async () => {
    const d = diagnostics.find((x) => codeOf(x) === 'LEAK001');
    assert.ok(d);
    const hovers = await retryCanceled(() =>
      vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, d.range.start),
    );
    const text = hoverText(hovers);
    for (const part of [
      '**LEAK001 unbounded-cache**',
      'What it does',
      'Why is this bad?',
      'Example',
      'Use instead',
    ])
      assert.ok(text.includes(part), `hover has "${part}":\n${text.slice(0, 400)}`);
    assert.match(text, /\(command:leakLens\.showRuleDocumentation\?/, 'a link that opens the page');
  });

  it('"Show Rule Documentation" with a rule code opens its bundled page in the Markdown preview', async () => {
    await vscode.commands.executeCommand('leakLens.showRuleDocumentation', 'LEAK004');
    const tab = await waitForPreview('LEAK004');
    assert.ok(tab);
  });

  it('from the palette, it shows the rule of the diagnostic under the cursor', async () => {
    const d = diagnostics.find((x) => codeOf(x) === 'LEAK006');
    assert.ok(d);
    const editor = await openInEditor(uri);
    editor.selection = new vscode.Selection(d.range.start, d.range.start);
    await vscode.commands.executeCommand('leakLens.showRuleDocumentation');
    assert.ok(await waitForPreview('LEAK006'));
  });

  it('names the mistake for an unknown rule code and opens nothing', async () => {
    await vscode.commands.executeCommand('leakLens.showRuleDocumentation', 'LEAK999');
    assert.deepEqual(
      previewTabs().map((t) => t.label),
      [],
    );
  });
});
