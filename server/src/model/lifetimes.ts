// How long the objects of a class live, for the rules that ask whether something kept per object
// piles up. A reference cycle is garbage only when its objects are dropped: a cycle through an
// object made once (an app, a worker pool, an addon, a mapper configured at start-up) is never
// garbage, so it delays nothing; the same cycle in an object made per request or per call leaves
// one graph behind for the cyclic collector every time.
//
// The answer comes first from where the module makes the objects of the class and its subclasses
// (`instantiationOf`; only at import or start-up means long-lived), then from what the code shows
// about the class: the framework class it extends (a view or a form is made per request, a GUI
// widget as the user clicks) and the role its name or its bases' names give it (`…Registry`,
// `…Mapper`, `…Dialect`, `…Pool`, a `SchemaItem`: configuration, even where this module makes many
// of them in a loop, as reflecting or copying a schema does). Only then does a site here that runs
// again and again decide, and last the shape of the class (a set-up hook such as `configure()`, or
// started and stopped: a service).

import type { Node } from '../parser';
import { instantiationOf, type RunInfo, runInfoAt } from './execution';
import { attributeNamedBy, callNamedBy, identifiersNamed, wordOffsets } from './find-names';
import { GUI_TOOLKITS, guiThroughProject } from './gui-classes';
import { describeScope, functionChain } from './import-time';
import { perModel } from './memo';
import { basesOf, classDefinitionOf, classOfMethod, methodsOf, nameOf } from './methods';
import { NodeMemo, parentOf } from './parents';
import { processWideRole } from './run-once';
import type { SemanticModel } from './semantic';
import { decoratorsOf } from './usage';

export type LifetimeKind =
  /** Made again and again (per request, per call, in a loop): each object's cycle becomes garbage. */
  | 'per-call'
  /** A GUI widget: made as the user interacts, a handful at a time. */
  | 'interactive'
  /** Made once, or a framework/configuration object that lives as long as the process. */
  | 'long-lived'
  /** Made in other modules, and nothing here tells how often. */
  | 'unknown'
  /** The project is indexed and no code in it makes such an object (nor derives from the class). */
  | 'unmade';

export interface Lifetime {
  kind: LifetimeKind;
  /** Why, as a clause for messages: "a `Ctx` is made in `handle()`, and it runs on every request: …". */
  reason: string;
}

/**
 * Framework bases whose subclasses are made for every request or connection: class-based views
 * and request handlers (made by the framework), forms and serializers (made by the views).
 */
const PER_REQUEST_BASE =
  /(^|\.)(\w*View|\w*ViewSet|\w*RequestHandler|HTTPEndpoint|WebSocketEndpoint|\w*Consumer|\w*Form|\w*Serializer)$/;
const PER_REQUEST_FRAMEWORKS = [
  'django',
  'rest_framework',
  'flask',
  'flask_wtf',
  'wtforms',
  'tornado',
  'socketserver',
  'http.server',
  'starlette',
  'channels',
  'aiohttp',
];

/** A GUI toolkit's application class (`QApplication`, `QGuiApplication`, `wx.App`, `App`): one per process. */
const GUI_APPLICATION = /^(Q\w*Application|App|\w+App)$/;

/** Hooks that say "configured once": a class that has one is set up, then used for long. */
const SET_UP_HOOKS = new Set([
  'configure',
  'setup',
  'set_up',
  'initialize',
  'initialise',
  'bootstrap',
  'install',
  'startup',
  'on_startup',
]);
const START_METHODS = new Set(['start', 'startup', 'serve_forever', 'run_forever', 'start_serving']);
const STOP_METHODS = new Set(['stop', 'shutdown', 'close']);

/**
 * Method names that say "a step of setting the object up" (`initialize`, `do_init`, `_post_init`,
 * `_configure_inheritance`, `register_task`, `setup_handlers`), or of setting it up again when the
 * configuration is reloaded (`reconfigure()`, `reconfigService()`: an operator's action, not traffic).
 */
const SET_UP_STEP =
  /^(do_|post_)?(setup|set_up|configure|config|initialize|initialise|init|bootstrap|install|register|startup|start_up|finalize)(_|$)|_(setup|init|initialize|configure|startup)$|^_*reconfig/i;

