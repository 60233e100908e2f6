// LEAK004 unclosed-connection: database connections, HTTP sessions and clients, Redis/Mongo clients
// and SQLAlchemy engines/sessions created inside a function and never closed (or closed only when
// nothing raises). Each library's `with` semantics matter: sqlite3's and psycopg2's connection
// context managers only wrap a transaction and do not close.
import type { FixPolicy } from '../fixes/resource-fixes';
import type { ResourceKind } from '../model/lifecycle';
import { callLabel, checkResources, type Factory, type ResourceRuleSpec } from '../model/resource-check';
import type { SemanticModel } from '../model/semantic';
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';

type Manage = FixPolicy['manage'];

interface ConnectionFactory {
  names: string[];
  noun: string;
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
    names: ['urllib3.PoolManager', 'urllib3.poolmanager.PoolManager'],
    noun: 'pool manager',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'http',
  },
  // An Engine is a connection pool with no context manager: `dispose()` it in `finally`.
  {
    names: ['sqlalchemy.create_engine', 'sqlalchemy.engine.create_engine'],
    noun: 'engine',
    withReleases: false,
    isAsync: false,
    manage: 'try-finally',
    finallyCall: 'dispose()',
    suggestedName: 'engine',
  },
  {
    names: ['sqlalchemy.ext.asyncio.create_async_engine'],
    noun: 'engine',
    withReleases: false,
    isAsync: true,
    manage: 'try-finally',
    finallyCall: 'dispose()',
    suggestedName: 'engine',
  },
  {
    names: ['sqlalchemy.orm.Session', 'sqlalchemy.orm.session.Session'],
    noun: 'session',
    withReleases: true,
    isAsync: false,
    manage: 'with',
    suggestedName: 'session',
  },
  {
    names: ['sqlalchemy.ext.asyncio.AsyncSession'],
    noun: 'session',
    withReleases: true,
    isAsync: true,
    manage: 'with',
    suggestedName: 'session',
  },
];

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
  };
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
  return { label: callLabel(call), kind: kindOf(f.noun, f.withReleases, data), fix: policyOf(f) };
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

function classify(ctx: RuleContext, call: Node): Factory | undefined {
  const { model, settings } = ctx;
  const qualified = model.calleeName(call);
  if (qualified) {
    const known = BY_NAME.get(qualified);
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
  // `engine.connect()` on a `create_engine(...)` result.
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'connect') {
    const receiver = fn.childForFieldName('object');
    if (receiver?.type !== 'identifier') return undefined;
    const isAsync = boundToCallOf(model, receiver, ENGINE_FACTORIES);
    if (isAsync === undefined) return undefined;
    return factoryFrom(
      { names: [], noun: 'connection', withReleases: true, isAsync, manage: 'with', suggestedName: 'conn' },
      call,
    );
  }
  // `db = SessionLocal()` where `SessionLocal = sessionmaker(...)`.
  if (fn?.type === 'identifier') {
    const isAsync = boundToCallOf(model, fn, SESSIONMAKERS);
    if (isAsync === undefined) return undefined;
    return factoryFrom(
      { names: [], noun: 'session', withReleases: true, isAsync, manage: 'with', suggestedName: 'session' },
      call,
    );
  }
  return undefined;
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

const spec: ResourceRuleSpec = {
  calleeNames(ctx) {
    const custom = ctx.settings.extendConnectionFactories.map((q) => q.slice(q.lastIndexOf('.') + 1));
    // `engine.connect()` ends with `connect`; `SessionLocal()` with a sessionmaker-bound name.
    return [...FACTORY_LAST_NAMES, 'connect', ...custom, ...sessionmakerNames(ctx.file.text)];
  },
  classify,
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
      \`redis.Redis\`/\`StrictRedis\`/\`from_url\` (and \`redis.asyncio\`), \`pymongo.MongoClient\`,
      \`requests.Session\`, \`httpx.Client\`/\`AsyncClient\`, \`aiohttp.ClientSession\`,
      \`urllib3.PoolManager\`, SQLAlchemy \`create_engine\`, \`engine.connect()\` and sessions from a
      \`sessionmaker()\` — that are neither used as a (async) context manager, nor closed in a
      \`finally\`, nor handed on (returned, yielded, stored on \`self\` or a global, passed to another
      call). Chained use of a fresh connection (\`sqlite3.connect(p).execute(...)\`) is flagged too.

      Each library's semantics are known: \`with sqlite3.connect(p) as conn:\` and
      \`with psycopg2.connect(...) as conn:\` only commit or roll back a transaction and do **not**
      close the connection, so they are flagged; psycopg 3's, SQLAlchemy's, requests', httpx's,
      aiohttp's, redis' and pymongo's context managers do close. A connection closed on the normal
      path but not in \`finally\` is reported at a lower severity. Module-level singletons and
      FastAPI-style dependencies that \`yield\` the session and close it in \`finally\` are fine.
      More factories can be added with \`extend-connection-factories\` (qualified names).
    `,
    whyIsThisBad: `
      Every unclosed connection holds a socket or file descriptor, server-side session state and
      the buffers of its driver until the garbage collector happens to reclaim it — which may be
      never when a reference cycle or a traceback keeps it alive. In a service that opens one per
      request, connections pile up until the database refuses new ones ("too many connections") or
      the process runs out of file descriptors and memory.
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
  check(ctx) {
    checkResources(ctx, spec);
  },
};
