// LEAK004 unclosed-connection: database connections, HTTP sessions and clients, Redis/Mongo clients
// and SQLAlchemy engines/sessions created inside a function and never closed (or closed only when
// nothing raises). Each library's `with` semantics matter: sqlite3's and psycopg2's connection
// context managers only wrap a transaction and do not close.
import type { FixPolicy } from '../fixes/resource-fixes';
import { isNonRetainingCall, type ResourceKind } from '../model/lifecycle';
import { callLabel, checkResources, type Factory, type ResourceRuleSpec } from '../model/resource-check';
import type { SemanticModel } from '../model/semantic';
import { mayCallAny } from '../model/text-calls';
import { keywordArgument, positionalArguments, unparenthesizedParent, useOf } from '../model/usage';
import type { Node } from '../parser';
import type { EngineSettings, Rule, RuleContext } from '../types';

type Manage = FixPolicy['manage'];

const SOCKET_DATA_METHODS = new Set([
  'accept',
  'bind',
  'connect',
  'connect_ex',
  'fileno',
  'getpeername',
  'getsockname',
  'getsockopt',
  'gettimeout',
  'listen',
  'recv',
  'recv_into',
  'recvfrom',
  'recvfrom_into',
  'send',
  'sendall',
  'sendto',
  'sendfile',
  'setblocking',
  'setsockopt',
  'settimeout',
  'shutdown',
]);
/** `detach()` hands the descriptor to the caller: the socket object no longer owns it. */
const SOCKET_RELEASE = new Set(['close', 'detach']);

const RESPONSE_DATA_METHODS = new Set([
  'getcode',
  'geturl',
  'getheader',
  'getheaders',
  'info',
  'readline',
  'read1',
  'readinto',
]);
/** An HTTP response closes its connection when `read()`/`readlines()` reach the end. */
const RESPONSE_RELEASE = new Set(['close', 'read', 'readlines']);

/** A SQLAlchemy connection's `execution_options(...)` returns the connection itself. */
const SAME_CONNECTION = new Set(['execution_options']);

/** A session's `commit()`/`rollback()` ends its transaction and returns its connection to the pool. */
const SESSION_FINISHING = new Set(['commit', 'rollback']);

interface ConnectionFactory {
  names: string[];
  noun: string;
  /** What else the kind of resource knows (its data methods, how it is released…). */
  kind?: Partial<ResourceKind>;
  /** `with obj:` closes it (false: sqlite3 and psycopg2, whose `with` is a transaction). */
  withReleases: boolean;
  isAsync: boolean;
  manage: Manage;
  finallyCall?: string;
  suggestedName: string;
}

