// Shared vocabulary of the engine: positions, findings, rules and fixes. No LSP or vscode types
// here: the language server translates these, and the CLI prints them.
import type { ProjectIndex } from './model/project-index';
import type { SemanticModel } from './model/semantic';
import type { SourceFile } from './model/source';

/** 0-based line, UTF-16 character offset: the same convention as LSP. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type RuleCode = `LEAK${number}`;

export interface RelatedInfo {
  range: Range;
  message: string;
}

/** A single text replacement; ranges refer to the original text and never overlap within one fix. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/**
 * Whether a fix may be applied without a look, as Ruff labels its fixes. `safe`: behaviour is kept
 * for every use the engine can see — "Fix All", `source.fixAll.leakLens` and `leak-lens scan --fix`
 * apply it. `unsafe`: it removes the leak but may change behaviour (an eviction a caller could
 * notice, a weak reference that can become `None`) — offered with "(unsafe)" in its title, applied
 * only when the user picks it or by `--unsafe-fixes`.
 */
export type Applicability = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  edits: TextEdit[];
  applicability: Applicability;
  /** The recommended fix among a finding's fixes (shown first; the preferred quick fix when safe). */
  isPreferred?: boolean;
}

export interface Finding {
  code: RuleCode;
  name: string;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedInfo[];
  /** Fixes computed with the finding (from the tree, not text). Empty when none is safe. */
  fixes: Fix[];
}

export interface RuleDocs {
  whatItDoes: string;
  whyIsThisBad: string;
  /** Python code that the rule flags. */
  example: string;
  /** The same code written without the leak. */
  useInstead: string;
  references?: string[];
}

/** What a rule's check gets: the file, its semantic model, the settings and a way to report. */
export interface RuleContext {
  file: SourceFile;
  model: SemanticModel;
  settings: EngineSettings;
  report(report: Report): void;
}

export interface Report {
  /** The node (or range) to underline: the smallest meaningful one. */
  range: Range;
  message: string;
  related?: RelatedInfo[];
  /** Overrides the rule's default severity for this finding (e.g. a milder variant). */
  severity?: Severity;
  /**
   * The finding's fixes, or a function computing them from the tree: called only when the
   * caller wants fixes (a code action, Fix All, `--fix`), not for diagnostics while typing.
   */
  fixes?: Fix[] | (() => Fix[]);
}

export interface Rule {
  code: RuleCode;
  name: string;
  /** Seed severity: HIGH → 'warning', MEDIUM → 'information'. */
  defaultSeverity: Severity;
  /** One-line summary, used in docs and SARIF. Each report carries its own specific message. */
  summary: string;
  docs: RuleDocs;
  /** Whether the rule offers an automatic fix (besides suppression). */
  fixable: boolean;
  check(ctx: RuleContext): void;
  /**
   * A cheap test of the text alone that is false only when `check` cannot report anything in
   * this file: the words (and shapes) without which the rule's own candidate search finds
   * nothing. When it is false for every enabled rule the engine does not parse the file at all,
   * and when the file is parsed the rules whose test is false are not run on it (see
   * `analyzeSource`). Absent: the rule may always fire.
   */
  mayFire?(text: string, gate: RuleGate): boolean;
}

/** What a rule's `mayFire` may use besides the text. */
export interface RuleGate {
  settings: EngineSettings;
  path?: string;
  project?: ProjectIndex;
}

/** Settings the engine honours; pyproject.toml, editor settings and CLI flags all map onto this. */
export interface EngineSettings {
  select?: string[];
  ignore?: string[];
  severity: Partial<Record<string, Severity>>;
  /** Extra connection factories for LEAK004, as qualified names (`mylib.db.connect`). */
  extendConnectionFactories: string[];
  cacheMaxsize: number;
  cacheTtlSeconds: number;
  exclude: string[];
  /** Analyse test code too (`tests/`, `test_*.py`, `conftest.py`…); see model/test-code.ts. */
  includeTests: boolean;
  /** Analyse vendored third-party code too (`vendor/`, a `lib/` of copied libraries…); see model/vendored-code.ts. */
  includeVendored: boolean;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  severity: {},
  extendConnectionFactories: [],
  cacheMaxsize: 1024,
  cacheTtlSeconds: 3600,
  exclude: [],
  includeTests: false,
  includeVendored: false,
};
