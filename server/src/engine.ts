// The analysis engine: parse, build the semantic model, run the selected rules, apply severity
// settings and `# noqa`. The language server, the CLI and the tests all call this.

import { withLabel } from './fixes/applicability';
import { forgetTree } from './model/parents';
import type { ProjectIndex } from './model/project-index';
import { SemanticModel } from './model/semantic';
import { SourceFile } from './model/source';
import { collectSuppressions, isSuppressed } from './noqa';
import { discardParser, isParserCrash, ParseTimeoutError, parsePython, type Tree } from './parser';
import { RULES } from './rules/index';
import {
  DEFAULT_SETTINGS,
  type EngineSettings,
  type Finding,
  type Fix,
  type Report,
  type Rule,
  type RuleContext,
  type RuleGate,
} from './types';

export {
  initParser as initEngine,
  isParserCrash,
  ParserFailedError,
  ParserRestartingError,
  ParseTimeoutError,
  parserGeneration,
} from './parser';

export interface AnalyzeOptions {
  settings?: EngineSettings;
  /**
   * A tree already parsed from exactly `text` (the language server re-parses incrementally).
   * The caller owns it. Without it the engine parses and frees its own tree.
   */
  tree?: Tree;
  path?: string;
  /** What the rest of the project says about names this file uses (callers, weak emitters). */
  project?: ProjectIndex;
  /** Rules to run instead of the registry (tests). */
  rules?: readonly Rule[];
  /**
   * Compute each finding's fixes (default true). The language server leaves them out while the
   * user types — diagnostics need none — and asks for them when a code action does.
   */
  fixes?: boolean;
  /**
   * Milliseconds the analysis may take. Parsing is stopped at the deadline and the rules are
   * checked between one another; past it, analyzeSource throws a ParseTimeoutError. (A single
   * rule cannot be interrupted: a caller that needs a hard bound runs this in a worker thread.)
   */
  timeoutMs?: number;
  /**
   * Skip parsing a file in which no enabled rule can fire (each rule's `mayFire`): its result
   * is then empty, as the full analysis would be, but `hasSyntaxErrors` is not known (false).
   * Default: on, unless the environment sets LEAK_LENS_PREFILTER=0 (tests compare both ways).
   * Only applies when the engine parses the file itself (no `tree` given).
   */
  prefilter?: boolean;
  /**
   * Answers of rules' text tests (`Rule.mayFire`) already known for exactly `text`, by rule code
   * (`leak-lens scan` asks them while it indexes the files); the others are asked here.
   */
  knownGates?: Readonly<Record<string, boolean>>;
}

/** Whether the prefilter is on (see `AnalyzeOptions.prefilter`). */
export const PREFILTER_DEFAULT = process.env.LEAK_LENS_PREFILTER !== '0';

export interface AnalysisResult {
  findings: Finding[];
  /** Whether the tree holds syntax errors (findings then come from the parts that parsed). */
  hasSyntaxErrors: boolean;
  /** Rules that threw: reported, never fatal. */
  ruleErrors: { code: string; error: string }[];
}

/** Whether `code` is selected by `select`/`ignore` lists of codes or prefixes (`LEAK00`, `LEAK`). */
export function isRuleEnabled(code: string, settings: Pick<EngineSettings, 'select' | 'ignore'>): boolean {
  const matches = (list: string[] | undefined) =>
    list?.some((p) => p === 'ALL' || code.startsWith(p.toUpperCase()));
  if (settings.select && settings.select.length > 0 && !matches(settings.select)) return false;
  return !matches(settings.ignore);
}

/**
 * Analyses one file. Throws ParserFailedError when the parser module fails on it (the module is
 * then discarded: await `initEngine()` before the next call, which makes a fresh one) and
 * ParseTimeoutError past `options.timeoutMs`.
 */
