// `[tool.leak-lens]` in pyproject.toml: parsing, validation, discovery and layering of settings.
// A bad value never stops analysis: it yields one error naming the file and the key, and that key
// keeps its default, so a typo in one setting does not silently disable the others.
import { lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { RULES } from './rules/index';
import { checkRegularFile, describeErrno, ReadError, readRegularTextFile } from './safe-read';
import { DEFAULT_SETTINGS, type EngineSettings, type Severity } from './types';

/** Per-file limits of `leak-lens scan` (`max-file-size`, `file-timeout`, and their flags). */
export interface ScanLimits {
  /** Files larger than this many bytes are skipped unread. */
  maxBytes: number;
  /** The analysis of one file (parse and rules) may take this many milliseconds per started MB. */
  timeoutMs: number;
}

const MB = 1024 * 1024;
export const DEFAULT_LIMITS: Readonly<ScanLimits> = { maxBytes: 10 * MB, timeoutMs: 5000 };
/** Ceilings of the limits: V8 cannot hold a longer string; an hour is no longer a budget. */
export const MAX_FILE_SIZE_MB = 512;
export const MAX_FILE_TIMEOUT_SECONDS = 3600;
/** pyproject.toml files larger than this are not read (they are configuration, not data). */
const MAX_PYPROJECT_BYTES = 4 * MB;

export interface ConfigResult {
  settings: EngineSettings;
  /** The pyproject.toml the settings came from; undefined when defaults apply. */
  pyproject?: string;
  errors: string[];
  /** The scan limits this pyproject.toml sets (the command line's flags override them). */
  limits?: Partial<ScanLimits>;
}

/** How paths are written in messages (the CLI prints them relative to the working directory). */
export interface ConfigOptions {
  displayPath?: (path: string) => string;
}

const SECTION = 'tool.leak-lens';
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
const KNOWN_KEYS = [
  'select',
  'ignore',
  'severity',
  'exclude',
  'extend-connection-factories',
  'cache-maxsize',
  'cache-ttl-seconds',
  'include-tests',
  'include-vendored',
  'max-file-size',
  'file-timeout',
] as const;
const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Whether `selector` names a rule or a group of rules: `ALL`, `LEAK`, `LEAK00`, `LEAK001`. */
export function isValidSelector(selector: string): boolean {
  const s = selector.toUpperCase();
  if (s === 'ALL') return true;
  if (/^LEAK\d{3}$/.test(s)) return RULES.some((r) => r.code === s);
  return /^LEAK\d{0,2}$/.test(s);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isTable(value)) return 'a table';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value instanceof Date) return `the date ${value.toISOString()}`;
  return String(value);
}

/**
 * The first element of a list that is not a string, as `[index, value]`: a message names it
 * exactly (`select[1]: expected a rule code string, got 5`).
 */
function badElement(value: unknown[]): [number, unknown] | undefined {
  const index = value.findIndex((v) => typeof v !== 'string');
  return index === -1 ? undefined : [index, value[index]];
}

const TABLE = String.raw`tool\s*\.\s*(?:"leak-lens"|leak-lens)`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * The 1-based line where `key` (`cache-maxsize`, or `severity.LEAK001` inside the severity table)
 * is set in `[tool.leak-lens]`. Best effort: parsed TOML values carry no positions, so this scans
 * the text the way a reader would; a sub-key that cannot be found falls back to its table's line.
 */
function lineOfKey(text: string, key: string): number | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const [head, sub] = key.split('.', 2);
  const find = (table: string, name: string): number | undefined => {
    const k = `"?${escapeRegExp(name)}"?`;
    const header = new RegExp(`^\\s*\\[\\s*${table}\\s*\\]`);
    const dotted = new RegExp(`^\\s*${table}\\s*\\.\\s*${k}\\s*[=.]`);
    const assignment = new RegExp(`^\\s*${k}\\s*[=.]`);
    let inTable = false;
    for (let i = 0; i < lines.length; i++) {
      if (dotted.test(lines[i])) return i + 1;
      if (/^\s*\[/.test(lines[i])) inTable = header.test(lines[i]);
      else if (inTable && assignment.test(lines[i])) return i + 1;
    }
    return undefined;
  };
  const headLine =
    find(TABLE, head) ??
    lines.findIndex((l) =>
      new RegExp(`^\\s*\\[\\s*${TABLE}\\s*\\.\\s*"?${escapeRegExp(head)}"?\\s*\\]`).test(l),
    ) + 1;
  if (sub !== undefined) {
    const subLine = find(`${TABLE}\\s*\\.\\s*"?${escapeRegExp(head)}"?`, sub);
    if (subLine) return subLine; // else an inline table: point at the table's line
  }
  return headLine || undefined;
}