/**
 * Method names that say "end or undo": `close`, `dispose`, `__exit__`, `commit`, `rollback`, `end` and
 * their helpers (`_do_close`, `_deactivate_from_connection`, `_close_impl`).
 */
const UNDO_STEP =
  /^(do_)?(close|dispose|exit|aexit|commit|rollback|cancel|deactivate|detach|release|cleanup|clean_up|teardown|tear_down|shutdown|stop|end|finish|reset|unregister|disconnect|destroy|unlink|discard|abort)(_|$)/i;

/** The last name of a base expression: `Pool` for `_pool.Pool`, `Mapped` for `Mapped[int]`. */
function baseName(base: Node): string {
  let n = base;
  if (n.type === 'subscript') n = n.childForFieldName('value') ?? n;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text ?? '';
  return n.type === 'identifier' ? n.text : '';
}

/** The class definitions of the module, with their in-module subclasses. */
const subclassIndex = perModel((model: SemanticModel): Map<number, Node[]> => {
  const index = new Map<number, Node[]>();
  const text = model.file.text;
  for (const at of wordOffsets(text, 'class')) {
    const cls = model.file.root.descendantForIndex(at, at + 5)?.parent;
    if (cls?.type !== 'class_definition' || cls.startIndex !== at) continue;
    for (const base of basesOf(cls)) {
      const parent = classDefinitionOf(model, base);
      if (!parent) continue;
      const list = index.get(parent.id) ?? [];
      list.push(cls);
      index.set(parent.id, list);
    }
  }
  return index;
});

/** The class and its subclasses defined in this module (objects of any of them run its methods). */
function familyOf(model: SemanticModel, cls: Node): Node[] {
  const index = subclassIndex(model);
  const family: Node[] = [];
  const seen = new Set<number>();
  const todo = [cls];
  while (todo.length > 0 && family.length < 64) {
    const c = todo.pop() as Node;
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    family.push(c);
    todo.push(...(index.get(c.id) ?? []));
  }
  return family;
}

/** `Cls(...)` calls in this module. */
function constructionSites(model: SemanticModel, cls: Node): Node[] {
  const name = cls.childForFieldName('name');
  const binding = name ? model.scopeOf(cls).lookupLocal(name.text) : undefined;
  if (binding?.kind !== 'class') return [];
  const sites: Node[] = [];
  for (const ref of model.references(binding)) {
    if (ref.context !== 'load') continue;
    const call = parentOf(ref.node);
    if (call?.type === 'call' && call.childForFieldName('function')?.id === ref.node.id) sites.push(call);
  }
  return sites;
}

/**
 * A command of a `click` or `typer` command-line program (`@cli.command()`, `@app.command()`):
 * it runs once per process. (Bots' `@bot.command()` run per message: they import neither.)
 */
function inCommandLineCommand(model: SemanticModel, site: Node): boolean {
  if (!model.importsModule('click') && !model.importsModule('typer')) return false;
  return functionChain(model.scopeOf(site)).some(
    (fn) =>
      fn.kind === 'function' &&
      decoratorsOf(fn.node).some((d) => {
        const target = d.type === 'call' ? d.childForFieldName('function') : d;
        return target?.type === 'attribute' && target.childForFieldName('attribute')?.text === 'command';
      }),
  );
}

/** How often a construction site runs, with what the rule knows beyond `runInfoAt`. */
function siteInfo(model: SemanticModel, site: Node): RunInfo {
  if (inCommandLineCommand(model, site))
    return { frequency: 'one-shot', reason: 'it runs in a command-line command, once per process' };
  return runInfoAt(model, site);
}

/** The names of the module a base expression comes from (`urwid` for `urwid.WidgetWrap`). */
function baseModule(model: SemanticModel, base: Node): string {
  return model.qualifiedName(base.type === 'subscript' ? base.childForFieldName('value') : base) ?? '';
}

function fromModule(qualified: string, modules: string[]): boolean {
  return modules.some((m) => qualified === m || qualified.startsWith(`${m}.`));
}