export function analyzeSource(text: string, options: AnalyzeOptions = {}): AnalysisResult {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  // The rules' text tests, asked once each (the file is parsed only if one says yes; then the
  // rules that said no are not run on it).
  const gates =
    !options.tree && (options.prefilter ?? PREFILTER_DEFAULT)
      ? new RuleGates(text, settings, options)
      : undefined;
  if (gates && !gates.any()) return { findings: [], hasSyntaxErrors: false, ruleErrors: [] };
  const tree = options.tree ?? parsePython(text, undefined, { deadline });
  let crashed = false;
  try {
    forgetTree(tree); // (a tree analysed before may have been edited since)
    return analyzeTree(text, tree, settings, options, deadline, gates);
  } catch (error) {
    if (!isParserCrash(error)) throw error;
    crashed = true;
    throw discardParser(error);
  } finally {
    // The language server edits its trees in place for the next parse: keep no nodes of them.
    forgetTree(tree);
    // wasm memory is not garbage collected: free what we parsed ourselves (unless the module
    // failed: it is discarded whole).
    if (!options.tree && !crashed) tree.delete();
  }
}

/** The enabled rules' answers to `Rule.mayFire` for one text, each asked at most once. */
class RuleGates {
  private readonly answers = new Map<Rule, boolean>();
  private readonly gate: RuleGate;

  constructor(
    private readonly text: string,
    private readonly settings: EngineSettings,
    private readonly options: AnalyzeOptions,
  ) {
    this.gate = { settings, path: options.path, project: options.project };
  }

  mayFire(rule: Rule): boolean {
    let answer = this.answers.get(rule) ?? this.options.knownGates?.[rule.code];
    if (answer === undefined) {
      answer = !rule.mayFire || rule.mayFire(this.text, this.gate);
      this.answers.set(rule, answer);
    }
    return answer;
  }

  /** Whether some enabled rule may report something in the text. */
  any(): boolean {
    return (this.options.rules ?? RULES).some((r) => isRuleEnabled(r.code, this.settings) && this.mayFire(r));
  }
}

/** Whether some enabled rule may report something in `text` (see `Rule.mayFire`). */
export function anyRuleMayFire(
  text: string,
  settings: EngineSettings,
  options: AnalyzeOptions = {},
): boolean {
  return new RuleGates(text, settings, options).any();
}

function fixesOf(report: Report): Fix[] {
  const fixes = report.fixes;
  return typeof fixes === 'function' ? fixes() : (fixes ?? []);
}

function analyzeTree(
  text: string,
  tree: Tree,
  settings: EngineSettings,
  options: AnalyzeOptions,
  deadline: number | undefined,
  gates: RuleGates | undefined,
): AnalysisResult {
  const file = new SourceFile(text, tree, options.path, options.project);
  const model = new SemanticModel(file);
  const findings: Finding[] = [];
  const ruleErrors: AnalysisResult['ruleErrors'] = [];
  const rules = (options.rules ?? RULES).filter((r) => isRuleEnabled(r.code, settings));
  const withFixes = options.fixes ?? true;
  for (const rule of rules) {
    // A rule whose text test says it cannot fire here is not run (it would report nothing).
    if (gates && !gates.mayFire(rule)) continue;
    const ctx: RuleContext = {
      file,
      model,
      settings,
      report(report) {
        findings.push({
          code: rule.code,
          name: rule.name,
          severity: settings.severity[rule.code] ?? report.severity ?? rule.defaultSeverity,
          message: report.message,
          range: report.range,
          related: report.related ?? [],
          fixes: withFixes ? fixesOf(report).map(withLabel) : [],
        });
      },
    };
    if (deadline !== undefined && Date.now() > deadline) throw new ParseTimeoutError();
    try {
      rule.check(ctx);
    } catch (error) {
      // The parser module failing under a rule's tree walk is no rule error: it ends the file.
      if (isParserCrash(error)) throw error;
      ruleErrors.push({
        code: rule.code,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  }
  if (deadline !== undefined && Date.now() > deadline) throw new ParseTimeoutError();
  const suppressions = collectSuppressions(file);
  const kept = findings
    .filter((f) => !isSuppressed(suppressions, f.range.start.line, f.code))
    .sort(
      (a, b) =>
        a.range.start.line - b.range.start.line ||
        a.range.start.character - b.range.start.character ||
        a.code.localeCompare(b.code),
    );
  return { findings: kept, hasSyntaxErrors: tree.rootNode.hasError, ruleErrors };
}
