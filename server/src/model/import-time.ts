// When does a piece of code run: once, while the module is being imported (registration,
// configuration), or at run time, again and again (requests, callbacks)? A registry filled by a
// decorator is fine; a cache filled by a request handler is a leak. Rules ask this about the
// function that writes into a long-lived container.
import type { Node } from '../parser';
import type { Scope, SemanticModel } from './semantic';
import { unparenthesizedParent, useOf } from './usage';

/** The chain of function/lambda scopes from `scope` outwards (innermost first). */
export function functionChain(scope: Scope): Scope[] {
  const chain: Scope[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent)
    if (s.kind === 'function' || s.kind === 'lambda') chain.push(s);
  return chain;
}

/** The innermost function or lambda containing `scope` (itself included). */
export function writerOf(scope: Scope): Scope | undefined {
  return functionChain(scope)[0];
}

/** A readable name for the function containing `scope`: `get_user()`, `Service.get()`, `a lambda`. */
export function describeScope(scope: Scope): string {
  const fn = writerOf(scope);
  if (!fn) return 'module level';
  if (fn.kind === 'lambda') return 'a lambda';
  const cls = fn.enclosingClass?.name;
  return cls ? `\`${cls}.${fn.name}()\`` : `\`${fn.name}()\``;
}

/** `register`, `register_codec`, `registerDOMImplementation`, `_register_atexit`: registration APIs. */
const REGISTRATION = /regist/i;

function isMetaclass(model: SemanticModel, classNode: Node): boolean {
  const bases = classNode.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some((b) => {
    if (!b || b.type === 'keyword_argument') return false;
    const q = model.qualifiedName(b);
    return q === 'builtins.type' || q === 'abc.ABCMeta' || q === 'enum.EnumMeta' || q === 'enum.EnumType';
  });
}

const memo = new WeakMap<SemanticModel, Map<Scope, boolean>>();

/**
 * Whether code in `scope` only runs while the module (or a class) is being imported: module and
 * class bodies; the body of a decorator (`@register`); a decorator factory and the function it
 * returns (`@route("/")`); functions only called from such code (transitively); functions named
 * like a registration API (`register…`); `__init_subclass__`/`__set_name__`; a metaclass's
 * `__new__`/`__init__`. Lambdas are callbacks and a function nobody in the module calls is public
 * API: both run time.
 */
export function runsAtImportTime(model: SemanticModel, scope: Scope): boolean {
  return scopeAtImport(model, scope, new Set());
}

function scopeAtImport(model: SemanticModel, scope: Scope, visiting: Set<Scope>): boolean {
  if (!scope.isRuntime) return true;
  const chain = functionChain(scope);
  if (chain.some((s) => REGISTRATION.test(s.name ?? ''))) return true;
  // A lambda is a callback unless it is bound to a name and used like a function.
  if (chain.some((s) => s.kind === 'lambda' && !lambdaName(s))) return false;
  return functionAtImport(model, chain[0], visiting);
}

function functionAtImport(model: SemanticModel, fn: Scope, visiting: Set<Scope>): boolean {
  let cache = memo.get(model);
  if (!cache) {
    cache = new Map();
    memo.set(model, cache);
  }
  const known = cache.get(fn);
  if (known !== undefined) return known;
  if (visiting.has(fn)) return false; // recursion: assume run time
  visiting.add(fn);
  const result = computeFunctionAtImport(model, fn, visiting);
  visiting.delete(fn);
  cache.set(fn, result);
  return result;
}

