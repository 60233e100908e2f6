// Where a dict's keys come from. Code that runs on every request grows a dict without bound only
// if its key takes a new value with the traffic: a user's id, a session, a field of the request.
// The same line keyed by a model name, a provider, a base URL or a configured bot holds one entry
// per configured value, however often it runs. Which of the two an arbitrary name (`name`,
// `spec`, `(proxy_url, cert)`) ranges over cannot be known statically; what can be shown is a key
// read from the request itself, or one that names a record made by traffic (`user_id`,
// `wallet_id`, `session`). `perCallKeyEvidence` finds that evidence, and says what it saw.
import type { Node } from '../parser';
import { callNamedBy, identifiersNamed } from './find-names';
import type { SemanticModel } from './semantic';
import { lastCalleeName } from './test-doubles';
import { argumentPassedFor, parameterSlot, positionalArguments } from './usage';
import { calledFunction } from './value-flow';

/** The last word of an identifier that makes it a record's identity: `user_id`, `session_uuid`, `pk`. */
const ID_WORDS = new Set(['id', 'ids', 'uid', 'uuid', 'guid', 'pk', 'email', 'token', 'ip', 'sid']);
/** Words that name a record made by traffic: a user, an account, a wallet, a session. */
const RECORD_WORDS = new Set([
  'user',
  'users',
  'username',
  'account',
  'customer',
  'wallet',
  'session',
  'visitor',
  'member',
]);
/**
 * Subjects whose identities are set by administrators or configuration, not by traffic: a
 * tenant's or organisation's id, a configured bot, a model or provider, an installed app,
 * plugin or extension. Their ids are bounded by what was configured.
 */
const CONFIGURED_SUBJECTS = new Set([
  'tenant',
  'org',
  'organization',
  'organisation',
  'bot',
  'model',
  'provider',
  'app',
  'application',
  'plugin',
  'extension',
  'engine',
  'backend',
  'tool',
  'region',
  'locale',
  'lang',
  'language',
]);
/** Names of the request a handler serves (`request`, `req`, `self.request`). */
const REQUEST_NAMES = new Set(['request', 'req']);
/** Links of a chain that read the traffic being handled: `flow.request.host`, `flow.response.headers`. */
const TRAFFIC_LINKS = new Set(['request', 'response']);
/**
 * Words that name an object a program makes per connection or per use: a dict keyed by such an
 * object (`_scripts[connection]`, `LOCKS[id(client)]`) keeps one entry, and often the object
 * itself, per object ever passed, whatever its callers are.
 */
const OBJECT_WORDS = new Set([
  'connection',
  'conn',
  'client',
  'socket',
  'sock',
  'channel',
  'websocket',
  'transport',
  'stream',
  'pool',
]);
/** Calls that return the task running now (`asyncio.current_task()`): one object per task started. */
const CURRENT_OBJECT_CALLS = new Set(['current_task']);
/** Names dropped from an attribute chain before judging it: `self.base_url` is judged as `base_url`. */
const RECEIVER_NAMES = new Set(['self', 'cls']);

const MAX_DEPTH = 5;

/** `userId`, `user_id`, `self.user.id` → `['user', 'id']`. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[._]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w && !RECEIVER_NAMES.has(w));
}

/**
 * Last words that make a name a category of records rather than one (`wallet_type`, `user_kind`,
 * `account_class`): a closed set of kinds the code knows, not one value per record.
 */
const KIND_WORDS = new Set(['type', 'types', 'kind', 'kinds', 'class', 'category', 'categories']);

/** A name that identifies a record made by traffic (`user_id`, `wallet_id`, `session`), not a configured one (`tenant_id`, `bot_id`). */
function namesRecord(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 0) return false;
  if (KIND_WORDS.has(words[words.length - 1])) return false;
  if (words.some((w) => RECORD_WORDS.has(w))) return true;
  const last = words[words.length - 1];
  if (!ID_WORDS.has(last)) return false;
  return words.length === 1 || !CONFIGURED_SUBJECTS.has(words[words.length - 2]);
}