function label(cls: Node): string {
  return `\`${nameOf(cls)}\``;
}

const lifetimes = new NodeMemo<Lifetime>();

/** How long objects of the class `cls` (a class_definition) live; see the module comment. */
export function lifetimeOf(model: SemanticModel, cls: Node): Lifetime {
  return lifetimes.get(cls, () => computeLifetime(model, cls));
}

function computeLifetime(model: SemanticModel, cls: Node): Lifetime {
  const name = label(cls);
  // Where this module makes objects of the class or its subclasses.
  let madeHere = false;
  let repeated: Lifetime | undefined;
  let unknownMaker: string | undefined;
  for (const member of familyOf(model, cls)) {
    const made = instantiationOf(model, model.scopeFor(member));
    if (made.frequency === 'one-shot' || made.frequency === 'import-time') {
      madeHere = true;
      continue;
    }
    // Made by a route handler, view or task of another module (the project index says so).
    if (made.frequency === 'repeated' && constructionSites(model, member).length === 0) {
      repeated ??= { kind: 'per-call', reason: made.reason };
      continue;
    }
    // Look at the sites themselves: a command-line command runs once, and a maker named as
    // set-up code (`_register_attribute_impl`) makes configuration objects.
    for (const site of constructionSites(model, member)) {
      madeHere = true;
      // Made by the constructor of a process-wide object (a `ConfigServer` making its options):
      // as many as there are such objects, however often the code making those runs.
      if (madeByProcessWideConstructor(model, site)) continue;
      const info = siteInfo(model, site);
      const where = describeScope(model.scopeOf(site));
      if (info.frequency === 'repeated')
        repeated ??= {
          kind: 'per-call',
          reason: `${article(member)} is made in ${where}, and ${info.reason}`,
        };
      else if (info.frequency === 'unknown' && !madeBySetUpCode(model, site)) unknownMaker ??= where;
    }
  }
  if (madeHere && !repeated && !unknownMaker)
    return { kind: 'long-lived', reason: `${name} objects are made only at import or start-up` };
  const bases = basesOf(cls);
  const perRequest = bases.find(
    (b) => PER_REQUEST_BASE.test(b.text) && fromModule(baseModule(model, b), PER_REQUEST_FRAMEWORKS),
  );
  if (perRequest)
    return {
      kind: 'per-call',
      reason: `${article(cls)} is made for every request: it is a \`${baseName(perRequest)}\``,
    };
  const widget = bases.find((b) => fromModule(baseModule(model, b), GUI_TOOLKITS));
  // The toolkit's application object (`QApplication`, `wx.App`): one per process.
  if (widget && GUI_APPLICATION.test(baseName(widget)))
    return {
      kind: 'long-lived',
      reason: `${name} is the program's \`${baseName(widget)}\`, made once per process`,
    };
  if (widget)
    return {
      kind: 'interactive',
      reason: `${name} is a \`${baseModule(model, widget)}\` widget, made as the user interacts`,
    };
  // A widget through the project's own classes: a base that is one (here or in another module),
  // or a class that only widgets of the project derive from.
  const gui = guiThroughProject(model, cls);
  if (gui) return { kind: 'interactive', reason: gui };
  // A Twisted factory serves a listening port or a connector: made once, where they are set up.
  const factory = bases.find(
    (b) => /Factory$/.test(baseName(b)) && fromModule(baseModule(model, b), ['twisted']),
  );
  if (factory)
    return {
      kind: 'long-lived',
      reason: `${name} is a Twisted \`${baseName(factory)}\`, made once for the port or connector it serves`,
    };
  // A role in the name outweighs loops that make such objects here.
  const names = [nameOf(cls), ...bases.map(baseName)];
  const role = processWideRole(names);
  if (role) return { kind: 'long-lived', reason: `${name} is named as a ${role}, made once per process` };
  if (repeated) return repeated;
  const shape = longLivedShape(cls);
  if (shape) return { kind: 'long-lived', reason: shape };
  // Nothing in the indexed project makes one (or derives from the class): no cycle forms here.
  const project = model.file.project;
  const clsName = nameOf(cls);
  if (!madeHere && project && clsName) {
    const made = project.callsOf(clsName, model.file.path);
    if (made.atImport + made.inFunctions === 0 && !project.isBase(clsName, model.file.path))
      return { kind: 'unmade', reason: `no code in this project makes ${article(cls)}` };
  }
  return {
    kind: 'unknown',
    reason: unknownMaker
      ? `how often ${name} objects are made is decided in other modules (they are made in ${unknownMaker}, which is called from elsewhere)`
      : `how often ${name} objects are made is decided in other modules`,
  };
}

