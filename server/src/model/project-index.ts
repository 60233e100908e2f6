// What the rest of the project says about a name, for the questions one file cannot answer: is
// this public function called only at import in the modules that use it (`logger =
// get_job_logger(__name__)`), are objects of this class made only at module level (a singleton),
// does the project's own `subscribe()` keep its listeners weakly? Built from the text of every
// Python file in the project by a line scanner (no parse: it must be cheap enough to run over a
// whole workspace before the analysis), so its answers are evidence, not proof; without an index
// (one file analysed on its own) the rules fall back to what that file shows.
import { fileURLToPath } from 'node:url';

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
  /** name → [calls at import, calls in functions] */
  calls: Map<string, [number, number]>;
}

export interface SerializedProjectIndex {
  files: [string, [string, number, number][]][];
  defined: string[];
  weak: string[];
  strong: string[];
  bases?: string[];
}

const CALL = /(?:^|[^\w])([A-Za-z_]\w*)\s*\(/g;
const DEF = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)/;
const CLASS = /^(\s*)class\s+([A-Za-z_]\w*)/;

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && (line[n] === ' ' || line[n] === '\t')) n++;
  return n;
}

export class ProjectIndex {
  private readonly files = new Map<string, FileEntry>();
  /** Functions, methods and classes defined anywhere (only their calls are kept). */
  private readonly defined = new Set<string>();
  private readonly weakRegistrars = new Set<string>();
  private readonly strongRegistrars = new Set<string>();
  /** Names used as base classes somewhere in the project. */
  private readonly bases = new Set<string>();

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
    const calls = new Map<string, [number, number]>();
    // Indentation of the open `def`s (innermost last); class bodies do not open a function.
    const defs: number[] = [];
    let registrar: { name: string; indent: number; weak: boolean } | undefined;
    const closeRegistrar = () => {
      if (!registrar) return;
      (registrar.weak ? this.weakRegistrars : this.strongRegistrars).add(registrar.name);
      registrar = undefined;
    };
    let depth = 0; // open brackets: continuation lines keep the statement's context
    for (const line of text.split('\n')) {
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const indent = indentOf(line);
      if (depth === 0) {
        while (defs.length > 0 && indent <= defs[defs.length - 1]) defs.pop();
        if (registrar && indent <= registrar.indent) closeRegistrar();
      }
      const def = depth === 0 ? DEF.exec(line) : null;
      const cls = depth === 0 && !def ? CLASS.exec(line) : null;
      if (cls) {
        this.defined.add(cls[2]);
        // `class Child(Base, Mixin):` (one line): bases may be made through their subclasses.
        const bases = /^\s*class\s+\w+\s*\(([^)]*)\)/.exec(line)?.[1] ?? '';
        for (const b of bases.split(',')) {
          const last = b.trim().split('.').pop()?.split('[')[0].trim();
          if (last && /^[A-Za-z_]\w*$/.test(last)) this.bases.add(last);
        }
      }
      if (def) {
        this.defined.add(def[2]);
        if (REGISTRATION_METHODS.has(def[2])) {
          closeRegistrar();
          registrar = { name: def[2], indent, weak: false };
        }
      } else if (registrar && WEAK.test(line)) {
        registrar.weak = true;
      }
      if (!def && !cls) {
        const inFunction = defs.length > 0;
        for (const m of line.matchAll(CALL)) {
          const name = m[1];
          if (name === 'def' || name === 'class' || name === 'if' || name === 'return') continue;
          const entry = calls.get(name) ?? [0, 0];
          entry[inFunction ? 1 : 0]++;
          calls.set(name, entry);
        }
      }
      if (def && depth === 0) defs.push(indent);
      for (const ch of line) {
        if (ch === '(' || ch === '[' || ch === '{') depth++;
        else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) depth--;
      }
      // A `def` header spread over lines ends with `:`; brackets closed by then.
    }
    closeRegistrar();
    this.files.set(path, { calls });
  }

  removeFile(path: string): void {
    this.files.delete(path);
  }

  /** Calls of `name` (as `name(...)` or `obj.name(...)`) in every file but `exceptPath`. */
  callsOf(name: string, exceptPath?: string): CallCounts {
    const counts: CallCounts = { atImport: 0, inFunctions: 0 };
    // The language server names open documents by URI; the index, by path.
    const except = exceptPath?.startsWith('file:') ? safeFileURLToPath(exceptPath) : exceptPath;
    for (const [path, entry] of this.files) {
      if (path === except) continue;
      const c = entry.calls.get(name);
      if (!c) continue;
      counts.atImport += c[0];
      counts.inFunctions += c[1];
    }
    return counts;
  }

  /**
   * Whether the project's own definitions of a registration method (`def subscribe`) keep
   * listeners weakly: every definition of it mentions `weakref`/`WeakMethod`/`WeakSet`/`ref(`.
   */
  holdsWeakly(method: string): boolean {
    return this.weakRegistrars.has(method) && !this.strongRegistrars.has(method);
  }

  /** Whether some class of the project derives from `name`. */
  isBase(name: string): boolean {
    return this.bases.has(name);
  }

  /** Drops calls of names the project does not define (builtins, library calls): they are never asked. */
  compact(): void {
    for (const entry of this.files.values()) {
      for (const name of entry.calls.keys()) if (!this.defined.has(name)) entry.calls.delete(name);
    }
  }

  toJSON(): SerializedProjectIndex {
    return {
      files: [...this.files].map(([path, entry]) => [
        path,
        [...entry.calls].map(([name, [a, b]]) => [name, a, b] as [string, number, number]),
      ]),
      defined: [...this.defined],
      weak: [...this.weakRegistrars],
      strong: [...this.strongRegistrars],
      bases: [...this.bases],
    };
  }

  static fromJSON(data: SerializedProjectIndex): ProjectIndex {
    const index = new ProjectIndex();
    for (const [path, calls] of data.files) {
      index.files.set(path, { calls: new Map(calls.map(([name, a, b]) => [name, [a, b]])) });
    }
    for (const n of data.defined) index.defined.add(n);
    for (const n of data.weak) index.weakRegistrars.add(n);
    for (const n of data.strong) index.strongRegistrars.add(n);
    for (const n of data.bases ?? []) index.bases.add(n);
    return index;
  }
}
