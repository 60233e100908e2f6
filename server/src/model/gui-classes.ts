// GUI classes across the modules of a project. A widget (tkinter, Qt, wx, …) is made at the pace
// of a person using the program, so a cycle through one is harmless in practice. A module sees
// that only for a class written with a toolkit base; projects put their own layer between:
// `class InfoDialog(WindowModalDialog)` where another module has `class
// WindowModalDialog(QDialog)`, a mixin mixed only into Qt widgets, a toolkit-free base class
// (a wizard's logic) that only Qt or QML classes of another package derive from. The project
// index records which classes have a toolkit base; this module follows the project's class
// hierarchy to them.
import type { Node } from '../parser';
import { isGuiModule } from './gui-toolkits';
import { basesOf, classDefinitionOf, nameOf } from './methods';
import type { ProjectIndex } from './project-index';
import type { SemanticModel } from './semantic';

export { GUI_TOOLKITS, isGuiModule } from './gui-toolkits';

/** How many levels of the class hierarchy are followed, up and down. */
const MAX_DEPTH = 6;

function lastName(base: Node): string {
  let n = base;
  if (n.type === 'subscript') n = n.childForFieldName('value') ?? n;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text ?? '';
  return n.type === 'identifier' ? n.text : '';
}

/**
 * Why the objects of `cls` are GUI objects, from the project beyond this module's own view (its
 * direct toolkit bases are the caller's): a base of the project (here or in another module) that
 * derives from a toolkit class, or every class of the project derived from it being one while
 * nothing makes the class itself. Undefined when nothing shows it.
 */
export function guiThroughProject(model: SemanticModel, cls: Node): string | undefined {
  const project = model.file.project;
  const name = nameOf(cls);
  const up = guiBase(model, project, cls, 0);
  if (up)
    return `\`${name}\` derives from \`${up.through}\`, a \`${up.module}\` class: its objects are made as the user interacts`;
  if (!project || !name) return undefined;
  const made = project.callsOf(name, model.file.path);
  if (made.atImport + made.inFunctions > 0 || constructedHere(model, cls)) return undefined;
  const down = guiSubclasses(model, project, name, 0, new Set([name]));
  if (!down || down.length === 0) return undefined;
  const shown = down.slice(0, 2).map((s) => `\`${s}\``);
  return `nothing makes ${/^_*[AEIOU]/i.test(name) ? 'an' : 'a'} \`${name}\` itself and every class derived from it in the project is a GUI class (${shown.join(', ')}${down.length > 2 ? ', …' : ''}): its objects are made as the user interacts`;
}

/** The first base (through the module's own classes, then the project index) with a toolkit ancestor. */
function guiBase(
  model: SemanticModel,
  project: ProjectIndex | undefined,
  cls: Node,
  depth: number,
): { through: string; module: string } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const base of basesOf(cls)) {
    const target = base.type === 'subscript' ? base.childForFieldName('value') : base;
    const qualified = model.qualifiedName(target) ?? '';
    if (isGuiModule(qualified))
      return { through: lastName(base), module: qualified.split('.').slice(0, -1).join('.') };
    const local = classDefinitionOf(model, target);
    if (local) {
      const above = guiBase(model, project, local, depth + 1);
      if (above) return { through: lastName(base), module: above.module };
      continue;
    }
    const module = project?.guiToolkitOf(lastName(base));
    if (module) return { through: lastName(base), module };
  }
  return undefined;
}

/**
 * The project's classes derived from `name` when there are some and every one is a GUI class
 * (itself, or all of its own subclasses); undefined when one is not.
 */
function guiSubclasses(
  model: SemanticModel,
  project: ProjectIndex,
  name: string,
  depth: number,
  seen: Set<string>,
): string[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const subs = project.subclassesOf(name).filter((s) => !seen.has(s));
  if (subs.length === 0) return undefined;
  const found: string[] = [];
  for (const sub of subs) {
    seen.add(sub);
    if (project.guiToolkitOf(sub)) {
      found.push(sub);
      continue;
    }
    // A subclass that is not a widget itself: it counts only if it is never made and its own
    // subclasses all are GUI classes.
    const made = project.callsOf(sub);
    if (made.atImport + made.inFunctions > 0) return undefined;
    const below = guiSubclasses(model, project, sub, depth + 1, seen);
    if (!below) return undefined;
    found.push(...below);
  }
  return found;
}

/** Whether this module makes an object of `cls` by name (`Cls(...)`). */
function constructedHere(model: SemanticModel, cls: Node): boolean {
  const name = cls.childForFieldName('name');
  const binding = name ? model.scopeOf(cls).lookupLocal(name.text) : undefined;
  if (binding?.kind !== 'class') return false;
  return model.references(binding).some((ref) => {
    const call = ref.node.parent;
    return (
      ref.context === 'load' &&
      call?.type === 'call' &&
      call.childForFieldName('function')?.id === ref.node.id
    );
  });
}
