// Runs the engine for the language server without ever taking the server down: a rule that
// throws is reported (the other rules' findings are still published); if the engine itself
// throws (say, a stack overflow on absurdly deep nesting), the rules are retried one by one so
// the file still gets whatever findings can be computed. A time budget, or the parser module
// failing, ends the analysis as a whole (`timedOut`, `parserFailed`). A finding's "Suppress …
// on this line" fix is computed with the fixes a code action asks for, while that analysis has
// the tree at hand (on a thread or here), not with every edit's diagnostics.
import { analyzeSource, isParserCrash, ParseTimeoutError } from '../engine';
import { dedent } from '../fixes/edits';
import type { ProjectIndex } from '../model/project-index';
import { SourceFile } from '../model/source';
import { suppressionFix } from '../noqa';
import { parsePython, type Tree } from '../parser';
import { RULES } from '../rules/index';
import { DEFAULT_SETTINGS, type EngineSettings, type Finding, type Fix, type Rule } from '../types';
import { describeError, type Logger } from './logger';

export interface LspFinding extends Finding {
  /** `# noqa: CODE` on the finding's line, when a comment fits there. */
  suppression?: Fix;
}

export interface AnalysisOutcome {
  findings: LspFinding[];
  analyzeMs: number;
  /** Whether the engine failed as a whole (findings then come from rules run one by one). */
  degraded: boolean;
  ruleErrors: { code: string; error: string }[];
  /** The engine's own failure, when degraded. */
  engineError?: string;
  /** Parsing and the rules ran past the time budget: no findings. */
  timedOut?: boolean;
  /** The parser module failed on this text (it has been discarded): no findings. */
  parserFailed?: boolean;
  /** Milliseconds spent parsing, when the caller parsed (the analysis worker). */
  parseMs?: number;
  /** A file the thread was to read could not be (why, as `readPythonFile` says it): nothing was analysed. */
  unreadable?: string;
}

export interface AnalyzeTextOptions {
  /** A tree the caller keeps for exactly this text (an open document's incremental tree). */
  tree?: Tree;
  /** Also compute each finding's suppression fix. */
  suppressions?: boolean;
  /** Rules to run instead of the registry (tests). */
  rules?: readonly Rule[];
  /** What the rest of the workspace says about names (see model/project-index.ts). */
  project?: ProjectIndex;
  /** Budget of parsing and the rules in ms (checked between rules): past it the outcome is `timedOut`. */
  timeoutMs?: number;
  /**
   * Compute the findings' fixes (default true). Diagnostics need none: they are computed when a
   * code action asks for them (see Linter.codeActions).
   */
  fixes?: boolean;
}

/** Ends the outcome when `error` ends the analysis as a whole (no rule-by-rule retry); false otherwise. */
function endsAnalysis(error: unknown, outcome: AnalysisOutcome): boolean {
  if (error instanceof ParseTimeoutError) outcome.timedOut = true;
  else if (isParserCrash(error)) outcome.parserFailed = true;
  else return false;
  outcome.findings = [];
  outcome.degraded = true;
  // Shown to the user in a notice ("parser failed (Aborted())"): the message, not a stack.
  outcome.engineError = error instanceof Error ? error.message : String(error);
  return true;
}

/** The outcome of an analysis that `error` stopped before the rules ran (a failed parse). */
export function failedOutcome(error: unknown, analyzeMs: number): AnalysisOutcome {
  const outcome: AnalysisOutcome = { findings: [], analyzeMs, degraded: true, ruleErrors: [] };
  if (!endsAnalysis(error, outcome)) outcome.engineError = describeError(error);
  return outcome;
}