const FACTORIES: ConnectionFactory[] = [
  {
    names: ['sqlite3.connect', 'sqlite3.dbapi2.connect'],
    noun: 'connection',
    withReleases: false,
    isAsync: false,
    manage: 'closing',
    suggestedName: 'conn',
  },
  {
    names: ['psycopg2.connect'],
    noun: 'connection',
    withReleases: false,
    isAsync: false,
    manage: 'closing',
    suggestedName: 'conn',
  },
  {
    names: ['psycopg.connect', 'psycopg.Connection.connect'],
    noun: 'connection',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'conn',
  },
  {
    names: ['psycopg.AsyncConnection.connect'],
    noun: 'connection',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'conn',
  },
  {
    names: ['pymysql.connect', 'pymysql.Connect', 'pymysql.connections.Connection'],
    noun: 'connection',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'conn',
  },
  {
    names: ['mysql.connector.connect'],
    noun: 'connection',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'conn',
  },
  {
    names: [
      'redis.Redis',
      'redis.StrictRedis',
      'redis.from_url',
      'redis.Redis.from_url',
      'redis.StrictRedis.from_url',
      'redis.client.Redis',
    ],
    noun: 'client',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'client',
  },
  {
    names: [
      'redis.asyncio.Redis',
      'redis.asyncio.StrictRedis',
      'redis.asyncio.from_url',
      'redis.asyncio.Redis.from_url',
      'redis.asyncio.client.Redis',
    ],
    noun: 'client',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'client',
  },
  {
    names: ['pymongo.MongoClient', 'pymongo.mongo_client.MongoClient'],
    noun: 'client',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'client',
  },
  {
    names: ['requests.Session', 'requests.session', 'requests.sessions.Session'],
    noun: 'session',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'session',
  },
  {
    names: ['httpx.Client'],
    noun: 'client',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'client',
  },
  {
    names: ['httpx.AsyncClient'],
    noun: 'client',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'client',
  },
  {
    names: ['aiohttp.ClientSession', 'aiohttp.client.ClientSession'],
    noun: 'session',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'session',
  },
  {
    names: ['socket.socket', 'socket.create_connection', 'socket.create_server', 'socket.fromfd'],
    noun: 'socket',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'sock',
    kind: { dataMethods: SOCKET_DATA_METHODS, releaseMethods: SOCKET_RELEASE, attributesKeepAlive: false },
  },
  // The standard library's protocol clients: `quit()`/`logout()` ends the session and closes.
  {
    names: ['smtplib.SMTP', 'smtplib.SMTP_SSL', 'smtplib.LMTP', 'ftplib.FTP', 'ftplib.FTP_TLS'],
    noun: 'connection',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'conn',
    kind: { releaseMethods: new Set(['close', 'quit']) },
  },
  {
    names: ['imaplib.IMAP4', 'imaplib.IMAP4_SSL'],
    noun: 'connection',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'imap',
    kind: { releaseMethods: new Set(['close', 'logout', 'shutdown']) },
  },
  {
    names: ['http.client.HTTPConnection', 'http.client.HTTPSConnection'],
    noun: 'connection',
    withReleases: false,
    isAsync: false,
    manage: 'closing',
    suggestedName: 'conn',
  },
  {
    names: ['asyncpg.connect'],
    noun: 'connection',
    withReleases: false,
    isAsync: true,
    manage: 'try-finally',
    finallyCall: 'close()',
    suggestedName: 'conn',
  },
  // A response closes its connection once read to the end (`read()`, iteration, `json.load`).
  {
    names: ['urllib.request.urlopen'],
    noun: 'response',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'response',
    kind: {
      dataMethods: RESPONSE_DATA_METHODS,
      releaseMethods: RESPONSE_RELEASE,
      readToEndReleases: true,
      attributesKeepAlive: false,
    },
  },
  {
    names: ['urllib3.PoolManager', 'urllib3.poolmanager.PoolManager'],
    noun: 'pool manager',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'http',
  },
  // An Engine is a connection pool with no context manager: `dispose()` it in `finally`. It
  // connects on first use: one only used for its dialect or to compile holds nothing.
  {
    names: ['sqlalchemy.create_engine', 'sqlalchemy.engine.create_engine'],
    noun: 'engine',
    withReleases: false,
    isAsync: false,
    manage: 'try-finally',
    finallyCall: 'dispose()',
    suggestedName: 'engine',
    kind: { mayAcquire: engineMayConnect },
  },
  {
    names: ['sqlalchemy.ext.asyncio.create_async_engine'],
    noun: 'engine',
    withReleases: false,
    isAsync: true,
    manage: 'try-finally',
    finallyCall: 'dispose()',
    suggestedName: 'engine',
    kind: { mayAcquire: engineMayConnect },
  },
  {
    names: ['sqlalchemy.orm.Session', 'sqlalchemy.orm.session.Session'],
    noun: 'session',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'session',
    kind: { finishingMethods: SESSION_FINISHING },
  },
  {
    names: ['sqlalchemy.ext.asyncio.AsyncSession'],
    noun: 'session',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'session',
    kind: { finishingMethods: SESSION_FINISHING },
  },
];

