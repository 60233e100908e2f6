// `leak-lens scan [PATH ...]`: find the files, resolve each one's settings (nearest
// pyproject.toml or --config, then flags), analyse them (on worker threads, see run-analysis.ts),
// print text/json/sarif on stdout and problems on stderr. Returns the exit code:
// 0 no findings (or --exit-zero), 1 findings, 2 usage error, a named path that could not be
// scanned, or (with --strict) any file skipped. Files found while walking that cannot be analysed
// (unreadable, undecodable, too large, not a regular file, parser failure, timeout) are reported
// on stderr, counted in the summary and listed in JSON's `skipped`, without changing the exit
// code unless --strict: one stray binary must not fail a CI run, but a scan never passes for
// complete when it is not. Test code is left out unless --include-tests (or `include-tests =
// true`): the summary counts it, and a test file named on the command line gets a note on stderr.
// Vendored third-party code (model/vendored-code.ts) likewise, unless --include-vendored.
import { type Stats, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import {
  type ConfigResult,
  configForDirectory,
  DEFAULT_LIMITS,
  loadPyproject,
  mergeSettings,
  type ScanLimits,
} from '../config';
import { cachedFolderLister } from '../folder-lister';
import { isTestFile, projectRoot } from '../model/test-code';
import { isVendoredFile, vendoredRoot } from '../model/vendored-code';
import { describeErrno, describeKind } from '../safe-read';
import type { EngineSettings } from '../types';
import type { FileTask } from './analyze-file';
import { type DiscoveredFile, discoverFiles, type ExcludeContext } from './discover';
import { describeFixes, summarizeFixes } from './fix-summary';
import { formatJson } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';
import { compareFindings, type ReportedFinding, type ScanReport } from './report';
import { runAnalysis } from './run-analysis';
import { type OutputFormat, parseScanArgs, SCAN_USAGE, type ScanArgs, UsageError } from './scan-args';
import { type ScanWorker, startWorker } from './scan-thread';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
};

const FORMATTERS: Record<OutputFormat, (report: ScanReport) => string> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
};

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * The project root a file's path is judged against to tell test code (model/test-code.ts): the
 * deepest of the directory named on the command line it was found under and the folder of the
 * pyproject.toml configuring it. A file named on the command line has no such directory: the
 * working directory stands in (pre-commit passes `tests/test_x.py` from the repository root).
 */
function testRoot(file: DiscoveredFile, config: ConfigResult, fixed: boolean, cwd: string): string {
  const pyprojectDir = !fixed && config.pyproject ? dirname(config.pyproject) : undefined;
  const roots = file.explicit ? [pyprojectDir, cwd] : [file.root, pyprojectDir];
  return projectRoot(file.path, roots) ?? dirname(file.path);
}

/**
 * The root a file's path is judged against to tell vendored code: the outermost of the same roots
 * (a pyproject.toml shipped inside a vendored copy does not make the copy a project of its own).
 */
function libraryRoot(file: DiscoveredFile, config: ConfigResult, fixed: boolean, cwd: string): string {
  const pyprojectDir = !fixed && config.pyproject ? dirname(config.pyproject) : undefined;
  const roots = file.explicit ? [pyprojectDir, cwd] : [file.root, pyprojectDir];
  return vendoredRoot(file.path, roots) ?? dirname(file.path);
}

/** Why `path` cannot be the file --config names, or undefined when it is a regular file. */
function configFileProblem(path: string): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : describeErrno(error);
  }
  if (stats.isDirectory()) return 'is a directory; name the TOML file itself (e.g. --config pyproject.toml)';
  if (!stats.isFile()) return `not a regular file but ${describeKind(stats)}`;
  return undefined;
}

/**
 * Runs `leak-lens scan`. `warmed`: a worker the caller started already (stopped if not needed);
 * without it, one is started here, to load the parser while the files are found.
 */