/** "a `Node`", "an `Index`". */
function article(cls: Node): string {
  const name = nameOf(cls);
  return `${/^_*[AEIOU]/i.test(name) ? 'an' : 'a'} \`${name}\``;
}

function hasRequestParameter(fn: Node): boolean {
  return /\brequest\b/.test(fn.childForFieldName('parameters')?.text ?? '');
}

/** A class that is configured (`configure()`, `setup()`) or started and stopped lives long. */
function longLivedShape(cls: Node): string | undefined {
  const methods = methodsOf(cls);
  for (const [name, fn] of methods) {
    if (SET_UP_HOOKS.has(name.replace(/^_+/, '')) && !hasRequestParameter(fn))
      return `${label(cls)} has a set-up hook, \`${name}()\`: it is configured once and used for long`;
  }
  // `start()`, or a named start (`start_network()`, `start_serving()`).
  const start = [...methods.keys()].find((m) => START_METHODS.has(m) || /^start_[a-z]/.test(m));
  const stop = [...methods.keys()].find((m) => STOP_METHODS.has(m));
  if (start && stop)
    return `${label(cls)} is a service, started (\`${start}()\`) and stopped (\`${stop}()\`)`;
  return undefined;
}

/**
 * Whether `site` is in the `__init__` of a class whose name or bases give it a process-wide role
 * (`ConfigServer`, `PluginManager`): what a configuration or application object makes while it
 * is built lives as long as that object, one set per configured entry.
 */
function madeByProcessWideConstructor(model: SemanticModel, site: Node): boolean {
  const fn = functionChain(model.scopeOf(site))[0];
  if (fn?.kind !== 'function' || fn.name !== '__init__') return false;
  const owner = classOfMethod(fn.node);
  return !!owner && processWideRole([nameOf(owner), ...basesOf(owner).map(baseName)]) !== undefined;
}

/** Whether the function making objects at `site` is named as set-up code (`_register_attribute_impl`). */
function madeBySetUpCode(model: SemanticModel, site: Node): boolean {
  return functionChain(model.scopeOf(site)).some(
    (fn) => fn.kind === 'function' && !(fn.name ?? '').startsWith('__') && SET_UP_STEP.test(trimmed(fn.name)),
  );
}

function trimmed(name: string | undefined): string {
  return (name ?? '').replace(/^_+/, '');
}

/** The method directly in `cls` whose body holds `node`. */
function methodHolding(node: Node, cls: Node): Node | undefined {
  for (let p = parentOf(node); p && p.id !== cls.id; p = parentOf(p)) {
    if (p.type === 'function_definition' && classOfMethod(p)?.id === cls.id) return p;
  }
  return undefined;
}

/**
 * Whether `method` (in `cls`) is only ever called, within its class, from methods that `named`
 * accepts (or that are themselves only called from such): `self._close_impl()` from `_do_close()`.
 * A method passed on (`callback=self.m`) or never called here is not.
 */
function calledOnlyFrom(
  model: SemanticModel,
  cls: Node,
  method: Node,
  named: (name: string) => boolean,
  visiting: Set<number>,
): boolean {
  const name = nameOf(method);
  if (!name || visiting.has(method.id)) return false;
  visiting.add(method.id);
  const className = nameOf(cls);
  const callers = new Map<number, Node>();
  for (const id of identifiersNamed(model.file, [name], cls)) {
    const attribute = attributeNamedBy(id);
    if (!attribute) continue;
    const object = attribute.childForFieldName('object');
    if (object?.type !== 'identifier' || !['self', 'cls', className].includes(object.text)) continue;
    const call = callNamedBy(id);
    const caller = call ? methodHolding(call, cls) : undefined;
    if (!caller) return false;
    callers.set(caller.id, caller);
  }
  if (callers.size === 0) return false;
  return [...callers.values()].every(
    (caller) => named(nameOf(caller)) || calledOnlyFrom(model, cls, caller, named, visiting),
  );
}

