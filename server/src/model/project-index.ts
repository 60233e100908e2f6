// What the rest of the project says about a name, for the questions one file cannot answer: is
// this public function called only at import in the modules that use it (`logger =
// get_job_logger(__name__)`), are objects of this class made only at module level (a singleton),
// does the project's own `subscribe()` keep its listeners weakly? Built from the text of every
// Python file in the project by a line scanner (no parse: it must be cheap enough to run over a
// whole workspace before the analysis), so its answers are evidence, not proof; without an index
// (one file analysed on its own) the rules fall back to what that file shows.
import { fileURLToPath } from 'node:url';
import { CodeLines } from './code-lines';
import { isWordCharAt, wordOffsets } from './find-names';
import { isGuiModule } from './gui-toolkits';
import { REQUEST_HOOK_DECORATOR, ROUTE_DECORATORS, TASK_DECORATOR } from './handler-names';
import { isOneShotFile, MEMOIZING_DECORATOR, processWideRole } from './run-once';

/** The longest `import` statement `mayImportDict` reads (past it, it counts as importing anything). */
const MAX_IMPORT_CHARS = 20_000;

function safeFileURLToPath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Calls of one name in the project, outside the file that asks. */
export interface CallCounts {
  /** Calls in module or class bodies (and decorators): they run once, at import. */
  atImport: number;
  /** Calls inside a function or method body: as often as that code runs. */
  inFunctions: number;
  /** One of those calls made by a route handler, a view or a task: it runs per request or job. */
  repeatedIn?: RepeatedCaller;
  /** How many of the calls in functions sit in start-up functions (`main()`, `init()`, `setup_app()`). */
  inStartUp: number;
  /** One of those start-up callers, for messages. */
  startUpCaller?: { path: string; caller: string };
}

