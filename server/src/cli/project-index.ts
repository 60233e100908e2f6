// The project index for a scan: what the other files say about the names each file uses (who
// calls a helper, whether the project's own emitters hold listeners weakly). Built from the
// files being scanned, before the analysis, so every file (in-process or on a worker) sees the
// same answers. Unreadable, undecodable or very large files are left out of the index; the
// analysis reports them as usual. With worker threads, each indexes a share of the files
// (`indexShare`) and every thread merges the shares in the files' order (`ProjectIndex.merge`).
// While a file's text is at hand for the index, the rules' text tests (`Rule.mayFire`) are asked
// about it too: a file in which none can fire is not read again for the analysis (`QuietFile`),
// and the analysis of the others does not ask again the answers that are known (`KnownGates`).
import { isRuleEnabled } from '../engine';
import { ProjectIndex, someImportedWord } from '../model/project-index';
import { RULES } from '../rules/index';
import { readRegularFile } from '../safe-read';
import type { EngineSettings } from '../types';
import { countLines, decodeSource, type FileOutcome, type FileTask } from './analyze-file';

/** Files larger than this are not indexed (generated code; the analysis decides about them). */
const MAX_INDEXED_BYTES = 2 * 1024 * 1024;

/** The index of these files, not compacted (a share of the project: see `ProjectIndex.merge`). */
export function indexFiles(paths: readonly string[]): ProjectIndex {
  return indexShare(paths).index;
}

/**
 * Asks the rules' text tests about the files of a share as they are indexed: `settingsIds[i]`
 * is the settings (in `settings`) of `paths[i]`, or -1 for a file not to be asked about (one to
 * be fixed); `maxBytes[i]` its size limit (a larger file is left to the analysis, which reports it).
 */
export interface QuietTest {
  settings: EngineSettings[];
  settingsIds: number[];
  maxBytes: number[];
}

/**
 * A file of a share in which no enabled rule can fire, whatever the rest of the project says,
 * unless it imports by name a module-level dict that another file defines (LEAK001 follows
 * those): `imports` are the words of its import statements. Its analysis would find nothing
 * (and not parse it): `quietOutcome` is that outcome.
 */
export interface QuietFile {
  /** Its position in the share. */
  at: number;
  lines: number;
  bytes: number;
  imports: string[];
}

/** The answers of a file's text tests that do not depend on the project, by rule code. */
export interface KnownGates {
  /** Its position in the share. */
  at: number;
  gates: Record<string, boolean>;
}

/**
 * The index of these files (not compacted), and with `test`, the files of them that are quiet
 * and the known answers of the others' text tests.
 */
export function indexShare(
  paths: readonly string[],
  test?: QuietTest,
): { index: ProjectIndex; quiet: QuietFile[]; known: KnownGates[] } {
  const index = new ProjectIndex();
  const quiet: QuietFile[] = [];
  const known: KnownGates[] = [];
  paths.forEach((path, at) => {
    try {
      // Only regular files, never past the limit (a FIFO or /dev/zero would never end).
      const bytes = readRegularFile(path, MAX_INDEXED_BYTES);
      const text = decodeSource(bytes);
      index.addFile(path, text);
      const id = test?.settingsIds[at] ?? -1;
      if (test && id >= 0 && bytes.length <= test.maxBytes[at]) {
        // (A test that throws is left to the analysis, which reports it; the file stays indexed.)
        const tests = tryTextTests(text, test.settings[id], path);
        if (tests?.imports)
          quiet.push({ at, lines: countLines(text), bytes: bytes.length, imports: tests.imports });
        else if (tests) known.push({ at, gates: tests.gates });
      }
    } catch {
      // Left out of the index; the analysis reports the file.
    }
  });
  return { index, quiet, known };
}

/** What the text tests of the rules enabled in some settings say about a text, before the project is known. */
export interface TextTests {
  /** The answers that asked nothing of the project, by rule code: final. */
  gates: Record<string, boolean>;
  /**
   * When no rule can fire as long as none of these words of the file's import statements names a
   * dict of the project (`ProjectIndex.mayImportDict`, the one question of a text test about the
   * project): the file is quiet. Undefined when a rule may fire, or asked the project anything
   * else, or an import statement was too long to read.
   */
  imports?: string[];
}

function tryTextTests(text: string, settings: EngineSettings, path: string): TextTests | undefined {
  try {
    return textTests(text, settings, path);
  } catch {
    return undefined;
  }
}

/** Each enabled rule's text test on `text`, with a project that records what it is asked. */
export function textTests(text: string, settings: EngineSettings, path: string): TextTests {
  const gates: Record<string, boolean> = {};
  const words = new Set<string>();
  let importsRead = false;
  let askedImports = false;
  let askedOther = false;
  // A project that records what the tests ask: its dicts are not known yet.
  const project = new Proxy(new ProjectIndex(), {
    get(target, property, receiver) {
      if (property === 'mayImportDict')
        return (asked: string) => {
          askedImports = true;
          if (asked !== text) askedOther = true;
          else if (!importsRead) {
            importsRead = true;
            if (someImportedWord(text, (word) => (words.add(word), false))) askedOther = true;
          }
          return false;
        };
      askedOther = true;
      return Reflect.get(target, property, receiver);
    },
  });
  let quiet = true;
  for (const rule of RULES) {
    if (!isRuleEnabled(rule.code, settings)) continue;
    askedImports = false;
    askedOther = false;
    const answer = !rule.mayFire || rule.mayFire(text, { settings, path, project });
    // An answer that asked the project is asked again in the analysis, with the project.
    if (!askedImports && !askedOther) gates[rule.code] = answer;
    if (answer || askedOther) quiet = false;
  }
  return { gates, imports: quiet ? [...words] : undefined };
}

/** Whether a quiet file stays quiet once the project's dict names (`ProjectIndex.moduleDicts`) are known. */
export function staysQuiet(file: QuietFile, dicts: ReadonlySet<string>): boolean {
  return dicts.size === 0 || !file.imports.some((word) => dicts.has(word));
}

/** What `analyzeFile` gives for a file in which no rule can fire (it is not parsed). */
export function quietOutcome(task: FileTask, file: QuietFile): FileOutcome {
  return {
    task,
    findings: [],
    lines: file.lines,
    bytes: file.bytes,
    hasSyntaxErrors: false,
    ruleErrors: [],
    analysisMs: 0,
  };
}

export function buildProjectIndex(tasks: readonly FileTask[]): ProjectIndex {
  const index = indexFiles(tasks.map((t) => t.path));
  index.compact();
  return index;
}
