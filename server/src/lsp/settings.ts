// Editor settings (`leakLens.*`, read through workspace/configuration) and how they combine with
// the nearest pyproject.toml `[tool.leak-lens]`. Pure functions: the LSP plumbing that fetches and
// caches them is in settings-service.ts. The precedence is documented in docs/configuration.md.
import { dirname } from 'node:path';
import { isValidSelector, mergeSettings } from '../config';
import { type FolderLister, isTestFile, projectRoot } from '../model/test-code';
import { isVendoredFile, vendoredRoot } from '../model/vendored-code';
import { RULES } from '../rules/index';
import { DEFAULT_SETTINGS, type EngineSettings, type Severity } from '../types';

export type ConfigurationPreference = 'editorFirst' | 'filesystemFirst' | 'editorOnly';
const PREFERENCES: readonly ConfigurationPreference[] = ['editorFirst', 'filesystemFirst', 'editorOnly'];
const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;

/** Editor settings after validation; optional fields are the ones the user did not set. */
export interface EditorSettings {
  enable: boolean;
  select?: string[];
  ignore?: string[];
  /** Per-code severities; `off` codes are listed in `off` instead. */
  severity: Partial<Record<string, Severity>>;
  off: string[];
  exclude: string[];
  cacheMaxsize?: number;
  cacheTtlSeconds?: number;
  /** Set only when true: false is the default, so `include-tests` in pyproject.toml may decide. */
  includeTests?: boolean;
  /** Set only when true, like includeTests (`include-vendored` in pyproject.toml may decide). */
  includeVendored?: boolean;
  configurationPreference: ConfigurationPreference;
}

