// Runs the engine for the language server without ever taking the server down: a rule that
// throws is reported (the other rules' findings are still published); if the engine itself
// throws (say, a stack overflow on absurdly deep nesting), the rules are retried one by one so
// the file still gets whatever findings can be computed. On the worker thread each finding also
// gets its "Suppress … on this line" fix while the tree is at hand (the main thread has no tree
// for those texts); on the main thread that fix is computed when a code action asks for it.
import { analyzeSource } from '../engine';
import type { ProjectIndex } from '../model/project-index';
import { SourceFile } from '../model/source';
import { suppressionFix } from '../noqa';
import { parsePython, type Tree } from '../parser';
import { RULES } from '../rules/index';
import type { EngineSettings, Finding, Fix, Rule } from '../types';
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
}

/** Analyse `text`. Never throws: failures end up in the outcome. */
export function analyzeText(
  text: string,
  settings: EngineSettings,
  label: string,
  { tree, suppressions = false, rules = RULES, project }: AnalyzeTextOptions = {},
): AnalysisOutcome {
  const started = performance.now();
  let own: Tree | undefined;
  try {
    own = tree ? undefined : parsePython(text);
  } catch (error) {
    return {
      findings: [],
      analyzeMs: performance.now() - started,
      degraded: true,
      ruleErrors: [],
      engineError: describeError(error),
    };
  }
  const used = (tree ?? own) as Tree;
  try {
    const outcome: AnalysisOutcome = { findings: [], analyzeMs: 0, degraded: false, ruleErrors: [] };
    try {
      const result = analyzeSource(text, { settings, tree: used, path: label, rules, project });
      outcome.findings = result.findings;
      outcome.ruleErrors = result.ruleErrors;
    } catch (error) {
      outcome.degraded = true;
      outcome.engineError = describeError(error);
      for (const rule of rules) {
        try {
          outcome.findings.push(
            ...analyzeSource(text, { settings, tree: used, path: label, rules: [rule], project }).findings,
          );
        } catch (e) {
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
    outcome.analyzeMs = performance.now() - started;
    return outcome;
  } finally {
    own?.delete();
  }
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