function computeFunctionAtImport(model: SemanticModel, fn: Scope, visiting: Set<Scope>): boolean {
  const name = fn.name ?? '';
  const parent = fn.parent;
  if (!parent) return false;
  if (isRegistrationDecorator(fn)) return true;
  let uses: Node[];
  const lambdaTarget = fn.kind === 'lambda' ? lambdaName(fn) : undefined;
  if (lambdaTarget) {
    // `addflag = lambda *a: flags.update(...)` then `addflag(...)` at module level.
    const binding = model.resolve(lambdaTarget);
    if (binding?.kind !== 'assignment' || binding.sites.length !== 1) return false;
    uses = model
      .references(binding)
      .filter((r) => r.context === 'load')
      .map((r) => r.node);
  } else if (parent.kind === 'class') {
    // SQLAlchemy declarative's `__declare_first__`/`__declare_last__` run once per mapped class, when mappers are configured;
    // Django's `contribute_to_class` once per field of a model class, when the class is made.
    if (
      [
        '__init_subclass__',
        '__set_name__',
        '__declare_first__',
        '__declare_last__',
        'contribute_to_class',
      ].includes(name)
    )
      return true;
    if (['__new__', '__init__', '__prepare__'].includes(name) && isMetaclass(model, parent.node)) return true;
    // A class used only as a decorator (`@Wrapper`, `@Wrapper(...)`), or handed out by a decorator
    // factory (`def permission(bits): class Wrapper: …; return Wrapper` used as `@permission(…)`):
    // it is made when the decorated code is defined.
    if (name === '__new__' || name === '__init__') {
      const made = loadsOfName(model, parent, 'class');
      if (made.length > 0 && made.every((u) => decoratorUse(u) && useAtImport(model, u, parent, visiting)))
        return true;
    }
    uses = classMethodUses(model, parent, name);
  } else {
    const binding = parent.lookupLocal(name);
    if (binding?.kind !== 'function') return false;
    const refs = model.references(binding);
    uses = refs.filter((r) => r.context === 'load').map((r) => r.node);
    // `del helper` once the module is set up: nobody outside can call it later.
    if (parent.kind === 'module' && refs.some((r) => r.context === 'del' && !r.scope.isRuntime)) {
      return uses.every((u) => useAtImport(model, u, fn, visiting));
    }
  }
  return uses.length > 0 && uses.every((u) => useAtImport(model, u, fn, visiting));
}

/** Does this use of a function make it run at import time only? */
function useAtImport(model: SemanticModel, expr: Node, fn: Scope, visiting: Set<Scope>): boolean {
  const { node, parent } = unparenthesizedParent(expr);
  if (!parent) return false;
  // `@fn`: runs when the decorated definition is evaluated.
  if (parent.type === 'decorator') return scopeAtImport(model, model.scopeOf(parent), visiting);
  // `fn(...)` or `@fn(...)`: runs where it is called. The `if __name__ == "__main__":` block is
  // the script's run time, not set-up.
  if (parent.type === 'call' && parent.childForFieldName('function')?.id === node.id) {
    if (inMainGuard(parent)) return false;
    return scopeAtImport(model, model.scopeOf(parent), visiting);
  }
  // `return fn` from a decorator factory used as `@factory(...)`: fn decorates at import time.
  if (parent.type === 'return_statement') {
    const factory = fn.parent;
    if (factory?.kind !== 'function' || model.scopeOf(parent) !== factory) return false;
    const factoryUses = factoryUsesOf(model, factory);
    return (
      factoryUses.length > 0 &&
      factoryUses.every((u) => {
        const call = unparenthesizedParent(u).parent;
        return (
          call?.type === 'call' &&
          unparenthesizedParent(call).parent?.type === 'decorator' &&
          scopeAtImport(model, model.scopeOf(call), visiting)
        );
      })
    );
  }
  return false;
}

function factoryUsesOf(model: SemanticModel, factory: Scope): Node[] {
  const parent = factory.parent;
  const name = factory.name ?? '';
  if (!parent) return [];
  if (parent.kind === 'class') return classMethodUses(model, parent, name);
  return loadsOfName(model, factory, 'function');
}

/** `@C`, `@C(...)` or `return C` (from a decorator factory): how a decorator class is used. */
function decoratorUse(use: Node): boolean {
  const { node, parent } = unparenthesizedParent(use);
  if (parent?.type === 'decorator' || parent?.type === 'return_statement') return true;
  return (
    parent?.type === 'call' &&
    parent.childForFieldName('function')?.id === node.id &&
    unparenthesizedParent(parent).parent?.type === 'decorator'
  );
}

/** The loads of a function's or class's name in the scope that defines it (none if it is bound otherwise). */
function loadsOfName(model: SemanticModel, scope: Scope, kind: 'function' | 'class'): Node[] {
  const binding = scope.name ? scope.parent?.lookupLocal(scope.name) : undefined;
  if (binding?.kind !== kind) return [];
  return model
    .references(binding)
    .filter((r) => r.context === 'load')
    .map((r) => r.node);
}

