// Loads web-tree-sitter and the Python grammar, and keeps a parser that survives its own crashes.
// The wasm files sit next to the bundle in dist/ (VSIX, CLI); from sources they come from
// node_modules.
//
// The WebAssembly parser can fail in ways that leave its module unusable: an input that exhausts
// its 2 GB heap ends in `Aborted()`, and a corrupted heap throws `memory access out of bounds` on
// every later call. Either failure is a `ParserFailedError` for the file being parsed; the module
// is then dropped and a fresh one (fresh memory) is instantiated at once, so the files after it
// are parsed normally: `await initParser()` before parsing waits for it (a parse before it is ready
// throws ParserRestartingError). The first instance comes from the bundled web-tree-sitter;
// later ones evaluate a fresh copy of its runtime (web-tree-sitter's own module caches its wasm
// instance, so it cannot be instantiated twice), read from `web-tree-sitter.cjs` beside the
// bundle or from node_modules. Where neither exists, the parser stays failed and says so.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';
import type { Language, Node, Parser, Tree } from 'web-tree-sitter';
import * as bundledRuntime from 'web-tree-sitter';

export type { Node, Tree };

type Runtime = typeof bundledRuntime;

interface Instance {
  runtime: Runtime;
  language: Language;
  parser: Parser;
  generation: number;
}

/** The parser module failed on an input (wasm abort or trap); the module has been discarded. */
export class ParserFailedError extends Error {
  constructor(
    /** What the module said, e.g. `Aborted()` or `memory access out of bounds`. */
    readonly reason: string,
  ) {
    super(`parser failed (${reason})`);
    this.name = 'ParserFailedError';
  }
}

/**
 * The parser module failed on an earlier input and its fresh replacement is not ready yet (it is
 * being instantiated): try again after `await initParser()`.
 */
export class ParserRestartingError extends Error {
  constructor(readonly failure: ParserFailedError) {
    super(`the parser is restarting after it ${failure.message.replace(/^parser /, '')} on another file`);
    this.name = 'ParserRestartingError';
  }
}

/** Parsing (or analysis) ran past its deadline and was stopped. */
export class ParseTimeoutError extends Error {
  constructor() {
    super('analysis timed out');
    this.name = 'ParseTimeoutError';
  }
}

let instance: Instance | undefined;
let loading: Promise<Instance> | undefined;
let generations = 0;
/** Set when the module failed and no fresh one has been instantiated yet. */
let failure: ParserFailedError | undefined;
/** No fresh module could be made (the runtime's source is missing): `failure` says why, for good. */
let unrecoverable = false;
/** The bundled runtime can be instantiated once; later instances need a fresh copy. */
let bundledUsed = false;
const wasmBytes = new Map<string, Uint8Array>();

function locate(file: string, packagePath: string): string {
  const besideBundle = join(__dirname, file);
  if (existsSync(besideBundle)) return besideBundle;
  return require.resolve(packagePath);
}

function wasm(file: string, packagePath: string): Uint8Array {
  let bytes = wasmBytes.get(file);
  if (!bytes) {
    bytes = readFileSync(locate(file, packagePath));
    wasmBytes.set(file, bytes);
  }
  return bytes;
}

/** A fresh, independent copy of the web-tree-sitter runtime, or undefined when its source is absent. */
function freshRuntime(): Runtime | undefined {
  let file = join(__dirname, 'web-tree-sitter.cjs');
  if (!existsSync(file)) {
    try {
      // The package's `require` export is its CommonJS build.
      file = createRequire(join(__dirname, 'parser.js')).resolve('web-tree-sitter');
    } catch {
      return undefined;
    }
  }
  const source = readFileSync(file, 'utf8');
  const module = { exports: {} as Runtime };
  const wrapper = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: file,
  });
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/**
 * The wasm heap's limit: 2 GB unless LEAK_LENS_PARSER_MEMORY_MB sets a lower one (tests and
 * diagnosis: it makes the parser fail on smaller inputs, exactly as it does on huge ones).
 */
function memoryOption(): { wasmMemory?: WebAssembly.Memory } {
  const mb = Number(process.env.LEAK_LENS_PARSER_MEMORY_MB);
  if (!Number.isFinite(mb) || mb < 32 || mb >= 2048) return {};
  const pages = Math.floor((mb * 1024 * 1024) / 65536);
  return { wasmMemory: new WebAssembly.Memory({ initial: 512, maximum: pages }) };
}

