// `[tool.leak-lens]` in pyproject.toml: parsing, validation, discovery and layering of settings.
// A bad value never stops analysis: it yields one error naming the file and the key, and that key
// keeps its default, so a typo in one setting does not silently disable the others.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { RULES } from './rules/index';
import { DEFAULT_SETTINGS, type EngineSettings, type Severity } from './types';

export interface ConfigResult {
  settings: EngineSettings;
  /** The pyproject.toml the settings came from; undefined when defaults apply. */
  pyproject?: string;
  errors: string[];
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
  return `${typeof value} ${String(value)}`;
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
): { settings: Partial<EngineSettings>; errors: string[] } {
  const { settings, errors } = parseToolSection(tomlText, fileName);
  return { settings, errors };
}

interface ParsedSection {
  settings: Partial<EngineSettings>;
  errors: string[];
  /** Whether the file configures Leak Lens (or is too broken to tell: then its error must show). */
  hasSection: boolean;
}

function parseToolSection(tomlText: string, fileName: string): ParsedSection {
  const settings: Partial<EngineSettings> = {};
  const errors: string[] = [];
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
    return { settings, errors, hasSection: true };
  }
  const tool = doc.tool;
  if (tool === undefined) return { settings, errors, hasSection: false };
  if (!isTable(tool)) {
    errors.push(`${fileName}: \`tool\` must be a table; using the default Leak Lens settings`);
    return { settings, errors, hasSection: true };
  }
  const section = tool['leak-lens'];
  if (section === undefined) return { settings, errors, hasSection: false };
  const where = (key: string) => {
    const line = lineOfKey(tomlText, key);
    return `${fileName}${line ? `:${line}` : ''}: [${SECTION}] \`${key}\``;
  };
  if (!isTable(section)) {
    errors.push(`${fileName}: [${SECTION}] must be a table, got ${describe(section)}; using defaults`);
    return { settings, errors, hasSection: true };
  }

  for (const [key, value] of Object.entries(section)) {
    const fail = (problem: string, subKey?: string) =>
      errors.push(`${where(subKey ? `${key}.${subKey}` : key)} ${problem}; using the default`);
    switch (key) {
      case 'select':
      case 'ignore': {
        const list = stringList(value);
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
            `must be a table of rule code = "error" | "warning" | "information" | "hint", got ${describe(value)}`,
          );
          break;
        }
        const severity: Partial<Record<string, Severity>> = {};
        for (const [code, level] of Object.entries(value)) {
          const upper = code.toUpperCase();
          if (!/^LEAK\d{3}$/.test(upper) || !RULES.some((r) => r.code === upper)) {
            fail('names an unknown rule code (use a full code such as LEAK001)', code);
          } else if (typeof level !== 'string' || !SEVERITIES.includes(level as Severity)) {
            fail(`must be one of "error", "warning", "information", "hint", got ${describe(level)}`, code);
          } else severity[upper] = level as Severity;
        }
        settings.severity = severity;
        break;
      }
      case 'exclude': {
        const list = stringList(value);
        if (!list) fail(`must be an array of glob patterns, got ${describe(value)}`);
        else settings.exclude = list;
        break;
      }
      case 'extend-connection-factories': {
        const list = stringList(value);
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
  return { settings, errors, hasSection: true };
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
    result = next;
  }
  return result;
}

/** Reads and parses one pyproject.toml; `hasSection` says whether it configures Leak Lens. */
export function loadPyproject(path: string): ConfigResult & { hasSection: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      settings: mergeSettings(DEFAULT_SETTINGS),
      pyproject: path,
      errors: [`${path}: cannot read (${reason}); using the default Leak Lens settings`],
      hasSection: true,
    };
  }
  const { settings, errors, hasSection } = parseToolSection(text, path);
  return { settings: mergeSettings(DEFAULT_SETTINGS, settings), pyproject: path, errors, hasSection };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The configuration that applies to files in `dir`: from the nearest pyproject.toml in `dir` or
 * above that has a `[tool.leak-lens]` table. Like Ruff, a pyproject.toml without our table is
 * passed over, so a sub-package's own pyproject does not reset the repository's settings.
 */
export function configForDirectory(dir: string, cache?: Map<string, ConfigResult>): ConfigResult {
  const visited: string[] = [];
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
    if (existsSync(candidate) && !isDirectory(candidate)) {
      const loaded = loadPyproject(candidate);
      if (loaded.hasSection) {
        found = { settings: loaded.settings, pyproject: loaded.pyproject, errors: loaded.errors };
        break;
      }
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const result = found ?? { settings: mergeSettings(DEFAULT_SETTINGS), errors: [] };
  if (cache) for (const d of visited) cache.set(d, result);
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
