// Values that are objects imported by name: `importlib.import_module(path)`, Django's
// `import_string(path)`, `getattr(import_module(module), name)`. A memo of them holds what
// `sys.modules` holds anyway — modules and their functions and classes — keyed by dotted names
// the code base can import: it is bounded by the code, not by traffic.
import type { Node } from '../parser';
import type { Effect } from './container-effects';
import type { SemanticModel } from './semantic';
import { positionalArguments, unparenthesized } from './usage';

/** Functions that import an object from its dotted name. */
const IMPORTERS = new Set([
  'importlib.import_module',
  'django.utils.module_loading.import_string',
  'werkzeug.utils.import_string',
  'pydoc.locate',
  '__import__',
]);

/** `memo.get(k)` / `memo[k]`: a read of the memo itself gives back what was stored in it. */
function readsMemo(value: Node, memo: string | undefined): boolean {
  if (!memo) return false;
  if (value.type === 'subscript') return value.childForFieldName('value')?.text === memo;
  const fn = value.type === 'call' ? value.childForFieldName('function') : undefined;
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get'
    ? fn.childForFieldName('object')?.text === memo
    : false;
}

/**
 * `import_module(m)`, `import_string(p)`, `getattr(import_module(m), name)`, or a local holding
 * one (also bound to a read of `memo`, the container it is stored into: `b = memo.get(p)`).
 */
export function isImportedObject(
  model: SemanticModel,
  expr: Node | null | undefined,
  memo?: string,
  depth = 0,
): boolean {
  if (!expr) return false;
  const value = unparenthesized(expr);
  if (value.type === 'identifier' && depth < 2) {
    const binding = model.resolve(value);
    if (!binding || binding.kind !== 'assignment' || binding.scope === model.moduleScope) return false;
    const values = binding.sites.map((site) => model.assignedValue(site));
    const own = values.filter((v) => !(v && readsMemo(unparenthesized(v), memo)));
    return own.length > 0 && own.every((v) => isImportedObject(model, v, memo, depth + 1));
  }
  if (value.type !== 'call') return false;
  const callee = (model.calleeName(value) ?? value.childForFieldName('function')?.text ?? '').replace(
    /^builtins\./,
    '',
  );
  if (IMPORTERS.has(callee)) return true;
  if (callee === 'getattr') return isImportedObject(model, positionalArguments(value)[0], memo, depth);
  return false;
}

/** A growth that stores an imported object (`cache[path] = import_string(path)`). */
export function storesImportedObject(model: SemanticModel, effect: Effect): boolean {
  const site = effect.site;
  const memo = effect.access.node.text;
  if (site.type === 'assignment') return isImportedObject(model, site.childForFieldName('right'), memo);
  if (site.type === 'call' && /\bsetdefault$/.test(site.childForFieldName('function')?.text ?? ''))
    return isImportedObject(model, positionalArguments(site)[1], memo);
  return false;
}
