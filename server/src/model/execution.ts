// Where code runs, and how often: the question every rule asks before it calls growth or a
// registration a leak. A cache filled at import time, a handler added in `main()` or a listener
// registered in Django's `AppConfig.ready()` runs once; the same line in a route handler, in a
// method of an object made per request, or in a loop runs again and again. Rules report growth,
// registration and cycles only in repeated code (or code whose frequency is unknowable here, at a
// lower severity), and quote the reason in their message.
import type { Node } from '../parser';
import { describeScope, functionChain, runsAtImportTime } from './import-time';
import { classOfMethod } from './methods';
import type { Scope, SemanticModel } from './semantic';
import { decoratorsOf, unparenthesizedParent } from './usage';

export type RunFrequency =
  /** Module and class bodies, decorators, registration helpers: once, while importing. */
  | 'import-time'
  /** `main()`, `if __name__ == "__main__":`, app factories, start-up hooks, setup scripts. */
  | 'one-shot'
  /** Request handlers, callbacks, loops, methods of objects made again and again. */
  | 'repeated'
  /** Public API nobody in this module calls: its callers decide. */
  | 'unknown';

export interface RunInfo {
  frequency: RunFrequency;
  /** Why, as a clause for messages: "`get_user()` is a route handler". */
  reason: string;
}

/** Route decorators (`@app.get(...)`, `@router.post(...)`, `@bp.route(...)`): the function runs per request. */
const ROUTE_DECORATORS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'route',
  'websocket',
  'api_route',
  'view',
  'endpoint',
]);

/** Decorators that make a function a task, a consumer or an event handler: run per job/event. */
const HANDLER_DECORATORS =
  /^(task|shared_task|periodic_task|job|actor|consumer|listener|event|command|message_handler|callback_query_handler|on|handler|hookimpl)$/;

/** Start-up hooks: `@app.on_event("startup")`, `@app.before_first_request`, `@app.on_startup`. */
const STARTUP_DECORATOR =
  /^(on_event|before_first_request|on_startup|on_after_configure|on_after_finalize|after_setup_logger)$/;

/** Function names that say "run once at start-up" (`setup_logging`, `configure`, `init_app`, `main`). */
export const ONE_TIME_NAME =
  /^_*main$|^_*(setup|set_up|configure|init|initialize|initialise|install|bootstrap|startup|lifespan|on_startup)(_|$)|_(setup|startup|init|initialize|lifespan)$|^_*(create|make|build)_app$|^_*(run|cli|entrypoint|entry_point)$/i;

/**
 * Script files that run once: packaging and task runners, Sphinx configuration and documentation
 * scripts, Django management commands (each runs in a process of its own).
 */
const ONE_SHOT_FILES =
  /(^|[/\\])(setup|noxfile|fabfile|conf|manage)\.py$|(^|[/\\])docs?[/\\]|(^|[/\\])management[/\\]commands[/\\]/;

/** Whether the file is a script that runs once (`setup.py`, `noxfile.py`, Sphinx `conf.py`, ...). */
export function isOneShotFile(path: string | undefined): boolean {
  return !!path && ONE_SHOT_FILES.test(path);
}

/** Handler names (`on_message`, `handle_request`, `process_item`, `dispatch`): called per event. */
export const PER_CALL_NAME =
  /^_*(get|handle|on|process|serve|request|dispatch|consume|receive|callback)(_|$)/i;

