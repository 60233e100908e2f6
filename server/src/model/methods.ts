// Classes and their methods as the object-lifetime rules see them: which function is a method,
// what its instance parameter is called, where `self.attr` is initialised and how a class's
// constructor stores its arguments.
import type { Node } from '../parser';
import { NodeMemo, parentOf } from './parents';
import type { Binding, SemanticModel } from './semantic';
import { decoratorsOf } from './usage';

/** The class a function is defined directly in (decorated or not), if any. */
export function classOfMethod(fn: Node): Node | null {
  let node = parentOf(fn);
  if (node?.type === 'decorated_definition') node = parentOf(node);
  if (node?.type !== 'block') return null;
  const cls = parentOf(node);
  return cls?.type === 'class_definition' ? cls : null;
}

function decoratorName(decorator: Node): string {
  const target = decorator.type === 'call' ? decorator.childForFieldName('function') : decorator;
  if (!target) return '';
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text ?? '';
  return target.text;
}

/** Methods that Python makes static or class methods without a decorator. */
const IMPLICIT_CLASS_METHODS = new Set(['__new__', '__init_subclass__', '__class_getitem__']);
/** First-parameter names that mean "the class" (metaclass methods, undecorated helpers). */
const CLASS_PARAMETER_NAMES = new Set(['cls', 'mcs', 'mcls', 'metacls', 'klass']);

/** `@staticmethod` / `@classmethod` (or implicitly so): the first parameter is not the instance. */
export function isStaticOrClassMethod(fn: Node): boolean {
  if (IMPLICIT_CLASS_METHODS.has(fn.childForFieldName('name')?.text ?? '')) return true;
  return decoratorsOf(fn).some((d) => {
    const name = decoratorName(d);
    return name === 'staticmethod' || name === 'classmethod';
  });
}

/** The first parameter of an instance method (`self`), or null for static/class methods and free functions. */
export function instanceParameter(fn: Node): Node | null {
  if (!classOfMethod(fn) || isStaticOrClassMethod(fn)) return null;
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  if (!first) return null;
  const name =
    first.type === 'identifier'
      ? first
      : first.type === 'typed_parameter'
        ? first.namedChildren.find((c) => c?.type === 'identifier')
        : null;
  return name && !CLASS_PARAMETER_NAMES.has(name.text) ? name : null;
}

export interface MethodContext {
  /** The method (`def m(self, …)` directly in a class body). */
  method: Node;
  cls: Node;
  /** The binding of the instance parameter, so nested closures resolve `self` to it. */
  self: Binding;
  selfName: string;
}

/**
 * The instance method `node` runs in: the nearest enclosing function that is a method, looking
 * through nested functions and lambdas (a closure defined in a method sees its `self`).
 */
export function enclosingMethod(model: SemanticModel, node: Node): MethodContext | undefined {
  let p = parentOf(node);
  while (p) {
    const type = p.type;
    if (type === 'class_definition') return undefined;
    if (type === 'function_definition') {
      const cls = classOfMethod(p);
      if (cls) {
        const param = instanceParameter(p);
        if (!param) return undefined;
        const self = model.scopeFor(p).lookupLocal(param.text);
        if (self?.kind !== 'parameter') return undefined;
        return { method: p, cls, self, selfName: param.text };
      }
    }
    p = parentOf(p);
  }
  return undefined;
}

// Rules ask for a class's methods once per candidate; a big class (hundreds of methods) would be
// re-listed each time.
const methodsOfClass = new NodeMemo<Map<string, Node>>();

/** The methods defined directly in a class body, by name (the last definition wins, as in Python). */
export function methodsOf(cls: Node): Map<string, Node> {
  return methodsOfClass.get(cls, listMethods);
}

function listMethods(cls: Node): Map<string, Node> {
  const methods = new Map<string, Node>();
  const body = cls.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'function_definition') {
      const name = def.childForFieldName('name')?.text;
      if (name) methods.set(name, def);
    }
  }
  return methods;
}

/** The function/class name of a definition node. */
export function nameOf(def: Node): string {
  return def.childForFieldName('name')?.text ?? '';
}

/** Whether `identifier` is the instance parameter of `ctx` (not a shadowing local of the same name). */
export function isSelf(model: SemanticModel, ctx: MethodContext, node: Node | null): boolean {
  return node?.type === 'identifier' && node.text === ctx.selfName && model.resolve(node) === ctx.self;
}

/** The class definition a name refers to, when it is a class defined in this module. */
export function classDefinitionOf(model: SemanticModel, name: Node | null): Node | null {
  if (name?.type !== 'identifier') return null;
  const binding = model.resolve(name);
  if (binding?.kind !== 'class' || binding.sites.length !== 1) return null;
  const def = parentOf(binding.sites[0]);
  return def?.type === 'class_definition' ? def : null;
}

/** Superclass expressions of a class definition (keyword arguments such as `metaclass=` excluded). */
export function basesOf(cls: Node): Node[] {
  const args = cls.childForFieldName('superclasses');
  return (args?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'keyword_argument');
}
