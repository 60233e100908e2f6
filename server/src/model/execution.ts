// Where code runs, and how often: the question every rule asks before it calls growth or a
// registration a leak. A cache filled at import time, a handler added in `main()` or a listener
// registered in Django's `AppConfig.ready()` runs once; the same line in a route handler, in a
// method of an object made per request, or in a loop runs again and again. Rules report growth,
// registration and cycles only in repeated code (or code whose frequency is unknowable here, at a
// lower severity), and quote the reason in their message.
//
// The evidence, strongest first: decorators and frameworks (`@app.get`, `@shared_task`,
// `@pytest.fixture`, `AppConfig.ready()`, a management command's `handle()`, a Celery bootstep),
// then the call sites in this module (followed outwards through their callers), then names
// (`setup_logging`, `on_message`, `register_codec`, `make_client`). A function nobody in the
// module calls is public API: how often it runs is decided elsewhere ("unknown").
import type { Node } from '../parser';
import { isConfiguredValue } from './bounded';
import { attributeNamedBy, identifiersNamed } from './find-names';
import { REQUEST_HOOK_DECORATOR, ROUTE_DECORATORS } from './handler-names';
import { describeScope, functionChain, runsAtImportTime } from './import-time';
import { classOfMethod } from './methods';
import { onceGuardFlag } from './once-guard';
import type { RepeatedCaller } from './project-index';
import { isOneShotFile } from './run-once';
import type { Scope, SemanticModel } from './semantic';
import { madeThroughSubclasses } from './subclass-makers';
import { isTestFileName } from './test-code';
import { decoratorsOf, keywordArgument, positionalArguments, unparenthesizedParent, useOf } from './usage';

export type RunFrequency =
  /** Module and class bodies, decorators, registration helpers: once, while importing. */
  | 'import-time'
  /** `main()`, `if __name__ == "__main__":`, app factories, start-up hooks, setup scripts, tests. */
  | 'one-shot'
  /** Request handlers, callbacks, loops, methods of objects made again and again. */
  | 'repeated'
  /** Public API nobody in this module calls: its callers decide. */
  | 'unknown';

export interface RunInfo {
  frequency: RunFrequency;
  /** Why, as a clause for messages: "`get_user()` is a route handler". */
  reason: string;
  /**
   * Set when only a name decided (nothing in the module calls the function): `registration` for
   * `register_*` helpers taken to run at import, `factory` for `make_*`/`create_*`/`build_*`/`autodiscover*`
   * public functions (usually called once, at start-up, but their callers decide).
   */
  fromName?: 'registration' | 'factory';
  /**
   * Set when the frequency is unknown only because the objects whose method this is are made in
   * other modules (`__init__` of a class nothing here makes): nothing shows more than one.
   */
  fromInstances?: boolean;
}

/** Decorators that make a function a task, a consumer or an event handler: run per job/event. */
const HANDLER_DECORATORS =
  /^(task|shared_task|periodic_task|job|actor|consumer|listener|event|command|message_handler|callback_query_handler|on|handler|hookimpl|receiver)$/;

/** Start-up hooks: `@app.on_event("startup")`, `@app.before_first_request`, `@app.on_startup`. */
const STARTUP_DECORATOR =
  /^(on_event|before_first_request|on_startup|on_after_configure|on_after_finalize|after_setup_logger)$/;

/**
 * Function names that say "run once at start-up" (`setup_logging`, `configure`, `init_app`, `main`),
 * including helpers that switch a logger's output on (`set_stream_logger`, `add_stderr_logger`,
 * `enable_console_debug_logging`, `set_logging_handler`): a program calls them once, as it starts
 * or when debugging is turned on.
 */
export const ONE_TIME_NAME =
  /^_*main$|^_*(setup|set_up|configure|init|initialize|initialise|install|bootstrap|startup|lifespan|on_startup)(_|$)|_(setup|startup|init|initialize|lifespan)$|^_*(create|make|build)_app$|^_*(run|cli|entrypoint|entry_point)$|^_*daemoni[sz]e(_|$)|^_*(set|add|enable)_(\w+_)?(logger|logging)(_handlers?)?$/i;

/** Factory names (`make_client`, `create_session`, `build_handler`): their callers decide, usually once. */
export const FACTORY_NAME = /^_*(make|create|build)_/i;

/** Autodiscovery calls (`admin.autodiscover()`, `app.autodiscover_tasks()`): made once, at start-up, by convention. */
const AUTODISCOVERY_NAME = /^_*autodiscover/i;

/** Registration helpers (`register_codec`, `registerPlugin`): taken to run while modules are imported. */
const REGISTRATION_NAME = /regist/i;

export { isOneShotFile };

/** Handler names (`on_message`, `handle_request`, `process_item`, `dispatch`): called per event. */
export const PER_CALL_NAME = /^_*(handle|on|process|serve|request|dispatch|consume|receive|callback)(_|$)/i;

/** Test-runner knowledge: what runs once per test, once per class, once per session. */
const TEST_NAME = /^test/;
const TEST_CLASS_NAME = /^Test|Tests?$|TestCase$/;
const TEST_CLASS_BASES = /TestCase|TestBase|\bTest\b|Tests\b|Fixture/;
const PER_TEST_METHODS =
  /^(setUp|asyncSetUp|setup_method|setup|setup_test|tearDown|teardown_method|teardown)$/;
const PER_CLASS_METHODS = /^(setUpClass|setup_class|tearDownClass|teardown_class|setUpModule|setup_module)$/;

/** Django management commands: `handle()` runs once per command-line invocation. */
const MANAGEMENT_COMMAND_BASES = /\b(BaseCommand|LabelCommand|AppCommand)\b/;
/**
 * Plugins of developer tools, not of a service: a pylint checker (and a mypy plugin) lives for one
 * lint or type-check run of a short-lived process, so what it gathers is bounded by the code it
 * reads. Only with the tool imported (a project's own `BaseChecker` is something else).
 */
const TOOL_PLUGIN_BASES: readonly { module: string; bases: RegExp; tool: string }[] = [
  {
    module: 'pylint',
    bases: /\b(BaseChecker|BaseTokenChecker|BaseRawFileChecker|BaseRawChecker)\b/,
    tool: 'pylint checker',
  },
  { module: 'mypy.plugin', bases: /\bPlugin\b/, tool: 'mypy plugin' },
];
/** Celery bootsteps: created and started once per worker process. */
const BOOTSTEP_BASES = /\b(bootsteps\.)?(Step|StartStopStep|ConsumerStep)\b/;

/** Django start-up hook: `AppConfig.ready()`. */
function isAppConfigReady(fn: Scope): boolean {
  if (fn.name !== 'ready' || fn.parent?.kind !== 'class') return false;
  return /AppConfig\b/.test(basesText(fn.parent));
}

function basesText(cls: Scope): string {
  return cls.node.childForFieldName('superclasses')?.text ?? '';
}

function decoratorName(d: Node): string {
  const target = d.type === 'call' ? d.childForFieldName('function') : d;
  if (!target) return '';
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text ?? '';
  return target.type === 'identifier' ? target.text : '';
}

function firstParameterName(fn: Node): string | undefined {
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const first = params.find((p) => p && p.type !== 'comment');
  if (!first) return undefined;
  if (first.type === 'identifier') return first.text;
  return first.namedChildren.find((c) => c?.type === 'identifier')?.text;
}

/** `@app.get("/")`, `@router.post(...)`, or a Django/Flask-style view taking the request first. */
export function isRouteHandler(fn: Node): boolean {
  if (decoratorsOf(fn).some((d) => d.type === 'call' && ROUTE_DECORATORS.has(decoratorName(d)))) return true;
  const first = firstParameterName(fn);
  const second = fn
    .childForFieldName('parameters')
    ?.namedChildren.filter((p) => p && p.type !== 'comment')[1];
  const secondName =
    second?.type === 'identifier'
      ? second.text
      : second?.namedChildren.find((c) => c?.type === 'identifier')?.text;
  return (
    first === 'request' ||
    first === 'req' ||
    ((first === 'self' || first === 'cls') && secondName === 'request')
  );
}