/** ORM sessions (a bind passed to them, if any, decides whether they hold their own connection). */
const SESSION_CLASSES = new Set([
  'sqlalchemy.orm.Session',
  'sqlalchemy.orm.session.Session',
  'sqlalchemy.ext.asyncio.AsyncSession',
]);

const BY_NAME = new Map<string, ConnectionFactory>();
for (const f of FACTORIES) for (const n of f.names) BY_NAME.set(n, f);

const SESSIONMAKERS = new Map([
  ['sqlalchemy.orm.sessionmaker', false],
  ['sqlalchemy.orm.session.sessionmaker', false],
  ['sqlalchemy.ext.asyncio.async_sessionmaker', true],
]);
const ENGINE_FACTORIES = new Map([
  ['sqlalchemy.create_engine', false],
  ['sqlalchemy.engine.create_engine', false],
  ['sqlalchemy.ext.asyncio.create_async_engine', true],
]);

const RELEASE = new Set(['close', 'aclose', 'dispose', 'disconnect', 'clear']);
const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
/** Results that keep no reference to the connection: rows, read responses, values. */
const DATA_METHODS = new Set([
  // SQLAlchemy results: lists and rows, which do not keep the session open.
  'all',
  'first',
  'one',
  'one_or_none',
  'scalar_one',
  'scalar_one_or_none',
  'fetchall',
  'fetchone',
  'fetchmany',
  'commit',
  'rollback',
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'request',
  'set',
  'ping',
  'scalar',
  'keys',
  'hget',
  'hset',
  'lpush',
  'rpush',
  'incr',
  'expire',
  'publish',
  'list_database_names',
  'server_info',
  'urlopen',
  'count_documents',
  'estimated_document_count',
  'find_one',
  'insert_one',
  'insert_many',
  'update_one',
  'update_many',
  'replace_one',
  'delete_one',
  'delete_many',
]);
/** aiohttp's responses read their body through the session's connection: not plain data. */
const AIOHTTP_DATA_METHODS = new Set([...DATA_METHODS].filter((m) => !HTTP_VERBS.has(m)));

function kindOf(
  noun: string,
  withReleases: boolean,
  dataMethods: ReadonlySet<string> = DATA_METHODS,
  extra: Partial<ResourceKind> = {},
): ResourceKind {
  const engine = noun === 'engine';
  return {
    noun,
    release: engine ? 'dispose' : 'close',
    releaseIt: engine ? 'dispose it' : 'close it',
    released: engine ? 'disposed' : 'closed',
    releaseMethods: RELEASE,
    withReleases,
    dataMethods,
    attributesKeepAlive: true,
    ...extra,
  };
}

/** Engine methods that neither connect nor hand out something that may. */
const ENGINE_IDLE_METHODS = new Set([
  'dispose',
  'get_execution_options',
  'update_execution_options',
  'clear_compiled_cache',
]);

/**
 * Whether a use of an engine may connect: anything but reading an attribute (`engine.dialect`,
 * `engine.url`), a method that does not connect, compiling with it (`stmt.compile(engine)`) or a
 * call that only looks at it (`print`, `str`).
 */
function engineMayConnect(model: SemanticModel, node: Node): boolean {
  const use = useOf(node);
  switch (use.kind) {
    case 'attribute':
      return false;
    case 'method':
      return !ENGINE_IDLE_METHODS.has(use.method);
    case 'argument': {
      const fn = use.call.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'compile') return false;
      return !isNonRetainingCall(model, use.call);
    }
    default:
      return true;
  }
}

function policyOf(
  f: Pick<ConnectionFactory, 'manage' | 'isAsync' | 'finallyCall' | 'suggestedName'>,
): FixPolicy {
  return {
    manage: f.manage,
    isAsync: f.isAsync,
    finallyCall: f.finallyCall,
    redundant:
      f.manage === 'try-finally'
        ? new Set(['dispose'])
        : new Set(f.isAsync ? ['close', 'aclose'] : ['close']),
    suggestedName: f.suggestedName,
  };
}