/** The root identifier of an attribute or subscript chain (`request` in `request.user.id`). */
function chainRoot(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && (n.type === 'attribute' || n.type === 'subscript'))
    n = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value');
  return n?.type === 'identifier' ? n : undefined;
}

/** `request.args["q"]`, `self.request.user`, or a view's URL `kwargs` beside a `request` parameter. */
function readsRequest(model: SemanticModel, node: Node): boolean {
  const root = chainRoot(node);
  if (!root) return false;
  if (REQUEST_NAMES.has(root.text)) return true;
  const first = node.type === 'attribute' || node.type === 'subscript' ? firstLink(node) : undefined;
  if (RECEIVER_NAMES.has(root.text) && first && REQUEST_NAMES.has(first)) return true;
  // `flow.request.host`, `flow.response.headers["Location"]`: a link of the chain is the traffic.
  if (linksOf(node).some((l) => TRAFFIC_LINKS.has(l))) return true;
  if (root.text === 'kwargs' || (RECEIVER_NAMES.has(root.text) && first === 'kwargs')) {
    const fn = model.scopeOf(node).enclosingFunction?.node;
    const params = fn?.childForFieldName('parameters')?.text ?? '';
    return /\b(request|req)\b/.test(params);
  }
  return false;
}

/** The attribute names of a chain, outermost first (`headers`, `response` in `flow.response.headers[...]`). */
function linksOf(node: Node): string[] {
  const links: string[] = [];
  for (let n: Node | null = node; n && (n.type === 'attribute' || n.type === 'subscript'); ) {
    if (n.type === 'attribute') {
      const attr = n.childForFieldName('attribute')?.text;
      if (attr) links.push(attr);
      n = n.childForFieldName('object');
    } else n = n.childForFieldName('value');
  }
  return links;
}

/** `request` in `self.request.user`: the attribute right after the root. */
function firstLink(node: Node): string | undefined {
  let n: Node | null = node;
  let link: string | undefined;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) {
    if (n.type === 'attribute') link = n.childForFieldName('attribute')?.text;
    n = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value');
  }
  return link;
}

/**
 * Why `key` is known to take a new value per request or per call: it reads the request
 * (`request.user.id`), or names a record made by traffic (`user_id`, `wallet.id`), directly, through
 * a local it was computed into, or through what the callers in this module pass for a parameter.
 * Undefined when nothing shows it: the key's domain is then the unknown.
 */
export function perCallKeyEvidence(model: SemanticModel, key: Node, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (key.type) {
    case 'identifier':
      if (REQUEST_NAMES.has(key.text)) return `\`${key.text}\` is the request`;
      {
        // A local visibly built from parts (`key = "{}.{}".format(app.label, part)`): the parts
        // tell, not the name it was given.
        const built = builtLocalValue(model, key);
        if (built) return perCallKeyEvidence(model, built, depth + 1);
      }
      if (namesRecord(key.text)) return `\`${key.text}\` names a record made by traffic`;
      return throughBinding(model, key, depth);
    case 'attribute':
    case 'subscript': {
      if (readsRequest(model, key)) return `\`${short(key)}\` is read from the request`;
      const name = chainName(key);
      if (name && namesRecord(name)) return `\`${short(key)}\` names a record made by traffic`;
      // `urlparse(location).hostname`: a part of what the call is given.
      const object = key.childForFieldName(key.type === 'attribute' ? 'object' : 'value');
      return object?.type === 'call' ? perCallKeyEvidence(model, object, depth + 1) : undefined;
    }
    case 'call': {
      // `request.args.get("q")`: a read of the request; `str(user.id)`, `make_key(user_id)`: what
      // the key is made from.
      const callee = key.childForFieldName('function');
      const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      if (receiver && readsRequest(model, receiver)) return `\`${short(key)}\` is read from the request`;
      return firstEvidence(model, positionalArguments(key), depth + 1);
    }
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
    case 'binary_operator':
    case 'concatenated_string':
      return firstEvidence(model, key.namedChildren, depth);
    case 'string':
      return firstEvidence(
        model,
        key.namedChildren.filter((c) => c?.type === 'interpolation').map((c) => c?.namedChildren[0]),
        depth,
      );
  }
  return undefined;
}

