// Code actions for our diagnostics: each finding's own fixes (the preferred one marked), the
// generic "Suppress LEAK00k on this line", and source.fixAll.leakLens. Edits are returned as a
// WorkspaceEdit for the client to apply: the server never writes a user's file by itself.
import {
  type CodeAction,
  CodeActionKind,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  TextDocumentEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Finding, Fix, Range } from '../types';
import type { LspFinding } from './analysis';
import type { DiagnosticData } from './diagnostics';
import type { SegmentedText } from './segments';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.leakLens`;

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** Builds workspace edits for per-segment edits, versioned when the client supports it. */
export function workspaceEdit(
  joined: SegmentedText,
  perSegment: Map<number, LspTextEdit[]>,
  versioned: boolean,
): WorkspaceEdit {
  const entries = [...perSegment.entries()].sort((a, b) => a[0] - b[0]);
  if (versioned) {
    return {
      documentChanges: entries.map(([i, edits]) =>
        TextDocumentEdit.create({ uri: joined.segments[i].uri, version: joined.segments[i].version }, edits),
      ),
    };
  }
  const changes: Record<string, LspTextEdit[]> = {};
  for (const [i, edits] of entries) changes[joined.segments[i].uri] = edits;
  return { changes };
}

/** The finding a diagnostic of ours was made from. */
export function findingFor<F extends Finding>(
  diagnostic: Diagnostic,
  uri: string,
  joined: SegmentedText,
  findings: readonly F[],
): F | undefined {
  const at = (diagnostic.data as DiagnosticData | undefined)?.at;
  const sameCode = findings.filter((f) => f.code === diagnostic.code);
  if (at) {
    const hit = sameCode.find((f) => sameRange(f.range, at) && f.message === diagnostic.message);
    if (hit) return hit;
  }
  // Clients that drop `data`: match on the range as shown in this document.
  return sameCode.find((f) => {
    const where = joined.locate(f.range);
    return where?.uri === uri && sameRange(where.range, diagnostic.range) && f.message === diagnostic.message;
  });
}

export interface QuickFixContext {
  joined: SegmentedText;
  versioned: boolean;
}

function fixAction(
  fix: Fix,
  diagnostic: Diagnostic,
  ctx: QuickFixContext,
  preferred: boolean,
): CodeAction | undefined {
  const mapped = ctx.joined.mapEdits(fix.edits);
  if (!mapped || mapped.size === 0) return undefined;
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: preferred || undefined,
    edit: workspaceEdit(ctx.joined, mapped, ctx.versioned),
  };
}

/** The quick fixes for one diagnostic: the rule's fixes, then "Suppress … on this line". */
export function quickFixes(finding: LspFinding, diagnostic: Diagnostic, ctx: QuickFixContext): CodeAction[] {
  const actions: CodeAction[] = [];
  // Only a safe fix is the preferred one (which editors may apply with a single keystroke).
  const preferred = finding.fixes.find((f) => f.isPreferred && f.applicability === 'safe');
  for (const fix of finding.fixes) {
    const action = fixAction(fix, diagnostic, ctx, fix === preferred);
    if (action) actions.push(action);
  }
  if (finding.suppression) {
    const action = fixAction(finding.suppression, diagnostic, ctx, false);
    if (action) actions.push(action);
  }
  return actions;
}

export function fixAllAction(edit: WorkspaceEdit): CodeAction {
  return { title: 'Leak Lens: Fix all auto-fixable problems', kind: FIX_ALL_KIND, edit };
}

/** Whether the request's `only` filter lets a kind through (`source` lets `source.fixAll.x` in). */
export function kindRequested(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}
