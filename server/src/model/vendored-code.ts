// Which files are third-party code vendored into the project (a copy of a library kept in the
// repository, `lib/boto/`, `ext/requests/`, `myapp/vendor/sockjs/`), left out of analysis unless
// `includeVendored` is on: its findings are true of the library, not of the user's code, and the
// user cannot fix them in place. Decided once here, for the CLI and the language server alike,
// from the path and (through a lister the caller passes) the names in the folders on it: no
// file-system access here. As with test code (test-code.ts), only the folders between the
// project root and the file count, so a checkout under `/home/me/vendor/proj` is not all vendored.
import { join } from 'node:path';
import { type FolderLister, pathBelow, rootHolding } from './test-code';

/**
 * Folder names that say "someone else's code" by themselves. `site-packages` and `dist-packages`
 * are installed libraries (a folder met while walking is skipped already; this covers one named
 * on the command line or opened in the editor).
 */
const VENDOR_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'vendor',
  'vendored',
  '_vendor',
  '_vendored',
  'third_party',
  '_third_party',
  'thirdparty',
  'third-party',
  '3rdparty',
  'extern',
  'externals',
  'site-packages',
  'dist-packages',
]);

/**
 * Generic folder names that hold either the project's own modules (`ckan/lib/`, `mopidy/ext/`) or
 * libraries copied in and put on `sys.path` (`lib/`, `ext/` of a media daemon): told apart by
 * what they hold (isVendoredLibraryFolder).
 */
const LIBRARY_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'lib',
  'libs',
  '_lib',
  '_libs',
  'ext',
  'exts',
  'extlib',
  'extlibs',
  'packages',
  'deps',
  'dependencies',
  'bundled',
]);

/**
 * Import names of widely used third-party distributions (the top-level package or module a copy
 * brings along). Names that are also common names of a project's own modules (`github`, `dns`,
 * `telegram`, `validate`, `crypto`) are left out: one of those beside the project's code must not
 * count.
 */
const KNOWN_DISTRIBUTIONS: ReadonlySet<string> = new Set([
  // HTTP, networking, parsing
  'requests',
  'urllib3',
  'idna',
  'certifi',
  'chardet',
  'charset_normalizer',
  'httplib2',
  'httpx',
  'httpcore',
  'h11',
  'anyio',
  'sniffio',
  'aiohttp',
  'multidict',
  'yarl',
  'async_timeout',
  'websocket',
  'websockets',
  'requests_oauthlib',
  'requests_toolbelt',
  'oauthlib',
  'cachecontrol',
  'cloudscraper',
  'rfc3986',
  'uritemplate',
  'bs4',
  'soupsieve',
  'html5lib',
  'webencodings',
  'lxml',
  'feedparser',
  'xmltodict',
  'bleach',
  'html2text',
  'pyparsing',
  'ply',
  'pycparser',
  // Cloud and services
  'boto',
  'boto3',
  'botocore',
  's3transfer',
  'googleapiclient',
  'oauth2client',
  'tweepy',
  'twilio',
  'stripe',
  'sentry_sdk',
  'raven',
  'paramiko',
  'ldap3',
  'pysnmp',
  // Web frameworks and templating
  'tornado',
  'flask',
  'werkzeug',
  'itsdangerous',
  'jinja2',
  'markupsafe',
  'mako',
  'django',
  'bottle',
  'cherrypy',
  'starlette',
  'fastapi',
  'uvicorn',
  'gunicorn',
  'twisted',
  'zope',
  'gevent',
  'greenlet',
  'eventlet',
  'blinker',
  // Data, storage, serialization
  'sqlalchemy',
  'alembic',
  'psycopg2',
  'pymysql',
  'MySQLdb',
  'pymongo',
  'bson',
  'redis',
  'celery',
  'kombu',
  'billiard',
  'amqp',
  'vine',
  'yaml',
  '_yaml',
  'simplejson',
  'ujson',
  'msgpack',
  'toml',
  'tomli',
  'tomlkit',
  'configobj',
  'jsonschema',
  'pyrsistent',
  'marshmallow',
  'pydantic',
  'diskcache',
  'dogpile',
  'cachetools',
  // Compatibility and utilities
  'six',
  'future',
  'past',
  'libfuturize',
  'libpasteurize',
  'typing_extensions',
  'importlib_metadata',
  'importlib_resources',
  'zipp',
  'backports',
  'contextlib2',
  'funcsigs',
  'singledispatch',
  'pathlib2',
  'scandir',
  'more_itertools',
  'decorator',
  'wrapt',
  'deprecated',
  'attr',
  'attrs',
  'click',
  'colorama',
  'termcolor',
  'tabulate',
  'tqdm',
  'packaging',
  'pkg_resources',
  'setuptools',
  'pip',
  'wheel',
  'appdirs',
  'platformdirs',
  'stevedore',
  'pbr',
  'tenacity',
  'retrying',
  'backoff',
  'sortedcontainers',
  'bidict',
  'dateutil',
  'pytz',
  'tzlocal',
  'isodate',
  'iso8601',
  'croniter',
  'apscheduler',
  'babel',
  'markdown',
  'markdown2',
  'docutils',
  'pygments',
  'unidecode',
  'slugify',
  'send2trash',
  'rarfile',
  'mock',
  'jwt',
  'jose',
  'passlib',
  'bcrypt',
  'cryptography',
  'OpenSSL',
  'nacl',
  'Crypto',
  'Cryptodome',
  'rsa',
  'pyasn1',
  'ecdsa',
  'psutil',
  'serial',
  // Media
  'guessit',
  'rebulk',
  'babelfish',
  'subliminal',
  'enzyme',
  'pysubs2',
  'pymediainfo',
  'PIL',
  'mutagen',
]);

