// Fixes for a listener registered again and again (LEAK005) where no cleanup method of a class can
// take the removal as the code stands:
// - a function that registers and then goes on: remove the listener in `finally` once the rest of
//   the function is done (unsafe: events after the function returns no longer reach it);
// - a function whose last act is the registration (`watch(path)`, `bind(source)`): it returns a
//   function that removes the listener, for its callers to call when done (unsafe: it returned
//   None before);
// - a listener removed only in `__del__`, which never runs while the emitter holds it: the method
//   becomes `close()`, to be called by the owner (unsafe: nothing calls it yet — but nothing ran
//   `__del__` either);
// - a class with no cleanup method: `close()` added with the removal; a receiver that was a
//   parameter is kept on the object for it, and a lambda that only forwards its arguments to a
//   method of `self` becomes that bound method, which compares equal on removal (unsafe).
// A listener built in the call (a lambda, `functools.partial(...)`) is named first, so that the
// removal passes the same object.
import { callNamedBy, identifiersNamed } from '../model/find-names';
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import { unparenthesizedParent } from '../model/usage';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { insertAt, replaceRange } from './edits';
import { freshName, insertStatementsAfter, insertStatementsBefore, isAloneOnItsLines } from './statements';
import { wrapInTryFinally, wrapStatements } from './wrap-with';

export interface ListenerCall {
  call: Node;
  /** The function the call sits in, directly in its body. */
  fn: Node;
  /** The listener argument. */
  listener: Node;
  /** The removal call, given the text to pass as the listener. */
  removal(listenerText: string): string | undefined;
  /** Edits the removal needs (an import). */
  removalEdits?: TextEdit[];
  /**
   * The function sets something up for longer than its own run (`__init__`, `start()`,
   * `register()`): what it registers is meant to stay, so no removal when it is done.
   */
  setUp?: boolean;
}

/** `__init__`, `__enter__`, …: Python reads what they return (`__init__` must return None). */
function isDunder(fn: Node): boolean {
  return /^__\w+__$/.test(fn.childForFieldName('name')?.text ?? '');
}

/**
 * Whether a call of `fn` in this module uses its result (assigned, returned, passed on, tested):
 * a function that returned None and now returns a remover changes what those callers see.
 */
function resultUsedHere(file: SourceFile, fn: Node): boolean {
  const name = fn.childForFieldName('name')?.text;
  if (!name) return true;
  return identifiersNamed(file, [name]).some((id) => {
    const call = callNamedBy(id);
    if (!call) return false;
    let use = unparenthesizedParent(call).parent;
    while (use?.type === 'await') use = unparenthesizedParent(use).parent;
    return use?.type !== 'expression_statement';
  });
}

/** Whether `node` mentions `text` as a name, an attribute or a call. */
function mentions(node: Node, text: string): boolean {
  return node.descendantsOfType(['identifier', 'attribute']).some((n) => n?.text === text);
}

/** `feed` for `feed.push`, `bus` for `bus.on`; `self` and other roots are not the call's own. */
function localRoot(model: SemanticModel, node: Node, fn: Node): string | undefined {
  let root = node;
  while (root.type === 'attribute') root = root.childForFieldName('object') ?? root;
  if (root.type !== 'identifier') return undefined;
  const binding = model.resolve(root);
  return binding?.kind === 'assignment' && binding.scope.node.id === fn.id ? root.text : undefined;
}

/** Expressions that make a new object each time they are evaluated: the removal needs the same one. */
function isFresh(node: Node): boolean {
  return node.type === 'lambda' || node.type === 'call';
}

function reevaluable(node: Node): boolean {
  return (
    (node.type === 'identifier' || node.type === 'attribute') && node.descendantsOfType('call').length === 0
  );
}

function statementOf(call: Node, fn: Node): Node | undefined {
  const stmt = unparenthesizedParent(call).parent;
  const body = fn.childForFieldName('body');
  if (stmt?.type !== 'expression_statement' || stmt.parent?.id !== body?.id) return undefined;
  return stmt;
}