async function instantiate(): Promise<Instance> {
  let runtime: Runtime | undefined;
  if (!bundledUsed) {
    bundledUsed = true;
    runtime = bundledRuntime;
  } else runtime = freshRuntime();
  if (!runtime) {
    throw new ParserFailedError(
      `${failure?.reason ?? 'unknown failure'}; it cannot be restarted in this process because the web-tree-sitter runtime was not found`,
    );
  }
  await runtime.Parser.init({
    wasmBinary: wasm('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'),
    // emscripten prints "Aborted()" on stderr before throwing: the caller reports the failure.
    print: () => {},
    printErr: () => {},
    ...memoryOption(),
  } as unknown as Parameters<Runtime['Parser']['init']>[0]);
  const language = await runtime.Language.load(
    wasm('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'),
  );
  const parser = new runtime.Parser();
  parser.setLanguage(language);
  return { runtime, language, parser, generation: ++generations };
}

/**
 * Initialise tree-sitter and load the Python grammar; safe to call any number of times. After a
 * parser failure, this instantiates a fresh module: await it before parsing again.
 */
export function initParser(): Promise<Language> {
  if (instance) return Promise.resolve(instance.language);
  // No fresh module can be made in this process: say so once, the same way every time.
  if (unrecoverable && failure) return Promise.reject(failure);
  loading ??= instantiate().then(
    (created) => {
      instance = created;
      failure = undefined;
      unrecoverable = false;
      loading = undefined;
      return created;
    },
    (error: unknown) => {
      loading = undefined;
      if (error instanceof ParserFailedError) {
        failure = error;
        unrecoverable = true;
      }
      throw error;
    },
  );
  return loading.then((created) => created.language);
}

export function pythonLanguage(): Language {
  if (!instance) {
    if (failure) throw unrecoverable ? failure : new ParserRestartingError(failure);
    throw new Error('initParser() must be awaited before parsing');
  }
  return instance.language;
}

/**
 * Counts the parser modules instantiated in this process. It changes after a failure: trees
 * from an earlier generation belong to a discarded module and must not be reused.
 */
export function parserGeneration(): number {
  return instance?.generation ?? generations;
}

/** Whether `error` is the wasm module failing (abort, trap), after which it cannot be trusted. */
export function isParserCrash(error: unknown): boolean {
  if (error instanceof ParserFailedError) return true;
  if (error instanceof WebAssembly.RuntimeError) return true;
  const message = error instanceof Error ? error.message : '';
  return /^Aborted\(|memory access out of bounds/.test(message);
}

/**
 * Discards the parser module after `error` (a wasm abort or trap met while parsing or while
 * reading a tree) and returns the error to report. The next `initParser()` makes a fresh one.
 */
export function discardParser(error: unknown): ParserFailedError {
  if (error instanceof ParserFailedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/\. Build with -sASSERTIONS for more info\.?$/, '').trim() || 'wasm trap';
  const failed = new ParserFailedError(reason);
  failure = failed;
  instance = undefined;
  // Start the fresh module now: by the next parse (after a language server's debounce) it is
  // usually ready. A failure to make one is reported by the next initParser().
  initParser().catch(() => {});
  return failed;
}

export interface ParseOptions {
  /** `Date.now()` after which parsing stops with a ParseTimeoutError. */
  deadline?: number;
}

/**
 * Parse Python source; pass the previous tree (after `tree.edit`) to re-parse incrementally. A
 * previous tree from an earlier parser generation is ignored (the text is parsed afresh).
 * Throws ParserFailedError when the parser module fails (it is then discarded: await
 * `initParser()` before the next parse) and ParseTimeoutError past `options.deadline`.
 */
export function parsePython(source: string, previous?: Tree, options: ParseOptions = {}): Tree {
  const current = instance;
  if (!current) {
    if (failure) throw unrecoverable ? failure : new ParserRestartingError(failure);
    throw new Error('initParser() must be awaited before parsing');
  }
  const old = previous && previous.language === current.language ? previous : null;
  const { deadline } = options;
  let tree: Tree | null;
  try {
    tree = current.parser.parse(
      source,
      old,
      deadline === undefined ? undefined : { progressCallback: () => Date.now() > deadline },
    );
  } catch (error) {
    if (isParserCrash(error)) throw discardParser(error);
    throw error;
  }
  if (!tree) {
    // A cancelled parse keeps its state to resume: start the next one afresh.
    current.parser.reset();
    if (deadline !== undefined && Date.now() > deadline) throw new ParseTimeoutError();
    throw new Error('tree-sitter returned no tree');
  }
  return tree;
}