/** `@name` or `@module.name` alone on its line: the last name, called with the function below. */
const BARE_DECORATOR = /^@\s*(?:[A-Za-z_]\w*\s*\.\s*)*([A-Za-z_]\w*)\s*(?:#.*)?$/;

/**
 * Names of functions that run once, at start-up, when they call something: `main`, `init`,
 * `setup_*`, `configure*`, `bootstrap`, `create_app`. Not `run` (a worker's loop) nor dunders
 * (`__init__` runs per object).
 */
const START_UP_CALLER =
  /^_?main$|^_?(setup|set_up|configure|init|initialize|initialise|install|bootstrap|startup|lifespan|on_startup)(_|$)|[^_]_(setup|startup|init|initialize|lifespan)$|^_?(create|make|build)_app$/i;

/** A function of another file that runs per request or job and calls the name asked about. */
export interface RepeatedCaller {
  path: string;
  caller: string;
  /** "a route handler", "a task", … */
  why: string;
}

/** Methods through which listeners are registered, whose own definition may keep them weakly. */
const REGISTRATION_METHODS = new Set([
  'subscribe',
  'add_listener',
  'add_event_listener',
  'add_event_handler',
  'add_handler',
  'add_observer',
  'register_listener',
  'on',
  'connect',
]);

/** `weakref.ref`, `WeakMethod`, `WeakSet`, a project helper such as `make_weak_ref(f)`, or a docstring saying so. */
const WEAK = /weak|\bref\(/i;

interface FileEntry {
  /** name → its calls at import and in functions, packed in one number (see `packCalls`). */
  calls: Map<string, number>;
  /** Names this file's classes derive from (`class Child(pkg.Base)` → `Base`). */
  bases: string[];
  /**
   * Names this file takes from another module (`from treelib import Tree` → `Tree` → `treelib`;
   * `from x import A as Tree` → `Tree` → `!`, a name that is not any project definition's own).
   * Its calls of such a name refer to that module's definition, not to one of the same name
   * elsewhere.
   */
  imports: Map<string, string>;
  /** name → [the caller that runs per request or job, why it does] (the first such call). */
  repeated: Map<string, [string, string]>;
  /** name → [a start-up function calling it, calls from start-up functions] */
  startUp: Map<string, [string, number]>;
  /** Names every call of which in this file passes no argument (`is_testing()`). */
  argless: Set<string>;
  /**
   * name → [class, calls] for calls in a `ready()` method of a class: start-up when that class is a
   * Django `AppConfig` (directly or through a project base), which only the whole index can tell.
   */
  hooks: Map<string, [string, number][]>;
  /** Module-level names bound once to an empty dict that this file never empties (see `moduleDictsOf`). */
  dicts: string[];
}

export interface SerializedProjectIndex {
  files: [
    string,
    [string, number, number][],
    string[]?,
    [string, string][]?,
    [string, string, string][]?,
    [string, string, number][]?,
    string[]?,
    [string, [string, number][]][]?,
    string[]?,
  ][];
  defined: string[];
  weak: string[];
  strong: string[];
  classBases?: [string, string[]][];
  gui?: [string, string][];
}

/** Django's application configuration base: its `ready()` runs once, at start-up. */
const APP_CONFIG = /^AppConfig$/;

/**
 * Functions an argparse sub-command runs, named in `set_defaults(func=cmd_run)` or
 * `set_defaults(action=("run", cmd_run))`: the command line picks one, once per process.
 */
export function subcommandFunctions(text: string): Set<string> {
  const names = new Set<string>();
  if (!text.includes('set_defaults')) return names;
  for (const m of text.matchAll(/\bset_defaults\s*\(([^)]*)/g)) {
    const args = m[1].replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""');
    for (const id of args.matchAll(/([A-Za-z_][\w.]*)(\s*=(?!=))?/g)) {
      if (id[2]) continue; // a keyword's own name
      const last = id[1].split('.').pop() ?? '';
      if (last && !/^(None|True|False)$/.test(last)) names.add(detached(last));
    }
  }
  return names;
}

/** `NAME = {}`, `NAME: dict[str, X] = dict()`, `NAME = OrderedDict()` at the start of a line. */
const EMPTY_DICT =
  /^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:\{\s*\}|dict\(\s*\)|(?:collections\.)?OrderedDict\(\s*\))[ \t]*(?:#.*)?$/gm;

/**
 * The module-level names a file binds once to an empty dict and never empties or rebinds itself
 * (`clear()`, `pop()`, `popitem()`, `del NAME[…]`, a second binding): caches that other modules
 * may import and fill.
 */
function moduleDictsOf(text: string): string[] {
  const found: string[] = [];
  if (!text.includes('{}') && !text.includes('dict(') && !text.includes('OrderedDict(')) return found;
  for (const m of text.matchAll(EMPTY_DICT)) {
    const name = m[1];
    const emptied = new RegExp(
      `\\b${name}\\s*\\.\\s*(clear|pop|popitem)\\s*\\(|\\bdel\\s+${name}\\b|^\\s*${name}\\s*(:[^=\\n]+)?=[^=]|\\bglobal\\b[^\\n]*\\b${name}\\b`,
      'gm',
    );
    const bindings = [...text.matchAll(emptied)];
    if (bindings.length === 1 && !found.includes(name)) found.push(detached(name));
  }
  return found;
}

/** `from ..pkg.mod import X` in a/b/c.py → `a/pkg/mod`: the path a relative module names, without `.py`. */
function relativeModuleTarget(importer: string, module: string): string {
  const dots = /^\.*/.exec(module)?.[0].length ?? 1;
  const parts = importer.replace(/\\/g, '/').split('/');
  parts.pop();
  for (let i = 1; i < dots; i++) parts.pop();
  const rest = module.slice(dots);
  return [...parts, ...(rest ? rest.split('.') : [])].join('/');
}

/**
 * Whether `module` as written in a `from module import …` of the file `importer` names the file
 * `target`: relative (`.cache`, `..pkg.cache`) from the importer's folder, or absolute
 * (`pkg.cache`) as a run of the target's path (where the source root starts is not known).
 */
function modulePathMatches(importer: string, module: string, target: string): boolean {
  const targetPath = target.replace(/\\/g, '/').replace(/(\/__init__)?\.pyi?$/, '');
  if (module.startsWith('.')) return relativeModuleTarget(importer, module) === targetPath;
  return targetPath === module.replace(/\./g, '/') || targetPath.endsWith(`/${module.replace(/\./g, '/')}`);
}

/** Counts a call of `name` in `ready()` of class `owner`. */
function recordHookCall(hooks: Map<string, [string, number][]>, name: string, owner: string): void {
  let list = hooks.get(name);
  if (!list) {
    list = [];
    hooks.set(detached(name), list);
  }
  const known = list.find(([o]) => o === owner);
  if (known) known[1]++;
  else list.push([owner, 1]);
}

/**
 * Whether the function whose `def` line is at `indent`, under these decorator lines, is memoized
 * so that its body runs once per process: a module-level function under `@cache`/`@lru_cache`
 * (once per argument), or a method under a memoizing decorator (`@cached_property`, a project's
 * `@cache_in_self`) of a class whose name or bases give it a process-wide role (`HomeServer`,
 * `AppConfig`): once per object, and there is one such object.
 */
function runsOncePerProcess(
  decorators: readonly string[],
  indent: number,
  defs: readonly { indent: number }[],
  classes: readonly { indent: number; name: string }[],
  writtenBases: ReadonlyMap<string, string[]>,
): boolean {
  const memoized = decorators.some((d) =>
    MEMOIZING_DECORATOR.test(DECORATOR.exec(d)?.[1].split('.').pop() ?? ''),
  );
  if (!memoized) return false;
  if (defs.length > 0) return false; // a nested function: as often as its enclosing one runs
  const owner = classes[classes.length - 1];
  if (!owner || indent <= owner.indent) return classes.length === 0;
  return processWideRole([owner.name, ...(writtenBases.get(owner.name) ?? [])]) !== undefined;
}

/** Bases that make a class an enum: its members are a closed set. */
const ENUM_BASES = new Set(['Enum', 'IntEnum', 'StrEnum', 'Flag', 'IntFlag', 'ReprEnum']);

const CALL = /(?:^|[^\w])([A-Za-z_]\w*)\s*\(/g;
const DECORATOR = /^@\s*([\w.]+)\s*(\()?/;
const PARAMETERS = /^\s*(?:async\s+)?def\s+\w+\s*\(([^)]*)/;
const FROM_IMPORT = /^\s*from\s+(\.*[\w.]*)\s+import\s+(.*)$/;
const DEF = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)/;
const CLASS = /^(\s*)class\s+([A-Za-z_]\w*)/;
const BRACKET = /[()[\]{}]/g;
/** A blank character (\s is the set that trim() removes). */
const BLANK = /\s/;
/** A character that is not blank (\s is the set that trim() removes). */
const NON_BLANK = /\S/;
/** Blanks then `)`, where lastIndex says (sticky). */
const CLOSING = /\s*\)/y;

/** The language server names open documents by URI; the index, by path. */
function asPath(pathOrUri: string | undefined): string | undefined {
  return pathOrUri?.startsWith('file:') ? safeFileURLToPath(pathOrUri) : pathOrUri;
}

/** Records the names of `from module import a, b as c, (d, e)`; a star import names nothing. */
function addImportedNames(imports: Map<string, string>, module: string, names: string): void {
  for (const part of names
    .replace(/#.*$/gm, '')
    .replace(/[()\\]/g, ' ')
    .split(',')) {
    const m = /^\s*([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?\s*$/.exec(part);
    if (!m) continue;
    // `from x import A as Tree`: this file's `Tree` is `x.A`, no project definition named Tree.
    imports.set(detached(m[2] ?? m[1]), m[2] && m[2] !== m[1] ? '!' : detached(module));
  }
}

/**
 * Whether `importer` (a file of the index) takes `name` from a module that is neither `asker`
 * nor a package holding it. Without an asker, or for a name not imported, nothing is excluded.
 */
function importedFromElsewhere(
  entry: FileEntry,
  name: string,
  importer: string,
  asker: string | undefined,
): boolean {
  const module = entry.imports.get(name);
  if (module === undefined || asker === undefined) return false;
  if (module === '!') return true;
  const askerPath = asker.replace(/\\/g, '/');
  if (module.startsWith('.')) {
    const target = relativeModuleTarget(importer, module);
    return !(askerPath === `${target}.py` || askerPath.startsWith(`${target}/`));
  }
  // Absolute: the dotted name must be a run of the asker's path (`pkg.tree` for …/pkg/tree.py,
  // or `pkg` for a package that re-exports it); where the source root starts is not known.
  const segments = askerPath.replace(/(\/__init__)?\.pyi?$/, '').split('/');
  const wanted = module.split('.');
  for (let start = 0; start + wanted.length <= segments.length; start++) {
    if (wanted.every((w, i) => segments[start + i] === w)) return false;
  }
  return true;
}

/**
 * Why a function runs per request or job, from its decorators and its parameters (the line index's
 * view of `isRouteHandler`): `@app.get(...)`, `@bp.before_request`, `@shared_task`, or a view
 * taking the request first (`def detail(request, pk)`, `def get(self, request)`).
 */
function handlerKind(decorators: readonly string[], defLine: string): string | undefined {
  for (const d of decorators) {
    const m = DECORATOR.exec(d);
    const last = m?.[1].split('.').pop() ?? '';
    if (m?.[2] && ROUTE_DECORATORS.has(last)) return 'a route handler';
    if (REQUEST_HOOK_DECORATOR.test(last)) return 'a request hook';
    if (TASK_DECORATOR.test(last)) return 'a task';
  }
  const params = (PARAMETERS.exec(defLine)?.[1] ?? '')
    .split(',')
    .map((p) => p.split(/[:=]/)[0].trim().replace(/^\*+/, ''));
  const [first, second] = params;
  if (
    first === 'request' ||
    first === 'req' ||
    ((first === 'self' || first === 'cls') && second === 'request')
  )
    return 'a view (it takes the request)';
  return undefined;
}

/**
 * A copy of `name` that does not hold on to the text it was cut from. A regex match is a slice
 * sharing the whole file's text: kept in the index, it would keep every indexed file's source
 * alive (on a million lines, ~45 MiB of text behind a few MiB of names).
 */
function detached(name: string): string {
  return ` ${name}`.slice(1);
}

/** Adds `name` to `set`, detached from its source text when it is new. */
function addName(set: Set<string>, name: string): void {
  if (!set.has(name)) set.add(detached(name));
}

/**
 * A file's calls of one name, packed as `atImport * IMPORT_CALL + inFunctions` in one number:
 * a pair of counts per name and file, hundreds of thousands of them on a large workspace, took
 * most of the index's memory as two-element arrays (and every worker thread holds a copy). A
 * file cannot make 2^26 calls in functions (it would be gigabytes), so the two never mix, and
 * the sum stays exact far beyond any count a file can hold.
 */
const IMPORT_CALL = 2 ** 26;

function unpackCalls(packed: number): [atImport: number, inFunctions: number] {
  const atImport = Math.floor(packed / IMPORT_CALL);
  return [atImport, packed - atImport * IMPORT_CALL];
}

/** How many characters `line.trimStart()` removes. */
function blankPrefix(line: string): number {
  let n = 0;
  for (let c = line.charCodeAt(0); c === 32 || c === 9; c = line.charCodeAt(++n)); // spaces and tabs
  // (Rarer blanks, which trimStart() removes too: a form feed, a carriage return, a no-break space…)
  const c = line.charCodeAt(n);
  if ((c < 33 || c > 126) && BLANK.test(line[n])) return line.length - line.trimStart().length;
  return n;
}

function indentOf(line: string): number {
  let n = 0;
  for (let c = line.charCodeAt(0); c === 32 || c === 9; c = line.charCodeAt(++n)); // spaces and tabs
  return n;
}

/** `import tkinter as tk`, `import PyQt6.QtWidgets`: the names the line binds, to their modules. */
function recordModuleImports(modules: Map<string, string>, code: string): void {
  const m = /^\s*import\s+(.+)$/.exec(code);
  if (!m) return;
  for (const part of m[1].split(',')) {
    const one = /^\s*([A-Za-z_][\w.]*)(?:\s+as\s+([A-Za-z_]\w*))?\s*$/.exec(part);
    if (!one) continue;
    if (one[2]) modules.set(one[2], one[1]);
    else modules.set(one[1].split('.')[0], one[1].split('.')[0]);
  }
}

/**
 * The GUI toolkit module a base written on a one-line `class X(...)` comes from: a name taken
 * with `from PyQt6.QtWidgets import QDialog`, or `QtWidgets.QDialog` / `tk.Frame` through what the
 * first name was imported as.
 */
function guiBaseModule(
  line: string,
  imports: Map<string, string>,
  modules: Map<string, string>,
): string | undefined {
  const written = /^\s*class\s+\w+\s*\(([^)]*)\)/.exec(line)?.[1];
  if (!written) return undefined;
  for (const b of written.split(',')) {
    const parts = b.trim().split('[')[0].trim().split('.');
    const first = parts[0];
    if (!first || b.includes('=')) continue;
    const from = imports.get(first);
    const full =
      from !== undefined && from !== '!'
        ? [from, ...parts].join('.')
        : modules.has(first)
          ? [modules.get(first), ...parts.slice(1)].join('.')
          : undefined;
    // The module the class comes from: its dotted name without the class's own.
    const module = full?.split('.').slice(0, -1).join('.');
    if (module && isGuiModule(module)) return module;
  }
  return undefined;
}

/**
 * Calls `visit` with each word of the import statements of `text` (`import`, to the end of the
 * statement: the line, or the closing bracket) until it returns true. True when it did, or when a
 * statement is longer than MAX_IMPORT_CHARS (not followed: it may import anything).
 */
export function someImportedWord(text: string, visit: (word: string) => boolean): boolean {
  for (const at of wordOffsets(text, 'import')) {
    let i = at + 6;
    let parenthesized = false;
    // (A statement longer than this is not followed: it may import anything.)
    const end = Math.min(text.length, i + MAX_IMPORT_CHARS);
    while (i < end) {
      const c = text[i];
      if (c === '(') parenthesized = true;
      else if (c === ')' && parenthesized) break;
      else if (c === '#') {
        const end = text.indexOf('\n', i);
        if (end < 0 || !parenthesized) break;
        i = end;
      } else if (c === '\\')
        i++; // a continued line
      else if ((c === '\n' || c === ';') && !parenthesized) break;
      else if (isWordCharAt(text, i)) {
        const start = i;
        while (i < text.length && isWordCharAt(text, i)) i++;
        if (visit(text.slice(start, i))) return true;
        continue;
      }
      i++;
    }
    if (i >= end && end < text.length) return true;
  }
  return false;
}

/** What a file's entry is read back from (a row of `SerializedProjectIndex.files`, without its path). */
type SerializedEntry = SerializedProjectIndex['files'][number] extends [string, ...infer Rest] ? Rest : never;

/**
 * One copy of each string: the same names recur in the entries of many files (a deserialized
 * index has a copy per occurrence), and every thread holding the index keeps them.
 */
function interner(): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    const kept = known.get(text);
    if (kept !== undefined) return kept;
    known.set(text, text);
    return text;
  };
}

// Most files have no calls of some kinds (start-up callers, hooks…): their entries share these
// (never changed: an entry's tables are replaced whole, by `addFile` and `compact`).
const NO_MAP = new Map<unknown, unknown>();
const NO_SET = new Set<string>();
const NO_LIST: string[] = [];

function mapOf<K, V>(pairs: readonly [K, V][]): Map<K, V> {
  return pairs.length === 0 ? (NO_MAP as Map<K, V>) : new Map(pairs);
}

/**
 * A file's entry as `toJSON` wrote it; with `intern`, its strings through it (else its lists are
 * taken as they are).
 */
function entryOf(
  [calls, bases, imports, repeated, startUp, argless, hooks, dicts]: SerializedEntry,
  intern?: (text: string) => string,
): FileEntry {
  const name = intern ?? ((text: string) => text);
  const list = (items: string[] | undefined) =>
    items?.length ? (intern ? items.map(intern) : items) : NO_LIST;
  return {
    calls: mapOf(calls.map(([called, a, b]) => [name(called), a * IMPORT_CALL + b])),
    bases: list(bases),
    imports: mapOf(
      intern ? (imports ?? []).map(([n, module]) => [intern(n), intern(module)]) : (imports ?? []),
    ),
    repeated: mapOf((repeated ?? []).map(([n, caller, why]) => [name(n), [name(caller), name(why)]])),
    startUp: mapOf((startUp ?? []).map(([n, caller, count]) => [name(n), [name(caller), count]])),
    argless: argless?.length ? new Set(list(argless)) : NO_SET,
    hooks: mapOf(
      intern
        ? (hooks ?? []).map(([n, owners]) => [intern(n), owners.map(([o, count]) => [intern(o), count])])
        : (hooks ?? []),
    ),
    dicts: list(dicts),
  };
}

export class ProjectIndex {
  private readonly files = new Map<string, FileEntry>();
  /** Functions, methods and classes defined anywhere (only their calls are kept). */
  private readonly defined = new Set<string>();
  private readonly weakRegistrars = new Set<string>();
  private readonly strongRegistrars = new Set<string>();
  /** Class name → the bases written for it anywhere in the project (to tell enums). */
  private readonly classBases = new Map<string, Set<string>>();
  /** Class name → the GUI toolkit module one of its written bases comes from (`PyQt6.QtWidgets`). */
  private readonly guiClasses = new Map<string, string>();
  /**
   * Name → the files calling it, in the order of `files`: made when first asked and dropped
   * whenever a file changes. A scan asks about a name per function of every file; walking every
   * file for each question made it quadratic in the size of the project.
   */
  private callers: { files: [string, FileEntry][]; byName: Map<string, number[]> } | undefined;
  /** Dict name → the files defining it (see `importedDict`), and base → its subclasses: made when first asked. */
  private dictFiles: Map<string, string[]> | undefined;
  private subclasses: Map<string, string[]> | undefined;

  /** The files calling `name`, in the order of `files`. */
  private *callersOf(name: string): Generator<[string, FileEntry]> {
    if (!this.callers) {
      // (Positions in one list of the files, not a pair per call: a copy lives in every thread.)
      const files = [...this.files];
      const byName = new Map<string, number[]>();
      files.forEach(([, entry], i) => {
        for (const called of entry.calls.keys()) {
          const list = byName.get(called);
          if (list) list.push(i);
          else byName.set(called, [i]);
        }
      });
      this.callers = { files, byName };
    }
    const { files, byName } = this.callers;
    for (const i of byName.get(name) ?? []) yield files[i];
  }

  /** Number of files indexed. */
  get size(): number {
    return this.files.size;
  }

  /**
   * Adds (or replaces) one file. The scanner follows indentation: a line belongs to a function
   * while it is indented deeper than the nearest `def` above it, so calls in a module-level
   * expression spread over several lines still count as import-time calls.
   */
  addFile(path: string, text: string): void {
    const calls = new Map<string, number>();
    const bases: string[] = [];
    const imports = new Map<string, string>();
    // `import tkinter as tk` → `tk` → `tkinter`: what a base written `tk.Frame` comes from.
    const modules = new Map<string, string>();
    // `from m import (a,\n b)`: the names read so far while the brackets are open.
    let pendingImport: { module: string; names: string } | undefined;
    const repeated = new Map<string, [string, string]>();
    const startUp = new Map<string, [string, number]>();
    const hooks = new Map<string, [string, number][]>();
    const subcommands = subcommandFunctions(text);
    // A click or typer command (`@click.command()`, `@cli.command()`) runs once per process.
    const cliFile =
      (text.includes('click') || text.includes('typer')) && /^\s*(import|from)\s+(click|typer)\b/m.test(text);
    let cliCommand = false;
    // Every function of a script (`scripts/start.py`, `setup.py`) runs once per process.
    const scriptFile = isOneShotFile(path, text);
    // Bases written for each class of this file, to tell a process-wide owner of a memoized method.
    const writtenBases = new Map<string, string[]>();
    // The open classes (innermost last): a `def ready` right in one is a start-up hook candidate.
    const classes: { indent: number; name: string }[] = [];
    // Names called with no argument, and names called with some, in this file.
    const noArguments = new Set<string>();
    const withArguments = new Set<string>();
    // The open `def`s (innermost last) with their indentation, and why each runs per request or
    // job when it does; class bodies do not open a function.
    const defs: {
      indent: number;
      name: string;
      handler?: string;
      startUp?: boolean;
      hookOf?: string;
      /** A method of a process-wide class: the names it calls (start-up calls if `__init__` calls it). */
      calls?: string[];
      /** `__init__` of a process-wide class: the class, whose methods it calls on `self` run once too. */
      initOf?: string;
    }[] = [];
    // Methods of process-wide classes: `Class.method` → the names their bodies call; and the
    // methods each such class's `__init__` calls on `self` (`self.create_services()`).
    const methodCalls = new Map<string, string[]>();
    const calledByInit = new Map<string, Set<string>>();
    // Decorator lines read since the last statement: they belong to the next `def`.
    let decorators: string[] = [];
    let registrar: { name: string; indent: number; weak: boolean } | undefined;
    const closeRegistrar = () => {
      if (!registrar) return;
      addName(registrar.weak ? this.weakRegistrars : this.strongRegistrars, registrar.name);
      registrar = undefined;
    };
    let depth = 0; // open brackets: continuation lines keep the statement's context
    // One call of `name` where the scan stands: counted at import or in the innermost `def`.
    const countCall = (name: string) => {
      const innermost = defs[defs.length - 1];
      const counted = calls.get(name);
      const add = defs.length > 0 ? 1 : IMPORT_CALL;
      if (counted === undefined) calls.set(detached(name), add);
      else calls.set(name, counted + add);
      if (innermost?.handler && !repeated.has(name))
        repeated.set(detached(name), [detached(innermost.name), innermost.handler]);
      if (innermost?.hookOf) recordHookCall(hooks, name, innermost.hookOf);
      if (innermost?.startUp) recordStartUp(name, innermost.name);
      else innermost?.calls?.push(name);
    };
    const recordStartUp = (name: string, caller: string) => {
      const known = startUp.get(name);
      if (known) known[1]++;
      else startUp.set(detached(name), [detached(caller), 1]);
    };
    // Calls and brackets are read from `code`: a docstring's `{` or a string's `f(` is not code.
    const lines = new CodeLines();
    for (const line of text.split('\n')) {
      const code = lines.code(line);
      if (!NON_BLANK.test(code)) continue; // (what \`code.trim() === ''\` says, with no copy)
      if (pendingImport) {
        pendingImport.names += ` ${code}`;
        if (code.includes(')')) {
          addImportedNames(imports, pendingImport.module, pendingImport.names);
          pendingImport = undefined;
        }
        continue;
      }
      // Where the line's first word starts (after what trimStart() removes), for the tests of a
      // statement's first word: only asked outside brackets. (No trimmed copy of every line.)
      const at = depth === 0 ? blankPrefix(line) : 0;
      // (Cheap tests on the first word before each regex: most lines are none of these.)
      const fromImport = depth === 0 && line.startsWith('from', at) ? FROM_IMPORT.exec(code) : null;
      if (fromImport) {
        const names = fromImport[2];
        if (names.includes('(') && !names.includes(')')) pendingImport = { module: fromImport[1], names };
        else addImportedNames(imports, fromImport[1], names);
        continue;
      }
      const indent = indentOf(line);
      if (depth === 0) {
        while (defs.length > 0 && indent <= defs[defs.length - 1].indent) defs.pop();
        while (classes.length > 0 && indent <= classes[classes.length - 1].indent) classes.pop();
        if (registrar && indent <= registrar.indent) closeRegistrar();
      }
      const def =
        depth === 0 && (line.startsWith('def', at) || line.startsWith('async', at)) ? DEF.exec(line) : null;
      const cls = depth === 0 && !def && line.startsWith('class', at) ? CLASS.exec(line) : null;
      if (depth === 0 && line.startsWith('import', at)) recordModuleImports(modules, code);
      if (cls) {
        addName(this.defined, cls[2]);
        const toolkit = guiBaseModule(line, imports, modules);
        if (toolkit && !this.guiClasses.has(cls[2])) this.guiClasses.set(detached(cls[2]), detached(toolkit));
        // `class Child(Base, Mixin):` (one line): bases may be made through their subclasses.
        const written = /^\s*class\s+\w+\s*\(([^)]*)\)/.exec(line)?.[1] ?? '';
        const own: string[] = [];
        writtenBases.set(cls[2], own);
        for (const b of written.split(',')) {
          const last = b.trim().split('.').pop()?.split('[')[0].trim();
          if (!last || !/^[A-Za-z_]\w*$/.test(last)) continue;
          own.push(last);
          bases.push(detached(last));
          let known = this.classBases.get(cls[2]);
          if (!known) {
            known = new Set<string>();
            this.classBases.set(detached(cls[2]), known);
          }
          addName(known, last);
        }
      }
      if (depth === 0 && !def) {
        if (line.startsWith('@', at)) decorators.push(line.slice(at));
        else if (decorators.length > 0) decorators = [];
      }
      let handler: string | undefined;
      let memoizedOnce = false;
      if (def) {
        handler = handlerKind(decorators, line);
        memoizedOnce = runsOncePerProcess(decorators, indent, defs, classes, writtenBases);
        cliCommand =
          cliFile &&
          decorators.some((d) => /^(command|group)$/.test(DECORATOR.exec(d)?.[1].split('.').pop() ?? ''));
        decorators = [];
        addName(this.defined, def[2]);
        if (REGISTRATION_METHODS.has(def[2])) {
          closeRegistrar();
          registrar = { name: def[2], indent, weak: false };
        }
      } else if (registrar && WEAK.test(line)) {
        registrar.weak = true;
      }
      if (!def && !cls && code.includes('(')) {
        // (exec on the one regex, not matchAll, which copies it for every line.)
        CALL.lastIndex = 0;
        for (let m = CALL.exec(code); m; m = CALL.exec(code)) {
          const name = m[1];
          if (name === 'def' || name === 'class' || name === 'if' || name === 'return') continue;
          // `super().load_modules()` in an override of `load_modules`: the override's callers call it.
          if (
            defs[defs.length - 1]?.name === name &&
            /super\(\)\s*\.\s*$/.test(code.slice(0, (m.index ?? 0) + m[0].indexOf(name)))
          )
            continue;
          countCall(name);
          const initOf = defs[defs.length - 1]?.initOf;
          if (initOf && /\bself\s*\.\s*$/.test(code.slice(0, (m.index ?? 0) + m[0].indexOf(name)))) {
            const called = calledByInit.get(initOf) ?? new Set<string>();
            called.add(name);
            calledByInit.set(initOf, called);
          }
          // Whether \`)\` follows the \`(\` after blanks: \`name()\`.
          CLOSING.lastIndex = (m.index ?? 0) + m[0].length;
          (CLOSING.test(code) ? noArguments : withArguments).add(name);
        }
      } else if (depth === 0 && !def && line.startsWith('@', at)) {
        // `@add_processor` (no brackets) calls `add_processor` once, where the `def` under it runs.
        const bare = BARE_DECORATOR.exec(code.trim())?.[1];
        if (bare) {
          countCall(bare);
          withArguments.add(bare); // it is given the function below
        }
      }
      if (def && depth === 0) {
        // `def ready` directly in a class body (no function between): Django's start-up hook
        // when the class turns out to be an `AppConfig`.
        const owner = classes[classes.length - 1];
        const directlyIn =
          owner && indent > owner.indent && !defs.some((d) => d.indent >= owner.indent)
            ? owner.name
            : undefined;
        const hookOf = def[2] === 'ready' ? directlyIn : undefined;
        // A method of a class whose name or bases give it a process-wide role (`BuildMaster`,
        // `AppServer`): its `__init__` runs once, and so do the methods that `__init__` calls.
        const processWide =
          directlyIn !== undefined &&
          !handler &&
          processWideRole([directlyIn, ...(writtenBases.get(directlyIn) ?? [])]) !== undefined;
        const initOf = processWide && def[2] === '__init__' ? directlyIn : undefined;
        const startUpDef =
          !handler &&
          (START_UP_CALLER.test(def[2]) ||
            subcommands.has(def[2]) ||
            cliCommand ||
            scriptFile ||
            memoizedOnce ||
            initOf !== undefined);
        let methodCallList: string[] | undefined;
        if (processWide && !startUpDef) {
          methodCallList = [];
          methodCalls.set(`${directlyIn}.${def[2]}`, methodCallList);
        }
        defs.push({
          indent,
          name: def[2],
          handler,
          startUp: startUpDef,
          hookOf,
          calls: methodCallList,
          initOf,
        });
      }
      if (cls) classes.push({ indent, name: detached(cls[2]) });
      // (A regex finds the brackets far faster than a loop over every character.)
      BRACKET.lastIndex = 0;
      for (let m = BRACKET.exec(code); m; m = BRACKET.exec(code)) {
        const ch = m[0];
        if (ch === '(' || ch === '[' || ch === '{') depth++;
        else if (depth > 0) depth--;
      }
      // A `def` header spread over lines ends with `:`; brackets closed by then.
    }
    closeRegistrar();
    for (const [cls, methods] of calledByInit)
      for (const method of methods)
        for (const name of methodCalls.get(`${cls}.${method}`) ?? []) recordStartUp(name, method);
    const argless = new Set<string>();
    for (const name of noArguments) if (!withArguments.has(name)) argless.add(detached(name));
    this.files.set(path, {
      calls,
      bases,
      imports,
      repeated,
      startUp,
      argless,
      hooks,
      dicts: moduleDictsOf(text),
    });
    this.callers = undefined;
    this.dictFiles = undefined;
    this.subclasses = undefined;
  }

  removeFile(path: string): void {
    this.files.delete(path);
    this.callers = undefined;
    this.dictFiles = undefined;
    this.subclasses = undefined;
  }

  /**
   * Calls of `name` (as `name(...)` or `obj.name(...)`) in every file but `exceptPath`. A file
   * that imports `name` from a module other than `exceptPath` (or a package holding it, which
   * may re-export it) calls that module's `name`, not the asker's: `from treelib import Tree`.
   */
  callsOf(name: string, exceptPath?: string): CallCounts {
    const counts: CallCounts = { atImport: 0, inFunctions: 0, inStartUp: 0 };
    const except = asPath(exceptPath);
    for (const [path, entry] of this.callersOf(name)) {
      if (path === except) continue;
      const packed = entry.calls.get(name);
      if (packed === undefined || importedFromElsewhere(entry, name, path, except)) continue;
      const [atImport, inFunctions] = unpackCalls(packed);
      counts.atImport += atImport;
      counts.inFunctions += inFunctions;
      const r = entry.repeated.get(name);
      if (r && !counts.repeatedIn) counts.repeatedIn = { path, caller: r[0], why: r[1] };
      const s = entry.startUp.get(name);
      if (s) {
        counts.inStartUp += s[1];
        counts.startUpCaller ??= { path, caller: s[0] };
      }
      for (const [owner, n] of entry.hooks.get(name) ?? []) {
        if (!this.derivesFrom(owner, APP_CONFIG)) continue;
        counts.inStartUp += n;
        counts.startUpCaller ??= { path, caller: `${owner}.ready` };
      }
    }
    return counts;
  }

  /** Whether the class `name` has a base (written anywhere in the project, through its bases) matching `base`. */
  derivesFrom(name: string, base: RegExp, depth = 0): boolean {
    const bases = this.classBases.get(name);
    if (!bases || depth > 6) return false;
    for (const b of bases)
      if (base.test(b) || (b !== name && this.derivesFrom(b, base, depth + 1))) return true;
    return false;
  }

  /**
   * The file that defines `name` as a module-level dict it never empties, when `importer` takes
   * it with `from module import name` (`from pkg.cache import _users`, `from .cache import
   * _users`): another module's cache that the importer may fill.
   */
  importedDict(importer: string, module: string, name: string): string | undefined {
    const from = asPath(importer);
    if (!from) return undefined;
    return this.filesDefiningDicts()
      .get(name)
      ?.find((path) => path !== from && modulePathMatches(from, module, path));
  }

  /**
   * Whether `text` imports, by name, a dict that some file of the project defines: without one,
   * `importedDict` answers nothing to the file's `from … import` statements. The names after
   * each `import` are read to the end of the statement. A text test for `Rule.mayFire`.
   */
  mayImportDict(text: string): boolean {
    const dicts = this.filesDefiningDicts();
    if (dicts.size === 0) return false;
    return someImportedWord(text, (word) => dicts.has(word));
  }

  /** The names of the module-level dicts the indexed files define (see `importedDict`). */
  moduleDicts(): string[] {
    return [...this.filesDefiningDicts().keys()];
  }

  private filesDefiningDicts(): Map<string, string[]> {
    if (!this.dictFiles) {
      // Made when first asked, dropped when a file changes: every import of every file asks.
      this.dictFiles = new Map();
      for (const [path, entry] of this.files)
        for (const dict of entry.dicts) {
          const paths = this.dictFiles.get(dict);
          if (paths) paths.push(path);
          else this.dictFiles.set(dict, [path]);
        }
    }
    return this.dictFiles;
  }

  /** Classes of the project written with `name` among their direct bases. */
  subclassesOf(name: string): string[] {
    if (!this.subclasses) {
      this.subclasses = new Map();
      for (const [cls, bases] of this.classBases)
        for (const base of bases) {
          if (base === cls) continue;
          const subs = this.subclasses.get(base);
          if (subs) subs.push(cls);
          else this.subclasses.set(base, [cls]);
        }
    }
    return this.subclasses.get(name) ?? [];
  }

  /**
   * Whether every call of `name` in the files other than `exceptPath` passes no argument
   * (`is_testing()`), true too when there is none: a memo of such a function holds one result.
   */
  calledOnlyWithoutArguments(name: string, exceptPath?: string): boolean {
    const except = asPath(exceptPath);
    for (const [path, entry] of this.callersOf(name)) {
      if (path === except || !entry.calls.has(name) || importedFromElsewhere(entry, name, path, except))
        continue;
      if (!entry.argless.has(name)) return false;
    }
    return true;
  }

  /**
   * Whether the project's own definitions of a registration method (`def subscribe`) keep
   * listeners weakly: every definition of it mentions `weakref`/`WeakMethod`/`WeakSet`/`ref(`.
   */
  holdsWeakly(method: string): boolean {
    return this.weakRegistrars.has(method) && !this.strongRegistrars.has(method);
  }

  /**
   * Whether a module other than `path` imports the module-level dict `name` from it by name
   * (`from .plugin import plugin_loaders`): the dict is read there, as a registry or a table.
   */
  dictImportedElsewhere(name: string, path: string): boolean {
    const asker = asPath(path);
    if (!asker) return false;
    for (const [other, entry] of this.files) {
      if (other === asker || !entry.imports.has(name) || entry.imports.get(name) === '!') continue;
      if (!importedFromElsewhere(entry, name, other, asker)) return true;
    }
    return false;
  }

  /** Whether the project defines a function, method or class called `name` anywhere. */
  defines(name: string): boolean {
    return this.defined.has(name);
  }

  /** Whether some class of the project derives from `name` (the one in `askerPath`, when given). */
  isBase(name: string, askerPath?: string): boolean {
    const asker = asPath(askerPath);
    for (const [path, entry] of this.files) {
      if (entry.bases.includes(name) && !importedFromElsewhere(entry, name, path, asker)) return true;
    }
    return false;
  }

  /**
   * Whether a class of this name in the project is an enum (`class Source(str, Enum)`, or a
   * subclass of the project's own enum base): a parameter or key of that type has few values.
   */
  isEnum(name: string, depth = 0): boolean {
    const bases = this.classBases.get(name);
    if (!bases || depth > 4) return false;
    for (const b of bases) if (ENUM_BASES.has(b) || (b !== name && this.isEnum(b, depth + 1))) return true;
    return false;
  }

  /**
   * The GUI toolkit module (`PyQt6.QtWidgets`) a class of this name derives from, through the
   * bases written for it anywhere in the project: `class InfoDialog(ModalDialog)` with `class
   * ModalDialog(QDialog)` elsewhere. Undefined when none does.
   */
  guiToolkitOf(name: string, depth = 0): string | undefined {
    const own = this.guiClasses.get(name);
    if (own || depth > 6) return own;
    for (const b of this.classBases.get(name) ?? []) {
      const found = b !== name ? this.guiToolkitOf(b, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** Drops calls of names the project does not define (builtins, library calls): they are never asked. */
  compact(): void {
    // Rebuilt rather than deleted from: a Map keeps the table it grew to, and most of the names a
    // file calls are not the project's.
    const kept = <V>(map: Map<string, V>) => new Map([...map].filter(([name]) => this.defined.has(name)));
    // Imports of the project's module-level dicts are kept too: who imports a dict says it is read elsewhere.
    const dicts = new Set([...this.files.values()].flatMap((entry) => entry.dicts));
    this.callers = undefined;
    this.dictFiles = undefined;
    this.subclasses = undefined;
    for (const entry of this.files.values()) {
      entry.calls = kept(entry.calls);
      entry.imports = new Map(
        [...entry.imports].filter(([name]) => this.defined.has(name) || dicts.has(name)),
      );
      entry.repeated = kept(entry.repeated);
      entry.startUp = kept(entry.startUp);
      entry.argless = new Set([...entry.argless].filter((name) => this.defined.has(name)));
      entry.hooks = kept(entry.hooks);
    }
  }

  toJSON(): SerializedProjectIndex {
    return {
      files: [...this.files].map(([path, entry]) => [
        path,
        [...entry.calls].map(([name, packed]): [string, number, number] => {
          const [atImport, inFunctions] = unpackCalls(packed);
          return [name, atImport, inFunctions];
        }),
        entry.bases,
        [...entry.imports],
        [...entry.repeated].map(([name, [caller, why]]) => [name, caller, why] as [string, string, string]),
        [...entry.startUp].map(([name, [caller, n]]) => [name, caller, n] as [string, string, number]),
        [...entry.argless],
        [...entry.hooks],
        entry.dicts,
      ]),
      defined: [...this.defined],
      weak: [...this.weakRegistrars],
      strong: [...this.strongRegistrars],
      classBases: [...this.classBases].map(([name, bases]) => [name, [...bases]]),
      gui: [...this.guiClasses],
    };
  }

  /**
   * The index as one JSON string, the form in which it goes from thread to thread: a string is
   * copied whole, while a structured clone of the object walks its hundreds of thousands of
   * arrays (several times slower on both sides).
   */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  static deserialize(json: string): ProjectIndex {
    return ProjectIndex.fromJSON(JSON.parse(json) as SerializedProjectIndex);
  }

  /**
   * One index from the indexes of parts of the project (made on several threads), as if their
   * files had been added to one index in the order of `parts`, then compacted.
   */
  static merge(parts: readonly SerializedProjectIndex[]): ProjectIndex {
    const index = new ProjectIndex();
    for (const part of parts) {
      for (const n of part.defined) index.defined.add(n);
      for (const n of part.weak) index.weakRegistrars.add(n);
      for (const n of part.strong) index.strongRegistrars.add(n);
      for (const [name, module] of part.gui ?? [])
        if (!index.guiClasses.has(name)) index.guiClasses.set(name, module);
      for (const [name, bases] of part.classBases ?? []) {
        const known = index.classBases.get(name);
        if (known) for (const b of bases) known.add(b);
        else index.classBases.set(name, new Set(bases));
      }
    }
    // Only the calls of names defined somewhere are kept (what `compact` would leave).
    const kept = <T extends [string, ...unknown[]]>(rows: readonly T[] | undefined) =>
      (rows ?? []).filter((row) => index.defined.has(row[0]));
    const dictNames = new Set(parts.flatMap((part) => part.files.flatMap((file) => file[8] ?? [])));
    for (const part of parts) {
      for (const [path, calls, bases, imports, repeated, startUp, argless, hooks, dicts] of part.files) {
        // (A file in two parts keeps its first place with its last entry, as in one index.)
        index.files.set(
          path,
          entryOf(
            [
              kept(calls),
              bases,
              (imports ?? []).filter(([name]) => index.defined.has(name) || dictNames.has(name)),
              kept(repeated),
              kept(startUp),
              (argless ?? []).filter((name) => index.defined.has(name)),
              kept(hooks),
              dicts,
            ],
            // (Names are not made unique here: a scan's threads hold the index a few seconds,
            // and it would cost them more time than it saves.)
          ),
        );
      }
    }
    return index;
  }

  static fromJSON(data: SerializedProjectIndex): ProjectIndex {
    const index = new ProjectIndex();
    const intern = interner();
    for (const n of data.defined) index.defined.add(intern(n));
    for (const [path, ...rows] of data.files) index.files.set(path, entryOf(rows, intern));
    for (const n of data.weak) index.weakRegistrars.add(intern(n));
    for (const n of data.strong) index.strongRegistrars.add(intern(n));
    for (const [name, bases] of data.classBases ?? [])
      index.classBases.set(intern(name), new Set(bases.map(intern)));
    for (const [name, module] of data.gui ?? []) index.guiClasses.set(intern(name), intern(module));
    return index;
  }
}
