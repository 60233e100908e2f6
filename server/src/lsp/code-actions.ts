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
  /**
   * List the rules' fixes without their edits, which `codeAction/resolve` computes when the user
   * picks one (for the document version they were listed for). Undefined: edits inline.
   */
  lazy?: { uri: string; signature: string };
}

/** What a lazily listed quick fix carries to `codeAction/resolve`. */
export interface LazyFixData {
  uri: string;
  signature: string;
  code: string;
  /** The finding's range in the unit's joined text, and its message: which finding. */
  at: Range;
  message: string;
}

/** Whether two findings of one text are the same one (one computed without fixes, one with). */
export function sameFinding(a: Finding, b: Finding): boolean {
  return a.code === b.code && a.message === b.message && sameRange(a.range, b.range);
}

/** The workspace edit of `fix`, or undefined when it does not map onto the unit's segments. */
export function fixEdit(fix: Fix, joined: SegmentedText, versioned: boolean): WorkspaceEdit | undefined {
  const mapped = joined.mapEdits(fix.edits);
  if (!mapped || mapped.size === 0) return undefined;
  return workspaceEdit(joined, mapped, versioned);
}

function fixAction(
  fix: Fix,
  diagnostic: Diagnostic,
  ctx: QuickFixContext,
  preferred: boolean,
  finding?: Finding,
): CodeAction | undefined {
  const edit = fixEdit(fix, ctx.joined, ctx.versioned);
  if (!edit) return undefined;
  const action: CodeAction = {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: preferred || undefined,
  };
  if (ctx.lazy && finding) {
    action.data = {
      uri: ctx.lazy.uri,
      signature: ctx.lazy.signature,
      code: finding.code,
      at: finding.range,
      message: finding.message,
    } satisfies LazyFixData;
  } else action.edit = edit;
  return action;
}

/** The quick fixes for one diagnostic: the rule's fixes, then "Suppress … on this line". */
export function quickFixes(finding: LspFinding, diagnostic: Diagnostic, ctx: QuickFixContext): CodeAction[] {
  const actions: CodeAction[] = [];
  // Only a safe fix is the preferred one (which editors may apply with a single keystroke).
  const preferred = finding.fixes.find((f) => f.isPreferred && f.applicability === 'safe');
  for (const fix of finding.fixes) {
    const action = fixAction(fix, diagnostic, ctx, fix === preferred, finding);
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