function ownReturnsOrYields(fn: Node): Node[] {
  return fn.descendantsOfType(['return_statement', 'yield']).filter((r): r is Node => {
    if (!r) return false;
    for (let p = r.parent; p; p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda') return p.id === fn.id;
    }
    return false;
  });
}

/** The listener as the removal should name it: itself when re-evaluable, else a new local. */
function namedListener(
  file: SourceFile,
  model: SemanticModel,
  reg: ListenerCall,
  stmt: Node,
): { text: string; edits: TextEdit[] } | undefined {
  const listener = reg.listener;
  if (reevaluable(listener)) return { text: listener.text, edits: [] };
  if (!isFresh(listener) || listener.text.includes('\n')) return undefined;
  const name = freshName(model, reg.call, reg.fn, [listener.type === 'lambda' ? 'listener' : 'callback']);
  return {
    text: name,
    edits: [
      insertStatementsBefore(file, stmt, [`${name} = ${listener.text}`]),
      replaceRange(file, listener.startIndex, listener.endIndex, name),
    ],
  };
}

/** Both function-level fixes that apply: remove in `finally`, or hand back a remover. */
export function functionRemovalFixes(file: SourceFile, model: SemanticModel, reg: ListenerCall): Fix[] {
  const stmt = statementOf(reg.call, reg.fn);
  if (!stmt || !isAloneOnItsLines(file, stmt)) return [];
  const body = reg.fn.childForFieldName('body');
  const later = (body?.namedChildren ?? []).filter(
    (s): s is Node => !!s && s.type !== 'comment' && s.startIndex > stmt.startIndex,
  );
  const exits = ownReturnsOrYields(reg.fn);
  const named = namedListener(file, model, reg, stmt);
  if (!named) return [];
  const removal = reg.removal(named.text);
  if (!removal || removal.includes('\n')) return [];
  const fnName = reg.fn.childForFieldName('name')?.text ?? 'the function';
  if (later.length > 0) {
    // A generator runs its `finally` only when it is finished or closed: too late to reason about.
    if (exits.some((e) => e.type === 'yield')) return [];
    // Removing right after adding is right only for a listener used while the function runs: not
    // one a set-up step (`__init__`, `register()`) adds for later, and only when what follows
    // uses the emitter or the listener's own object (`hub.wait()`, `return feed.response()`).
    if (reg.setUp || isDunder(reg.fn)) return [];
    const receiver = reg.call.childForFieldName('function')?.childForFieldName('object');
    const own = [receiver?.text, localRoot(model, reg.listener, reg.fn)].filter(
      (t): t is string => !!t && t !== 'self' && t !== 'cls',
    );
    if (!later.some((s) => own.some((t) => mentions(s, t)))) return [];
    const wrap = wrapInTryFinally(file, later[0], later[later.length - 1], [removal]);
    if (!wrap) return [];
    return [
      {
        title: `Remove the listener when \`${fnName}()\` is done: \`finally: ${removal}\``,
        edits: [...(reg.removalEdits ?? []), ...named.edits, wrap],
        applicability: 'unsafe',
        isPreferred: true,
      },
    ];
  }
  // The registration is the function's last act and it returns nothing: hand back the removal —
  // not from a view or a decorated function (a route, a property), whose return value a framework
  // reads, not from `__init__` (which must return None) or another special method, and not where
  // a caller here uses the result.
  if (exits.length > 0 || isFrameworkEntry(reg.fn) || isDunder(reg.fn) || resultUsedHere(file, reg.fn))
    return [];
  return [
    {
      title: `Return a function that removes the listener (\`return lambda: ${removal}\`), for the callers of \`${fnName}()\` to call`,
      edits: [
        ...(reg.removalEdits ?? []),
        ...named.edits,
        insertStatementsAfter(file, stmt, [`return lambda: ${removal}`]),
      ],
      applicability: 'unsafe',
      isPreferred: true,
    },
  ];
}

