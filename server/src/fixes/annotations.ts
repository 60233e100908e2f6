// Annotations a fix writes where Python evaluates them (module and class level, PEP 526) must run
// on the project's oldest supported Python: `set[asyncio.Task]` raises TypeError at import on 3.8.
// Without a sign that the module already relies on builtin generics at run time, the fix quotes
// the annotation (a string annotation means the same to type checkers on every version).
import type { SemanticModel } from '../model/semantic';
import type { Node } from '../parser';

/** `from __future__ import annotations`: no annotation is evaluated at run time. */
export function hasFutureAnnotations(model: SemanticModel): boolean {
  return model.file.root.namedChildren.some(
    (c) => c?.type === 'future_import_statement' && c.namedChildren.some((n) => n?.text === 'annotations'),
  );
}

const BUILTIN_GENERIC = /(^|[\s|,[(])(list|dict|set|frozenset|tuple|type)\[/;

/** Places whose annotations Python evaluates when the code runs (parameters, returns, module and class variables). */
function evaluatedAnnotation(typeNode: Node): boolean {
  const parent = typeNode.parent;
  if (!parent) return false;
  if (parent.type === 'typed_parameter' || parent.type === 'typed_default_parameter') return true;
  if (parent.type === 'function_definition') return true; // `-> list[int]`
  if (parent.type !== 'assignment') return false;
  // `x: list[int] = []` as a statement of the module or of a class body.
  const statement = parent.parent;
  const block = statement?.type === 'expression_statement' ? statement.parent : null;
  return block?.type === 'module' || (block?.type === 'block' && block.parent?.type === 'class_definition');
}

/** The module already evaluates a builtin generic (`list[int]`) at run time, so it targets Python 3.9+. */
export function usesBuiltinGenericsAtRuntime(model: SemanticModel): boolean {
  return model.file.root
    .descendantsOfType('type')
    .some((t) => !!t && BUILTIN_GENERIC.test(t.text) && evaluatedAnnotation(t));
}

/** `annotation` as a fix should write it at module or class level: quoted unless evaluating it is known to work. */
export function runtimeSafeAnnotation(model: SemanticModel, annotation: string): string {
  if (!BUILTIN_GENERIC.test(annotation)) return annotation;
  if (hasFutureAnnotations(model) || usesBuiltinGenericsAtRuntime(model)) return annotation;
  return `"${annotation}"`;
}