/**
 * Reads `[tool.leak-lens]` from pyproject.toml text. Returns only the settings that were given and
 * valid; each problem is one message naming `fileName`, the key and (when known) the line.
 */
export function parseToolConfig(
  tomlText: string,
  fileName: string,
): { settings: Partial<EngineSettings>; errors: string[]; limits?: Partial<ScanLimits> } {
  const { settings, errors, limits } = parseToolSection(tomlText, fileName);
  // `limits` only when the file sets one (the language server reads settings and errors).
  return Object.keys(limits).length > 0 ? { settings, errors, limits } : { settings, errors };
}

interface ParsedSection {
  settings: Partial<EngineSettings>;
  errors: string[];
  limits: Partial<ScanLimits>;
  /** Whether the file configures Leak Lens (or is too broken to tell: then its error must show). */
  hasSection: boolean;
}

function parseToolSection(tomlText: string, fileName: string): ParsedSection {
  const settings: Partial<EngineSettings> = {};
  const errors: string[] = [];
  const limits: Partial<ScanLimits> = {};
  let doc: Record<string, unknown>;
  try {
    doc = parse(tomlText);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      errors.push(
        `${fileName}:${error.line}:${error.column}: invalid TOML (${reason}); using the default Leak Lens settings`,
      );
    } else
      errors.push(`${fileName}: cannot parse TOML (${String(error)}); using the default Leak Lens settings`);
    return { settings, errors, limits, hasSection: true };
  }
  const tool = doc.tool;
  if (tool === undefined) return { settings, errors, limits, hasSection: false };
  if (!isTable(tool)) {
    errors.push(`${fileName}: \`tool\` must be a table; using the default Leak Lens settings`);
    return { settings, errors, limits, hasSection: true };
  }
  const section = tool['leak-lens'];
  if (section === undefined) return { settings, errors, limits, hasSection: false };
  const where = (key: string) => {
    const line = lineOfKey(tomlText, key);
    return `${fileName}${line ? `:${line}` : ''}: [${SECTION}] \`${key}\``;
  };
  if (!isTable(section)) {
    errors.push(`${fileName}: [${SECTION}] must be a table, got ${describe(section)}; using defaults`);
    return { settings, errors, limits, hasSection: true };
  }

  /** Codes whose severity is "off": ignored, as the editor's `"off"` does. */
  const off: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    const fail = (problem: string, subKey?: string) =>
      errors.push(`${where(subKey ? `${key}.${subKey}` : key)} ${problem}; using the default`);
    /** A list element of the wrong type, named by its index: `select[1]`. */
    const failElement = (list: unknown[], expected: string): boolean => {
      const bad = badElement(list);
      if (!bad) return false;
      const [index, element] = bad;
      errors.push(
        `${where(key).replace(/`$/, `[${index}]\``)}: expected ${expected}, got ${describe(element)}; using the default for \`${key}\``,
      );
      return true;
    };
    switch (key) {
      case 'select':
      case 'ignore': {
        const list = stringList(value);
        if (Array.isArray(value) && failElement(value, 'a rule code string')) break;
        if (!list)
          fail(
            `must be an array of rule codes or prefixes (e.g. ["LEAK001", "LEAK00"]), got ${describe(value)}`,
          );
        else {
          const bad = list.filter((s) => !isValidSelector(s));
          if (bad.length > 0)
            fail(`has unknown rule code${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}`);
          else settings[key] = list.map((s) => s.toUpperCase());
        }
        break;
      }
      case 'severity': {
        if (!isTable(value)) {
          fail(
            `must be a table of rule code = "error" | "warning" | "information" | "hint" | "off", got ${describe(value)}`,
          );
          break;
        }
        const severity: Partial<Record<string, Severity>> = {};
        for (const [code, level] of Object.entries(value)) {
          const upper = code.toUpperCase();
          if (!/^LEAK\d{3}$/.test(upper) || !RULES.some((r) => r.code === upper)) {
            fail('names an unknown rule code (use a full code such as LEAK001)', code);
          } else if (level === 'off') {
            off.push(upper);
          } else if (typeof level !== 'string' || !SEVERITIES.includes(level as Severity)) {
            fail(
              `must be one of "error", "warning", "information", "hint", "off", got ${describe(level)}`,
              code,
            );
          } else severity[upper] = level as Severity;
        }
        settings.severity = severity;
        break;
      }
      case 'exclude': {
        const list = stringList(value);
        if (Array.isArray(value) && failElement(value, 'a glob pattern string')) break;
        if (!list) fail(`must be an array of glob patterns, got ${describe(value)}`);
        else settings.exclude = list;
        break;
      }
      case 'extend-connection-factories': {
        const list = stringList(value);
        if (Array.isArray(value) && failElement(value, 'a qualified name string')) break;
        if (!list)
          fail(`must be an array of qualified names (e.g. ["mylib.db.connect"]), got ${describe(value)}`);
        else {
          const bad = list.filter((s) => !QUALIFIED_NAME.test(s));
          if (bad.length > 0)
            fail(
              `has invalid qualified name${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}`,
            );
          else settings.extendConnectionFactories = list;
        }
        break;
      }
      case 'cache-maxsize':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
          fail(`must be a positive integer, got ${describe(value)}`);
        } else settings.cacheMaxsize = value;
        break;
      case 'cache-ttl-seconds':
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
          fail(`must be a positive number of seconds, got ${describe(value)}`);
        } else settings.cacheTtlSeconds = value;
        break;
      case 'include-tests':
        if (typeof value !== 'boolean') fail(`must be true or false, got ${describe(value)}`);
        else settings.includeTests = value;
        break;
      case 'include-vendored':
        if (typeof value !== 'boolean') fail(`must be true or false, got ${describe(value)}`);
        else settings.includeVendored = value;
        break;
      case 'max-file-size':
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_FILE_SIZE_MB) {
          fail(
            `must be a number of megabytes above 0 and at most ${MAX_FILE_SIZE_MB}, got ${describe(value)}`,
          );
        } else limits.maxBytes = Math.round(value * MB);
        break;
      case 'file-timeout':
        if (
          typeof value !== 'number' ||
          !Number.isFinite(value) ||
          value <= 0 ||
          value > MAX_FILE_TIMEOUT_SECONDS
        ) {
          fail(
            `must be a number of seconds above 0 and at most ${MAX_FILE_TIMEOUT_SECONDS}, got ${describe(value)}`,
          );
        } else limits.timeoutMs = Math.round(value * 1000);
        break;
      default: {
        // `cache_maxsize`, or the editor's spelling (`includeTests`), for `cache-maxsize`, `include-tests`.
        const kebab = key
          .replace(/([a-z])([A-Z])/g, '$1-$2')
          .replace(/_/g, '-')
          .toLowerCase();
        const hint = KNOWN_KEYS.find((k) => k === kebab);
        errors.push(
          `${where(key)} is not a Leak Lens setting${hint ? ` (did you mean \`${hint}\`?)` : ''}; known keys: ${KNOWN_KEYS.join(', ')}`,
        );
      }
    }
  }
  if (off.length > 0) settings.ignore = [...(settings.ignore ?? []), ...off];
  return { settings, errors, limits, hasSection: true };
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  return value;
}

/**
 * Layers settings: each override replaces the fields it sets, except `severity`, which merges per
 * code, and `ignore`, which adds to earlier ignores unless the same override also sets `select`
 * (an explicit selection starts afresh, as with Ruff's `--select`).
 */
export function mergeSettings(base: EngineSettings, ...overrides: Partial<EngineSettings>[]): EngineSettings {
  let result: EngineSettings = { ...base, severity: { ...base.severity } };
  for (const o of overrides) {
    const next: EngineSettings = { ...result, severity: { ...result.severity, ...o.severity } };
    if (o.select !== undefined) {
      next.select = [...o.select];
      next.ignore = o.ignore ? [...o.ignore] : undefined;
    } else if (o.ignore !== undefined) next.ignore = [...(result.ignore ?? []), ...o.ignore];
    if (o.exclude !== undefined) next.exclude = [...o.exclude];
    if (o.extendConnectionFactories !== undefined)
      next.extendConnectionFactories = [...o.extendConnectionFactories];
    if (o.cacheMaxsize !== undefined) next.cacheMaxsize = o.cacheMaxsize;
    if (o.cacheTtlSeconds !== undefined) next.cacheTtlSeconds = o.cacheTtlSeconds;
    if (o.includeTests !== undefined) next.includeTests = o.includeTests;
    if (o.includeVendored !== undefined) next.includeVendored = o.includeVendored;
    result = next;
  }
  return result;
}

/**
 * Reads and parses one pyproject.toml; `hasSection` says whether it configures Leak Lens. Only a
 * regular file of at most 4 MB is read (never a FIFO or a device, which would block or never end).
 */
export function loadPyproject(
  path: string,
  options: ConfigOptions = {},
): ConfigResult & { hasSection: boolean } {
  const shown = options.displayPath?.(path) ?? path;
  let text: string;
  try {
    text = readRegularTextFile(path, MAX_PYPROJECT_BYTES);
  } catch (error) {
    const reason = error instanceof ReadError ? error.message : `unreadable (${describeErrno(error)})`;
    return {
      settings: mergeSettings(DEFAULT_SETTINGS),
      pyproject: path,
      errors: [`${shown}: ${reason}; using the default Leak Lens settings`],
      hasSection: true,
    };
  }
  const { settings, errors, limits, hasSection } = parseToolSection(text, shown);
  return { settings: mergeSettings(DEFAULT_SETTINGS, settings), pyproject: path, errors, limits, hasSection };
}

/**
 * Whether there is a pyproject.toml to read at `candidate`: undefined when there is none (or a
 * directory of that name), else the reason it cannot be read as one (a FIFO, a device, a broken
 * link), or '' when it is a regular file. Nothing is opened.
 */
function pyprojectState(candidate: string): string | undefined {
  try {
    if (lstatSync(candidate).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  try {
    checkRegularFile(candidate, MAX_PYPROJECT_BYTES);
    return '';
  } catch (error) {
    if (error instanceof ReadError && /but a directory$/.test(error.message)) return undefined;
    return error instanceof ReadError ? error.message : `unreadable (${describeErrno(error)})`;
  }
}

/**
 * The configuration that applies to files in `dir`: from the nearest pyproject.toml in `dir` or
 * above that has a `[tool.leak-lens]` table. Like Ruff, a pyproject.toml without our table is
 * passed over, so a sub-package's own pyproject does not reset the repository's settings. One
 * that is not a regular file (a FIFO, a device, a broken link) is passed over with a message in
 * `errors`, so the folders below it say why the settings above apply.
 */
export function configForDirectory(
  dir: string,
  cache?: Map<string, ConfigResult>,
  options: ConfigOptions = {},
): ConfigResult {
  const visited: string[] = [];
  /** Notes about unusable pyproject.toml files, by the index in `visited` of their folder. */
  const notes = new Map<number, string>();
  let current = resolve(dir);
  let found: ConfigResult | undefined;
  for (;;) {
    const cached = cache?.get(current);
    if (cached) {
      found = cached;
      break;
    }
    visited.push(current);
    const candidate = join(current, 'pyproject.toml');
    const state = pyprojectState(candidate);
    if (state === '') {
      const loaded = loadPyproject(candidate, options);
      if (loaded.hasSection) {
        found = { settings: loaded.settings, pyproject: loaded.pyproject, errors: loaded.errors };
        if (loaded.limits && Object.keys(loaded.limits).length > 0) found.limits = loaded.limits;
        break;
      }
    } else if (state !== undefined) {
      notes.set(
        visited.length - 1,
        `${options.displayPath?.(candidate) ?? candidate} skipped: ${state}; the settings above it apply`,
      );
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  let result = found ?? { settings: mergeSettings(DEFAULT_SETTINGS), errors: [] };
  // From the top down: a folder at or below an unusable pyproject.toml gets a new result with
  // the note (the folders above keep the shared one).
  for (let i = visited.length - 1; i >= 0; i--) {
    const note = notes.get(i);
    if (note) result = { ...result, errors: [note, ...result.errors] };
    cache?.set(visited[i], result);
  }
  return result;
}

/** The nearest pyproject.toml configuring Leak Lens, in the file's folder or above. */
export function findPyproject(filePath: string): string | undefined {
  return configForDirectory(dirname(resolve(filePath))).pyproject;
}

/** Defaults ← nearest pyproject.toml. Pass one `cache` per run: lookups are cached per folder. */
export function loadSettingsForFile(filePath: string, cache?: Map<string, ConfigResult>): ConfigResult {
  return configForDirectory(dirname(resolve(filePath)), cache);
}
