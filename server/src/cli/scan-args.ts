// Command-line arguments of `leak-lens scan`. Anything malformed is a UsageError (exit code 2).
import { parseArgs } from 'node:util';
import { isValidSelector } from '../config';

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
  help: boolean;
}

export class UsageError extends Error {}

export const SCAN_USAGE = `Usage: leak-lens scan [options] [PATH ...]

Scan Python files for memory-leak patterns (LEAK001-LEAK008). PATH defaults to the current
directory; directories are searched for *.py files, skipping .git, .venv, venv, node_modules,
__pycache__, site-packages, build, dist and the configured \`exclude\` globs. Test code (folders
named test or tests, test_*.py, *_test.py, conftest.py) is not analysed unless --include-tests.

Options:
  --format text|json|sarif  Output format (default: text)
  --select CODES            Only these rules: comma-separated codes or prefixes (LEAK001,LEAK00)
  --ignore CODES            Skip these rules: comma-separated codes or prefixes
  --exit-zero               Exit 0 even when there are findings
  --config FILE             Use this pyproject.toml for every file instead of the nearest one
  --include-tests           Also analyse test code (or include-tests = true in pyproject.toml)
  -h, --help                Show this help

Settings come from the nearest pyproject.toml [tool.leak-lens] above each file; flags override them.
Exit status: 0 no findings, 1 findings, 2 usage or I/O error.`;

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

export function parseScanArgs(argv: string[]): ScanArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
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
  return {
    paths: positionals.length > 0 ? positionals : ['.'],
    format,
    select: codeList('--select', values.select),
    ignore: codeList('--ignore', values.ignore),
    exitZero: values['exit-zero'] ?? false,
    config: values.config,
    includeTests: values['include-tests'] ?? false,
    help: values.help ?? false,
  };
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}
