// Objects of a class are also made through its subclasses: `SubThing(name="x")` runs
// `Thing.__init__`. A class-level registry written by the base's `__init__` therefore grows as
// often as any subclass is made. Subclasses in this module are followed through their own call
// sites; subclasses in other modules through the project index (their calls at import, in start-up
// code, or in functions whose callers decide).
import type { Node } from '../parser';
import type { RunInfo } from './execution';
import type { Scope, SemanticModel } from './semantic';

/** What the subclasses of a class say about how often objects of it are made. */
export interface SubclassMaking {
  /** The most telling answer: repeated if any subclass is made again and again, else unknown, else once. */
  info: RunInfo;
  /** The subclasses that are made at all (for messages). */
  names: string[];
}

/** The class scopes of this module written with `cls` among their bases (`class SubThing(Thing):`). */
function localSubclasses(model: SemanticModel, cls: Scope): Scope[] {
  const binding = cls.parent?.lookupLocal(cls.name ?? '');
  if (!binding || binding.kind !== 'class') return [];
  const found: Scope[] = [];
  for (const ref of model.references(binding)) {
    let node: Node | null = ref.node;
    // `class Sub(pkg.Thing)` is not a local reference; `class Sub(Thing, Mixin)` is.
    const list = node.parent;
    if (list?.type !== 'argument_list') continue;
    node = list.parent;
    if (node?.type === 'class_definition' && node.childForFieldName('superclasses')?.id === list.id)
      found.push(model.scopeFor(node));
  }
  return found;
}

/**
 * How often objects of `cls` are made through its subclasses, or undefined when no subclass is
 * made anywhere the module or the project index can see. `made` answers for a class of this
 * module (the caller's `instantiationOf`).
 */
export function madeThroughSubclasses(
  model: SemanticModel,
  cls: Scope,
  made: (model: SemanticModel, cls: Scope) => RunInfo,
): SubclassMaking | undefined {
  const infos: { name: string; info: RunInfo }[] = [];
  const seen = new Set<string>([cls.name ?? '']);
  for (const sub of localSubclasses(model, cls)) {
    if (!sub.name || seen.has(sub.name)) continue;
    seen.add(sub.name);
    const info = made(model, sub);
    // A subclass nothing makes (an abstract one) says nothing.
    if (/decided by code in other modules$/.test(info.reason) && info.frequency === 'unknown') continue;
    infos.push({ name: sub.name, info });
  }
  const project = model.file.project;
  if (project && cls.name) {
    // Subclasses in other modules (and theirs, a few levels down).
    const queue = project.subclassesOf(cls.name).map((name) => ({ name, depth: 0 }));
    while (queue.length > 0) {
      const next = queue.shift();
      if (!next || seen.has(next.name)) continue;
      seen.add(next.name);
      if (next.depth < 3)
        for (const s of project.subclassesOf(next.name)) queue.push({ name: s, depth: next.depth + 1 });
      const counts = project.callsOf(next.name);
      const label = `\`${next.name}\``;
      if (counts.repeatedIn) {
        const where = counts.repeatedIn.path.replace(/\\/g, '/').split('/').slice(-2).join('/');
        infos.push({
          name: next.name,
          info: {
            frequency: 'repeated',
            reason: `a ${label} is made in \`${counts.repeatedIn.caller}()\` in ${where}, ${counts.repeatedIn.why}`,
          },
        });
      } else if (counts.inFunctions > counts.inStartUp) {
        infos.push({
          name: next.name,
          info: {
            frequency: 'unknown',
            reason: `how many ${label} objects are made is decided by code in other modules`,
          },
        });
      } else if (counts.atImport + counts.inFunctions > 0) {
        infos.push({
          name: next.name,
          info: { frequency: 'one-shot', reason: `${label} objects are made only at import or start-up` },
        });
      }
    }
  }
  if (infos.length === 0) return undefined;
  const pick =
    infos.find((i) => i.info.frequency === 'repeated') ??
    infos.find((i) => i.info.frequency === 'unknown') ??
    infos[0];
  return { info: pick.info, names: infos.map((i) => i.name) };
}
