// Whether a value is part of what one run of repeated code is given: an argument of a route
// handler, a task, a callback or a handler method, followed through the locals it is computed
// into, the loops that walk it (`for item in task.items`) and the calls of this module that pass
// it on (`acoustid_match(log, item.path)`). A cache keyed by such a value gains entries with the
// work the process does (one per job, request or message handled); one keyed by a name the code
// builds itself (`repr(schema)`, a module constant, a configured server) does not show that.
//
// This is positive evidence only: undefined means "nothing here shows it", not "bounded".
import type { Node } from '../parser';
import { entryPointInfo } from './execution';
import { callNamedBy, identifiersNamed } from './find-names';
import { short } from './key-domain';
import type { Scope, SemanticModel } from './semantic';
import { argumentPassedFor, parameterSlot, positionalArguments } from './usage';
import { calledFunction } from './value-flow';

const MAX_DEPTH = 6;
/** The object a method runs on: its state, not what the call was given. */
const RECEIVERS = new Set(['self', 'cls']);

/**
 * Why `value` comes from the arguments of code that runs again and again, as a clause for
 * messages ("`image_url` is an argument of `make_thumbnail()`, which runs on every job or event:
 * …"); undefined when nothing in this module shows it.
 */
export function entryInputEvidence(model: SemanticModel, value: Node): string | undefined {
  return trace(model, value, 0, new Set());
}

function trace(model: SemanticModel, node: Node, depth: number, seen: Set<number>): string | undefined {
  if (depth > MAX_DEPTH || seen.has(node.id)) return undefined;
  seen.add(node.id);
  switch (node.type) {
    case 'identifier':
      return throughName(model, node, depth, seen);
    case 'attribute':
    case 'subscript': {
      // `item.path`, `task.name`, `data["id"]`: a part of what the root is.
      const object = node.childForFieldName(node.type === 'attribute' ? 'object' : 'value');
      if (node.type === 'attribute' && object?.type === 'identifier' && RECEIVERS.has(object.text))
        return throughOwnAttribute(model, node, depth, seen);
      return object ? trace(model, object, depth + 1, seen) : undefined;
    }
    case 'call': {
      // `changes.get()` in a `while` loop: read anew on every pass of a loop that keeps running.
      if (inWhileLoop(node)) return `\`${short(node)}\` is read anew on every pass of a \`while\` loop`;
      // `str(x)`, `urlparse(x).netloc`, `x.lower()`: made from what the call is given.
      const callee = node.childForFieldName('function');
      const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      const parts = [...positionalArguments(node), ...(receiver ? [receiver] : [])];
      return first(model, parts, depth + 1, seen);
    }
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
    case 'binary_operator':
    case 'concatenated_string':
      return first(model, node.namedChildren, depth, seen);
    case 'string':
      return first(
        model,
        node.namedChildren.filter((c) => c?.type === 'interpolation').map((c) => c?.namedChildren[0]),
        depth,
        seen,
      );
  }
  return undefined;
}

function first(
  model: SemanticModel,
  nodes: (Node | null | undefined)[],
  depth: number,
  seen: Set<number>,
): string | undefined {
  for (const n of nodes) {
    if (!n || n.type === 'comment') continue;
    const why = trace(model, n, depth, seen);
    if (why) return why;
  }
  return undefined;
}

function throughName(model: SemanticModel, name: Node, depth: number, seen: Set<number>): string | undefined {
  if (RECEIVERS.has(name.text)) return undefined;
  const binding = model.resolve(name);
  if (!binding || binding.scope === model.moduleScope || binding.scope.kind === 'class') return undefined;
  if (binding.sites.length !== 1) return undefined;
  const site = binding.sites[0];
  if (binding.kind === 'assignment') {
    const value = model.assignedValue(site);
    return value ? trace(model, value, depth + 1, seen) : undefined;
  }
  if (binding.kind === 'loop') {
    // `for item in task.items`: each item is a part of what the loop walks.
    let loop: Node | null = site.parent;
    while (loop && loop.type !== 'for_statement') loop = loop.parent;
    const iterable = loop?.childForFieldName('right');
    return iterable ? trace(model, iterable, depth + 1, seen) : undefined;
  }
  if (binding.kind === 'parameter') {
    // `lambda evt: cache.__setitem__(evt.key, evt)`: what a callback is called back with.
    if (binding.scope.kind === 'lambda') {
      const run = entryPointInfo(model, binding.scope);
      return run ? `\`${name.text}\` is an argument of a lambda: ${run.reason}` : undefined;
    }
    return throughParameter(model, binding.scope, site, depth, seen);
  }
  return undefined;
}

