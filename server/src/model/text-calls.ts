// What a text calls, found without the parser (the words before each `(`, the names before each
// ` as `): the text tests (`Rule.mayFire`) of the rules that follow calls by name (LEAK004,
// LEAK005, LEAK006, LEAK008). Looser than `callsNamed` and `identifiersNamed` + `callNamedBy`.
import { isNameUnit, isWhitespaceUnit } from './resource-check';

/** What a text calls and imports under another name, by text (see `textCalls`). */
export interface TextCalls {
  /** Names before `(`, blanks, line breaks and continued lines between. */
  called: Set<string>;
  /** Names before ` as ` (what `importAliasesOf` reads as imported names). */
  aliased: Set<string>;
  /** Some `(` follows a line break after a line holding `#`: a comment may stand between a callee and it. */
  commentBetween: boolean;
}

let lastCalls: { text: string; calls: TextCalls } | undefined;

/** `TextCalls` of `text` (the rules ask in turn about the same file: the last answer is kept). */
export function textCalls(text: string): TextCalls {
  if (lastCalls?.text === text) return lastCalls.calls;
  const calls: TextCalls = { called: new Set(), aliased: new Set(), commentBetween: false };
  for (let paren = text.indexOf('('); paren >= 0; paren = text.indexOf('(', paren + 1)) {
    let end = paren;
    let lineBreak = false;
    for (;;) {
      if (end > 0 && isWhitespaceUnit(text, end - 1)) {
        if (text.charCodeAt(end - 1) === 10) lineBreak = true;
        end--;
      } else if (
        end > 1 &&
        text.charCodeAt(end - 1) === 92 &&
        (text.charCodeAt(end) === 10 || text.charCodeAt(end) === 13)
      )
        end--; // a continued line
      else break;
    }
    if (lineBreak && !calls.commentBetween) {
      const lineStart = text.lastIndexOf('\n', end - 1) + 1;
      if (text.slice(lineStart, end).includes('#')) calls.commentBetween = true;
    }
    let start = end;
    while (start > 0 && isNameUnit(text, start - 1)) start--;
    if (start < end) calls.called.add(text.slice(start, end));
  }
  for (let as = text.indexOf(' as '); as >= 0; as = text.indexOf(' as ', as + 1)) {
    let end = as;
    while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    let start = end;
    while (start > 0 && isNameUnit(text, start - 1)) start--;
    if (start < end) calls.aliased.add(text.slice(start, end));
  }
  lastCalls = { text, calls };
  return calls;
}

/**
 * Whether `callsNamed(file, names + importAliases(file, names))` can find anything in `text`: one
 * of `names` stands before `(` (as `calledNames` finds it), or before ` as ` (an import alias,
 * as `importAliasesOf` finds it, whose calls then stand before `(`). A text test for `Rule.mayFire`.
 */
export function mayCallAny(text: string, names: Iterable<string>): boolean {
  const { called, aliased } = textCalls(text);
  for (const name of names) if (called.has(name) || aliased.has(name)) return true;
  return false;
}
