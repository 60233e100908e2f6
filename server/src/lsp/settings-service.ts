// Fetches, validates, caches and combines settings for a resource: the editor's `leakLens`
// section (workspace/configuration, scoped to the resource so multi-root workspaces get each
// folder's values) and the nearest pyproject.toml. Caches are dropped when the configuration or
// a pyproject.toml changes. Problems are shown to the user once, not once per file.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ConfigResult, configForDirectory, parseToolConfig } from '../config';
import { describeError, type Logger } from './logger';
import {
  type EditorSettings,
  type PyprojectLayer,
  type ResolvedSettings,
  readEditorSettings,
  resolveSettings,
} from './settings';

export interface SettingsHost {
  /** The raw `leakLens` section for a scope (workspace/configuration). */
  fetchSection(scopeUri: string | undefined): Promise<unknown>;
  /** Tell the user (window/showMessage, warning). */
  warn(message: string): void;
  log: Logger;
}

interface PyprojectEntry {
  layer?: PyprojectLayer;
  errors: string[];
}

export class SettingsService {
  private readonly editor = new Map<string, Promise<EditorSettings>>();
  private readonly directories = new Map<string, ConfigResult>();
  private readonly pyprojects = new Map<string, PyprojectEntry>();
  private readonly shown = new Set<string>();
  /** Settings sent with didChangeConfiguration, for clients without workspace/configuration. */
  private pushed: unknown;
  /** Bumped whenever cached settings are dropped; analyses started before are stale. */
  generation = 0;

  constructor(private readonly host: SettingsHost) {}

  /** Editor settings for a scope (cached). */
  editorSettings(scopeUri: string | undefined): Promise<EditorSettings> {
    const key = scopeUri ?? '';
    let cached = this.editor.get(key);
    if (!cached) {
      cached = this.fetchEditor(scopeUri);
      this.editor.set(key, cached);
    }
    return cached;
  }

  private async fetchEditor(scopeUri: string | undefined): Promise<EditorSettings> {
    let raw: unknown;
    try {
      raw = await this.host.fetchSection(scopeUri);
    } catch (error) {
      this.host.log.warn(
        `workspace/configuration failed (${describeError(error)}); using settings sent by the client`,
      );
      raw = undefined;
    }
    if (raw === undefined || raw === null) raw = this.pushed;
    const { settings, problems } = readEditorSettings(raw);
    if (problems.length > 0) {
      const plural = problems.length > 1;
      this.warnOnce(
        `Leak Lens: invalid setting${plural ? 's' : ''}, using the default${plural ? 's' : ''} instead: ${problems.join('; ')}.`,
      );
    }
    return settings;
  }

  /** The `[tool.leak-lens]` layer that applies to a file, from the nearest pyproject.toml. */
  pyprojectFor(filePath: string): PyprojectLayer | undefined {
    let path: string | undefined;
    try {
      path = configForDirectory(dirname(filePath), this.directories).pyproject;
    } catch (error) {
      this.host.log.error(`looking for pyproject.toml above ${filePath} failed: ${describeError(error)}`);
      return undefined;
    }
    if (!path) return undefined;
    let entry = this.pyprojects.get(path);
    if (!entry) {
      entry = this.loadPyproject(path);
      this.pyprojects.set(path, entry);
    }
    if (entry.errors.length > 0) this.warnOnce(`Leak Lens: ${entry.errors.join('; ')}`);
    return entry.layer;
  }

  private loadPyproject(path: string): PyprojectEntry {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return {
        errors: [
          `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? describeError(error)}); using the defaults`,
        ],
      };
    }
    const { settings, errors } = parseToolConfig(text, path);
    return { layer: { path, root: dirname(path), settings }, errors };
  }

  /**
   * Everything that applies to a resource. `scopeUri` is what the editor settings are read for
   * (the document, or the workspace folder for files the scan reads); `filePath` finds the
   * pyproject.toml; `folderRoot` anchors the editor's exclude patterns.
   */
  async resolve(
    scopeUri: string | undefined,
    filePath: string | undefined,
    folderRoot: string,
  ): Promise<ResolvedSettings> {
    const editor = await this.editorSettings(scopeUri);
    const pyproject =
      filePath && editor.configurationPreference !== 'editorOnly' ? this.pyprojectFor(filePath) : undefined;
    return resolveSettings(editor, pyproject, folderRoot);
  }

  /** A document closed: its scope's cached settings are not needed any more. */
  forgetScope(scopeUri: string): void {
    this.editor.delete(scopeUri);
  }

  /** workspace/didChangeConfiguration: drop cached editor settings (and re-show problems). */
  configurationChanged(pushed: unknown): void {
    if (pushed !== undefined && pushed !== null) this.pushed = pushed;
    this.editor.clear();
    this.shown.clear();
    this.generation++;
  }

  /** A pyproject.toml was created, changed or deleted. */
  pyprojectChanged(): void {
    this.directories.clear();
    this.pyprojects.clear();
    this.shown.clear();
    this.generation++;
  }

  private warnOnce(message: string): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.host.log.warn(message);
    this.host.warn(message);
  }
}