export async function runScan(argv: string[], io: CliIO = processIO, warmed?: ScanWorker): Promise<number> {
  let args: ScanArgs;
  try {
    args = parseScanArgs(argv);
  } catch (error) {
    warmed?.stop();
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`leak-lens scan: ${error.message}\nRun \`leak-lens scan --help\` for usage.\n`);
    return 2;
  }
  if (args.help) {
    warmed?.stop();
    io.stdout(`${SCAN_USAGE}\n`);
    return 0;
  }
  const warm = warmed ?? startWorker();
  try {
    return await scan(args, io, warm);
  } finally {
    warm?.stop();
  }
}

async function scan(args: ScanArgs, io: CliIO, warm: ScanWorker | undefined): Promise<number> {
  const warn = (message: string) => io.stderr(`leak-lens: ${message}\n`);
  // Every path in a message is relative to the working directory, as in the findings.
  const shown = (path: string) => toPosix(relative(io.cwd, path)) || '.';

  // Configuration: --config for every file, else the nearest pyproject.toml per folder.
  let fixed: ConfigResult | undefined;
  if (args.config !== undefined) {
    const path = resolve(io.cwd, args.config);
    const problem = configFileProblem(path);
    if (problem) {
      io.stderr(`leak-lens scan: --config ${args.config}: ${problem}\n`);
      return 2;
    }
    const loaded = loadPyproject(path, { displayPath: shown });
    if (!loaded.hasSection) warn(`${args.config} has no [tool.leak-lens] table; using the default settings`);
    fixed = {
      settings: loaded.settings,
      pyproject: loaded.pyproject,
      errors: loaded.errors,
      limits: loaded.limits,
    };
  }
  const cache = new Map<string, ConfigResult>();
  const reported = new Set<ConfigResult>();
  const reportedMessages = new Set<string>();
  const configFor = (dir: string): ConfigResult => {
    const config = fixed ?? configForDirectory(dir, cache, { displayPath: shown });
    if (!reported.has(config)) {
      reported.add(config);
      for (const e of config.errors) {
        if (reportedMessages.has(e)) continue;
        reportedMessages.add(e);
        warn(e);
      }
    }
    return config;
  };
  const limitsFor = (config: ConfigResult): ScanLimits => ({
    maxBytes: args.maxBytes ?? config.limits?.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    timeoutMs: args.timeoutMs ?? config.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
  });
  // Exclude globs are relative to the pyproject.toml's folder; with --config, to the working
  // directory (as Ruff resolves paths in a file given with --config).
  const excludeFor = (dir: string): ExcludeContext => {
    const config = configFor(dir);
    const root = fixed ? io.cwd : config.pyproject ? dirname(config.pyproject) : dir;
    return { patterns: config.settings.exclude, root };
  };

  const discovery = discoverFiles(args.paths, io.cwd, excludeFor, shown);
  for (const message of discovery.fatal) io.stderr(`leak-lens scan: ${message}\n`);
  if (discovery.files.length === 0 && discovery.fatal.length === 0 && discovery.skipped.length === 0) {
    warn(`no Python files found under ${args.paths.join(', ')}`);
  }

  // Flags override every file's configuration.
  const flags: Partial<EngineSettings> = {};
  if (args.select) flags.select = args.select;
  if (args.ignore) flags.ignore = args.ignore;
  if (args.includeTests) flags.includeTests = true;
  if (args.includeVendored) flags.includeVendored = true;
  const settingsTable: EngineSettings[] = [];
  const settingsIds = new Map<ConfigResult, number>();
  const tasks: FileTask[] = [];
  // Test and vendored code are left out unless included; neither read nor counted in filesScanned.
  let testFiles = 0;
  let vendoredFiles = 0;
  const namedTestFiles: string[] = [];
  const namedVendoredFiles: string[] = [];
  const folders = cachedFolderLister();
  for (const file of discovery.files) {
    const config = configFor(dirname(file.path));
    let id = settingsIds.get(config);
    if (id === undefined) {
      id = settingsTable.push(mergeSettings(config.settings, flags)) - 1;
      settingsIds.set(config, id);
    }
    const rel = toPosix(relative(io.cwd, file.path));
    // Vendored first: a vendored library's own tests are the library's, whatever --include-tests says.
    if (
      !settingsTable[id].includeVendored &&
      isVendoredFile(file.path, libraryRoot(file, config, fixed !== undefined, io.cwd), folders)
    ) {
      vendoredFiles++;
      if (file.explicit) namedVendoredFiles.push(rel);
      continue;
    }
    if (
      !settingsTable[id].includeTests &&
      isTestFile(file.path, testRoot(file, config, fixed !== undefined, io.cwd), folders)
    ) {
      testFiles++;
      if (file.explicit) namedTestFiles.push(rel);
      continue;
    }
    const fix = args.fix || args.diff ? { unsafe: args.unsafeFixes, write: !args.diff } : undefined;
    tasks.push({ path: file.path, rel, settingsId: id, explicit: file.explicit, fix, ...limitsFor(config) });
  }
  const noteNamed = (named: string[], what: string, flag: string) => {
    if (named.length === 0) return;
    const n = named.length;
    const shown = named.slice(0, 5).join(', ') + (n > 5 ? ', …' : '');
    warn(
      n === 1
        ? `note: ${shown} is ${what} and was not analysed; use ${flag} to analyse it`
        : `note: ${n} files named on the command line are ${what} and were not analysed (${shown}); use ${flag} to analyse them`,
    );
  };
  noteNamed(namedTestFiles, 'test code', '--include-tests');
  noteNamed(namedVendoredFiles, 'vendored third-party code', '--include-vendored');

  const { outcomes } = await runAnalysis(tasks, settingsTable, { warn, indexProject: true, warm });

  let complete = discovery.fatal.length === 0;
  const report: ScanReport = {
    cwd: io.cwd,
    filesScanned: 0,
    findings: [],
    skipped: [],
    complete,
    testFiles,
    vendoredFiles,
  };
  // Files and folders passed over while walking (special files, unlistable folders) and files
  // whose analysis did not complete are listed together, in path order.
  const skipped = [
    ...discovery.skipped.map((s) => ({ path: shown(s.path), reason: s.reason, explicit: false })),
    ...outcomes
      .filter((o) => o.error !== undefined)
      .map((o) => ({ path: o.task.rel, reason: o.error as string, explicit: o.task.explicit })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const s of skipped) {
    report.skipped.push({ path: s.path, reason: s.reason });
    // A file named on the command line that cannot be scanned is an I/O error (exit 2).
    if (s.explicit) complete = false;
    warn(`${s.path} skipped: ${s.reason}`);
  }
  outcomes.sort((a, b) => (a.task.rel < b.task.rel ? -1 : a.task.rel > b.task.rel ? 1 : 0));
  for (const outcome of outcomes) {
    const rel = outcome.task.rel;
    if (outcome.error !== undefined) continue;
    report.filesScanned++;
    if (outcome.hasSyntaxErrors) warn(`${rel} has syntax errors; findings cover the parts that parse`);
    for (const e of outcome.ruleErrors) {
      warn(`${e.code} failed on ${rel} (please report this): ${e.error.split('\n')[0]}`);
    }
    for (const f of outcome.findings) report.findings.push({ ...f, path: rel } satisfies ReportedFinding);
    if (outcome.notFixed) warn(`${rel} not fixed: ${outcome.notFixed}`);
  }
  report.complete = complete;
  report.findings.sort(compareFindings);
  const fixes = args.fix || args.diff ? summarizeFixes(outcomes, args) : undefined;
  report.fixes = fixes;
  if (fixes && args.diff) {
    // The diff is the output; what it amounts to goes to stderr, as the findings are not listed.
    io.stdout(outcomes.map((o) => o.diff ?? '').join(''));
    io.stderr(`${describeFixes(fixes, true)}\n`);
  } else {
    io.stdout(FORMATTERS[args.format](report));
    // (The text format says it in its summary; JSON and SARIF stay machine-readable.)
    if (fixes && args.format !== 'text') io.stderr(`${describeFixes(fixes, false)}\n`);
  }

  if (!complete) return 2;
  if (args.strict && report.skipped.length > 0) return 2;
  return report.findings.length > 0 && !args.exitZero ? 1 : 0;
}
