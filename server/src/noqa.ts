// `# noqa` suppression, as flake8 and Ruff users write it: bare `# noqa` silences every code on
// its line, `# noqa: LEAK001, LEAK003` silences those codes; unknown codes are left alone.
import type { SourceFile } from './model/source';
import type { Fix } from './types';

const NOQA = /#\s*noqa(?::[\s]*(?<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/i;

/** What a line's noqa comment silences: 'all', a set of codes, or nothing. */
export type Suppression = 'all' | Set<string>;

/** Per line (0-based), the suppression its comment declares; only lines with a real comment. */
export function collectSuppressions(file: SourceFile): Map<number, Suppression> {
  const result = new Map<number, Suppression>();
  const text = file.text;
  const finder = /noqa/gi;
  for (let m = finder.exec(text); m; m = finder.exec(text)) {
    const node = file.root.descendantForIndex(m.index);
    if (node?.type !== 'comment') continue;
    const parsed = NOQA.exec(node.text);
    if (!parsed) continue;
    const line = node.startPosition.row;
    const codes = parsed.groups?.codes;
    if (!codes) result.set(line, 'all');
    else {
      const existing = result.get(line);
      if (existing === 'all') continue;
      const set = existing ?? new Set<string>();
      for (const c of codes.split(/[\s,]+/)) if (c) set.add(c.toUpperCase());
      result.set(line, set);
    }
    finder.lastIndex = node.endIndex;
  }
  return result;
}

export function isSuppressed(suppressions: Map<number, Suppression>, line: number, code: string): boolean {
  const s = suppressions.get(line);
  return s === 'all' || (s !== undefined && s.has(code));
}

/**
 * "Suppress LEAK00k on this line": appends `# noqa: CODE` to the line, or merges the code into
 * the line's existing `# noqa: …`. Undefined when the line ends inside a string (no comment fits).
 */
export function suppressionFix(file: SourceFile, line: number, code: string): Fix | undefined {
  const end = file.lineEnd(line);
  const title = `Suppress ${code} on this line`;
  // Look for a comment on this line that already carries noqa codes.
  const lineText = file.lineText(line);
  const hash = lineText.lastIndexOf('#');
  if (hash >= 0) {
    const commentNode = file.root.descendantForIndex(file.lineStart(line) + hash);
    if (commentNode?.type === 'comment') {
      const m = NOQA.exec(commentNode.text);
      if (m?.groups?.codes) {
        const insertAt = commentNode.startIndex + m.index + m[0].length;
        const range = file.rangeOfOffsets(insertAt, insertAt);
        return { title, edits: [{ range, newText: `, ${code}` }], applicability: 'safe' };
      }
    }
  }
  if (end > 0) {
    const at = file.root.descendantForIndex(Math.max(end - 1, 0));
    if (at && /string/.test(at.type) && at.endIndex > end) return undefined;
  }
  const trimmedEnd = file.lineStart(line) + lineText.replace(/[ \t]+$/, '').length;
  const range = file.rangeOfOffsets(trimmedEnd, end);
  return { title, edits: [{ range, newText: `  # noqa: ${code}` }], applicability: 'safe' };
}
