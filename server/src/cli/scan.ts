// `leak-lens scan [PATH ...]`: find the files, resolve each one's settings (nearest
// pyproject.toml or --config, then flags), analyse them (in-process or on worker threads), print
// text/json/sarif on stdout and problems on stderr. Returns the exit code:
// 0 no findings (or --exit-zero), 1 findings, 2 usage error or a named path that could not be
// scanned. Files found while walking that cannot be read or decoded are reported and skipped
// without changing the exit code: one stray binary must not fail a CI run. Test code is left out
// unless --include-tests (or `include-tests = true`): the summary counts it, and a test file named
// on the command line gets a note on stderr.
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { type ConfigResult, configForDirectory, loadPyproject, mergeSettings } from '../config';
import { isTestFile, projectRoot } from '../model/test-code';
import type { EngineSettings } from '../types';
import type { FileTask } from './analyze-file';
import { type DiscoveredFile, discoverFiles, type ExcludeContext } from './discover';
import { formatJson } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';
import { buildProjectIndex } from './project-index';
import { compareFindings, type ReportedFinding, type ScanReport } from './report';
import { runAnalysis } from './run-analysis';
import { type OutputFormat, parseScanArgs, SCAN_USAGE, type ScanArgs, UsageError } from './scan-args';

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

export async function runScan(argv: string[], io: CliIO = processIO): Promise<number> {
  let args: ScanArgs;
  try {
    args = parseScanArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`leak-lens scan: ${error.message}\nRun \`leak-lens scan --help\` for usage.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${SCAN_USAGE}\n`);
    return 0;
  }
  const warn = (message: string) => io.stderr(`leak-lens: ${message}\n`);

  // Configuration: --config for every file, else the nearest pyproject.toml per folder.
  let fixed: ConfigResult | undefined;
  if (args.config !== undefined) {
    const path = resolve(io.cwd, args.config);
    if (!existsSync(path) || statSync(path).isDirectory()) {
      io.stderr(`leak-lens scan: --config ${args.config}: no such file\n`);
      return 2;
    }
    const loaded = loadPyproject(path);
    if (!loaded.hasSection) warn(`${args.config} has no [tool.leak-lens] table; using the default settings`);
    fixed = { settings: loaded.settings, pyproject: loaded.pyproject, errors: loaded.errors };
  }
  const cache = new Map<string, ConfigResult>();
  const reported = new Set<ConfigResult>();
  const configFor = (dir: string): ConfigResult => {
    const config = fixed ?? configForDirectory(dir, cache);
    if (!reported.has(config)) {
      reported.add(config);
      for (const e of config.errors) warn(e);
    }
    return config;
  };
  // Exclude globs are relative to the pyproject.toml's folder; with --config, to the working
  // directory (as Ruff resolves paths in a file given with --config).
  const excludeFor = (dir: string): ExcludeContext => {
    const config = configFor(dir);
    const root = fixed ? io.cwd : config.pyproject ? dirname(config.pyproject) : dir;
    return { patterns: config.settings.exclude, root };
  };

  const discovery = discoverFiles(args.paths, io.cwd, excludeFor);
  for (const message of discovery.fatal) io.stderr(`leak-lens scan: ${message}\n`);
  for (const message of discovery.warnings) warn(message);
  if (discovery.files.length === 0 && discovery.fatal.length === 0) {
    warn(`no Python files found under ${args.paths.join(', ')}`);
  }

  // Flags override every file's configuration.
  const flags: Partial<EngineSettings> = {};
  if (args.select) flags.select = args.select;
  if (args.ignore) flags.ignore = args.ignore;
  if (args.includeTests) flags.includeTests = true;
  const settingsTable: EngineSettings[] = [];
  const settingsIds = new Map<ConfigResult, number>();
  const tasks: FileTask[] = [];
  // Test code is left out unless included; it is neither read nor counted in filesScanned.
  let testFiles = 0;
  const namedTestFiles: string[] = [];
  for (const file of discovery.files) {
    const config = configFor(dirname(file.path));
    let id = settingsIds.get(config);
    if (id === undefined) {
      id = settingsTable.push(mergeSettings(config.settings, flags)) - 1;
      settingsIds.set(config, id);
    }
    const rel = toPosix(relative(io.cwd, file.path));
    if (
      !settingsTable[id].includeTests &&
      isTestFile(file.path, testRoot(file, config, fixed !== undefined, io.cwd))
    ) {
      testFiles++;
      if (file.explicit) namedTestFiles.push(rel);
      continue;
    }
    tasks.push({ path: file.path, rel, settingsId: id, explicit: file.explicit });
  }
  if (namedTestFiles.length > 0) {
    const n = namedTestFiles.length;
    const shown = namedTestFiles.slice(0, 5).join(', ') + (n > 5 ? ', …' : '');
    warn(
      n === 1
        ? `note: ${shown} is test code and was not analysed; use --include-tests to analyse it`
        : `note: ${n} files named on the command line are test code and were not analysed (${shown}); use --include-tests to analyse them`,
    );
  }

  const project = buildProjectIndex(tasks);
  const { outcomes } = await runAnalysis(tasks, settingsTable, { warn, project });

  let complete = discovery.fatal.length === 0;
  const report: ScanReport = {
    cwd: io.cwd,
    filesScanned: 0,
    findings: [],
    skipped: [],
    complete,
    testFiles,
  };
  outcomes.sort((a, b) => (a.task.rel < b.task.rel ? -1 : a.task.rel > b.task.rel ? 1 : 0));
  for (const outcome of outcomes) {
    const rel = outcome.task.rel;
    if (outcome.error !== undefined) {
      report.skipped.push({ path: rel, reason: outcome.error });
      // A file named on the command line that cannot be scanned is an I/O error (exit 2).
      if (outcome.task.explicit) complete = false;
      warn(`${rel} skipped: it ${outcome.error}`);
      continue;
    }
    report.filesScanned++;
    if (outcome.hasSyntaxErrors) warn(`${rel} has syntax errors; findings cover the parts that parse`);
    for (const e of outcome.ruleErrors) {
      warn(`${e.code} failed on ${rel} (please report this): ${e.error.split('\n')[0]}`);
    }
    for (const f of outcome.findings) report.findings.push({ ...f, path: rel } satisfies ReportedFinding);
  }
  report.complete = complete;
  report.findings.sort(compareFindings);
  io.stdout(FORMATTERS[args.format](report));

  if (!complete) return 2;
  return report.findings.length > 0 && !args.exitZero ? 1 : 0;
}