/** Uses of `Class.method` across the module (`@Registry.register`), as the attribute nodes. */
function classMethodUses(model: SemanticModel, classScope: Scope, method: string): Node[] {
  const className = classScope.name;
  const parent = classScope.parent;
  if (!className || !parent) return [];
  const binding = parent.lookupLocal(className);
  if (binding?.kind !== 'class') return [];
  const uses: Node[] = [];
  for (const ref of model.references(binding)) {
    const use = useOf(ref.node);
    if (use.kind === 'method' && use.method === method) {
      const callee = use.call.childForFieldName('function');
      if (callee) uses.push(callee);
    } else if (use.kind === 'attribute' && use.attribute === method) {
      uses.push(use.node);
    }
  }
  return uses;
}

/** Inside a module-level `if __name__ == "__main__":` block. */
function inMainGuard(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'if_statement' || p.parent?.type !== 'module') continue;
    const cond = p.childForFieldName('condition');
    if (cond?.type !== 'comparison_operator') return false;
    const operands = cond.namedChildren.filter((c): c is Node => !!c);
    const hasName = operands.some((c) => c.type === 'identifier' && c.text === '__name__');
    const hasMain = operands.some(
      (c) =>
        c.type === 'string' &&
        c.namedChildren.some((s) => s?.type === 'string_content' && s.text === '__main__'),
    );
    return hasName && hasMain;
  }
  return false;
}

/** The name a lambda is bound to (`name = lambda …`), if it is the whole right side. */
function lambdaName(lambda: Scope): Node | undefined {
  const { node, parent } = unparenthesizedParent(lambda.node);
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== node.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' ? left : undefined;
}

/** Parameter names that say "a function or class is passed in" (`def register(func): … return func`). */
const DECORATED_NAME =
  /^(?:f|fn|fun|func|function|meth|method|cls|klass|class_|wrapped|decorated|handler|callback|cb|view)$/;

/**
 * A decorator that records what it decorates and hands it back unchanged (`def internalcode(f):
 * internal_code.add(f.__code__); return f`): it runs when decorated code is defined, wherever
 * that is. Recognised by shape: every `return` returns the first parameter, named like a function.
 */
function isRegistrationDecorator(fn: Scope): boolean {
  if (fn.kind !== 'function') return false;
  const params = fn.node.childForFieldName('parameters')?.namedChildren ?? [];
  const first = params.find((p) => p?.type !== 'comment');
  const id =
    first?.type === 'identifier'
      ? first
      : (first?.childForFieldName('name') ?? first?.namedChildren.find((c) => c?.type === 'identifier'));
  const name = id?.type === 'identifier' ? id.text : undefined;
  // The inner function of a decorator factory (`def plugin_for(key): def decorate(obj): …; return
  // decorate`) decorates whatever it is given, so any parameter name will do there.
  if (!name) return false;
  const factoryMade = isReturnedByEnclosingFunction(fn);
  // `def add(self, **kw): def decorator(func): registry.append(func); return decorator`: whatever
  // the inner function returns, it runs when something is decorated with the factory's result.
  if (factoryMade && DECORATED_NAME.test(name)) return true;
  if (!(DECORATED_NAME.test(name) || factoryMade)) return false;
  const returns = fn.node
    .descendantsOfType('return_statement')
    .filter((r): r is Node => !!r && functionOf(r) === fn.node.id);
  return (
    returns.length > 0 &&
    returns.every((r) => r.namedChildren[0]?.type === 'identifier' && r.namedChildren[0]?.text === name)
  );
}

/** The id of the innermost function or lambda containing `node`. */
function functionOf(node: Node): number | undefined {
  for (let p = node.parent; p; p = p.parent)
    if (p.type === 'function_definition' || p.type === 'lambda') return p.id;
  return undefined;
}

/** `def factory(...): def inner(x): …; return inner`: `inner` is what the factory hands out. */
function isReturnedByEnclosingFunction(fn: Scope): boolean {
  const outer = fn.parent;
  const name = fn.name;
  if (outer?.kind !== 'function' || !name) return false;
  return outer.node
    .descendantsOfType('return_statement')
    .some(
      (r) =>
        !!r &&
        functionOf(r) === outer.node.id &&
        r.namedChildren[0]?.type === 'identifier' &&
        r.namedChildren[0]?.text === name,
    );
}