/** Analyse `text`. Never throws: failures end up in the outcome. */
export function analyzeText(
  text: string,
  settings: EngineSettings,
  label: string,
  { tree, suppressions = false, rules = RULES, project, timeoutMs, fixes = true }: AnalyzeTextOptions = {},
): AnalysisOutcome {
  const started = performance.now();
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const remaining = () => (deadline === undefined ? undefined : Math.max(1, deadline - Date.now()));
  const outcome: AnalysisOutcome = { findings: [], analyzeMs: 0, degraded: false, ruleErrors: [] };
  const done = () => {
    outcome.analyzeMs = performance.now() - started;
    return outcome;
  };
  let own: Tree | undefined;
  try {
    own = tree ? undefined : parsePython(text, undefined, { deadline });
  } catch (error) {
    return failedOutcome(error, performance.now() - started);
  }
  const used = (tree ?? own) as Tree;
  try {
    try {
      const result = analyzeSource(text, {
        settings,
        tree: used,
        path: label,
        rules,
        project,
        timeoutMs: remaining(),
        fixes,
      });
      outcome.findings = result.findings;
      outcome.ruleErrors = result.ruleErrors;
    } catch (error) {
      if (endsAnalysis(error, outcome)) return done();
      outcome.degraded = true;
      outcome.engineError = describeError(error);
      for (const rule of rules) {
        try {
          outcome.findings.push(
            ...analyzeSource(text, {
              settings,
              tree: used,
              path: label,
              rules: [rule],
              project,
              timeoutMs: remaining(),
              fixes,
            }).findings,
          );
        } catch (e) {
          if (endsAnalysis(e, outcome)) return done();
          outcome.ruleErrors.push({ code: rule.code, error: describeError(e) });
        }
      }
    }
    if (suppressions) {
      try {
        addSuppressions(outcome.findings, text, used);
      } catch (error) {
        outcome.ruleErrors.push({ code: 'noqa', error: describeError(error) });
      }
    }
    return done();
  } finally {
    // A tree of a failed parser module went with the module.
    if (!outcome.parserFailed) own?.delete();
  }
}

/**
 * Run every rule once on its documented example, so the first real analysis does not also pay
 * for compiling the engine's code (the JIT), which otherwise adds a second to the first file.
 * Returns the milliseconds it took.
 */
export function warmUpEngine(): number {
  const started = performance.now();
  for (const rule of RULES) analyzeText(dedent(rule.docs.example), DEFAULT_SETTINGS, `warm-up ${rule.code}`);
  return performance.now() - started;
}

/** Give findings (of exactly `text`, parsed as `tree`) their suppression fix, if they lack one. */
export function addSuppressions(findings: readonly LspFinding[], text: string, tree: Tree): void {
  const file = new SourceFile(text, tree);
  for (const f of findings)
    if (!('suppression' in f)) f.suppression = suppressionFix(file, f.range.start.line, f.code);
}

/** Whether the analysis ran out of stack (deeply nested code meeting recursive engine code). */
export function overflowedStack(outcome: AnalysisOutcome): boolean {
  const overflow = (e: string | undefined) => e?.includes('Maximum call stack size exceeded') ?? false;
  return overflow(outcome.engineError) || outcome.ruleErrors.some((e) => overflow(e.error));
}

/** Logs what went wrong in an analysis, each distinct error once (then only at 'verbose'). */
export class AnalysisErrorLog {
  private readonly reported = new Set<string>();

  constructor(private readonly log: Logger) {}

  report(outcome: AnalysisOutcome, label: string): void {
    if (outcome.engineError)
      this.once('engine', outcome.engineError, label, 'analysis failed; rules were retried one by one');
    for (const e of outcome.ruleErrors)
      this.once(e.code, e.error, label, 'its findings are missing; please report this');
  }

  private once(code: string, error: string, label: string, consequence: string): void {
    const firstLine = error.split('\n')[0];
    const key = `${code}\n${firstLine}`;
    if (this.reported.has(key)) {
      this.log.debug(`${code} failed again on ${label}: ${firstLine}`);
      return;
    }
    this.reported.add(key);
    this.log.error(
      `Leak Lens: ${code === 'engine' ? 'the engine' : `rule ${code}`} failed on ${label} (${consequence}): ${error}`,
    );
  }
}