export const DEFAULT_EDITOR_SETTINGS: EditorSettings = {
  enable: true,
  severity: {},
  off: [],
  exclude: [],
  configurationPreference: 'editorFirst',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Reads `leakLens.cache.maxsize` whether the client nests sections or sends dotted keys. */
function pick(raw: Record<string, unknown>, path: string): unknown {
  if (path in raw) return raw[path];
  let value: unknown = raw;
  for (const part of path.split('.')) {
    if (!isObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

/**
 * Validates the `leakLens` section. Each bad key is reported once (in `problems`) and keeps its
 * default, so one typo does not disable the others. `null`/missing keys are "not set".
 */
export function readEditorSettings(raw: unknown): { settings: EditorSettings; problems: string[] } {
  const settings: EditorSettings = { ...DEFAULT_EDITOR_SETTINGS, severity: {}, off: [], exclude: [] };
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { settings, problems };
  if (!isObject(raw)) {
    problems.push(`\`leakLens\` must be an object of settings, got ${show(raw)}`);
    return { settings, problems };
  }
  const get = (key: string) => {
    const value = pick(raw, key);
    return value === null ? undefined : value;
  };

  const enable = get('enable');
  if (enable !== undefined) {
    if (typeof enable === 'boolean') settings.enable = enable;
    else problems.push(`\`leakLens.enable\` must be true or false, got ${show(enable)}`);
  }

  for (const key of ['select', 'ignore'] as const) {
    const value = get(key);
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      problems.push(
        `\`leakLens.${key}\` must be an array of rule codes such as "LEAK001", got ${show(value)}`,
      );
      continue;
    }
    const unknown = value.filter((v) => !isValidSelector(v));
    if (unknown.length > 0) {
      problems.push(
        `\`leakLens.${key}\` has unknown rule code${unknown.length > 1 ? 's' : ''} ${unknown.map(show).join(', ')}`,
      );
      continue;
    }
    // An empty list is what the settings UI shows when nothing is set: treat it as not set.
    if (value.length > 0) settings[key] = value.map((v) => v.toUpperCase());
  }

  const severity = get('severity');
  if (severity !== undefined) {
    const bad: string[] = [];
    if (!isObject(severity)) bad.push(`must be an object of rule code → severity, got ${show(severity)}`);
    else {
      for (const [code, level] of Object.entries(severity)) {
        const upper = code.toUpperCase();
        if (!RULES.some((r) => r.code === upper)) bad.push(`names unknown rule code ${show(code)}`);
        else if (level !== 'off' && !(SEVERITIES as readonly unknown[]).includes(level)) {
          bad.push(`${upper} must be "error", "warning", "information", "hint" or "off", got ${show(level)}`);
        }
      }
      if (bad.length === 0) {
        for (const [code, level] of Object.entries(severity)) {
          if (level === 'off') settings.off.push(code.toUpperCase());
          else settings.severity[code.toUpperCase()] = level as Severity;
        }
      }
    }
    for (const b of bad) problems.push(`\`leakLens.severity\` ${b}`);
  }

  const exclude = get('exclude');
  if (exclude !== undefined) {
    if (Array.isArray(exclude) && exclude.every((v) => typeof v === 'string'))
      settings.exclude = exclude.filter((p) => p.trim() !== '');
    else problems.push(`\`leakLens.exclude\` must be an array of glob patterns, got ${show(exclude)}`);
  }

  const maxsize = get('cache.maxsize');
  if (maxsize !== undefined) {
    if (typeof maxsize === 'number' && Number.isSafeInteger(maxsize) && maxsize > 0) {
      if (maxsize !== DEFAULT_SETTINGS.cacheMaxsize) settings.cacheMaxsize = maxsize;
    } else problems.push(`\`leakLens.cache.maxsize\` must be a positive integer, got ${show(maxsize)}`);
  }
  const ttl = get('cache.ttlSeconds');
  if (ttl !== undefined) {
    if (typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0) {
      if (ttl !== DEFAULT_SETTINGS.cacheTtlSeconds) settings.cacheTtlSeconds = ttl;
    } else
      problems.push(`\`leakLens.cache.ttlSeconds\` must be a positive number of seconds, got ${show(ttl)}`);
  }

  const includeTests = get('includeTests');
  if (includeTests !== undefined) {
    if (typeof includeTests === 'boolean') {
      if (includeTests) settings.includeTests = true;
    } else problems.push(`\`leakLens.includeTests\` must be true or false, got ${show(includeTests)}`);
  }

  const includeVendored = get('includeVendored');
  if (includeVendored !== undefined) {
    if (typeof includeVendored === 'boolean') {
      if (includeVendored) settings.includeVendored = true;
    } else problems.push(`\`leakLens.includeVendored\` must be true or false, got ${show(includeVendored)}`);
  }

  const preference = get('configurationPreference');
  if (preference !== undefined) {
    if ((PREFERENCES as readonly unknown[]).includes(preference))
      settings.configurationPreference = preference as ConfigurationPreference;
    else
      problems.push(
        `\`leakLens.configurationPreference\` must be one of ${PREFERENCES.map(show).join(', ')}, got ${show(preference)}`,
      );
  }
  return { settings, problems };
}

/** The editor settings as an override layer: only what the user set. */
export function editorLayer(editor: EditorSettings): Partial<EngineSettings> {
  const layer: Partial<EngineSettings> = { severity: { ...editor.severity } };
  if (editor.select) layer.select = [...editor.select];
  const ignore = [...(editor.ignore ?? []), ...editor.off];
  if (ignore.length > 0) layer.ignore = ignore;
  if (editor.cacheMaxsize !== undefined) layer.cacheMaxsize = editor.cacheMaxsize;
  if (editor.cacheTtlSeconds !== undefined) layer.cacheTtlSeconds = editor.cacheTtlSeconds;
  if (editor.includeTests !== undefined) layer.includeTests = editor.includeTests;
  if (editor.includeVendored !== undefined) layer.includeVendored = editor.includeVendored;
  return layer;
}

export interface ExcludeSet {
  patterns: string[];
  /** The folder the patterns are relative to. */
  root: string;
}

export interface ResolvedSettings {
  enabled: boolean;
  engine: EngineSettings;
  /** Exclusions from both sources, each relative to its own root. */
  excludes: ExcludeSet[];
  /** The pyproject.toml that took part, if any. */
  pyproject?: string;
}

export interface PyprojectLayer {
  path: string;
  /** Directory of the pyproject.toml: the root of its `exclude` patterns. */
  root: string;
  settings: Partial<EngineSettings>;
}

/**
 * Combines defaults, the pyproject layer and the editor layer:
 * - editorFirst (default): defaults ← pyproject ← editor settings the user set;
 * - filesystemFirst: defaults ← editor settings ← pyproject;
 * - editorOnly: defaults ← editor settings (pyproject.toml ignored).
 * Layering follows config.ts's mergeSettings: a later `select` replaces the selection (and earlier
 * ignores), a later `ignore` adds to earlier ones, `severity` merges per code, numbers replace.
 * Exclusions always add up: pyproject excludes (relative to its folder) and editor excludes
 * (relative to the workspace folder) both apply, except that editorOnly ignores pyproject's.
 */
export function resolveSettings(
  editor: EditorSettings,
  pyproject: PyprojectLayer | undefined,
  folderRoot: string,
): ResolvedSettings {
  const editorPart = editorLayer(editor);
  const usePyproject = pyproject && editor.configurationPreference !== 'editorOnly';
  const { exclude: _ignored, ...pyPart } = pyproject?.settings ?? {};
  let engine: EngineSettings;
  if (!usePyproject) engine = mergeSettings(DEFAULT_SETTINGS, editorPart);
  else if (editor.configurationPreference === 'filesystemFirst')
    engine = mergeSettings(DEFAULT_SETTINGS, editorPart, pyPart);
  else engine = mergeSettings(DEFAULT_SETTINGS, pyPart, editorPart);
  const excludes: ExcludeSet[] = [];
  if (usePyproject && pyproject.settings.exclude?.length)
    excludes.push({ patterns: pyproject.settings.exclude, root: pyproject.root });
  if (editor.exclude.length > 0) excludes.push({ patterns: editor.exclude, root: folderRoot });
  engine.exclude = excludes.flatMap((e) => e.patterns);
  return { enabled: editor.enable, engine, excludes, pyproject: usePyproject ? pyproject.path : undefined };
}

/**
 * Whether `path` is test code these settings leave out (`includeTests` off). The path is judged
 * relative to its project root: the deeper of the workspace folder holding it and the folder of
 * the pyproject.toml that took part, so a project checked out under `/home/me/test/` is not all
 * test code. `listFolder` lets a folder that `conftest.py` marks as a test folder count too.
 */
export function isExcludedTestCode(
  settings: ResolvedSettings,
  path: string,
  workspaceFolder: string | undefined,
  listFolder?: FolderLister,
): boolean {
  if (settings.engine.includeTests) return false;
  const pyprojectDir = settings.pyproject ? dirname(settings.pyproject) : undefined;
  return isTestFile(path, projectRoot(path, [workspaceFolder, pyprojectDir]) ?? dirname(path), listFolder);
}

/**
 * Whether `path` is vendored third-party code these settings leave out (`includeVendored` off),
 * judged relative to the outermost of the workspace folder and the folder of the pyproject.toml
 * that took part (one shipped inside a vendored copy does not make the copy its own project).
 * `listFolder` lets a `lib/` or `ext/` folder of copied libraries count (model/vendored-code.ts).
 */
export function isExcludedVendoredCode(
  settings: ResolvedSettings,
  path: string,
  workspaceFolder: string | undefined,
  listFolder?: FolderLister,
): boolean {
  if (settings.engine.includeVendored) return false;
  const pyprojectDir = settings.pyproject ? dirname(settings.pyproject) : undefined;
  const root = vendoredRoot(path, [workspaceFolder, pyprojectDir]);
  return root !== undefined && isVendoredFile(path, root, listFolder);
}
