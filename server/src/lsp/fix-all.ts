// "Fix all": apply the safe fix of the first fixable finding, re-analyse, repeat — like the
// rule tester does. Re-analysing after each fix is what keeps imports deduplicated (the second
// TTLCache fix sees the import the first one added) and keeps fixes from stepping on each other.
// Works on segments so a notebook's cells are fixed together, each edit landing in its cell.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixToApply } from '../fixes/applicability';
import { applyEdits } from '../fixes/edits';
import type { Finding, TextEdit } from '../types';
import { type Segment, SegmentedText } from './segments';

export const MAX_FIX_ROUNDS = 100;

export interface FixAllResult {
  /** The new text of each segment (same order). */
  texts: string[];
  applied: number;
}

export function fixAll(
  segments: readonly Segment[],
  analyze: (text: string) => Finding[],
  maxRounds = MAX_FIX_ROUNDS,
  unsafe = false,
): FixAllResult {
  let current = segments.map((s) => ({ ...s }));
  let applied = 0;
  for (let round = 0; round < maxRounds; round++) {
    const joined = new SegmentedText(current);
    const next = applyFirstFix(joined, analyze(joined.text), unsafe);
    if (!next) break;
    current = current.map((s, i) => ({ ...s, text: next[i] }));
    applied++;
  }
  return { texts: current.map((s) => s.text), applied };
}

/** The segment texts after the first applicable fix that maps onto the segments, or undefined. */
function applyFirstFix(
  joined: SegmentedText,
  findings: readonly Finding[],
  unsafe: boolean,
): string[] | undefined {
  for (const finding of findings) {
    // Unsafe fixes only when asked for: Fix All and source.fixAll never change behaviour.
    const fix = fixToApply(finding.fixes, unsafe);
    if (!fix) continue;
    const mapped = joined.mapEdits(fix.edits);
    if (!mapped) continue;
    try {
      const texts = joined.segments.map((s, i) => {
        const edits = mapped.get(i);
        return edits ? applyEdits(s.text, edits) : s.text;
      });
      if (texts.every((t, i) => t === joined.segments[i].text)) continue;
      return texts;
    } catch {
      // Overlapping edits in one fix: a rule bug; skip that fix rather than corrupt the file.
    }
  }
  return undefined;
}

/** One edit turning `before` into `after`: the changed middle, so the cursor and folds survive. */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore--;
    endAfter--;
  }
  // Never cut a surrogate pair or a \r\n in two.
  while (
    start > 0 &&
    (isHighSurrogate(before.charCodeAt(start - 1)) || (before[start - 1] === '\r' && before[start] === '\n'))
  )
    start--;
  while (
    endBefore < before.length &&
    (isLowSurrogate(before.charCodeAt(endBefore)) ||
      (before[endBefore] === '\n' && before[endBefore - 1] === '\r'))
  ) {
    endBefore++;
    endAfter++;
  }
  const doc = TextDocument.create('file:///fix-all', 'python', 0, before);
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(endBefore) },
    newText: after.slice(start, endAfter),
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