const LOOP_TYPES: Record<string, 'for' | 'while' | 'comprehension'> = {
  for_statement: 'for',
  while_statement: 'while',
  list_comprehension: 'comprehension',
  set_comprehension: 'comprehension',
  dictionary_comprehension: 'comprehension',
  generator_expression: 'comprehension',
};

/** The innermost loop around `node` inside `within` (not crossing a function, lambda or class). */
function loopAround(node: Node, within: Node): 'for' | 'while' | 'comprehension' | undefined {
  for (let p = node.parent; p && p.id !== within.id; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return undefined;
    const kind = LOOP_TYPES[p.type];
    // The iterable of a comprehension's first `for` is evaluated once, outside the loop.
    if (kind === 'comprehension' && p.namedChildren[1] && contains(p.namedChildren[1], node)) {
      const clause = p.namedChildren[1];
      if (clause.type === 'for_in_clause' && contains(clause.childForFieldName('right'), node)) continue;
    }
    if (kind) return kind;
  }
  return undefined;
}

/**
 * Calls that list what is installed or configured on disk (a directory's entries, the modules of
 * a package, the entry points of installed distributions): a loop over them runs once per entry.
 */
const LISTING_CALLS = new Set([
  'os.listdir',
  'os.scandir',
  'os.walk',
  'glob.glob',
  'glob.iglob',
  'pkgutil.iter_modules',
  'pkgutil.walk_packages',
  'importlib.metadata.entry_points',
  'pkg_resources.iter_entry_points',
]);
/** `Path(...).iterdir()`, `.glob(...)`, `.rglob(...)`: a path's entries. */
const LISTING_METHODS = new Set(['iterdir', 'glob', 'rglob']);
/** Calls that keep the items of what they are given. */
const PASS_THROUGH = new Set(['list', 'sorted', 'tuple', 'enumerate', 'reversed']);

/** Whether `iterable` is a literal list or tuple, or a listing of installed or configured entries. */
function isFixedIterable(model: SemanticModel, iterable: Node | null, depth = 0): boolean {
  if (!iterable || depth > 3) return false;
  if (iterable.type === 'tuple' || iterable.type === 'list') return true;
  if (iterable.type === 'parenthesized_expression' && iterable.namedChildren[0])
    return isFixedIterable(model, iterable.namedChildren[0], depth);
  if (iterable.type === 'identifier') {
    // A local bound once: `found = list(pkgutil.iter_modules([path]))`.
    const binding = model.resolve(iterable);
    if (binding?.kind !== 'assignment' || binding.sites.length !== 1 || binding.scope === model.moduleScope)
      return false;
    return isFixedIterable(model, model.assignedValue(binding.sites[0]) ?? null, depth + 1);
  }
  // `settings.PLUGINS`, `config.get("sources", [])`: configured entries.
  if (isConfiguredValue(model, iterable, isLiteral)) return true;
  if (iterable.type !== 'call') return false;
  const callee = iterable.childForFieldName('function');
  if (callee?.type === 'identifier' && PASS_THROUGH.has(callee.text))
    return isFixedIterable(model, positionalArguments(iterable)[0] ?? null, depth + 1);
  if (LISTING_CALLS.has(model.calleeName(iterable) ?? '')) return true;
  const method = callee?.type === 'attribute' ? (callee.childForFieldName('attribute')?.text ?? '') : '';
  if (LISTING_METHODS.has(method)) return true;
  // `schema.keys()`: the entries of what the object holds.
  if (MAPPING_VIEWS.has(method) && positionalArguments(iterable).length === 0)
    return isFixedIterable(model, callee?.childForFieldName('object') ?? null, depth + 1);
  // `update_configuration_schema()`, `load_settings()`: the entries of a configuration.
  const last = callee?.type === 'attribute' ? method : (callee?.text ?? '');
  return CONFIGURATION_CALL.test(last);
}

/** The views of a mapping a loop walks. */
const MAPPING_VIEWS = new Set(['keys', 'items', 'values']);
/** Functions named for returning a configuration (`get_settings`, `update_configuration_schema`). */
const CONFIGURATION_CALL = /(^|_)(config|configuration|settings|schema|options)$/i;

function isLiteral(n: Node): boolean {
  return ['string', 'integer', 'float', 'true', 'false', 'none'].includes(n.type);
}

/**
 * The innermost loop around `node` inside `within` that repeats it: a `for` over a literal
 * (`for path in (builtin_dir, user_dir)`) or over the entries of a directory or package runs a
 * fixed number of times, once per configured or installed thing, so it is passed over.
 */
function repeatingLoopAround(
  model: SemanticModel,
  node: Node,
  within: Node,
): 'for' | 'while' | 'comprehension' | undefined {
  for (let at: Node = node; ; ) {
    const kind = loopAround(at, within);
    if (kind !== 'for') return kind;
    let loop = at.parent;
    while (loop && loop.type !== 'for_statement') loop = loop.parent;
    if (!loop || !isFixedIterable(model, loop.childForFieldName('right'))) return kind;
    at = loop;
  }
}

function contains(outer: Node | null, inner: Node): boolean {
  return !!outer && outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** Inside a module-level `if __name__ == "__main__":` block. */
export function inMainGuard(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'if_statement' || p.parent?.type !== 'module') continue;
    const cond = p.childForFieldName('condition');
    return !!cond && /__name__/.test(cond.text) && /__main__/.test(cond.text);
  }
  return false;
}

function isMemoized(model: SemanticModel, fn: Node): boolean {
  return decoratorsOf(fn).some((d) => {
    const target = d.type === 'call' ? d.childForFieldName('function') : d;
    const q = model.qualifiedName(target);
    return q === 'functools.cache' || q === 'functools.lru_cache';
  });
}

/**
 * Calls that run an event loop until the program stops (`loop.run_forever()`,
 * `server.serve_forever()`, Twisted's `reactor.run()`, Tornado's `IOLoop.current().start()`, a
 * GUI's `mainloop()`): the function making one is a process's main function.
 */
const EVENT_LOOP_RUN = /^(run_forever|serve_forever|mainloop)$/;

/** The text of the call in `fn`'s own body (not a nested function's) that runs the event loop. */
function eventLoopRun(fn: Node): string | undefined {
  const body = fn.childForFieldName('body');
  if (!body || !/run_forever|serve_forever|mainloop|reactor\s*\.\s*run\b|IOLoop\b/.test(body.text))
    return undefined;
  for (const call of body.descendantsOfType('call')) {
    const callee = call?.childForFieldName('function');
    if (callee?.type !== 'attribute') continue;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    const object = callee.childForFieldName('object')?.text ?? '';
    const tornado = method === 'start' && /(^|\.)IOLoop\s*\.\s*(current|instance)\s*\(\s*\)$/.test(object);
    if (!EVENT_LOOP_RUN.test(method) && !(method === 'run' && /(^|\.)reactor$/.test(object)) && !tornado)
      continue;
    // Its own body: not a nested function or lambda that hands the loop to someone else.
    let p = call?.parent;
    while (p && p.id !== fn.id && p.type !== 'function_definition' && p.type !== 'lambda') p = p.parent;
    if (p?.id === fn.id) return callee.text;
  }
  return undefined;
}

/**
 * Signals a daemon handles for the life of the process (reload, stop, dump): the code installing
 * their handler (`signal.signal(SIGHUP, …)`, `loop.add_signal_handler(SIGTERM, …)`) is its start-up.
 * Not `SIGALRM` nor `SIGINT`, which per-call timeouts and interrupt guards install and restore.
 */
const DAEMON_SIGNAL = /\bSIG(HUP|TERM|USR1|USR2|QUIT|BREAK)$/;

/** The signal whose handler `fn`'s own body installs, if any. */
function daemonSignalHandler(fn: Node): string | undefined {
  const body = fn.childForFieldName('body');
  if (!body || !/\bSIG(HUP|TERM|USR1|USR2|QUIT|BREAK)\b/.test(body.text)) return undefined;
  for (const call of body.descendantsOfType('call')) {
    const callee = call?.childForFieldName('function');
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    if (method !== 'signal' && method !== 'add_signal_handler') continue;
    const first = call ? positionalArguments(call)[0] : undefined;
    const signal = first?.text.split('.').pop() ?? '';
    if (!DAEMON_SIGNAL.test(signal)) continue;
    let p = call?.parent;
    while (p && p.id !== fn.id && p.type !== 'function_definition' && p.type !== 'lambda') p = p.parent;
    if (p?.id === fn.id) return signal;
  }
  return undefined;
}