/**
 * `self.base_url`: what the class's own methods store in that attribute (`self.base_url =
 * base_url` in `__init__`, whose argument a route handler passes when it makes the object).
 */
function throughOwnAttribute(
  model: SemanticModel,
  attr: Node,
  depth: number,
  seen: Set<number>,
): string | undefined {
  const attrName = attr.childForFieldName('attribute')?.text;
  const cls = model.scopeOf(attr).enclosingFunction?.enclosingClass;
  if (!attrName || !cls) return undefined;
  const values: Node[] = [];
  for (const ident of identifiersNamed(model.file, [attrName], cls.node)) {
    const target = ident.parent;
    const object = target?.type === 'attribute' ? target.childForFieldName('object') : undefined;
    const assignment = target?.parent;
    if (
      target?.childForFieldName('attribute')?.id !== ident.id ||
      object?.type !== 'identifier' ||
      !RECEIVERS.has(object.text) ||
      assignment?.type !== 'assignment' ||
      assignment.childForFieldName('left')?.id !== target.id
    )
      continue;
    const value = assignment.childForFieldName('right');
    if (value) values.push(value);
  }
  return first(model, values, depth + 1, seen);
}

/** Inside a `while` loop of its own function (not crossing a function, lambda or class). */
function inWhileLoop(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition')
      return false;
    if (p.type === 'while_statement') return true;
  }
  return false;
}

/**
 * A parameter: what this module's calls of its function pass for it, or, where nothing here calls
 * the function, the function itself when it runs again and again (a handler, a task, a callback).
 */
function throughParameter(
  model: SemanticModel,
  scope: Scope,
  paramName: Node,
  depth: number,
  seen: Set<number>,
): string | undefined {
  const slot = parameterSlot(paramName);
  if (!slot) return undefined;
  const { fn, fnName, index, positional } = slot;
  let called = false;
  const makers = constructorOf(fn);
  for (const ident of identifiersNamed(model.file, makers ? makers.names : [fnName])) {
    const call = callNamedBy(ident);
    const target = !call ? undefined : makers ? { def: fn, offset: 1 } : calledFunction(model, call, true);
    if (!call || target?.def.id !== fn.id) continue;
    called = true;
    const passed = argumentPassedFor(call, paramName.text, positional ? index - target.offset : undefined);
    const why = passed ? trace(model, passed, depth + 1, seen) : undefined;
    if (why) return why;
  }
  if (called) return undefined;
  if (scope.node.id !== fn.id) return undefined;
  const run = entryPointInfo(model, scope);
  return run ? `\`${paramName.text}\` is an argument of \`${fnName}()\`, and ${run.reason}` : undefined;
}

/**
 * For `__init__` and `__new__`: the names whose calls make the objects, the class's and those of
 * the subclasses this module defines (`PageVisit(request.path)` runs `Visit.__init__`).
 */
function constructorOf(fn: Node): { names: string[] } | undefined {
  const fnName = fn.childForFieldName('name')?.text;
  if (fnName !== '__init__' && fnName !== '__new__') return undefined;
  const cls = fn.parent?.parent;
  const clsName = cls?.type === 'class_definition' ? cls.childForFieldName('name')?.text : undefined;
  if (!cls || !clsName) return undefined;
  const names = [clsName];
  const root = cls.tree.rootNode;
  for (let i = 0; i < names.length && names.length < 16; i++) {
    for (const other of root.descendantsOfType('class_definition')) {
      const name = other?.childForFieldName('name')?.text;
      const bases = other?.childForFieldName('superclasses')?.namedChildren ?? [];
      if (!name || names.includes(name) || !bases.some((b) => b?.text === names[i])) continue;
      // A subclass with its own constructor does not run this one by a plain call.
      const own = other
        ?.childForFieldName('body')
        ?.namedChildren.some(
          (m) => m?.type === 'function_definition' && m.childForFieldName('name')?.text === fnName,
        );
      if (!own) names.push(name);
    }
  }
  return { names };
}
