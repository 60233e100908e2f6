// Names and places that say "this runs once per process", shared by the semantic model (which
// reads the tree) and the project index (which reads lines): script files, the roles that make a
// class process-wide, and memoizing decorators (the function under one runs once per argument,
// or once per object for a method).

/**
 * Script files that run once: packaging and task runners, Sphinx configuration and documentation
 * scripts, files in a `scripts/`, `script/` or `bin/` folder, `python -m` entry points, Django
 * management commands and migrations (each runs in a process of its own, or once per deployment).
 */
const ONE_SHOT_FILES =
  /(^|[/\\])(setup|noxfile|fabfile|conf|manage|__main__)\.py$|(^|[/\\])docs?[/\\]|(^|[/\\])management[/\\]commands[/\\]|(^|[/\\])migrations[/\\]|(^|[/\\])(scripts?|bin)[/\\]/;

/** Whether the file is a script that runs once (`setup.py`, `noxfile.py`, Sphinx `conf.py`, ...). */
export function isOneShotFile(path: string | undefined, text?: string): boolean {
  if (!path || !ONE_SHOT_FILES.test(path)) return false;
  // Django's `manage.py` is a script; a library module that happens to be called `manage.py`
  // (a `database/manage.py` of helpers) is not: only one with a `__main__` block counts.
  if (/(^|[/\\])manage\.py$/.test(path) && text !== undefined) return text.includes('__main__');
  return true;
}

/**
 * Words that give a class a process-lifetime role when they appear in its name or its bases'
 * names (split at case changes and underscores): applications and their servers, pools and
 * managers, registries, ORM mappers and dialects, plugins and bot extensions, configuration and
 * schema objects, descriptors (made in class bodies, at import).
 */
const PROCESS_WIDE_WORDS = new Set([
  'app',
  'application',
  'server',
  'pool',
  'master',
  'manager',
  'registry',
  'mapper',
  'dialect',
  'engine',
  'addon',
  'plugin',
  'extension',
  'cog',
  'bot',
  'config',
  'configuration',
  'settings',
  'schema',
  'metadata',
  'property',
  'descriptor',
]);

/** `OracleDialect_cx_oracle` → oracle, dialect, cx, oracle (lower case). */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** The process-wide role word among these names (a class's and its bases'), if any. */
export function processWideRole(names: readonly string[]): string | undefined {
  // The first role word of the names' words in order: that of the first name having one.
  for (const name of names) {
    const role = roleOf(name);
    if (role !== undefined) return role;
  }
  return undefined;
}

/** Per name, its first role word (`null`: none): the project index asks once per method of a class. */
const roles = new Map<string, string | null>();
const MAX_ROLES = 10_000;

function roleOf(name: string): string | undefined {
  let role = roles.get(name);
  if (role === undefined) {
    const found = wordsOf(name).find((w) => PROCESS_WIDE_WORDS.has(w));
    // Copies (` ${s}`.slice(1)): a name cut from a file's text would keep all of it alive.
    role = found === undefined ? null : ` ${found}`.slice(1);
    if (roles.size >= MAX_ROLES) roles.clear();
    roles.set(` ${name}`.slice(1), role);
  }
  return role ?? undefined;
}

/**
 * Decorators (their last name) that memoize what they decorate: `@functools.cache`,
 * `@lru_cache(...)`, `@cached_property`, `@reify`, and project helpers named so (`@memoize`,
 * `@cache_in_self`, which stores the result on the object). The body runs once per argument, or
 * once per object for a method.
 */
export const MEMOIZING_DECORATOR =
  /^(cache|lru_cache|cached_property|memoize|memoized|memoized_property|reify|run_once|once)$|^cache[ds]?_(in|on)_/;