function name(fn: Scope): string {
  return describeScope(fn);
}

function isCallee(expr: Node): Node | undefined {
  const use = unparenthesizedParent(expr);
  return use.parent?.type === 'call' && use.parent.childForFieldName('function')?.id === use.node.id
    ? use.parent
    : undefined;
}

const callSiteMemo = new WeakMap<SemanticModel, Map<Scope, { calls: Node[]; otherUses: number }>>();

/**
 * Where the function (or class) `fn` is called from in this module: the call nodes. Asked for each
 * function in both of the run-frequency questions (and by the rules): found once per analysis.
 */
function callSitesOf(model: SemanticModel, fn: Scope): { calls: Node[]; otherUses: number } {
  let byScope = callSiteMemo.get(model);
  if (!byScope) {
    byScope = new Map();
    callSiteMemo.set(model, byScope);
  }
  let sites = byScope.get(fn);
  if (!sites) {
    sites = findCallSites(model, fn);
    byScope.set(fn, sites);
  }
  return sites;
}

function findCallSites(model: SemanticModel, fn: Scope): { calls: Node[]; otherUses: number } {
  const parent = fn.parent;
  const fnName = fn.name;
  if (!parent || !fnName) return { calls: [], otherUses: 0 };
  const calls: Node[] = [];
  let otherUses = 0;
  if (parent.kind === 'class') {
    // `self.method(...)` / `cls.method(...)` / `Class.method(...)`: any call of that attribute name
    // inside the class counts; outside, `x.method(...)` on anything else is not ours to know.
    const cls = parent.node;
    for (const attr of ownAttributes(model, parent).get(fnName) ?? []) {
      const call = isCallee(attr);
      if (call) calls.push(call);
      else otherUses++;
    }
    calls.push(...classBodyUses(model, parent, fnName));
    // Outside the class: `Class.method(...)`, and `obj.method(...)` on a name bound to `Class(...)`.
    for (const instance of instancesOf(model, parent)) {
      const use = useOf(instance);
      if (use.kind === 'method' && use.method === fnName) {
        if (!contains(cls, use.call)) calls.push(use.call);
      } else if (use.kind === 'attribute' && use.attribute === fnName && !contains(cls, use.node)) {
        otherUses++;
      }
    }
    return { calls, otherUses };
  }
  const binding = parent.lookupLocal(fnName);
  if (!binding || (binding.kind !== 'function' && binding.kind !== 'class')) return { calls, otherUses };
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load') continue;
    const call = isCallee(ref.node);
    if (call) calls.push(call);
    else otherUses++;
  }
  // `cls(...)` in a classmethod of the class makes an instance too.
  if (binding.kind === 'class') {
    // (Found by the word index: reading the text of every identifier of the class cost more.)
    const root = model.file.root;
    for (const at of model.wordOffsets('cls', fn.node.startIndex, fn.node.endIndex)) {
      const id = root.descendantForIndex(at, at + 3);
      if (id?.type !== 'identifier' || id.text !== 'cls') continue;
      const call = isCallee(id);
      const method = call ? functionChain(model.scopeOf(call))[0] : undefined;
      if (call && method?.parent === fn) calls.push(call);
    }
  }
  return { calls, otherUses };
}

/**
 * `@register` or `register(f)` right in the body of the class that defines `register` as a plain
 * function (no `self`): it runs when the class body runs, so these uses are its calls.
 */
function classBodyUses(model: SemanticModel, cls: Scope, fnName: string): Node[] {
  const binding = cls.lookupLocal(fnName);
  if (binding?.kind !== 'function') return [];
  const uses: Node[] = [];
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load' || ref.scope !== cls) continue;
    const { node, parent } = unparenthesizedParent(ref.node);
    if (parent?.type === 'decorator') uses.push(parent);
    else if (parent?.type === 'call' && parent.childForFieldName('function')?.id === node.id)
      uses.push(parent);
  }
  return uses;
}

const ownAttributeMemo = new WeakMap<SemanticModel, Map<Scope, Map<string, Node[]>>>();

/**
 * The `self.x`, `cls.x` and `Class.x` attributes inside a class, by attribute name: one walk of
 * the class per analysis, not one per method (a class with 2,000 methods was quadratic).
 */
function ownAttributes(model: SemanticModel, cls: Scope): Map<string, Node[]> {
  let byClass = ownAttributeMemo.get(model);
  if (!byClass) {
    byClass = new Map();
    ownAttributeMemo.set(model, byClass);
  }
  let byName = byClass.get(cls);
  if (!byName) {
    byName = new Map();
    const owners = ['self', 'cls', cls.name];
    for (const attr of cls.node.descendantsOfType('attribute')) {
      const name = attr?.childForFieldName('attribute')?.text;
      const obj = attr?.childForFieldName('object');
      if (!attr || name === undefined || obj?.type !== 'identifier' || !owners.includes(obj.text)) continue;
      const list = byName.get(name);
      if (list) list.push(attr);
      else byName.set(name, [attr]);
    }
    byClass.set(cls, byName);
  }
  return byName;
}

/**
 * Expressions that stand for the class or one of its instances outside its body: the class name
 * itself (`Class.method`), names bound to `Class(...)`, and `Class(...)` used directly.
 */
function instancesOf(model: SemanticModel, cls: Scope): Node[] {
  const className = cls.name;
  const binding = className ? cls.parent?.lookupLocal(className) : undefined;
  if (binding?.kind !== 'class') return [];
  const out: Node[] = [];
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load') continue;
    out.push(ref.node);
    const call = isCallee(ref.node);
    if (!call) continue;
    out.push(call);
    const use = useOf(call);
    if (use.kind === 'assigned-to' && use.target.type === 'identifier') {
      const target = model.resolve(use.target);
      if (target?.kind === 'assignment' && target.sites.length === 1) {
        for (const r of model.references(target)) if (r.context === 'load') out.push(r.node);
      }
    }
  }
  return out;
}

/** `add_option(..., callback=f)`, `add_argument(..., type=f)`: command-line parsing, once at start-up. */
const OPTION_METHODS = new Set(['add_option', 'add_argument', 'make_option', 'Option']);

/** Django data migrations: `RunPython(forwards)` runs `forwards(apps, schema_editor)` once, when migrating. */
const MIGRATION_SINKS = new Set(['RunPython']);

function parameterNames(fn: Node): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? [])
    .map((p) =>
      p?.type === 'identifier' ? p.text : p?.namedChildren.find((c) => c?.type === 'identifier')?.text,
    )
    .filter((n): n is string => !!n);
}

/** A `RunPython` function: `(apps, schema_editor)`. */
function isMigrationSignature(fn: Node): boolean {
  // (The text first: listing every function's parameters cost more than this whole test.)
  if (!fn.childForFieldName('parameters')?.text.includes('schema_editor')) return false;
  const names = parameterNames(fn);
  return names.length === 2 && names[0] === 'apps' && /^_?schema_editor$/.test(names[1]);
}

/** optparse's callback signature: `(option, opt_str, value, parser)`. */
function isOptionCallbackSignature(fn: Node): boolean {
  const parameters = fn.childForFieldName('parameters');
  if (!parameters?.text.includes('opt_str')) return false;
  const names = parameters.namedChildren
    .map((p) =>
      p?.type === 'identifier' ? p.text : p?.namedChildren.find((c) => c?.type === 'identifier')?.text,
    )
    .filter((n): n is string => !!n && n !== 'self' && n !== 'cls');
  return names.length >= 3 && names[names.length - 1] === 'parser' && names.includes('opt_str');
}

