// Command-line arguments of `leak-lens scan`. Anything malformed is a UsageError (exit code 2).
import { parseArgs } from 'node:util';
import { isValidSelector, MAX_FILE_SIZE_MB, MAX_FILE_TIMEOUT_SECONDS } from '../config';

export type OutputFormat = 'text' | 'json' | 'sarif';

export interface ScanArgs {
  paths: string[];
  format: OutputFormat;
  select?: string[];
  ignore?: string[];
  exitZero: boolean;
  config?: string;
  /** Also analyse test code (tests/, test_*.py, conftest.py…), which is left out by default. */
  includeTests: boolean;
  /** Also analyse vendored third-party code (vendor/, a lib/ of copied libraries…), left out by default. */
  includeVendored: boolean;
  /** Files larger than this many bytes are skipped (overrides `max-file-size`). */
  maxBytes?: number;
  /** Budget of one file's analysis in milliseconds (overrides `file-timeout`). */
  timeoutMs?: number;
  /** Exit 2 when any file the scan was asked to analyse was skipped. */
  strict: boolean;
  /** Rewrite files with their safe fixes. */
  fix: boolean;
  /** With --fix or --diff: the unsafe fixes too. */
  unsafeFixes: boolean;
  /** Print the fixes as a unified diff instead of writing them. */
  diff: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const SCAN_USAGE = `Usage: leak-lens scan [options] [PATH ...]

Scan Python files for memory-leak patterns (LEAK001-LEAK008). PATH defaults to the current
directory; directories are searched for *.py files, skipping .git, .venv, venv, node_modules,
__pycache__, site-packages, build, dist and the configured \`exclude\` globs. Test code (folders
named test or tests, test_*.py, *_test.py, conftest.py, tests.py, folders whose conftest.py sits beside
mostly test modules) is not analysed unless --include-tests, nor is vendored third-party code
(folders named vendor, _vendor, third_party, extern…, and lib/, ext/ or packages/ folders holding
copies of well-known libraries such as requests, six or boto) unless --include-vendored.

Options:
  --format text|json|sarif  Output format (default: text)
  --select CODES            Only these rules: comma-separated codes or prefixes (LEAK001,LEAK00)
  --ignore CODES            Skip these rules: comma-separated codes or prefixes
  --exit-zero               Exit 0 even when there are findings
  --config FILE             Use this pyproject.toml for every file instead of the nearest one
  --include-tests           Also analyse test code (or include-tests = true in pyproject.toml)
  --include-vendored        Also analyse vendored third-party code (or include-vendored = true)
  --max-file-size MB        Skip files larger than this (default: 10; or max-file-size in pyproject.toml)
  --file-timeout SECONDS    Give up on a file whose analysis takes longer than this per started MB
                            of its size (default: 5; or file-timeout in pyproject.toml)
  --strict                  Exit 2 when any file could not be analysed (skipped files are always listed)
  --fix                     Apply the safe fixes to the files (rewritten in place), then report
                            what remains
  --unsafe-fixes            With --fix or --diff: also apply the unsafe fixes (they remove the leak
                            but may change behaviour; see docs/rules)
  --diff                    Print the fixes as a unified diff on stdout and write nothing
  -h, --help                Show this help

Settings come from the nearest pyproject.toml [tool.leak-lens] above each file; flags override them.
Files that cannot be analysed (unreadable, too large, not a regular file, parser failure, timeout)
are reported on stderr, counted in the summary and listed under "skipped" in JSON.
Exit status: 0 no findings, 1 findings (with --fix: findings that remain), 2 usage or I/O error
(a file named on the command line that cannot be analysed, or with --strict any skipped file).`;

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

function codeList(flag: string, values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const codes = values
    .flatMap((v) => v.split(','))
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (codes.length === 0) throw new UsageError(`${flag} needs at least one rule code or prefix`);
  const bad = codes.filter((c) => !isValidSelector(c));
  if (bad.length > 0) {
    throw new UsageError(`${flag}: unknown rule code or prefix ${bad.map((b) => `"${b}"`).join(', ')}`);
  }
  return codes.map((c) => c.toUpperCase());
}

/** Options that take a value: `--file-timeout -1` is that option with a (wrong) value, not two options. */
const VALUED = new Set(['--format', '--select', '--ignore', '--config', '--max-file-size', '--file-timeout']);

export function parseScanArgs(argv: string[]): ScanArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    const joined: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (VALUED.has(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) joined.push(`${argv[i]}=${argv[++i]}`);
      else joined.push(argv[i]);
    }
    parsed = parse(joined);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const format = (values.format ?? 'text') as OutputFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  }
  if (values.config !== undefined && values.config.trim() === '')
    throw new UsageError('--config needs a file');
  const maxFileSize = positive('--max-file-size', values['max-file-size'], 'megabytes', MAX_FILE_SIZE_MB);
  const fileTimeout = positive('--file-timeout', values['file-timeout'], 'seconds', MAX_FILE_TIMEOUT_SECONDS);
  if (values['unsafe-fixes'] && !values.fix && !values.diff)
    throw new UsageError('--unsafe-fixes goes with --fix (to apply them) or --diff (to see them)');
  if (values.diff && format !== 'text')
    throw new UsageError(`--diff prints a diff, which --format ${format} cannot hold; drop one of them`);
  return {
    paths: positionals.length > 0 ? positionals : ['.'],
    format,
    select: codeList('--select', values.select),
    ignore: codeList('--ignore', values.ignore),
    exitZero: values['exit-zero'] ?? false,
    config: values.config,
    includeTests: values['include-tests'] ?? false,
    includeVendored: values['include-vendored'] ?? false,
    maxBytes: maxFileSize === undefined ? undefined : Math.round(maxFileSize * 1024 * 1024),
    timeoutMs: fileTimeout === undefined ? undefined : Math.round(fileTimeout * 1000),
    strict: values.strict ?? false,
    fix: values.fix ?? false,
    unsafeFixes: values['unsafe-fixes'] ?? false,
    diff: values.diff ?? false,
    help: values.help ?? false,
  };
}

/** A number above 0 and at most `max`, e.g. `--max-file-size 20` or `--file-timeout 2.5`. */
function positive(flag: string, value: string | undefined, unit: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(`${flag} needs a number of ${unit} above 0 and at most ${max}, got "${value}"`);
  }
  return n;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      select: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      'exit-zero': { type: 'boolean' },
      config: { type: 'string' },
      'include-tests': { type: 'boolean' },
      'include-vendored': { type: 'boolean' },
      'max-file-size': { type: 'string' },
      'file-timeout': { type: 'string' },
      strict: { type: 'boolean' },
      fix: { type: 'boolean' },
      'unsafe-fixes': { type: 'boolean' },
      diff: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