/** Django start-up hook: `AppConfig.ready()`. */
function isAppConfigReady(fn: Scope): boolean {
  if (fn.name !== 'ready' || fn.parent?.kind !== 'class') return false;
  const bases = fn.parent.node.childForFieldName('superclasses')?.text ?? '';
  return /AppConfig\b/.test(bases);
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

function enclosingLoop(node: Node, within: Node): Node | undefined {
  for (let p = node.parent; p && p.id !== within.id; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return undefined;
    if (p.type === 'for_statement' || p.type === 'while_statement') return p;
  }
  return undefined;
}

function isInLoop(node: Node, within: Node): boolean {
  for (let p = node.parent; p && p.id !== within.id; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return false;
    if (p.type === 'for_statement' || p.type === 'while_statement') return true;
  }
  return false;
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

function name(fn: Scope): string {
  return describeScope(fn);
}

/** Where the function (or class) `fn` is called from in this module: the call nodes. */
function callSitesOf(model: SemanticModel, fn: Scope): { calls: Node[]; otherUses: number } {
  const parent = fn.parent;
  const fnName = fn.name;
  if (!parent || !fnName) return { calls: [], otherUses: 0 };
  const calls: Node[] = [];
  let otherUses = 0;
  if (parent.kind === 'class') {
    // `self.method(...)` / `cls.method(...)` / `Class.method(...)`: any call of that attribute name
    // inside the class counts; outside, `x.method(...)` on anything else is not ours to know.
    const cls = parent.node;
    for (const attr of cls.descendantsOfType('attribute')) {
      if (!attr || attr.childForFieldName('attribute')?.text !== fnName) continue;
      const obj = attr.childForFieldName('object');
      if (obj?.type !== 'identifier' || !['self', 'cls', parent.name].includes(obj.text)) continue;
      const use = unparenthesizedParent(attr);
      if (use.parent?.type === 'call' && use.parent.childForFieldName('function')?.id === use.node.id)
        calls.push(use.parent);
      else otherUses++;
    }
    return { calls, otherUses };
  }
  const binding = parent.lookupLocal(fnName);
  if (!binding || (binding.kind !== 'function' && binding.kind !== 'class')) return { calls, otherUses };
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load') continue;
    const use = unparenthesizedParent(ref.node);
    if (use.parent?.type === 'call' && use.parent.childForFieldName('function')?.id === use.node.id)
      calls.push(use.parent);
    else otherUses++;
  }
  return { calls, otherUses };
}

/** `add_option(..., callback=f)`, `add_argument(..., type=f)`: command-line parsing, once at start-up. */
const OPTION_METHODS = new Set(['add_option', 'add_argument', 'make_option', 'Option']);

/** optparse's callback signature: `(option, opt_str, value, parser)`. */
function isOptionCallbackSignature(fn: Node): boolean {
  const names = (fn.childForFieldName('parameters')?.namedChildren ?? [])
    .map((p) =>
      p?.type === 'identifier' ? p.text : p?.namedChildren.find((c) => c?.type === 'identifier')?.text,
    )
    .filter((n): n is string => !!n && n !== 'self' && n !== 'cls');
  return names.length >= 3 && names[names.length - 1] === 'parser' && names.includes('opt_str');
}

function optionCallbacksOnly(model: SemanticModel, fn: Scope): boolean {
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
      return !!method && OPTION_METHODS.has(method);
    })
  );
}

const memo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();
const classMemo = new WeakMap<SemanticModel, Map<Scope, RunInfo>>();

/**
 * How often the code directly in `scope` runs. Innermost function first: a lambda or a nested
 * function handed on as a callback runs whenever it is called back (repeated).
 */
export function runInfoOfScope(model: SemanticModel, scope: Scope): RunInfo {
  return runInfoOf(model, scope, 0, new Set());
}

/** How often the statement holding `node` runs: its function's frequency, or repeated in a loop. */
export function runInfoAt(model: SemanticModel, node: Node): RunInfo {
  const scope = model.scopeOf(node);
  const info = runInfoOfScope(model, scope);
  if (info.frequency === 'repeated') return info;
  const fn = functionChain(scope)[0];
  const within = fn?.node ?? model.file.root;
  // A loop repeats what it holds, but in one-shot code only a `while` loop (the program's main
  // loop) runs for the life of the process; a `for` there walks the input of that one run.
  const loop = enclosingLoop(node, within);
  if (!loop || info.frequency === 'import-time') return info;
  if (info.frequency === 'one-shot' && (loop.type !== 'while_statement' || isOneShotFile(model.file.path)))
    return info;
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
  let cache = memo.get(model);
  if (!cache) {
    cache = new Map();
    memo.set(model, cache);
  }
  const known = cache.get(fn);
  if (known) return known;
  if (visiting.has(fn)) return { frequency: 'unknown', reason: `${name(fn)} is recursive` };
  visiting.add(fn);
  let info = computeRunInfo(model, fn, depth, visiting);
  visiting.delete(fn);
  if (ONE_SHOT_FILES.test(path) && info.frequency !== 'import-time') {
    const file = path.split(/[/\\]/).pop();
    info = { frequency: 'one-shot', reason: `\`${file}\` is a script that runs once` };
  }
  cache.set(fn, info);
  return info;
}