function optionCallbacksOnly(model: SemanticModel, fn: Scope, sinks = OPTION_METHODS): boolean {
  const parent = fn.parent;
  const binding = parent && fn.name ? parent.lookupLocal(fn.name) : undefined;
  if (!binding) return false;
  const uses = model.references(binding).filter((r) => r.context === 'load');
  return (
    uses.length > 0 &&
    uses.every((r) => {
      const arg = unparenthesizedParent(r.node);
      const list = arg.parent?.type === 'keyword_argument' ? arg.parent.parent : arg.parent;
      const call = list?.type === 'argument_list' ? list.parent : undefined;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
      const method =
        callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
      return !!method && sinks.has(method);
    })
  );
}

/**
 * Whether every use of `fn` other than a call hands it to argparse's `set_defaults()`, alone
 * (`func=cmd_run`) or in a tuple (`action=("run", cmd_run)`): the command line picks one such
 * function, run once per process.
 */
function subcommandOnly(model: SemanticModel, fn: Scope): boolean {
  const binding = fn.parent && fn.name ? fn.parent.lookupLocal(fn.name) : undefined;
  if (!binding || binding.kind !== 'function') return false;
  const uses = model.references(binding).filter((r) => r.context === 'load' && !isCallee(r.node));
  return (
    uses.length > 0 &&
    uses.every((r) => {
      let arg = unparenthesizedParent(r.node);
      while (arg.parent?.type === 'tuple' || arg.parent?.type === 'list')
        arg = unparenthesizedParent(arg.parent);
      const list = arg.parent?.type === 'keyword_argument' ? arg.parent.parent : undefined;
      const callee = list?.type === 'argument_list' ? list.parent?.childForFieldName('function') : undefined;
      return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'set_defaults';
    })
  );
}

/** Constructors that run a function in a thread or process of its own: `Thread(target=f)`. */
const THREAD_CONSTRUCTORS = /^(Thread|Process|Timer)$/;

/**
 * Calls that run the function they are given once, in a greenlet or thread of its own (gevent's
 * `spawn(f)`, `spawn_later(t, f)`, `Greenlet(f)`, `_thread.start_new_thread(f, args)`): the
 * counterparts of `Thread(target=f)`. Position of the function among the positional arguments.
 */
const SPAWNERS: Record<string, number> = { spawn: 0, spawn_later: 1, Greenlet: 0, start_new_thread: 0 };

/** The uses of `fn` other than its definition: its name, or `self.fn` in its class for a method. */
function usesOf(model: SemanticModel, fn: Scope): Node[] | undefined {
  const parent = fn.parent;
  const binding = parent && fn.name ? parent.lookupLocal(fn.name) : undefined;
  if (!binding || binding.kind !== 'function') return undefined;
  if (parent?.kind !== 'class') {
    return model
      .references(binding)
      .filter((r) => r.context === 'load' && !binding.sites.some((s) => s.id === r.node.id))
      .map((r) => r.node);
  }
  const uses: Node[] = [];
  for (const id of identifiersNamed(model.file, [fn.name as string], parent.node)) {
    const attribute = attributeNamedBy(id);
    const object = attribute?.childForFieldName('object');
    if (attribute && object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls'))
      uses.push(attribute);
  }
  return uses;
}

/**
 * The `Thread(target=f)` / `Process(target=f)` / `Timer(t, f)` / `gevent.spawn(self.f)` calls
 * that start `fn`, when every use of it other than a call is one of them (otherwise it is handed
 * on elsewhere too: none).
 */
function threadStarts(model: SemanticModel, fn: Scope): Node[] {
  const uses = usesOf(model, fn);
  if (!uses) return [];
  const starts: Node[] = [];
  for (const use of uses) {
    const arg = unparenthesizedParent(use);
    if (arg.parent?.type === 'call' && arg.parent.childForFieldName('function')?.id === arg.node.id) continue;
    const keyword = arg.parent?.type === 'keyword_argument' ? arg.parent : undefined;
    const list = keyword ? keyword.parent : arg.parent;
    const call = list?.type === 'argument_list' ? list.parent : undefined;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    const ctor = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    const keywordName = keyword?.childForFieldName('name')?.text;
    const spawnAt = ctor !== undefined ? SPAWNERS[ctor] : undefined;
    const asTarget =
      !!call &&
      !!ctor &&
      (THREAD_CONSTRUCTORS.test(ctor)
        ? keyword
          ? keywordName === 'target' || keywordName === 'function'
          : ctor === 'Timer' && positionalArguments(call)[1]?.id === arg.node.id
        : spawnAt !== undefined &&
          (keyword ? keywordName === 'run' : positionalArguments(call)[spawnAt]?.id === arg.node.id));
    if (!call || !asTarget) return [];
    starts.push(call);
  }
  return starts;
}

const loopMemo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();
const loopClassMemo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();
const overTimeMemo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();
const overTimeClassMemo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();

/**
 * Whether a `for` loop (or a comprehension) in code whose own frequency is unknown counts as
 * repetition. For "does this code run again and again?" it does. For "does this keep adding
 * for the life of the process?" (growth, registration) it does not: it walks what one call was
 * given, a bounded number of times per call; only a `while` loop (the program's main loop) or an
 * `async for` (a stream of events) keeps running. Set only while `runInfoOverTimeAt` answers.
 */
let forLoopsRepeat = true;
const memoOf = () => (forLoopsRepeat ? loopMemo : overTimeMemo);
const classMemoOf = () => (forLoopsRepeat ? loopClassMemo : overTimeClassMemo);

/**
 * How often the code directly in `scope` runs. Innermost function first: a lambda or a nested
 * function handed on as a callback runs whenever it is called back (repeated).
 */
export function runInfoOfScope(model: SemanticModel, scope: Scope): RunInfo {
  return runInfoOf(model, scope, 0, new Set());
}

/** How often the statement holding `node` runs: its function's frequency, or repeated in a loop. */
export function runInfoAt(model: SemanticModel, node: Node): RunInfo {
  return siteInfo(model, node, 0, new Set());
}

/**
 * How often the statement holding `node` runs over the life of the process, for code that adds
 * something each time it runs (a cache entry, a listener): as `runInfoAt`, except that a `for`
 * loop in code whose callers are elsewhere is not taken as repetition (see `forLoopsRepeat`), nor
 * is a call made in such a loop. A loop over what one call was given adds a bounded number of
 * entries per call; whether the calls go on is what the callers decide.
 */
export function runInfoOverTimeAt(model: SemanticModel, node: Node): RunInfo {
  const before = forLoopsRepeat;
  forLoopsRepeat = false;
  try {
    return siteInfo(model, node, 0, new Set());
  } finally {
    forLoopsRepeat = before;
  }
}

/**
 * A loop around `node` inside `within` that keeps running: a `while` (a main loop) or an
 * `async for` (it walks a stream of events, not a collection).
 */
function runningLoopAround(node: Node, within: Node): boolean {
  for (let p = node.parent; p && p.id !== within.id; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return false;
    if (p.type === 'while_statement') return true;
    if (p.type === 'for_statement' && p.children[0]?.type === 'async') return true;
  }
  return false;
}

function siteInfo(model: SemanticModel, node: Node, depth: number, visiting: Set<Scope>): RunInfo {
  // `if not _loaded: load(); _loaded = True`: once per process, whoever runs the function.
  const flag = onceGuardFlag(model, node);
  if (flag) return { frequency: 'one-shot', reason: `it runs once, behind the \`${flag}\` flag` };
  const scope = model.scopeOf(node);
  const info = runInfoOf(model, scope, depth, visiting);
  if (info.frequency === 'repeated' || info.frequency === 'import-time') return info;
  const fn = functionChain(scope)[0];
  const within = fn?.node ?? model.file.root;
  // A loop repeats what it holds, but in one-shot code only a `while` loop (the program's main
  // loop) runs for the life of the process; a `for` there walks the input of that one run.
  const kind = repeatingLoopAround(model, node, within);
  if (!kind) return info;
  if (info.frequency === 'one-shot' && (kind !== 'while' || isOneShotFile(model.file.path, model.file.text)))
    return info;
  if (!forLoopsRepeat && info.frequency === 'unknown' && !runningLoopAround(node, within)) return info;
  return { frequency: 'repeated', reason: `it runs in a loop in ${name(fn ?? scope)}` };
}

/** Whether growth or registration in this code can pile up: repeated, or unknowable here. */
export function mayRunRepeatedly(info: RunInfo): boolean {
  return info.frequency === 'repeated' || info.frequency === 'unknown';
}

function runInfoOf(model: SemanticModel, scope: Scope, depth: number, visiting: Set<Scope>): RunInfo {
  const path = model.file.path ?? '';
  if (!scope.isRuntime) {
    return { frequency: 'import-time', reason: 'it runs once, while the module is imported' };
  }
  const fn = functionChain(scope)[0];
  let cache = memoOf().get(model);
  if (!cache) {
    cache = new Map();
    memoOf().set(model, cache);
  }
  const known = cache.get(fn);
  if (known) return known;
  if (visiting.has(fn)) return { frequency: 'unknown', reason: `${name(fn)} is recursive` };
  visiting.add(fn);
  let info = computeRunInfo(model, fn, depth, visiting);
  visiting.delete(fn);
  if (isOneShotFile(path, model.file.text) && info.frequency !== 'import-time') {
    const file = path.split(/[/\\]/).pop();
    info = /management[/\\]commands/.test(path)
      ? { frequency: 'one-shot', reason: `\`${file}\` is a management command: it runs once per process` }
      : { frequency: 'one-shot', reason: `\`${file}\` is a script that runs once` };
  }
  cache.set(fn, info);
  return info;
}

/**
 * Methods that, called from a `__main__` block, keep the process serving events (`app.run()`,
 * `bot.run_polling()`, `web.run_app(app)`): what their object has registered runs per event.
 */
const SERVING_METHOD =
  /^(run|serve|serve_forever|run_forever|run_app|run_until_complete|start|start_polling|run_polling|polling|infinity_polling|listen|loop|idle|worker_main)$/;

const mainCallsMemo = new WeakMap<SemanticModel, Node[]>();

/** The calls inside the module's `if __name__ == "__main__":` blocks. */
function mainGuardCalls(model: SemanticModel): Node[] {
  const known = mainCallsMemo.get(model);
  if (known) return known;
  const calls: Node[] = [];
  for (const stmt of model.file.root.namedChildren) {
    if (stmt?.type !== 'if_statement') continue;
    const cond = stmt.childForFieldName('condition');
    if (!cond || !/__name__/.test(cond.text) || !/__main__/.test(cond.text)) continue;
    const body = stmt.childForFieldName('consequence');
    for (const call of body?.descendantsOfType('call') ?? []) if (call) calls.push(call);
  }
  mainCallsMemo.set(model, calls);
  return calls;
}

/**
 * A function registered with `@Registry.x` where this module's `__main__` block runs that same
 * registry (`Profiler.main()`) and starts no server: the script calls what it registered a fixed
 * number of times per run (a benchmark or a one-off tool run as `python -m …`), not per event.
 */
function fromScriptRegistry(model: SemanticModel, fn: Scope): RunInfo | undefined {
  const mainCalls = mainGuardCalls(model);
  if (mainCalls.length === 0) return undefined;
  for (const d of decoratorsOf(fn.node)) {
    const target = d.type === 'call' ? d.childForFieldName('function') : d;
    const registry = target?.type === 'attribute' ? target.childForFieldName('object') : undefined;
    if (registry?.type !== 'identifier') continue;
    const runs = mainCalls.find((call) => {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== registry.text)
        return false;
      return !SERVING_METHOD.test(callee.childForFieldName('attribute')?.text ?? '');
    });
    if (!runs) continue;
    // The run call's own text, without its arguments: `Profiler.main()`.
    const runner = `${runs.childForFieldName('function')?.text}()`;
    return {
      frequency: 'one-shot',
      reason: `${name(fn)} is registered with \`@${target?.text}\` and run by this script's \`if __name__ == "__main__":\` block (\`${runner}\`): a fixed number of times per run`,
    };
  }
  return undefined;
}