function firstEvidence(model: SemanticModel, nodes: (Node | null | undefined)[], depth: number) {
  for (const n of nodes) {
    if (!n || n.type === 'comment') continue;
    const why = perCallKeyEvidence(model, n, depth);
    if (why) return why;
  }
  return undefined;
}

/** `user.id` → `user.id`, `data["user_id"]` → `data.user_id`: the chain as words to judge. */
function chainName(node: Node): string | undefined {
  if (node.type === 'attribute') return node.text.replace(/\s+/g, '');
  const keys = node.childrenForFieldName('subscript');
  const last = keys[keys.length - 1];
  const value = node.childForFieldName('value');
  if (last?.type !== 'string' || !value) return undefined;
  const literal = last.namedChildren.find((c) => c?.type === 'string_content')?.text;
  return literal ? `${value.text}.${literal}` : undefined;
}

/** A node's text on one line, cut to 40 characters, for messages. */
export function short(node: Node): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length <= 40 ? text : `${text.slice(0, 37)}…`;
}

/**
 * The value of a function's local assigned once from a visible construction of parts — a tuple,
 * a concatenation, an f-string, `"…".format(…)` or `"…".join(…)` — whose parts are then judged
 * on their own; undefined for anything else (a call's result keeps the name's evidence).
 */
function builtLocalValue(model: SemanticModel, name: Node): Node | undefined {
  const binding = model.resolve(name);
  if (binding?.kind !== 'assignment' || binding.scope === model.moduleScope || binding.sites.length !== 1)
    return undefined;
  const value = model.assignedValue(binding.sites[0]);
  if (!value) return undefined;
  if (value.type === 'tuple' || value.type === 'binary_operator' || value.type === 'concatenated_string')
    return value;
  if (value.type === 'string' && value.namedChildren.some((c) => c?.type === 'interpolation')) return value;
  const callee = value.type === 'call' ? value.childForFieldName('function') : undefined;
  const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  return callee?.childForFieldName('object')?.type === 'string' && (method === 'format' || method === 'join')
    ? value
    : undefined;
}

/** A local computed once (`key = (url, user_id)`), a loop over input, or a parameter and its callers. */
function throughBinding(model: SemanticModel, name: Node, depth: number): string | undefined {
  const binding = model.resolve(name);
  if (!binding || binding.scope === model.moduleScope || binding.sites.length !== 1) return undefined;
  const site = binding.sites[0];
  if (binding.kind === 'assignment') {
    const value = model.assignedValue(site);
    return value ? perCallKeyEvidence(model, value, depth + 1) : undefined;
  }
  if (binding.kind === 'parameter') return throughCallers(model, site, depth);
  return undefined;
}

/**
 * What the calls of the parameter's function in this module pass for it (`self.lookup(name)` with
 * `name = kwargs.get("name")` in a view): one caller passing per-call data is enough.
 */
function throughCallers(model: SemanticModel, paramName: Node, depth: number): string | undefined {
  const slot = parameterSlot(paramName);
  if (!slot?.positional) return undefined;
  const { fn, fnName, index } = slot;
  for (const ident of identifiersNamed(model.file, [fnName])) {
    const call = callNamedBy(ident);
    const called = call ? calledFunction(model, call) : undefined;
    if (!call || called?.def.id !== fn.id) continue;
    const passed = argumentPassedFor(call, paramName.text, index - called.offset);
    const why = passed ? perCallKeyEvidence(model, passed, depth + 1) : undefined;
    if (why) return why;
  }
  return undefined;
}