function computeRunInfo(model: SemanticModel, fn: Scope, depth: number, visiting: Set<Scope>): RunInfo {
  if (runsAtImportTime(model, fn)) {
    return { frequency: 'import-time', reason: `${name(fn)} runs only while the module is imported` };
  }
  if (fn.kind === 'lambda') {
    return { frequency: 'repeated', reason: 'a lambda is a callback, called again and again' };
  }
  const node = fn.node;
  // Decorators that say what the function is.
  for (const d of decoratorsOf(node)) {
    const dn = decoratorName(d);
    if (STARTUP_DECORATOR.test(dn))
      return { frequency: 'one-shot', reason: `${name(fn)} is a start-up hook` };
    if (d.type === 'call' && ROUTE_DECORATORS.has(dn))
      return { frequency: 'repeated', reason: `it runs on every request: ${name(fn)} is a route handler` };
    if (HANDLER_DECORATORS.test(dn))
      return { frequency: 'repeated', reason: `it runs on every job or event: ${name(fn)} is a handler` };
  }
  if (isOptionCallbackSignature(node))
    return { frequency: 'one-shot', reason: `${name(fn)} runs while the command line is parsed, once` };
  if (isAppConfigReady(fn)) return { frequency: 'one-shot', reason: `${name(fn)} is Django's start-up hook` };
  if (isRouteHandler(node))
    return { frequency: 'repeated', reason: `it runs on every request: ${name(fn)} is a view` };
  if (isMemoized(model, node))
    return { frequency: 'one-shot', reason: `${name(fn)} is memoized: it runs once per argument` };

  const fnName = fn.name ?? '';
  const { calls, otherUses } = callSitesOf(model, fn);
  const cls = classOfMethod(node);
  if (ONE_TIME_NAME.test(fnName) && calls.length <= 1 && !(cls && fnName === '__init__')) {
    if (calls.length === 0 || !calls.some((c) => isInLoop(c, model.file.root))) {
      return { frequency: 'one-shot', reason: `${name(fn)} runs once, at start-up` };
    }
  }
  if (calls.some((c) => inMainGuard(c)) && calls.length === 1) {
    return { frequency: 'one-shot', reason: `${name(fn)} runs once, from \`if __name__ == "__main__":\`` };
  }
  // A method: as often as objects of its class are made (for `__init__`) or as it is called.
  if (fn.parent?.kind === 'class') {
    const made = instantiationOf(model, fn.parent);
    if (fnName === '__init__' || fnName === '__post_init__') {
      return made.frequency === 'repeated' || made.frequency === 'unknown'
        ? { frequency: made.frequency, reason: made.reason }
        : { frequency: 'one-shot', reason: made.reason };
    }
    if (made.frequency === 'one-shot' || made.frequency === 'import-time') {
      // A singleton's method still runs per call; say so only when it is a handler.
      if (calls.length === 0 && otherUses === 0 && PER_CALL_NAME.test(fnName))
        return { frequency: 'repeated', reason: `${name(fn)} handles every event` };
    }
    return { frequency: 'repeated', reason: `${name(fn)} is a method, called again and again` };
  }
  if (calls.length >= 2) {
    return { frequency: 'repeated', reason: `${name(fn)} is called from ${calls.length} places` };
  }
  if (calls.length === 1) {
    const site = calls[0];
    const callerScope = model.scopeOf(site);
    const caller = functionChain(callerScope)[0];
    if (!caller) {
      return inMainGuard(site)
        ? { frequency: 'one-shot', reason: `${name(fn)} runs once, from \`if __name__ == "__main__":\`` }
        : { frequency: 'import-time', reason: `${name(fn)} is called once, at import` };
    }
    if (isInLoop(site, caller.node)) {
      return { frequency: 'repeated', reason: `${name(fn)} is called in a loop` };
    }
    if (depth < 4) {
      const outer = runInfoOf(model, callerScope, depth + 1, visiting);
      if (outer.frequency === 'repeated') {
        return {
          frequency: 'repeated',
          reason: `${name(fn)} is called from ${name(caller)}: ${outer.reason}`,
        };
      }
      return outer;
    }
    return { frequency: 'unknown', reason: `${name(fn)} is called from ${name(caller)}` };
  }
  if (otherUses > 0 && optionCallbacksOnly(model, fn)) {
    return { frequency: 'one-shot', reason: `${name(fn)} runs while the command line is parsed, once` };
  }
  if (otherUses > 0) {
    // Handed on (a callback, a route registered by `add_url_rule`): called back, again and again.
    return { frequency: 'repeated', reason: `${name(fn)} is passed on as a callback` };
  }
  if (PER_CALL_NAME.test(fnName)) return { frequency: 'repeated', reason: `${name(fn)} is a handler` };
  return {
    frequency: 'unknown',
    reason: `${name(fn)} is public API: its callers in other modules decide how often it runs`,
  };
}

/**
 * How often objects of a class are made: once (only at module level, a singleton), again and
 * again (in functions that run repeatedly, in loops), or unknown (not made in this module).
 */
export function instantiationOf(model: SemanticModel, cls: Scope): RunInfo {
  let cache = classMemo.get(model);
  if (!cache) {
    cache = new Map();
    classMemo.set(model, cache);
  }
  const known = cache.get(cls);
  if (known) return known;
  // Provisional answer against recursion (a method that makes another instance of its class).
  const label = `\`${cls.name ?? 'the class'}\``;
  cache.set(cls, { frequency: 'unknown', reason: `${label} objects are made outside this module` });
  const { calls } = callSitesOf(model, cls);
  let info: RunInfo;
  if (calls.length === 0) {
    info = { frequency: 'unknown', reason: `${label} objects are made outside this module` };
  } else {
    const sites = calls.map((c) => runInfoAt(model, c));
    const repeated = sites.find((s) => s.frequency === 'repeated');
    if (repeated)
      info = { frequency: 'repeated', reason: `a ${label} is made each time: ${repeated.reason}` };
    else if (sites.some((s) => s.frequency === 'unknown'))
      info = { frequency: 'unknown', reason: `${label} is made in code whose callers are elsewhere` };
    else if (calls.length === 1)
      info = { frequency: 'one-shot', reason: `${label} is made once (a process-wide object)` };
    else info = { frequency: 'one-shot', reason: `${label} is made only at import or start-up` };
  }
  cache.set(cls, info);
  return info;
}