/**
 * Whether a function's name says "a step of setting something up" (`register()`, `setup_hooks()`,
 * `_initialize()`): a step that runs once for what it sets up, by contract.
 */
export function isSetUpName(name: string): boolean {
  return !name.startsWith('__') && SET_UP_STEP.test(trimmed(name));
}

/** Whether a function's name says "end or undo" (`close()`, `_do_close()`, `unregister()`). */
export function isUndoName(name: string): boolean {
  return UNDO_STEP.test(trimmed(name));
}

/**
 * Whether `method` is a step of setting its object up, by name (`initialize()`, `do_init()`,
 * `_configure_inheritance()`, `register_task()`) or because only such steps call it. `__init__`
 * is not: it runs for every object.
 */
export function isSetUpStep(model: SemanticModel, method: Node): boolean {
  const cls = classOfMethod(method);
  if (!cls) return false;
  const name = nameOf(method);
  return isSetUpName(name) || calledOnlyFrom(model, cls, method, isSetUpName, new Set());
}

/**
 * Whether the function `fn` ends or undoes its object's state: `close()`, `dispose()`,
 * `__exit__()`, `commit()`, `rollback()` and the like, or a method only they call.
 */
export function isUndoStep(model: SemanticModel, fn: Node): boolean {
  if (isUndoName(nameOf(fn))) return true;
  const cls = classOfMethod(fn);
  return !!cls && calledOnlyFrom(model, cls, fn, isUndoName, new Set());
}

const ORM_BASES = new Set([
  'django.db.models.Model',
  'sqlalchemy.orm.DeclarativeBase',
  'sqlalchemy.orm.DeclarativeBaseNoMeta',
  'sqlalchemy.orm.decl_api.DeclarativeBase',
  'sqlmodel.SQLModel',
]);
const ORM_FIELD_CALLS = /^(sqlalchemy|django\.db\.models|sqlmodel|flask_sqlalchemy)\b/;
const MAPPED_CLASS_ATTRIBUTES = new Set(['__tablename__', '__table__', '__mapper_args__']);

const mapped = new NodeMemo<boolean>();

/**
 * Whether `cls` is an ORM-mapped class (SQLAlchemy declarative, Flask-SQLAlchemy, SQLModel,
 * Django models): links between its instances are the data model, kept by the ORM both ways.
 */
export function isMappedClass(model: SemanticModel, cls: Node): boolean {
  return mapped.get(cls, () => computeMapped(model, cls, 0));
}

function computeMapped(model: SemanticModel, cls: Node, depth: number): boolean {
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (assignment?.type !== 'assignment') continue;
    if (MAPPED_CLASS_ATTRIBUTES.has(assignment.childForFieldName('left')?.text ?? '')) return true;
    const value = assignment.childForFieldName('right');
    if (value?.type === 'call' && ORM_FIELD_CALLS.test(model.calleeName(value) ?? '')) return true;
  }
  if (depth > 8) return false;
  return basesOf(cls).some((base) => {
    const q = model.qualifiedName(base) ?? '';
    if (ORM_BASES.has(q) || /^flask_sqlalchemy\b.*\.Model$/.test(q)) return true;
    if (base.type === 'attribute' && base.text.endsWith('.Model') && /^(db|models)\./.test(base.text))
      return true;
    if (base.type !== 'identifier') return false;
    const parent = classDefinitionOf(model, base);
    if (parent) return computeMapped(model, parent, depth + 1);
    // `Base = declarative_base()` / `Base = registry.generate_base()`
    const binding = model.resolve(base);
    return (binding?.sites ?? []).some((site) => {
      const value = model.assignedValue(site);
      const callee = value?.type === 'call' ? value.childForFieldName('function') : undefined;
      return !!callee && /(^|\.)(declarative_base|generate_base)$/.test(callee.text);
    });
  });
}