/**
 * Why `key` holds one entry per object made at run time: it is such an object, or its `id()`
 * (`connection`, `self.client`, `id(sock)`), directly or through a local computed from it.
 */
export function objectKeyEvidence(model: SemanticModel, key: Node, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  // `asyncio.current_task()`: the task running now, a new object for every task started.
  if (
    key.type === 'call' &&
    CURRENT_OBJECT_CALLS.has(lastCalleeName(key)) &&
    positionalArguments(key).length === 0
  )
    return `\`${short(key)}\` is the running task: one entry per task started`;
  let subject: Node | undefined = key;
  if (key.type === 'call' && key.childForFieldName('function')?.text === 'id')
    subject = positionalArguments(key)[0];
  if (!subject || (subject.type !== 'identifier' && subject.type !== 'attribute')) return undefined;
  const words = wordsOf(subject.text.replace(/\s+/g, ''));
  if (words.length > 0 && OBJECT_WORDS.has(words[words.length - 1]))
    return `\`${short(subject)}\` is an object: one entry per object passed`;
  if (subject.type !== 'identifier') return undefined;
  const binding = model.resolve(subject);
  if (binding?.kind !== 'assignment' || binding.scope === model.moduleScope || binding.sites.length !== 1)
    return undefined;
  const value = model.assignedValue(binding.sites[0]);
  return value ? objectKeyEvidence(model, value, depth + 1) : undefined;
}

/** Subjects spelled out for messages. */
const SUBJECT_WORDS: Record<string, string> = {
  org: 'organisation',
  organization: 'organisation',
  lang: 'language',
  app: 'app',
  application: 'app',
};

/** The configured subject a name is about (`model` in `model_name`, `tenant` in `tenant_id`), unless it also names a record. */
function configuredSubjectOf(name: string): string | undefined {
  const words = wordsOf(name);
  if (words.some((w) => RECORD_WORDS.has(w))) return undefined;
  const subject = words.find((w) => CONFIGURED_SUBJECTS.has(w));
  return subject ? (SUBJECT_WORDS[subject] ?? subject) : undefined;
}

/**
 * The configured subjects a key is made of, when every part of it names one (`model_name`,
 * `(tenant_id, slack_bot_id)`, `str(org_id)`, `self.engine.name`) or is a literal: such a key
 * takes one value per model, tenant, bot or engine an administrator set up, not one per request.
 * Undefined when some part is anything else.
 */
export function configuredKeySubjects(model: SemanticModel, key: Node, depth = 0): string[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const one = (name: string | undefined) => {
    const subject = name ? configuredSubjectOf(name) : undefined;
    return subject ? [subject] : undefined;
  };
  switch (key.type) {
    case 'string':
      return key.namedChildren.some((c) => c?.type === 'interpolation') ? undefined : [];
    case 'integer':
      return [];
    case 'identifier': {
      const direct = one(key.text);
      if (direct) return direct;
      const binding = model.resolve(key);
      if (binding?.kind !== 'assignment' || binding.scope === model.moduleScope || binding.sites.length !== 1)
        return undefined;
      const value = model.assignedValue(binding.sites[0]);
      return value ? configuredKeySubjects(model, value, depth + 1) : undefined;
    }
    case 'attribute':
    case 'subscript':
      return one(chainName(key));
    case 'call':
      return allSubjects(model, positionalArguments(key), depth + 1);
    case 'tuple':
    case 'parenthesized_expression':
      return allSubjects(model, key.namedChildren, depth);
  }
  return undefined;
}

function allSubjects(model: SemanticModel, nodes: (Node | null | undefined)[], depth: number) {
  const subjects: string[] = [];
  for (const n of nodes) {
    if (!n || n.type === 'comment') continue;
    const found = configuredKeySubjects(model, n, depth);
    if (!found) return undefined;
    for (const s of found) if (!subjects.includes(s)) subjects.push(s);
  }
  return subjects.length > 0 ? subjects : undefined;
}
