// The "do it once" idiom: code under `if not _loaded:` whose block sets the flag (`_loaded =
// True`), or under a flag read with `getattr(holder, "_loaded", False)` and set with
// `setattr(holder, "_loaded", True)`. Whatever runs the function around it, the block runs once
// per process (the flag lives in the module or on a module-level object), until something
// resets the flag.
import type { Node } from '../parser';
import { guardsOf, negated } from './guards';
import type { SemanticModel } from './semantic';
import { positionalArguments } from './usage';

const TRUTHY = new Set(['true', 'integer', 'string']);

/** `getattr(holder, "flag", False)`: the holder's text and the flag's name. */
function getattrFlag(node: Node): { holder: string; name: string } | undefined {
  if (node.type !== 'call' || node.childForFieldName('function')?.text !== 'getattr') return undefined;
  const [holder, name] = positionalArguments(node);
  const literal =
    name?.type === 'string' ? name.namedChildren.find((c) => c?.type === 'string_content') : undefined;
  return holder && literal ? { holder: holder.text, name: literal.text } : undefined;
}

/** Whether `block` sets the flag: `flag = True`, or `setattr(holder, "flag", True)`. */
function setsFlag(
  model: SemanticModel,
  block: Node,
  flag: { binding?: ReturnType<SemanticModel['resolve']>; holder?: string; name: string },
): boolean {
  for (const stmt of block.descendantsOfType(['assignment', 'call'])) {
    if (!stmt) continue;
    if (stmt.type === 'assignment') {
      const left = stmt.childForFieldName('left');
      const right = stmt.childForFieldName('right');
      if (left?.type !== 'identifier' || !right || !TRUTHY.has(right.type) || !flag.binding) continue;
      if (left.text === flag.name && model.resolve(left) === flag.binding) return true;
      continue;
    }
    if (stmt.childForFieldName('function')?.text !== 'setattr' || flag.holder === undefined) continue;
    const [holder, name, value] = positionalArguments(stmt);
    const literal =
      name?.type === 'string' ? name.namedChildren.find((c) => c?.type === 'string_content') : undefined;
    if (holder?.text === flag.holder && literal?.text === flag.name && value && TRUTHY.has(value.type))
      return true;
  }
  return false;
}

/**
 * The flag of a "do it once" guard around `node` (see the module comment), within its function;
 * undefined when there is none. Only module-level flags (or a flag set on a module-level name)
 * count: a flag on `self` is once per object.
 */
export function onceGuardFlag(model: SemanticModel, node: Node): string | undefined {
  for (const { condition, consequence } of guardsOf(node)) {
    let flag = negated(condition);
    if (flag?.type === 'identifier') {
      const binding = model.resolve(flag);
      if (binding?.scope === model.moduleScope && setsFlag(model, consequence, { binding, name: flag.text }))
        return flag.text;
      // `loaded = getattr(load, "_loaded", False)` just before.
      if (binding && binding.sites.length === 1 && binding.scope !== model.moduleScope) {
        const value = model.assignedValue(binding.sites[0]);
        flag = value ?? undefined;
      }
    }
    const read = flag ? getattrFlag(flag) : undefined;
    const holderNode = flag && read ? positionalArguments(flag)[0] : undefined;
    if (!read || holderNode?.type !== 'identifier') continue;
    // The holder is a module-level name (a function, a module): not `self`.
    if (model.resolve(holderNode)?.scope !== model.moduleScope) continue;
    if (setsFlag(model, consequence, { holder: read.holder, name: read.name }))
      return `${read.holder}.${read.name}`;
  }
  return undefined;
}