function factoryFrom(f: ConnectionFactory, call: Node): Factory {
  const data = f.names.some((n) => n.startsWith('aiohttp.')) ? AIOHTTP_DATA_METHODS : DATA_METHODS;
  return { label: callLabel(call), kind: kindOf(f.noun, f.withReleases, data, f.kind), fix: policyOf(f) };
}

/**
 * Whether `name` (an identifier) is bound only to the result of one of `factories` (by qualified
 * name): `SessionLocal = sessionmaker(...)`, `engine = create_engine(url)`. Returns whether that
 * factory is the async one, or undefined.
 */
function boundToCallOf(
  model: SemanticModel,
  name: Node,
  factories: Map<string, boolean>,
): boolean | undefined {
  const binding = model.resolve(name);
  if (binding?.kind !== 'assignment') return undefined;
  let isAsync: boolean | undefined;
  for (const site of binding.sites) {
    if (site.parent?.type === 'assignment' && site.parent.childForFieldName('left')?.id !== site.id)
      return undefined;
    const value = model.assignedValue(site);
    if (value?.type !== 'call') return undefined;
    const flag = factories.get(model.calleeName(value) ?? '');
    if (flag === undefined) return undefined;
    isAsync = flag;
  }
  return isAsync;
}

const ENGINE_NAME = /(?:^|_)engine$/i;
const ENGINE_TYPE = /(?:^|\.)(?:Async)?Engine$/;

/** The last name of an expression: `engine`, `self._engine` → `_engine`, `get_engine()` → `get_engine`. */
function lastName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    return fn ? lastName(fn) : undefined;
  }
  return undefined;
}

/**
 * What we know of `node` being a SQLAlchemy engine: `sure` for a `create_engine()` call, a name
 * bound to one, a parameter annotated `Engine`, or `self.x` assigned one in the class;
 * `by-name` for anything else named like one (`engine`, `self._engine`, `get_engine()`).
 */
function engineEvidence(
  model: SemanticModel,
  node: Node,
): { evidence: 'sure' | 'by-name'; isAsync: boolean } | undefined {
  if (node.type === 'call') {
    const isAsync = ENGINE_FACTORIES.get(model.calleeName(node) ?? '');
    if (isAsync !== undefined) return { evidence: 'sure', isAsync };
    // `engine.execution_options(...)` is an engine sharing the pool.
    const fn = node.childForFieldName('function');
    const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (receiver && SAME_CONNECTION.has(fn?.childForFieldName('attribute')?.text ?? ''))
      return engineEvidence(model, receiver);
  } else if (node.type === 'identifier') {
    const isAsync = boundToCallOf(model, node, ENGINE_FACTORIES);
    if (isAsync !== undefined) return { evidence: 'sure', isAsync };
    const binding = model.resolve(node);
    const site = binding?.kind === 'parameter' ? binding.sites[0] : undefined;
    const annotation = site?.parent?.childForFieldName('type')?.text;
    if (annotation && ENGINE_TYPE.test(annotation.replace(/\s/g, '')))
      return { evidence: 'sure', isAsync: annotation.includes('Async') };
  } else if (node.type === 'attribute' && assignedEngineInClass(model, node)) {
    return { evidence: 'sure', isAsync: assignedEngineInClass(model, node) === 'async' };
  }
  const name = lastName(node);
  return name && ENGINE_NAME.test(name) ? { evidence: 'by-name', isAsync: false } : undefined;
}

/** `self.engine` where the class assigns `self.engine = create_engine(...)`: whether async. */
function assignedEngineInClass(model: SemanticModel, node: Node): 'sync' | 'async' | undefined {
  const receiver = node.childForFieldName('object');
  const attribute = node.childForFieldName('attribute')?.text;
  const cls = model.scopeOf(node).enclosingClass;
  if (receiver?.type !== 'identifier' || !attribute || !cls) return undefined;
  let found: 'sync' | 'async' | undefined;
  for (const assignment of cls.node.descendantsOfType('assignment')) {
    const left = assignment?.childForFieldName('left');
    const right = assignment?.childForFieldName('right');
    if (left?.type !== 'attribute' || left.childForFieldName('attribute')?.text !== attribute) continue;
    if (left.childForFieldName('object')?.text !== receiver.text || right?.type !== 'call') continue;
    const isAsync = ENGINE_FACTORIES.get(model.calleeName(right) ?? '');
    if (isAsync === undefined) return undefined;
    found = isAsync ? 'async' : 'sync';
  }
  return found;
}