/** `name-1.2.dist-info` / `name.egg-info` → `name`, lower case with `_` (as an import name). */
function distributionOf(entry: string): string | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9._]*?)(?:-[^-]*)?\.(?:dist|egg)-info$/.exec(entry);
  return m ? m[1].toLowerCase().replace(/[-.]/g, '_') : undefined;
}

/**
 * Whether a folder with a generic name (`lib/`, `ext/`, `packages/`…), given the names in it,
 * holds copies of third-party libraries rather than the project's own modules:
 * - at least three of its top-level packages or modules are import names of widely used
 *   distributions (KNOWN_DISTRIBUTIONS, or a distribution whose `*.dist-info` / `*.egg-info`
 *   metadata folder sits beside it), two of them packages (folders), and they are at least a
 *   quarter of what it holds: a project's own `lib/` with a `redis.py` wrapper or a `fido2/`
 *   helper among forty modules is not one;
 * - or it holds the metadata folders of two distributions or more (`pip install --target lib`);
 *   a project's own `src/` keeps at most its own `*.egg-info`.
 */
export function isVendoredLibraryFolder(names: readonly string[]): boolean {
  const withMetadata = new Set<string>();
  for (const name of names) {
    const dist = distributionOf(name);
    if (dist !== undefined) withMetadata.add(dist);
  }
  if (withMetadata.size >= 2) return true;
  let entries = 0;
  let known = 0;
  let knownPackages = 0;
  for (const name of names) {
    const isModule = name.endsWith('.py');
    // A package is a folder: a name without a dot (`LICENSE`-like files are not known names).
    const isPackage = !isModule && !name.includes('.') && name !== '__pycache__';
    if ((!isModule && !isPackage) || name === '__init__.py') continue;
    entries++;
    const importName = isModule ? name.slice(0, -3) : name;
    if (KNOWN_DISTRIBUTIONS.has(importName) || withMetadata.has(importName.toLowerCase())) {
      known++;
      if (isPackage) knownPackages++;
    }
  }
  return known >= 3 && knownPackages >= 2 && known * 4 >= entries;
}

/**
 * A folder named `vendor` (or so) that is itself a Django application (`apps.py`, `models.py`
 * beside its `__init__.py`): the project's model of vendors (sellers), not vendored code.
 */
function isApplicationFolder(names: readonly string[] | undefined): boolean {
  return names !== undefined && (names.includes('apps.py') || names.includes('models.py'));
}

/**
 * Whether the file at `path` is vendored third-party code: a folder between `root` and the file
 * named like vendored code (`vendor`, `_vendor`, `third_party`, `extern`, `site-packages`…), or,
 * with `listFolder`, a generic library folder (`lib`, `ext`, `packages`…) that holds copies of
 * well-known distributions (isVendoredLibraryFolder). The root itself never counts (a scan of
 * `lib/` itself analyses it), nor does a file outside `root`. Both paths are absolute.
 */
export function isVendoredFile(path: string, root: string, listFolder?: FolderLister): boolean {
  const rel = pathBelow(root, path);
  if (rel === undefined) return false;
  const parts = rel.split(/[\\/]/);
  parts.pop();
  let dir = root;
  for (const part of parts) {
    dir = join(dir, part);
    const name = part.toLowerCase();
    if (VENDOR_FOLDER_NAMES.has(name)) {
      if (!isApplicationFolder(listFolder?.(dir))) return true;
    } else if (LIBRARY_FOLDER_NAMES.has(name) && listFolder) {
      const names = listFolder(dir);
      if (names && isVendoredLibraryFolder(names)) return true;
    }
  }
  return false;
}

/**
 * The project root to judge `path` against for vendored code: the outermost of `roots` (the scan
 * root or workspace folder, the folder of the pyproject.toml that configures the file) that holds
 * it, so a `pyproject.toml` shipped inside a vendored copy does not make the copy its own project.
 */
export function vendoredRoot(path: string, roots: readonly (string | undefined)[]): string | undefined {
  return rootHolding(path, roots, 'outermost');
}
