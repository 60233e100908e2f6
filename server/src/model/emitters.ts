// What is known about third-party event emitters whose registration method is the bare `on()`:
// whether a second registration adds a listener or replaces the first, and how one is removed.
// `on` is the most ambiguous registration name there is — pyee and Node-style emitters add a
// listener per call and remove it with `remove_listener()`; python-socketio's clients and servers
// keep one handler per event name (a dict) and have no removal at all — so a removal is offered
// only where the emitter's kind says which call undoes it.
import type { Node } from '../parser';
import type { SemanticModel } from './semantic';

/** Modules whose emitters keep one handler per event name: `on(event, handler)` replaces. */
const REPLACING_MODULES = ['socketio', 'engineio', 'flask_socketio'];

/** Modules whose emitters add a listener per `on()` and remove it with the given method. */
const ADDING_MODULES: Record<string, string> = { pyee: 'remove_listener' };

/** Removal methods that a project's own emitter class may define for `on()`, in the order preferred. */
const PROJECT_REMOVERS = ['remove_listener', 'off', 'remove_handler', 'unsubscribe'];

function fromModule(qualified: string | undefined, module: string): boolean {
  return !!qualified && (qualified === module || qualified.startsWith(`${module}.`));
}

/**
 * The module an emitter comes from, when the values assigned to it (`sio = socketio.Client()`)
 * are calls of one imported module's constructors.
 */
function originOf(model: SemanticModel, values: readonly Node[]): string | undefined {
  const callees = values.map((v) => (v.type === 'call' ? model.calleeName(v) : undefined));
  const first = callees[0];
  if (!first || callees.some((c) => c?.split('.')[0] !== first.split('.')[0])) return undefined;
  return first;
}

/**
 * Whether `receiver.on(event, handler)` replaces the handler registered before for that event:
 * the receiver is made by a socketio constructor here, or (made elsewhere, on a base class) the
 * file works with socketio and the receiver is named for it (`self.sio`, `socket`).
 */
export function replacesPerEvent(model: SemanticModel, receiver: Node, values: readonly Node[]): boolean {
  const origin = originOf(model, values);
  if (origin) return REPLACING_MODULES.some((m) => fromModule(origin, m));
  if (values.length > 0) return false;
  const last = receiver.type === 'attribute' ? receiver.childForFieldName('attribute')?.text : receiver.text;
  return (
    /^_*(sio|socketio|socket_?io)$/i.test(last ?? '') && REPLACING_MODULES.some((m) => model.importsModule(m))
  );
}

/**
 * The method that undoes `receiver.on(...)`, when it is known: the emitter's library says so
 * (pyee), or the project defines one of the usual removal methods (its own emitter class). Else
 * undefined: the removal would be a guess, and a wrong name fails at run time.
 */
export function knownOnRemover(
  model: SemanticModel,
  values: readonly Node[],
  defines: (name: string) => boolean,
): string | undefined {
  const origin = originOf(model, values);
  if (origin) {
    for (const [module, remover] of Object.entries(ADDING_MODULES))
      if (fromModule(origin, module)) return remover;
    if (REPLACING_MODULES.some((m) => fromModule(origin, m))) return undefined;
  }
  return PROJECT_REMOVERS.find(defines);
}