/**
 * `Session(connection)`, `Session(bind=conn)`, `SessionLocal(bind=conn)`: a session on a
 * connection the caller passes borrows it; only a session on an engine (or on none given)
 * checks out a connection of its own.
 */
function borrowsConnection(model: SemanticModel, call: Node): boolean {
  const bind = keywordArgument(call, 'bind') ?? positionalArguments(call)[0];
  if (!bind) return false;
  return !engineEvidence(model, bind);
}

function classify(ctx: RuleContext, call: Node): Factory | undefined {
  const { model, settings } = ctx;
  const qualified = model.calleeName(call);
  if (qualified) {
    const known = BY_NAME.get(qualified);
    if (known && SESSION_CLASSES.has(qualified) && borrowsConnection(model, call)) return undefined;
    if (known) return factoryFrom(known, call);
    if (settings.extendConnectionFactories.includes(qualified)) {
      // A user's factory: we do not know its context manager, so no automatic fix.
      return {
        label: callLabel(call),
        kind: kindOf('connection', true),
        fix: { manage: 'none', isAsync: false, redundant: new Set(), suggestedName: 'conn' },
      };
    }
    return undefined;
  }
  const fn = call.childForFieldName('function');
  // `engine.connect()` on an engine: `create_engine(...)`'s result, a parameter, `self.engine`.
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'connect') {
    const receiver = fn.childForFieldName('object');
    const engine = receiver && engineEvidence(model, receiver);
    if (!engine) return undefined;
    // `await engine.connect()` is an async engine's; `async with engine.connect()` enters the call.
    const awaited = unparenthesizedParent(call).parent?.type === 'await';
    const isAsync = engine.isAsync || awaited;
    const factory = factoryFrom(
      {
        names: [],
        noun: 'connection',
        withReleases: true,
        isAsync,
        manage: 'with',
        suggestedName: 'conn',
        kind: { sameObjectMethods: SAME_CONNECTION },
      },
      call,
    );
    factory.fix = { ...factory.fix, enterCall: true };
    if (engine.evidence === 'by-name')
      factory.assumption = `\`${shortName(receiver)}\` is a SQLAlchemy engine (its type is not known here)`;
    return factory;
  }
  // `db = SessionLocal()` where `SessionLocal = sessionmaker(...)`.
  if (fn?.type === 'identifier') {
    const isAsync = boundToCallOf(model, fn, SESSIONMAKERS);
    if (isAsync === undefined || borrowsConnection(model, call)) return undefined;
    return factoryFrom(
      {
        names: [],
        noun: 'session',
        withReleases: true,
        isAsync,
        manage: 'with',
        suggestedName: 'session',
        kind: { finishingMethods: SESSION_FINISHING },
      },
      call,
    );
  }
  return undefined;
}

function shortName(node: Node): string {
  const text = node.text.replace(/\s+/g, '');
  return text.length <= 40 ? text : `…${text.slice(-39)}`;
}

const FACTORY_LAST_NAMES = new Set(
  FACTORIES.flatMap((f) => f.names.map((n) => n.slice(n.lastIndexOf('.') + 1))),
);