/** What the decorators of `fn` say, if anything. */
function fromDecorators(model: SemanticModel, fn: Scope): RunInfo | undefined {
  const registered = fromScriptRegistry(model, fn);
  for (const d of decoratorsOf(fn.node)) {
    const dn = decoratorName(d);
    if (dn === 'fixture') {
      const scope = d.type === 'call' ? keywordArgument(d, 'scope') : undefined;
      const value = scope?.type === 'string' ? scope.text.replace(/^[a-z]*["']|["']$/gi, '') : 'function';
      if (value !== 'function')
        return {
          frequency: 'one-shot',
          reason: `${name(fn)} is a \`scope="${value}"\` fixture: it runs once`,
        };
      return {
        frequency: 'repeated',
        reason: `it runs for every test that uses it: ${name(fn)} is a function-scoped fixture`,
      };
    }
    if (STARTUP_DECORATOR.test(dn))
      return { frequency: 'one-shot', reason: `${name(fn)} is a start-up hook` };
    if (d.type === 'call' && ROUTE_DECORATORS.has(dn))
      return { frequency: 'repeated', reason: `it runs on every request: ${name(fn)} is a route handler` };
    if (REQUEST_HOOK_DECORATOR.test(dn))
      return { frequency: 'repeated', reason: `it runs on every request: ${name(fn)} is a \`${dn}\` hook` };
    // A click/typer command is the program's entry point: one per process.
    if (
      (dn === 'command' || dn === 'group') &&
      (model.importsModule('click') || model.importsModule('typer'))
    )
      return {
        frequency: 'one-shot',
        reason: `${name(fn)} is a command-line command: it runs once per process`,
      };
    // A receiver of a start-up signal (`@receiver(django_ready)`, `@worker_init.connect`) runs once.
    const signal = signalOf(d, dn);
    if (signal && STARTUP_SIGNAL.test(signal))
      return { frequency: 'one-shot', reason: `${name(fn)} receives \`${signal}\`, sent once at start-up` };
    if (signal && dn === 'connect')
      return {
        frequency: 'repeated',
        reason: `it runs on every \`${signal}\` signal: ${name(fn)} receives it`,
      };
    if (HANDLER_DECORATORS.test(dn))
      return { frequency: 'repeated', reason: `it runs on every job or event: ${name(fn)} is a handler` };
  }
  return registered;
}

/** Signals sent once, while a process starts: Django's, Celery's and project ones named alike. */
const STARTUP_SIGNAL =
  /(^|_)(ready|init|startup|start_up|setup|setup_logger|configure|configured|prepared|post_migrate|boot|booted)(_|$)|_ready$|_init$/i;

/** The signal a receiver decorator names: `receiver(sig)`, `receiver([a, b])` (first), `sig.connect`. */
function signalOf(decorator: Node, dn: string): string | undefined {
  if (dn === 'receiver' && decorator.type === 'call') {
    let arg = decorator.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
    if (arg?.type === 'list' || arg?.type === 'tuple') arg = arg.namedChildren.find((a) => !!a);
    if (!arg) return undefined;
    return arg.type === 'attribute' ? (arg.childForFieldName('attribute')?.text ?? undefined) : arg.text;
  }
  if (dn === 'connect') {
    const target = decorator.type === 'call' ? decorator.childForFieldName('function') : decorator;
    const obj = target?.type === 'attribute' ? target.childForFieldName('object') : undefined;
    if (!obj) return undefined;
    return obj.type === 'attribute' ? (obj.childForFieldName('attribute')?.text ?? undefined) : obj.text;
  }
  return undefined;
}

/** Test-runner, Django and Celery knowledge about methods and test functions. */
function fromFramework(model: SemanticModel, fn: Scope, calls: Node[]): RunInfo | undefined {
  const fnName = fn.name ?? '';
  const cls = fn.parent?.kind === 'class' ? fn.parent : undefined;
  const path = model.file.path ?? '';
  const testFile = isTestFileName(path.split(/[/\\]/).pop() ?? '');
  if (cls) {
    const bases = basesText(cls);
    const testClass = TEST_CLASS_NAME.test(cls.name ?? '') || TEST_CLASS_BASES.test(bases) || testFile;
    if (testClass && TEST_NAME.test(fnName) && calls.length === 0)
      return { frequency: 'one-shot', reason: `${name(fn)} is a test: the runner calls it once` };
    if (testClass && PER_CLASS_METHODS.test(fnName))
      return { frequency: 'one-shot', reason: `${name(fn)} runs once for its test class` };
    if (testClass && PER_TEST_METHODS.test(fnName))
      return { frequency: 'repeated', reason: `it runs for every test: ${name(fn)} is a per-test set-up` };
    if (isAppConfigReady(fn))
      return { frequency: 'one-shot', reason: `${name(fn)} is Django's start-up hook` };
    if (MANAGEMENT_COMMAND_BASES.test(bases) && /^handle/.test(fnName))
      return {
        frequency: 'one-shot',
        reason: `${name(fn)} is a management command: it runs once per process`,
      };
    const plugin = TOOL_PLUGIN_BASES.find((p) => p.bases.test(bases) && model.importsModule(p.module));
    if (plugin)
      return {
        frequency: 'one-shot',
        reason: `${name(fn)} belongs to a ${plugin.tool}: it lives for one run of a short-lived tool process`,
      };
    if (BOOTSTEP_BASES.test(bases) && calls.length === 0)
      return { frequency: 'one-shot', reason: `${name(fn)} is a worker bootstep: it runs once, at start-up` };
    return undefined;
  }
  if (
    fn.parent?.kind === 'module' &&
    TEST_NAME.test(fnName) &&
    calls.length === 0 &&
    // `test_ip_connectivity()` in shipped code is a utility: only test modules hold tests.
    (testFile || /(^|[/\\])tests?\.py$/.test(path))
  )
    return { frequency: 'one-shot', reason: `${name(fn)} is a test: the runner calls it once` };
  return undefined;
}

/**
 * How often the call sites of `fn` run, together: repeated if any is; import-time or one-shot if
 * all are; unknown otherwise. Undefined when there are none.
 */
function fromCallSites(
  model: SemanticModel,
  fn: Scope,
  calls: Node[],
  depth: number,
  visiting: Set<Scope>,
): RunInfo | undefined {
  if (calls.length === 0) return undefined;
  if (depth >= 4) {
    const caller = functionChain(model.scopeOf(calls[0]))[0];
    return {
      frequency: 'unknown',
      reason: `${name(fn)} is called from ${caller ? name(caller) : 'module level'}, too far out to follow`,
    };
  }
  const infos = calls.map((site) => {
    const caller = functionChain(model.scopeOf(site))[0];
    if (!caller) {
      return inMainGuard(site)
        ? {
            frequency: 'one-shot' as const,
            reason: `${name(fn)} runs once, from \`if __name__ == "__main__":\``,
          }
        : { frequency: 'import-time' as const, reason: `${name(fn)} is called once, at import` };
    }
    const around = runInfoOf(model, model.scopeOf(site), depth + 1, visiting);
    const outer = siteInfo(model, site, depth + 1, visiting);
    if (outer.frequency === 'repeated' && around.frequency !== 'repeated')
      return { frequency: 'repeated' as const, reason: `${name(fn)} is called in a loop` };
    if (outer.frequency === 'repeated')
      return {
        frequency: 'repeated' as const,
        reason: `${name(fn)} is called from ${name(caller)}: ${outer.reason}`,
      };
    return outer;
  });
  const repeated = infos.find((i) => i.frequency === 'repeated');
  if (repeated) return repeated;
  if (infos.every((i) => i.frequency === 'import-time'))
    return infos.length === 1
      ? infos[0]
      : { frequency: 'import-time', reason: `${name(fn)} is called only while the module is imported` };
  if (infos.every((i) => i.frequency === 'import-time' || i.frequency === 'one-shot')) {
    if (infos.length === 1) return infos[0];
    return {
      frequency: 'one-shot',
      reason: `${name(fn)} is called from ${calls.length} places, each run once`,
    };
  }
  if (infos.length === 1) return infos[0];
  return {
    frequency: 'unknown',
    reason: `${name(fn)} is called from ${calls.length} places whose callers are in other modules`,
  };
}

/** "Must be called once", "should only be called once", "is run once at start-up": a contract. */
const ONCE_CONTRACT =
  /\b(must|should|is|are|to|can|may)\s+(only\s+)?be\s+(called|run|invoked|used)\s+(only\s+)?once\b/i;

/** Whether the function's docstring says that it is called once. */
function docstringSaysOnce(def: Node): boolean {
  const first = def.childForFieldName('body')?.namedChildren.find((s) => !!s && s.type !== 'comment');
  const doc = first?.type === 'expression_statement' ? first.namedChildren[0] : undefined;
  return doc?.type === 'string' && ONCE_CONTRACT.test(doc.text);
}

function computeRunInfo(model: SemanticModel, fn: Scope, depth: number, visiting: Set<Scope>): RunInfo {
  const fnName = fn.name ?? '';
  const { calls, otherUses } = fn.kind === 'function' ? callSitesOf(model, fn) : { calls: [], otherUses: 0 };
  // A `register_*` helper is taken to run at import, unless its calls here say otherwise.
  const registrationByName =
    fn.kind === 'function' && REGISTRATION_NAME.test(fnName) && calls.length > 0 && otherUses === 0;
  // Test runners and frameworks first: `test_register_user()` is a test, not a registration helper.
  const framework = fn.kind === 'function' ? fromFramework(model, fn, calls) : undefined;
  if (framework) return framework;
  // Nothing here calls it, and its docstring makes running once the callers' contract.
  if (fn.kind === 'function' && calls.length === 0 && otherUses === 0 && docstringSaysOnce(fn.node))
    return { frequency: 'one-shot', reason: `${name(fn)} says in its docstring that it is called once` };
  if (!registrationByName && runsAtImportTime(model, fn)) {
    const byName =
      fn.kind === 'function' &&
      REGISTRATION_NAME.test(fnName) &&
      calls.length === 0 &&
      otherUses === 0 &&
      decoratorsOf(fn.node).length === 0;
    return byName
      ? {
          frequency: 'import-time',
          reason: `${name(fn)} is named like a registration helper, run while modules are imported`,
          fromName: 'registration',
        }
      : { frequency: 'import-time', reason: `${name(fn)} runs only while the module is imported` };
  }
  if (fn.kind === 'lambda') {
    const handedTo = oneShotHandOver(model, fn);
    if (handedTo) {
      const info = siteInfo(model, handedTo.call, depth + 1, visiting);
      return {
        frequency: info.frequency === 'import-time' ? 'one-shot' : info.frequency,
        reason: `the lambda runs once for each \`${handedTo.sink}()\` that it is given to (${info.reason})`,
      };
    }
    return { frequency: 'repeated', reason: 'a lambda is a callback, called again and again' };
  }
  const decorated = fromDecorators(model, fn);
  if (decorated) return decorated;
  if (isOptionCallbackSignature(fn.node))
    return { frequency: 'one-shot', reason: `${name(fn)} runs while the command line is parsed, once` };
  if (isMigrationSignature(fn.node) || (otherUses > 0 && optionCallbacksOnly(model, fn, MIGRATION_SINKS)))
    return { frequency: 'one-shot', reason: `${name(fn)} is a data migration: it runs once, when migrating` };
  const node = fn.node;
  if (isRouteHandler(node))
    return {
      frequency: 'repeated',
      reason: `it runs for every request it is given: ${name(fn)} takes a request`,
    };
  if (isMemoized(model, node))
    return { frequency: 'one-shot', reason: `${name(fn)} is memoized: it runs once per argument` };
  const loop = eventLoopRun(node);
  if (loop)
    return {
      frequency: 'one-shot',
      reason: `${name(fn)} runs the event loop (\`${loop}()\`): it returns only when the process is done, so it runs once`,
    };
  const signal = daemonSignalHandler(node);
  if (signal)
    return {
      frequency: 'one-shot',
      reason: `${name(fn)} installs the process's \`${signal}\` handler: start-up code, run once`,
    };

  const cls = classOfMethod(node) ? fn.parent : undefined;
  const isInit = !!cls && (fnName === '__init__' || fnName === '__post_init__');
  // `run()` is a script's entry point, but a method `run(self, job)` runs per job or per thread.
  const oneTimeName = ONE_TIME_NAME.test(fnName) && !isInit && !(cls && /^_*run$/i.test(fnName));
  // A method: `__init__` runs as often as objects of its class are made.
  if (cls && isInit) {
    const made = instantiationOf(model, cls);
    return made.frequency === 'repeated' || made.frequency === 'unknown'
      ? made
      : { frequency: 'one-shot', reason: made.reason };
  }
  const bySites = fromCallSites(model, fn, calls, depth, visiting);
  if (bySites) {
    // A start-up name wins over callers this module cannot see, not over a caller that repeats.
    if (oneTimeName && bySites.frequency === 'unknown')
      return { frequency: 'one-shot', reason: `${name(fn)} runs once, at start-up` };
    // Run once here, but other modules call it from their functions too: their callers decide.
    if ((bySites.frequency === 'one-shot' || bySites.frequency === 'import-time') && !cls && !oneTimeName) {
      const elsewhere = fnName ? model.file.project?.callsOf(fnName, model.file.path) : undefined;
      if (elsewhere?.repeatedIn) return calledPerRequestElsewhere(fn, elsewhere.repeatedIn);
      // A registration helper (`register(parser_class)`) that this module calls only at import is
      // import-time: calls of that name in other modules' functions are mostly other registries'
      // methods (`admin.site.register(...)`), which the line index cannot tell apart.
      const registrationAtImport = registrationByName && bySites.frequency === 'import-time';
      if (elsewhere && elsewhere.inFunctions > elsewhere.inStartUp && !registrationAtImport)
        return {
          frequency: 'unknown',
          reason: `how often ${name(fn)} is called is decided by its callers in other modules`,
        };
    }
    return bySites;
  }
  if (oneTimeName) return { frequency: 'one-shot', reason: `${name(fn)} runs once, at start-up` };
  if (otherUses > 0 && optionCallbacksOnly(model, fn)) {
    return { frequency: 'one-shot', reason: `${name(fn)} runs while the command line is parsed, once` };
  }
  if (otherUses > 0 && subcommandOnly(model, fn))
    return {
      frequency: 'one-shot',
      reason: `${name(fn)} is an argparse sub-command (\`set_defaults()\`): it runs once per process`,
    };
  if (otherUses > 0) {
    // The body of threads: it runs once per thread started, as often as the code starting them.
    const starts = threadStarts(model, fn);
    if (starts.length > 0) {
      const infos = starts.map((call) => ({ call, info: siteInfo(model, call, depth + 1, visiting) }));
      const pick =
        infos.find((i) => i.info.frequency === 'repeated') ??
        infos.find((i) => i.info.frequency === 'unknown') ??
        infos[0];
      const starter = functionChain(model.scopeOf(pick.call))[0];
      const where = starter ? `in ${name(starter)}` : 'at import';
      const frequency = pick.info.frequency === 'import-time' ? 'one-shot' : pick.info.frequency;
      return {
        frequency,
        reason: `${name(fn)} is the body of a thread started ${where} (${pick.info.reason})`,
      };
    }
    // Handed on (a callback, a route registered by `add_url_rule`): called back, again and again.
    return { frequency: 'repeated', reason: `${name(fn)} is passed on as a callback` };
  }
  if (PER_CALL_NAME.test(fnName)) return { frequency: 'repeated', reason: `${name(fn)} is a handler` };
  // Nobody here calls it: ask the rest of the project, when it was indexed.
  const outside = calledOnlyAtImportElsewhere(model, fnName);
  if (outside) return { frequency: outside.frequency, reason: `${name(fn)} is ${outside.phrase}` };
  if (cls) {
    const made = instantiationOf(model, cls);
    if (made.frequency === 'repeated')
      return {
        frequency: 'repeated',
        reason: `${name(fn)} is a method of objects made again and again: ${made.reason}`,
      };
    if (AUTODISCOVERY_NAME.test(fnName)) return autodiscovery(fn);
    return {
      frequency: 'unknown',
      reason: `how often ${name(fn)} is called is decided by its callers in other modules`,
    };
  }
  // A route handler, view or task of another module calls it.
  const perRequest = fnName ? model.file.project?.callsOf(fnName, model.file.path).repeatedIn : undefined;
  if (perRequest) return calledPerRequestElsewhere(fn, perRequest);
  if (AUTODISCOVERY_NAME.test(fnName)) return autodiscovery(fn);
  if (FACTORY_NAME.test(fnName))
    return {
      frequency: 'unknown',
      reason: `how often ${name(fn)} is called is decided by its callers in other modules (a factory, usually called once at start-up)`,
      fromName: 'factory',
    };
  return {
    frequency: 'unknown',
    reason: `how often ${name(fn)} is called is decided by its callers in other modules`,
  };
}

/**
 * How often `fn` runs when the function itself says it is called per event, not the code around
 * it: a lambda or a function handed on as a callback, a route handler or a function taking the
 * request, a task or handler by its decorator or its name (`on_message`). Undefined for a function
 * called in this module (its callers decide), a thread body, a method repeated only because its
 * objects are made again and again, or one called from other modules: what those pass is not
 * visible here. For rules that need to know a value is what one event brought (its arguments).
 */
export function entryPointInfo(model: SemanticModel, fn: Scope): RunInfo | undefined {
  if (fn.kind !== 'function' && fn.kind !== 'lambda') return undefined;
  const info = runInfoOfScope(model, fn);
  if (info.frequency !== 'repeated') return undefined;
  if (fn.kind === 'lambda') return info;
  const decorated = fromDecorators(model, fn);
  if (decorated) return decorated.frequency === 'repeated' ? decorated : undefined;
  if (isRouteHandler(fn.node)) return info;
  const { calls, otherUses } = callSitesOf(model, fn);
  if (calls.length > 0) return undefined;
  if (otherUses > 0) return threadStarts(model, fn).length === 0 ? info : undefined;
  return PER_CALL_NAME.test(fn.name ?? '') ? info : undefined;
}

/**
 * Calls that run the callback they are given once, not on every event: scheduling one call
 * (`loop.call_soon`, `call_later`, `executor.submit`, `run_in_executor`, `threading.Timer`),
 * Django's `transaction.on_commit` (once per commit) and `lazy_related_operation` (once, when
 * the related models are ready).
 */
const ONE_SHOT_SINKS = new Set([
  'call_soon',
  'call_soon_threadsafe',
  'call_later',
  'call_at',
  'submit',
  'run_in_executor',
  'Timer',
  'on_commit',
  'lazy_related_operation',
]);

/** The call a lambda is handed to, inline or through the local it is bound to, when that call runs it once. */
function oneShotHandOver(model: SemanticModel, fn: Scope): { call: Node; sink: string } | undefined {
  let { node, parent } = unparenthesizedParent(fn.node);
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    const binding = left?.type === 'identifier' ? model.resolve(left) : undefined;
    if (binding?.kind !== 'assignment' || binding.sites.length !== 1) return undefined;
    const uses = model.references(binding).filter((r) => r.context === 'load');
    if (uses.length !== 1) return undefined;
    ({ node, parent } = unparenthesizedParent(uses[0].node));
  }
  const list = parent?.type === 'keyword_argument' ? parent.parent : parent;
  const call = list?.type === 'argument_list' ? list.parent : undefined;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
  const sink = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
  return call && sink && ONE_SHOT_SINKS.has(sink) ? { call, sink } : undefined;
}

/**
 * Whether the rest of the project was read: an index that holds other files than this one (the
 * CLI and the editor's workspace scan). A file analysed alone, or with an index of itself only,
 * cannot tell a public function nobody calls from one whose callers are simply unseen.
 */
export function projectWasRead(model: SemanticModel): boolean {
  const project = model.file.project;
  return !!project && project.size > 1;
}

/**
 * Whether the project itself calls the function whose code holds `node` (or, for `__init__`,
 * makes its class): in this module, or in another one the project index has read. A function
 * nobody in the project calls is an entry point for code the engine cannot see (a library's API,
 * a snippet opened alone); one the project calls was judged by those calls.
 */
export function hasCallersInProject(model: SemanticModel, node: Node): boolean {
  const fn = functionChain(model.scopeOf(node))[0];
  if (!fn?.name) return false;
  const cls = fn.parent?.kind === 'class' ? fn.parent : undefined;
  const isInit = !!cls && (fn.name === '__init__' || fn.name === '__post_init__');
  const target = isInit && cls ? cls : fn;
  const { calls, otherUses } = callSitesOf(model, target);
  if (calls.length > 0 || otherUses > 0) return true;
  const name = target.name;
  if (!name || name.startsWith('__')) return false;
  const elsewhere = model.file.project?.callsOf(name, model.file.path);
  return !!elsewhere && elsewhere.atImport + elsewhere.inFunctions > 0;
}

/**
 * Whether every call of the function `fn` runs only while `isEmptyTest` holds: each call sits in
 * the body of an `if` whose condition that test accepts (`if not cc_classes: cls.setup_columns(cc)`),
 * with at least one such call, none elsewhere in this module, no other use of its name here, and
 * none in other modules of the project. Such a function fills what the test checks once per
 * emptying, however often its caller runs.
 */
export function calledOnlyWhen(
  model: SemanticModel,
  fn: Scope,
  isEmptyTest: (condition: Node) => boolean,
): boolean {
  if (!fn.name || fn.name.startsWith('__')) return false;
  const { calls, otherUses } = callSitesOf(model, fn);
  if (calls.length === 0 || otherUses > 0) return false;
  const elsewhere = model.file.project?.callsOf(fn.name, model.file.path);
  if (elsewhere && elsewhere.atImport + elsewhere.inFunctions > 0) return false;
  return calls.every((call) => {
    for (let n: Node | null = call; n && n.id !== fn.node.id; n = n.parent) {
      const parent = n.parent;
      if (parent?.type === 'if_statement' && parent.childForFieldName('consequence')?.id === n.id) {
        const condition = parent.childForFieldName('condition');
        if (condition && isEmptyTest(condition)) return true;
      }
      if (parent?.type === 'function_definition') return false;
    }
    return false;
  });
}

/** Public `autodiscover*()`: its callers decide, but by convention it is called once, like a factory. */
function autodiscovery(fn: Scope): RunInfo {
  return {
    frequency: 'unknown',
    reason: `how often ${name(fn)} is called is decided by its callers in other modules (an autodiscovery call, usually made once at start-up)`,
    fromName: 'factory',
  };
}

/** "`get_user()` is called from `user_detail()` in app/views.py, a route handler". */
function calledPerRequestElsewhere(fn: Scope, caller: RepeatedCaller): RunInfo {
  const where = caller.path.replace(/\\/g, '/').split('/').slice(-2).join('/');
  return {
    frequency: 'repeated',
    reason: `${name(fn)} is called from \`${caller.caller}()\` in ${where}, ${caller.why}`,
  };
}

/**
 * When the project is indexed and every call of `name` in the other files sits in a module or
 * class body (`logger = get_job_logger(__name__)`, `app = Celery()`), the phrase that says so;
 * otherwise undefined. A name nobody else calls stays unknown: a library's public API.
 */
function calledOnlyAtImportElsewhere(
  model: SemanticModel,
  fnName: string,
): { frequency: 'import-time' | 'one-shot'; phrase: string } | undefined {
  const project = model.file.project;
  if (!project || !fnName || fnName.startsWith('__')) return undefined;
  const { atImport, inFunctions, inStartUp, startUpCaller } = project.callsOf(fnName, model.file.path);
  // Calls in start-up functions of other modules (`init()`, `main()`) run once too.
  if (startUpCaller && inFunctions === inStartUp) {
    const where = startUpCaller.path.replace(/\\/g, '/').split('/').slice(-2).join('/');
    return {
      frequency: 'one-shot',
      phrase: `called elsewhere in the project only ${atImport > 0 ? 'at import or ' : ''}from start-up code (\`${startUpCaller.caller}()\` in ${where})`,
    };
  }
  if (atImport === 0 || inFunctions > 0) return undefined;
  return {
    frequency: 'import-time',
    phrase:
      atImport === 1
        ? 'called only once elsewhere in the project, at import'
        : `called only at import elsewhere in the project (${atImport} places)`,
  };
}

/**
 * How often objects of a class are made: once (only at module level, a singleton), again and
 * again (in functions that run repeatedly, in loops), or unknown (not made in this module).
 */
export function instantiationOf(model: SemanticModel, cls: Scope): RunInfo {
  let cache = classMemoOf().get(model);
  if (!cache) {
    cache = new Map();
    classMemoOf().set(model, cache);
  }
  const known = cache.get(cls);
  if (known) return known;
  // Provisional answer against recursion (a method that makes another instance of its class).
  const label = `\`${cls.name ?? 'the class'}\``;
  const elsewhere: RunInfo = {
    frequency: 'unknown',
    reason: `how many ${label} objects are made is decided by code in other modules`,
    fromInstances: true,
  };
  cache.set(cls, elsewhere);
  const { calls } = callSitesOf(model, cls);
  let info: RunInfo;
  const outside = calls.length === 0 ? calledOnlyAtImportElsewhere(model, cls.name ?? '') : undefined;
  // Made by a route handler, a view or a task of another module: one per request or job.
  const perRequest =
    calls.length === 0 && cls.name && !cls.name.startsWith('__')
      ? model.file.project?.callsOf(cls.name, model.file.path).repeatedIn
      : undefined;
  if (perRequest) {
    const where = perRequest.path.replace(/\\/g, '/').split('/').slice(-2).join('/');
    info = {
      frequency: 'repeated',
      reason: `${/^`[AEIOU]/i.test(label) ? 'an' : 'a'} ${label} is made in \`${perRequest.caller}()\` in ${where}, ${perRequest.why}`,
    };
  } else if (outside) {
    info = {
      frequency: outside.frequency,
      reason: `${label} is ${outside.phrase.replace('called', 'made')}`,
    };
  } else if (calls.length === 0) {
    info = elsewhere;
  } else {
    const sites = calls.map((c) => runInfoAt(model, c));
    const repeated = sites.find((s) => s.frequency === 'repeated');
    if (repeated)
      info = {
        frequency: 'repeated',
        reason: `${/^`[AEIOU]/i.test(label) ? 'an' : 'a'} ${label} is made each time: ${repeated.reason}`,
      };
    else if (sites.some((s) => s.frequency === 'unknown'))
      info = {
        frequency: 'unknown',
        reason: `${label} objects are made in code whose callers are in other modules (${sites.find((s) => s.frequency === 'unknown')?.reason})`,
      };
    else if (calls.length === 1)
      info = { frequency: 'one-shot', reason: `${label} is made once (a process-wide object)` };
    else info = { frequency: 'one-shot', reason: `${label} is made only at import or start-up` };
  }
  info = withSubclasses(model, cls, info, calls.length);
  cache.set(cls, info);
  return info;
}

/**
 * Folds in objects made through subclasses (`SubThing()` runs `Thing.__init__`): made again and
 * again through one is repeated; a class nothing makes directly, whose subclasses are all made at
 * import or start-up, is made once.
 */
function withSubclasses(model: SemanticModel, cls: Scope, info: RunInfo, localCalls: number): RunInfo {
  if (info.frequency === 'repeated') return info;
  const subs = madeThroughSubclasses(model, cls, instantiationOf);
  if (!subs) return info;
  const label = `\`${cls.name ?? 'the class'}\``;
  const through = subs.names.map((n) => `\`${n}\``).join(', ');
  if (subs.info.frequency === 'repeated')
    return {
      frequency: 'repeated',
      reason: `${label} objects are made through its subclasses: ${subs.info.reason}`,
    };
  if (info.frequency !== 'unknown') return subs.info.frequency === 'unknown' ? subs.info : info;
  // Unknown only because nothing makes the class itself (here or, when indexed, elsewhere).
  const direct = model.file.project?.callsOf(cls.name ?? '', model.file.path);
  const unmade = localCalls === 0 && (!direct || direct.atImport + direct.inFunctions === 0);
  if (unmade && subs.info.frequency !== 'unknown')
    return {
      frequency: 'one-shot',
      reason: `${label} objects are made only through its subclasses (${through}), at import or start-up`,
    };
  return info;
}
