// What reaches a parameter through the calls of its function, when a wrapper only forwards it:
// `render_part(name)` → `_tpl(name)` with every call of `render_part` passing a literal (or
// leaving a default) gives `_tpl` a handful of values, one per literal in the code. Followed one
// or two wrappers up, within this module; a public function some other module calls (the project
// index tells) is left unknown.
import type { Node } from '../parser';
import type { SemanticModel } from './semantic';
import { decoratorsOf, positionalArguments } from './usage';

const MAX_HOPS = 2;

/** The name node of a parameter (`x`, `x=1`, `x: int`, `x: int = 1`). */
function parameterName(param: Node): Node | undefined {
  if (param.type === 'identifier') return param;
  const named = param.childForFieldName('name') ?? param.namedChildren.find((c) => c?.type === 'identifier');
  return named?.type === 'identifier' ? named : undefined;
}

/** The parameters a caller fills, in order (`self`/`cls` of a method dropped), or undefined with `*args`. */
function callerParameters(model: SemanticModel, fn: Node): Node[] | undefined {
  const raw = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter(
    (p): p is Node => !!p && p.type !== 'comment',
  );
  const stop = raw.findIndex((p) => /splat|separator/.test(p.type));
  const params = stop < 0 ? raw : raw.slice(0, stop);
  const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition';
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  const inDecoratedClass =
    decorated?.parent?.type === 'block' && decorated.parent.parent?.type === 'class_definition';
  if (!inClass && !inDecoratedClass) return params;
  const kinds = decoratorsOf(fn).map((d) => model.qualifiedName(d));
  return kinds.includes('builtins.staticmethod') ? params : params.slice(1);
}

/** The class a method is defined in, if any. */
function ownerClass(fn: Node): Node | undefined {
  let p = fn.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  return p?.type === 'block' && p.parent?.type === 'class_definition' ? p.parent : undefined;
}

/**
 * The calls of `fn` in this module, or undefined when it is also used otherwise (handed on as a
 * value: its callers are then unknown). Methods are called through `self`, `cls` or their class.
 */
function callsOf(model: SemanticModel, fn: Node): Node[] | undefined {
  const name = fn.childForFieldName('name')?.text;
  if (!name) return undefined;
  const cls = ownerClass(fn);
  const receivers = new Set(['self', 'cls', cls?.childForFieldName('name')?.text ?? 'self']);
  const calls: Node[] = [];
  const nodes = cls
    ? model.file.root.descendantsOfType('attribute')
    : model.file.root.descendantsOfType('identifier');
  for (const n of nodes) {
    if (!n) continue;
    if (cls) {
      if (n.childForFieldName('attribute')?.text !== name) continue;
      if (!receivers.has(n.childForFieldName('object')?.text ?? '')) continue;
    } else {
      if (n.text !== name || n.id === fn.childForFieldName('name')?.id) continue;
      const binding = model.resolve(n);
      if (binding?.kind !== 'function' || !binding.sites.some((s) => s.parent?.id === fn.id)) continue;
    }
    const call = n.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== n.id) return undefined;
    calls.push(call);
  }
  return calls;
}

/**
 * Whether every call of `fn` passes, for `param`, a value `isConstant` accepts (or leaves its
 * default that is one), directly or through a parameter of a caller that is itself fed only
 * such values (one or two wrappers up).
 */
export function onlyConstantsReach(
  model: SemanticModel,
  fn: Node,
  param: Node,
  isConstant: (n: Node) => boolean,
  hops = 0,
): boolean {
  const name = fn.childForFieldName('name')?.text ?? '';
  const paramName = parameterName(param);
  const params = callerParameters(model, fn);
  const index = params ? params.findIndex((p) => p.id === param.id) : -1;
  if (!paramName || !params || index < 0 || name.endsWith('__')) return false;
  // A public function called from other modules: their arguments are not visible here.
  if (!name.startsWith('_')) {
    const project = model.file.project;
    if (!project) return false;
    const elsewhere = project.callsOf(name, model.file.path);
    if (elsewhere.atImport + elsewhere.inFunctions > 0) return false;
  }
  const calls = callsOf(model, fn);
  if (!calls || calls.length === 0) return false;
  const fallback = param.childForFieldName('value');
  return calls.every((call) => {
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    if (args.some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat')) return false;
    const keyword = args.find(
      (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === paramName.text,
    );
    const passed = keyword?.childForFieldName('value') ?? positionalArguments(call)[index] ?? fallback;
    if (!passed) return false;
    if (isConstant(passed)) return true;
    if (hops >= MAX_HOPS || passed.type !== 'identifier') return false;
    // Forwarded: `def render_part(template_name): return _tpl(template_name)`.
    const binding = model.resolve(passed);
    const site = binding?.kind === 'parameter' && binding.sites.length === 1 ? binding.sites[0] : undefined;
    const outerParam = site?.parent?.type === 'parameters' ? site : site?.parent;
    const outer = outerParam?.parent?.parent;
    if (!outerParam || outer?.type !== 'function_definition' || outer.id === fn.id) return false;
    return onlyConstantsReach(model, outer, outerParam, isConstant, hops + 1);
  });
}