/**
 * `atexit.register(session.close)` in a function run per request: what it defers to the end of
 * the process is cleanup of something the call made, so run it when the function is done — in
 * place of the registration when that is the last statement, else in a `finally` around what
 * follows it. Unsafe: it runs earlier than at exit, and also when the rest raises.
 */
export function runWhenDoneFix(file: SourceFile, call: Node, fn: Node): Fix | undefined {
  const stmt = statementOf(call, fn);
  if (!stmt || !isAloneOnItsLines(file, stmt)) return undefined;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (a): a is Node => !!a && a.type !== 'comment',
  );
  const [callback, ...rest] = args;
  if (!callback || !reevaluable(callback) || args.some((a) => a.text.includes('\n'))) return undefined;
  const run = `${callback.text}(${rest.map((a) => a.text).join(', ')})`;
  const body = fn.childForFieldName('body');
  const later = (body?.namedChildren ?? []).filter(
    (s): s is Node => !!s && s.type !== 'comment' && s.startIndex > stmt.startIndex,
  );
  const fnName = fn.childForFieldName('name')?.text ?? 'the function';
  const title = `Run \`${run}\` when \`${fnName}()\` is done instead of at exit`;
  if (later.length === 0)
    return {
      title,
      edits: [replaceRange(file, call.startIndex, call.endIndex, run)],
      applicability: 'unsafe',
    };
  if (ownReturnsOrYields(fn).some((e) => e.type === 'yield')) return undefined;
  // The registration becomes the `try:` of the statements after it.
  const wrap = wrapStatements({
    file,
    first: stmt,
    last: later[later.length - 1],
    mode: 'replace-first',
    header: 'try:',
    trailer: [
      { depth: 0, text: 'finally:' },
      { depth: 1, text: run },
    ],
  });
  return wrap ? { title, edits: [wrap], applicability: 'unsafe' } : undefined;
}

/** A decorated function (a route, a task) or a view (`def view(request)`): its result is the framework's. */
function isFrameworkEntry(fn: Node): boolean {
  if (fn.parent?.type === 'decorated_definition') return true;
  const first = fn.childForFieldName('parameters')?.namedChildren.find((p) => !!p && p.type !== 'comment');
  return !!first && /^(request|req)$/.test(first.text.split(':')[0].trim());
}

/** `def __del__(self):` that only ever runs too late → `def close(self):`. */
export function delToCloseFix(file: SourceFile, cls: Node, del: Node): Fix | undefined {
  const body = cls.childForFieldName('body');
  const taken = (body?.namedChildren ?? []).some((s) => {
    const def = s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    return def?.type === 'function_definition' && def.childForFieldName('name')?.text === 'close';
  });
  const name = del.childForFieldName('name');
  if (taken || name?.text !== '__del__' || del.parent?.type === 'decorated_definition') return undefined;
  return {
    title:
      'Turn `__del__` into `close()`, for the owner to call: `__del__` never runs while the listener keeps the object alive',
    edits: [replaceRange(file, name.startIndex, name.endIndex, 'close')],
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/**
 * `lambda e: self.layout(e)` (its parameters passed on in order, nothing else) → `self.layout`:
 * the same call, and a bound method that the removal can name again.
 */
export function forwardedMethod(lambda: Node, selfName: string): string | undefined {
  if (lambda.type !== 'lambda') return undefined;
  const params = (lambda.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => !!p);
  if (!params.every((p) => p.type === 'identifier')) return undefined;
  const body = lambda.childForFieldName('body');
  if (body?.type !== 'call') return undefined;
  const fn = body.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== selfName) return undefined;
  const args = (body.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (a): a is Node => !!a && a.type !== 'comment',
  );
  if (
    args.length !== params.length ||
    args.some((a, i) => a.type !== 'identifier' || a.text !== params[i].text)
  )
    return undefined;
  return fn.text;
}