/** Names bound to a `sessionmaker(...)` call (`SessionLocal = sessionmaker(bind=engine)`). */
function sessionmakerNames(text: string): string[] {
  if (!text.includes('sessionmaker')) return [];
  const names: string[] = [];
  const finder =
    /([\p{L}_][\p{L}\p{N}_]*)\s*(?::[^=\n]*)?=\s*(?:[\p{L}_][\p{L}\p{N}_.]*\.)?(?:async_)?sessionmaker\s*\(/gu;
  for (let m = finder.exec(text); m; m = finder.exec(text)) names.push(m[1]);
  return names;
}

function calleeNames(text: string, settings: EngineSettings): string[] {
  const custom = settings.extendConnectionFactories.map((q) => q.slice(q.lastIndexOf('.') + 1));
  // `engine.connect()` ends with `connect`; `SessionLocal()` with a sessionmaker-bound name.
  return [...FACTORY_LAST_NAMES, 'connect', ...custom, ...sessionmakerNames(text)];
}

const spec: ResourceRuleSpec = {
  calleeNames: (ctx) => calleeNames(ctx.file.text, ctx.settings),
  classify,
  defaultSeverity: 'warning',
  milderSeverity: 'information',
};

export const rule: Rule = {
  code: 'LEAK004',
  name: 'unclosed-connection',
  defaultSeverity: 'warning',
  summary:
    'A database connection, HTTP session or client created inside a function is never closed (or only when nothing raises).',
  fixable: true,
  docs: {
    whatItDoes: `
      Finds connections, sessions and clients created inside a function — \`sqlite3.connect\`,
      \`psycopg2.connect\`, \`psycopg.connect\`, \`pymysql.connect\`, \`mysql.connector.connect\`,
      \`redis.Redis\`/\`StrictRedis\`/\`from_url\` (and \`redis.asyncio\`), \`pymongo.MongoClient\`, \`asyncpg.connect\`,
      \`smtplib.SMTP\`/\`SMTP_SSL\`, \`ftplib.FTP\`, \`imaplib.IMAP4\`/\`IMAP4_SSL\`, \`http.client.HTTPConnection\`,
      \`requests.Session\`, \`httpx.Client\`/\`AsyncClient\`, \`aiohttp.ClientSession\`,
      \`urllib3.PoolManager\`, sockets (\`socket.socket\`, \`socket.create_connection\`,
      \`socket.create_server\`, \`socket.fromfd\`), \`urllib.request.urlopen\` responses, SQLAlchemy
      \`create_engine\`, \`engine.connect()\` (on a \`create_engine(...)\` result, on \`self.engine\` or on
      a parameter) and ORM sessions (\`Session(engine)\`, sessions from a \`sessionmaker()\`) — that
      are neither used as a (async) context manager, nor closed in a \`finally\`, nor handed on
      (returned, yielded, stored on \`self\` or a global, passed to another call). Chained use of a
      fresh connection (\`sqlite3.connect(p).execute(...)\`) is flagged too, and so are the callers of
      a function of the same module that returns a fresh one (\`def _db(): return sqlite3.connect(p)\`).
      One stored on \`self\` is its owner's: reported only when the class has a teardown method
      (\`close()\`, \`stop()\`, \`__exit__\`, …) that forgets it. A \`stop()\` or \`close()\` that
      returns what it computes (\`return self._post("stop")\`, a remote command) is not the object's
      teardown.

      What is passed in, returned, stored on an owner or handed to a wrapper belongs to someone
      else. A session on a connection the caller passes (\`Session(connection)\`,
      \`Session(bind=conn)\`) borrows it; an engine only used for its dialect or to compile a
      statement never connects; a session whose last use is \`commit()\` or \`rollback()\` has given
      its connection back to the pool; a response read to the end (\`read()\`, a \`for\` loop,
      \`json.load\`) has closed its connection.

      Each library's semantics are known: \`with sqlite3.connect(p) as conn:\` and
      \`with psycopg2.connect(...) as conn:\` only commit or roll back a transaction and do **not**
      close the connection, so they are flagged; psycopg 3's, SQLAlchemy's, requests', httpx's,
      aiohttp's, redis', pymongo's, sockets' and responses' context managers do close. A close that
      only runs when there is nothing to close (\`if conn is None: conn.close()\`) does not count,
      and one in a handler for some exceptions only (\`except ValueError:\`) does not cover the
      others. Module-level singletons and FastAPI-style dependencies that \`yield\` the session and
      close it in \`finally\` are fine. More factories can be added with
      \`extend-connection-factories\` (qualified names).

      Severity says how sure the finding is: \`warning\` when the connection is certainly never
      closed; \`information\` when it is closed (or its connection given back) only if no exception
      occurs first, or when the finding rests on a fact the code does not show (\`engine.connect()\`
      on a parameter only named like an engine: the message names the assumption); \`hint\` in code
      that runs once — \`main()\`, \`if __name__ == "__main__":\`, management commands and other
      command-line entry points, \`setup.py\`, \`noxfile.py\`, \`conf.py\` — where a leak cannot
      pile up (the message says why the code runs once).
    `,
    whyIsThisBad: `
      Every unclosed connection holds a socket or file descriptor, server-side session state and
      the buffers of its driver until the garbage collector happens to reclaim it — which may be
      never when a reference cycle or a traceback keeps it alive. In a service that opens one per
      request, connections pile up until the database refuses new ones ("too many connections") or
      the process runs out of file descriptors and memory.

      **Fixes and their safety.** **Safe**: \`with\` (or \`with closing(...)\` for sqlite3 and
      psycopg2, \`try\`/\`finally: engine.dispose()\` for an engine) around the uses; for a
      connection made in a \`try\` whose handlers return or raise, \`try\`/\`finally\` around the
      statements after it up to the last use (or a \`finally\` added to the one \`try\` that uses
      it); for \`with sqlite3.connect(p) as conn:\` used after the block, an outer
      \`with closing(...)\` around the block and those uses; for a connection made and dropped in one
      statement, \`.close()\` in that statement (CPython frees it there anyway); for a connection
      closed at the end of a \`try\` and closed again in one of its handlers, \`with\` around the
      uses in the \`try\` (the handler's second \`close()\` finds it closed, which \`close()\`
      accepts); for a name bound to a connection in several branches (\`if unix: s =
      socket.socket(AF_UNIX)\` / \`else: s = socket.socket(AF_INET)\`, a \`try\` and a handler that
      connects again) or to something else in another branch, a \`with ExitStack() as stack:\` from
      the first binding to the last use, each creation written \`stack.enter_context(...)\`: whichever
      were made are closed at the end of the block, on every path. **Unsafe**: that \`ExitStack\`
      around a whole loop when a pass may use the connection a previous pass made (every one the
      loop makes stays open until it ends); the same \`try\`/\`finally\` when a handler goes on instead of leaving
      (the name may then be unbound after the \`try\`: the \`finally\` raises the same
      \`UnboundLocalError\` the uses did); a
      connection from a configured factory put in \`closing()\` (it assumes a \`close()\` method);
      the close added to a teardown method that forgets it (code still using the attribute after the
      teardown would fail). No fix for an aiohttp session made in a plain \`def\` (closing it needs
      \`await\`).
    `,
    example: `
      import sqlite3

      def load_users(path):
          conn = sqlite3.connect(path)
          rows = conn.execute("SELECT * FROM users").fetchall()
          return rows
    `,
    useInstead: `
      import sqlite3
      from contextlib import closing

      def load_users(path):
          with closing(sqlite3.connect(path)) as conn:
              rows = conn.execute("SELECT * FROM users").fetchall()
          return rows
    `,
    references: [
      'https://docs.python.org/3/library/sqlite3.html#how-to-use-the-connection-context-manager',
      'https://www.psycopg.org/psycopg3/docs/basic/from_pg2.html#with-connection',
      'https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/',
    ],
  },
  // The rule follows the calls `callsNamed` finds (and the helpers returning what they create).
  mayFire: (text, { settings }) => mayCallAny(text, calleeNames(text, settings)),
  check(ctx) {
    checkResources(ctx, spec);
  },
};
