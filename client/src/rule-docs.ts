// Leak Lens: Show Rule Documentation — opens a rule's page, bundled with the extension
// (docs/rules/LEAK00k.md), in the Markdown preview. Given a rule code (hover link, other
// commands) it opens that page; from the palette it takes the rule of the Leak Lens diagnostic
// under the cursor, or asks which rule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './ids';

const RULE_PAGE = /^(LEAK\d{3})\.md$/;

export interface RulePage {
  code: string;
  /** The page's title line without `# `, e.g. `LEAK001 unbounded-cache`. */
  title: string;
  file: string;
}

/** The rule pages bundled in `extensionPath`/docs/rules, in code order. */
export function bundledRulePages(extensionPath: string): RulePage[] {
  const dir = path.join(extensionPath, 'docs', 'rules');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const pages: RulePage[] = [];
  for (const name of names.sort()) {
    const code = RULE_PAGE.exec(name)?.[1];
    if (!code) continue;
    const file = path.join(dir, name);
    const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
    pages.push({ code, title: first.replace(/^#\s*/, '') || code, file });
  }
  return pages;
}

/** The rule codes of the Leak Lens diagnostics under the cursor of the active editor. */
function codesUnderCursor(): string[] {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return [];
  const at = editor.selection.active;
  const codes = new Set<string>();
  for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
    if (d.source !== DIAGNOSTIC_SOURCE || !d.range.contains(at)) continue;
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    if (typeof code === 'string') codes.add(code);
  }
  return [...codes];
}

/** The rule code an argument names: `"LEAK001"`, `{ code: "LEAK001" }` or a diagnostic's `code`. */
function codeOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim().toUpperCase();
  if (arg && typeof arg === 'object') {
    const { code, value } = arg as { code?: unknown; value?: unknown };
    return codeOf(code ?? value);
  }
  return undefined;
}

async function pickRule(pages: RulePage[], preferred: string[]): Promise<RulePage | undefined> {
  const first = pages.filter((p) => preferred.includes(p.code));
  const rest = pages.filter((p) => !preferred.includes(p.code));
  const items = [...first, ...rest].map((page) => ({ label: page.title, page }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Leak Lens: Show Rule Documentation',
    placeHolder: 'Which rule?',
  });
  return picked?.page;
}

/** Opens the page in the Markdown preview (the source in an editor if the preview is unavailable). */
async function openPage(file: string): Promise<void> {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}

export async function showRuleDocumentation(
  extensionPath: string,
  log: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<void> {
  const pages = bundledRulePages(extensionPath);
  if (pages.length === 0) {
    const message = `the rule documentation is missing from ${path.join(extensionPath, 'docs', 'rules')}; reinstall the extension.`;
    log.error(`Show Rule Documentation: ${message}`);
    void vscode.window.showErrorMessage(`Leak Lens: ${message}`);
    return;
  }
  const asked = codeOf(arg);
  if (asked !== undefined) {
    const page = pages.find((p) => p.code === asked);
    if (page) return openPage(page.file);
    const known = `${pages[0].code}–${pages[pages.length - 1].code}`;
    void vscode.window.showErrorMessage(
      `Leak Lens: there is no rule ${JSON.stringify(asked)}; the rules are ${known}.`,
    );
    return;
  }
  const under = codesUnderCursor();
  const page = under.length === 1 ? pages.find((p) => p.code === under[0]) : await pickRule(pages, under);
  if (page) await openPage(page.file);
}
