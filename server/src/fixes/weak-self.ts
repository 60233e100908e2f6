// A closure stored on `self` that uses `self` (`self.on_change = lambda: self.refresh()`): the
// object keeps itself alive through it. The fix holds `self` weakly for the closure:
//     weak_self = weakref.ref(self)
//     self.on_change = lambda: weak_self().refresh()
// The closure's signature and every call of it stay as they were (a `WeakMethod` would have to be
// called twice, a default argument would change the signature). Unsafe: once the object is gone
// `weak_self()` is None and a late call raises AttributeError instead of acting on a dead object.
import { isSelf, type MethodContext } from '../model/methods';
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { replaceRange } from './edits';
import { ensureModuleImport } from './imports';
import { enclosingStatement, freshName, insertStatementsBefore } from './statements';

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current;
}

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/** `weak_self = weakref.ref(self)` earlier in the method's own body, never rebound: its name. */
function existingWeakSelf(model: SemanticModel, method: MethodContext, before: Node): string | undefined {
  const body = method.method.childForFieldName('body');
  for (const s of body?.namedChildren ?? []) {
    if (!s || s.startIndex >= before.startIndex) break;
    const assignment = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
    const right = assignment?.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    if (model.calleeName(right) !== 'weakref.ref') continue;
    const args = right.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment');
    if (args?.length !== 1 || !isSelf(model, method, args[0] ?? null)) continue;
    const binding = model.resolve(left);
    if (binding?.sites.length === 1) return left.text;
  }
  return undefined;
}

/** The name of `weakref.ref(self)` made before `stmt` (reused when the method has one already). */
function weakSelfBefore(
  file: SourceFile,
  model: SemanticModel,
  method: MethodContext,
  stmt: Node,
  edits: TextEdit[],
): string {
  // A second closure in the same method reuses the weak reference made for the first.
  const existing = existingWeakSelf(model, method, stmt);
  if (existing) return existing;
  const name = freshName(model, stmt, method.method, [`weak_${method.selfName}`]);
  const weakref = ensureModuleImport(file, model, 'weakref', topLevelStatement(stmt).startIndex);
  edits.push(
    ...weakref.edits,
    insertStatementsBefore(file, stmt, [`${name} = ${weakref.name}.ref(${method.selfName})`]),
  );
  return name;
}

/**
 * `self.results.on_result = self._on_result`: the other object holds `self` through the bound
 * method. It gets a lambda that forwards every call to the method through a weak reference:
 * callers call it as before. Unsafe: once the object is gone a late call raises AttributeError.
 */
export function weakBoundMethodFix(
  file: SourceFile,
  model: SemanticModel,
  method: MethodContext,
  bound: Node,
): Fix | undefined {
  const receiver = bound.childForFieldName('object');
  const attribute = bound.childForFieldName('attribute')?.text;
  if (bound.type !== 'attribute' || !receiver || !attribute || !isSelf(model, method, receiver))
    return undefined;
  const stmt = enclosingStatement(bound);
  if (enclosingFunction(stmt)?.id !== method.method.id) return undefined;
  const edits: TextEdit[] = [];
  const name = weakSelfBefore(file, model, method, stmt, edits);
  const forward = `lambda *args, **kwargs: ${name}().${attribute}(*args, **kwargs)`;
  edits.push(replaceRange(file, bound.startIndex, bound.endIndex, forward));
  return {
    title: `Hold \`${method.selfName}\` weakly: store a lambda that calls \`${method.selfName}.${attribute}\` through \`weakref.ref(${method.selfName})\``,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}

export function weakSelfClosureFix(
  file: SourceFile,
  model: SemanticModel,
  method: MethodContext,
  closure: Node,
): Fix | undefined {
  // The weak reference is made where the closure is: in the method itself, before its statement.
  const stmt = enclosingStatement(closure);
  if (enclosingFunction(stmt)?.id !== method.method.id) return undefined;
  const uses = closure
    .descendantsOfType('identifier')
    .filter((id): id is Node => !!id && isSelf(model, method, id));
  if (uses.length === 0) return undefined;
  const edits: TextEdit[] = [];
  const name = weakSelfBefore(file, model, method, stmt, edits);
  edits.push(...uses.map((id) => replaceRange(file, id.startIndex, id.endIndex, `${name}()`)));
  const what = closure.type === 'lambda' ? 'the lambda' : `\`${closure.childForFieldName('name')?.text}()\``;
  return {
    title: `Hold \`${method.selfName}\` weakly in ${what}: \`${name} = weakref.ref(${method.selfName})\``,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}

/**
 * Several closures and bound methods of the object stored in one container by one statement
 * (`self.steps = {"a": {"next": lambda d: self.go(d)}, "b": {"next": self.on_b}}`): weakening one
 * of them leaves the others holding `self`, so one weak reference serves them all: `self` in each
 * lambda becomes `weak_self()`, each bound method a lambda that forwards through it. `left` names
 * what the fix cannot see to (other writes to the container, values it cannot tell are methods)
 * for the title. Unsafe, like the fix of one closure.
 */
export function weakSelfContainerFix(
  file: SourceFile,
  model: SemanticModel,
  method: MethodContext,
  closures: { lambdas: Node[]; bound: Node[] },
  holder: string,
  left?: string,
): Fix | undefined {
  const first = closures.lambdas[0] ?? closures.bound[0];
  if (!first) return undefined;
  const stmt = enclosingStatement(first);
  if (enclosingFunction(stmt)?.id !== method.method.id) return undefined;
  const edits: TextEdit[] = [];
  const name = weakSelfBefore(file, model, method, stmt, edits);
  const replaced = new Set<number>();
  for (const closure of closures.lambdas)
    for (const id of closure.descendantsOfType('identifier')) {
      if (!id || replaced.has(id.id) || !isSelf(model, method, id)) continue;
      replaced.add(id.id);
      edits.push(replaceRange(file, id.startIndex, id.endIndex, `${name}()`));
    }
  for (const bound of closures.bound) {
    const attribute = bound.childForFieldName('attribute')?.text;
    if (!attribute) return undefined;
    const forward = `lambda *args, **kwargs: ${name}().${attribute}(*args, **kwargs)`;
    edits.push(replaceRange(file, bound.startIndex, bound.endIndex, forward));
  }
  const n = closures.lambdas.length + closures.bound.length;
  const what =
    closures.bound.length === 0
      ? 'lambdas'
      : closures.lambdas.length === 0
        ? 'bound methods'
        : 'lambdas and bound methods';
  return {
    title: `Hold \`${method.selfName}\` weakly in all ${n} ${what} stored in \`${holder}\` here: \`${name} = weakref.ref(${method.selfName})\`${left ? ` (${left})` : ''}`,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}
