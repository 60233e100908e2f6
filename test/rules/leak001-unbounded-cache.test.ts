import * as assert from 'node:assert/strict';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { dedent } from '../../server/src/fixes/edits';
import { rule } from '../../server/src/rules/leak001-unbounded-cache';
import { DEFAULT_SETTINGS } from '../../server/src/types';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'a pool per rendering host on the request path, the hosts copied from the settings: nothing shows the keys come with the traffic, not reported',
      code: `
        from django.conf import settings

        _pools = {}


        def render(request):
            for host in list(settings.RENDER_HOSTS):
                if host not in _pools:
                    _pools[host] = open_pool(host)
                send(_pools[host], request.body)
      `,
    },
    {
      name: "a memo keyed by the repr of what a decorator factory wraps, written in a callback: the keys are the code's own schemas, not reported",
      code: `
        _seen = {}


        def tracked(fn):
            def wrapper(*args):
                result = fn(*args)
                _seen[repr(result)] = fn.__name__
                return result

            return wrapper
      `,
    },
    {
      name: 'in an indexed project, a method nobody in it calls, keyed by its class and a name (a descriptor the language calls): no evidence of traffic, not reported',
      path: 'lib/props.py',
      project: { 'lib/other.py': 'VALUE = 1\n' },
      code: `
        class classproperty:
            cache = {}

            def __init__(self, getter):
                self.getter = getter
                self.name = getter.__name__

            def __get__(self, instance, owner):
                key = (owner, self.name)
                if key not in self.cache:
                    self.cache[key] = self.getter(owner)
                return self.cache[key]
      `,
    },
    {
      name: 'a config lookup that a route handler of another module calls with an issuer: what it passes is not visible here, not reported',
      path: 'auth/oidc.py',
      project: {
        'auth/views.py': `
          from auth.oidc import discover

          def login(request):
              return discover(request.registry.settings["issuer"])
        `,
      },
      code: `
        _documents = {}


        def discover(issuer):
            if issuer not in _documents:
                _documents[issuer] = fetch_json(issuer + "/.well-known/openid-configuration")
            return _documents[issuer]
      `,
    },
    {
      name: 'a memo annotated as keyed by Enum: members of enums are a finite set defined in code',
      code: `
        from enum import Enum

        _labels: dict[Enum, str] = {}


        def label(member: Enum) -> str:
            if (cached := _labels.get(member)) is None:
                _labels[member] = cached = member.name.replace("_", " ").lower()
            return cached
      `,
    },
    {
      name: 'a key looked up in a module-level table of literals (through :=): one of its values',
      code: `
        from typing import Final

        COLLECTIONS: Final = {"USDC": 36, "USDT": 37}
        _members: dict[int, set[str]] = {}


        def impersonates(token, cursor):
            if (collection_id := COLLECTIONS.get(token.symbol)) is not None:
                if (known := _members.get(collection_id)) is None:
                    known = cursor.load(collection_id)
                    _members[collection_id] = known
                return token.address not in known
            return False
      `,
    },
    {
      name: 'a class handed out by a decorator factory records what it decorates in __new__: it runs when the decorated code is defined',
      code: `
        permissions = {}


        def permission(bits):
            class Recorder:
                def __new__(cls, func):
                    permissions[func.__name__] = bits
                    return func

            return Recorder


        class Api:
            @permission(1)
            def status(self, request):
                return "ok"

            @permission(2)
            def add(self, request, url):
                return url
      `,
    },
    {
      name: 'a helper called in a `for` loop over what a function with callers elsewhere is given: the loop adds a bounded number of keys per call, and nothing shows the calls go on',
      code: `
        _originals = {}


        def refresh(config, store, changed):
            def read(key, default=""):
                value = store.get(key)
                if key not in _originals:
                    _originals[key] = config.get(key)
                return value if value is not None else _originals[key] or default

            for key in changed.keys():
                read(key)
            return read("site.theme")
      `,
    },
    {
      name: 'a cache written in a loop over installed apps by a template helper whose callers are elsewhere: the loop is not the repetition',
      code: `
        _templates = {}


        def app_templates(registry, template_name):
            result = []
            for app in registry.get_app_configs():
                key = "{}.{}".format(app.label, template_name)
                if key not in _templates:
                    _templates[key] = find_template(app, template_name)
                result.append(_templates[key])
            return result


        def render_all(registry):
            return [app_templates(registry, name) for name in ("head", "foot")]
      `,
    },
    {
      name: 'a registry whose writer raises on a name it already holds: only declarations (once per name) can fill it without failing',
      code: `
        _formatters = {}


        class formatter:
            def __init__(self, name):
                self.name = name

            def __call__(self, func):
                if self.name in _formatters:
                    raise ValueError(f"{self.name} is taken")
                _formatters[self.name] = func
                return func


        def handle_request(request):
            return _formatters[request.args["fmt"]](request.body)
      `,
    },
    {
      name: 'a class-level registry that asserts the key is new, or writes only when it is new and raises otherwise: declarations, bounded by the code',
      code: `
        class Registry:
            entries = {}
            aliases = {}

            def add(self, key, value):
                assert key not in self.entries, key
                self.entries[key] = value

            def alias(self, key, value):
                if key not in Registry.aliases:
                    Registry.aliases[key] = value
                else:
                    raise KeyError(key)
      `,
    },
    {
      name: 'a module memo of classes imported by dotted path, even on the request path: bounded by what the code base can import',
      code: `
        from django.utils.module_loading import import_string

        _backends = {}


        def backend_view(request):
            path = request.GET["backend"]
            backend = _backends.get(path)
            if backend is None:
                backend = import_string(path)
                _backends[path] = backend
            return backend(request)
      `,
    },
    {
      name: 'a writer called only under `if not d:` fills the dict once per emptying, though a route runs it',
      code: `
        from fastapi import FastAPI

        app = FastAPI()
        _columns = {}


        def load_columns(session):
            for column_id in session.column_ids():
                _columns[column_id] = session.load(column_id)


        @app.get("/columns/{column_id}")
        def column(column_id: int, session):
            if not _columns:
                load_columns(session)
            return {"found": column_id in _columns}
      `,
    },
    {
      name: 'a registry filled behind a load-once flag (a module global, or a flag set on the loader with setattr): once per process, whoever searches',
      code: `
        _by_key = {}
        _loaded = False


        def load_all(*mods):
            for mod in mods or discover():
                for key, value in mod.items():
                    _by_key[key.lower()] = value


        def find(key):
            loaded = getattr(load_all, "_done", False)
            if not loaded:
                load_all()
                setattr(load_all, "_done", True)
            return _by_key.get(key)


        def find_again(key):
            global _loaded
            if not _loaded:
                load_all()
                _loaded = True
            return _by_key.get(key)


        def view(request):
            return find(request.GET["key"]), find_again(request.GET["key"])
      `,
    },
    {
      name: "a helper called in a loop over a configuration schema's keys: once per configured option, not a repetition",
      code: `
        _originals = {}


        def refresh(config, store):
            def read(key, default=""):
                value = store.get(key)
                if key not in _originals:
                    _originals[key] = config.get(key)
                return value if value is not None else _originals[key] or default

            schema = editable_options_schema()
            for key in schema.keys():
                read(key)
            return read("site.theme")
      `,
    },
    {
      name: 'a registry keyed only by names that pass a membership test against a set filled at import (by a decorator): bounded by that set',
      code: `
        hook_names = set()
        hooks = {}


        def hook(func):
            hook_names.add(func.__name__)
            return func


        class Extension:
            def __init__(self, host):
                self.host = host
                for name in dir(self):
                    if name in hook_names:
                        entries = hooks.get(name, [])
                        entries.append(getattr(self, name))
                        hooks[name] = entries


        @hook
        def on_load(app):
            return app
      `,
    },
    {
      name: 'a registry filled at start-up from a loop over two plugin folders and their module listings: one entry per installed wallet type, not a repetition',
      code: `
        import os
        import pkgutil

        loaders = {}


        class Extensions:
            def __init__(self, config):
                self.config = config
                self.scan()

            def scan(self):
                for folder, external in ((self.builtin_dir(), False), (self.user_dir(), True)):
                    if folder and os.path.exists(folder):
                        self.scan_folder(folder, external)

            def scan_folder(self, folder, external):
                found = list(pkgutil.iter_modules([folder]))
                for finder, name, ispkg in found:
                    wallet_type = self.declared_type(folder, name)
                    if wallet_type:
                        self.add_type(name, wallet_type)

            def add_type(self, name, wallet_type):
                loaders[wallet_type] = lambda: name
      `,
    },
    {
      name: 'keyed by the dotted paths of the classes of an MRO: one entry per class',
      code: `
        from collections import defaultdict

        _listeners = defaultdict(set)


        class Listener:
            def callbacks(self):
                for klass in type(self).__mro__:
                    path = f"{klass.__module__}.{klass.__name__}"
                    for name in _listeners[path]:
                        yield name, getattr(self, name)
      `,
    },
    {
      name: 'a handler keyed by a local read from its config: one entry per configured account, however often it runs',
      code: `
        _logins = {}


        def on_task_login(task, config):
            username = config["username"]
            if username not in _logins:
                _logins[username] = connect(username, config["password"])
            return _logins[username]
      `,
    },
    {
      name: 'a registry filled in __init__ of a class this module makes, keyed by a name: neither how often nor with how many names is shown, so nothing is reported',
      code: `
        _registry = {}


        class Plugin:
            def __init__(self, name, factory):
                self.name = name
                self.factory = factory
                _registry[name] = self


        def load_plugin(spec):
            return Plugin(spec.name, spec.factory)
      `,
    },
    {
      name: 'a @cache on a private helper that every call in the module passes a literal: one result per literal',
      code: `
        import functools


        @functools.cache
        def _fields_of(schema_name):
            return resolve(load_spec(), schema_name)


        def watch_fields():
            return _fields_of("Watch")


        def tag_fields():
            return _fields_of(schema_name="Tag")
      `,
    },
    {
      name: 'keys that every call passes from configuration (a constant, a config entry, an environment variable): one entry per configured value',
      code: `
        import asyncio
        import os

        from .settings import DISCOVERY_URL

        _endpoints = {}
        _locks = {}


        def _lock_for(url):
            lock = _locks.get(url)
            if lock is None:
                lock = asyncio.Lock()
                _locks[url] = lock
            return lock


        async def _endpoint(url):
            async with _lock_for(url):
                if url not in _endpoints:
                    _endpoints[url] = await fetch(url)
                return _endpoints[url]


        async def token_endpoint(request, provider):
            if provider.kind == "env":
                return await _endpoint(DISCOVERY_URL)
            config = provider.config
            return await _endpoint(config.get("discovery_url") or os.environ.get("FALLBACK_URL", ""))
      `,
    },
    {
      name: 'a memo keyed by a setting, an enum member or a class constant',
      code: `
        from django.conf import settings

        from .kinds import Kind

        _clients = {}


        def client_for(request):
            if settings.SEARCH_URL not in _clients:
                _clients[settings.SEARCH_URL] = make_client(settings.SEARCH_URL)
            _clients[Kind.PRIMARY] = make_client(Kind.PRIMARY)
            return _clients[settings.SEARCH_URL]
      `,
    },
    {
      name: 'a module dict annotated with an enum key type holds one entry per member, whatever the key expression',
      code: `
        import enum
        from typing import Dict, Type

        class Source(str, enum.Enum):
            WEB = "web"
            FILE = "file"

        _loaded: Dict[Source, Type[object]] = {}

        def load(name):
            source = Source(name)
            if source not in _loaded:
                _loaded[source] = import_class(source.value)
            return _loaded[source]
      `,
    },
    {
      name: 'a module dict keyed by a parameter typed with an enum of the module holds one entry per member',
      code: `
        import enum

        class Plan(enum.Enum):
            FREE = "free"
            PRO = "pro"

        _limits = {}

        def limits_for(plan: Plan):
            if plan not in _limits:
                _limits[plan] = load_limits(plan.value)
            return _limits[plan]
      `,
    },
    {
      name: 'keys from the decorator factory argument: one per decorated function',
      code: `
        import functools
        from collections import defaultdict
        from weakref import WeakValueDictionary

        _locks = defaultdict(WeakValueDictionary)

        def locked(namespace):
            def decorate(func):
                @functools.wraps(func)
                async def wrapper(*args):
                    table = _locks[namespace]
                    return await func(*args)
                return wrapper
            return decorate
      `,
    },
    {
      name: 'a registry filled by the inner function of a decorator factory, whatever its parameter is called',
      code: `
        _handlers = {}

        def handles(*kinds):
            def attach(thing):
                for kind in kinds:
                    _handlers[kind] = thing
                return thing
            return attach
      `,
    },
    {
      name: 'a class-level registry filled by a classmethod decorator factory',
      code: `
        class Step:
            known = {}

            @classmethod
            def named(cls, label):
                def wrap(step_cls):
                    cls.known[label] = step_cls
                    return step_cls
                return wrap
      `,
    },
    {
      name: 'a per-class memo keyed by type(obj) is bounded by the number of classes',
      code: `
        class Renderer:
            by_type = {}

            def render(self, obj):
                if type(obj) not in self.by_type:
                    self.by_type[type(obj)] = make_renderer(obj)
                return self.by_type[type(obj)](obj)
      `,
    },
    {
      name: 'a cached class factory keyed by a class and a flag',
      code: `
        import functools

        @functools.cache
        def readonly_variant(form_class, *, strict=False):
            return type("ReadOnly", (form_class,), {"strict": strict})
      `,
    },
    {
      name: 'a cache keyed by an enum of this module holds one entry per member',
      code: `
        import enum
        from functools import cache

        class Level(enum.Enum):
            LOW = 1
            HIGH = 2

        @cache
        def threshold(level: Level) -> int:
            return level.value * 10
      `,
    },
    {
      name: 'a cached method of an object made once, at import',
      code: `
        from functools import cache

        class Settings:
            @cache
            def value(self, key):
                return lookup(key)

        settings = Settings()
      `,
    },
    {
      name: 'a cache emptied with cache_clear() when its inputs change',
      code: `
        from functools import lru_cache

        class Index:
            @lru_cache(maxsize=None)
            def position(self, item):
                return self.items.index(item)

            def changed(self):
                self.position.cache_clear()
      `,
    },
    {
      name: 'a dict written by a command-line option callback: parsed once at start-up',
      code: `
        import optparse

        _tags = {}

        def _add_tag(option, opt_str, value, parser):
            _tags[value] = True

        def options(parser):
            parser.add_option("--tag", action="callback", callback=_add_tag, type="string")
      `,
    },
    {
      name: 'Sphinx conf.py runs once per documentation build',
      path: 'docs/conf.py',
      code: `
        settings = {}

        def collect(name, value):
            settings[name] = value
      `,
    },
    {
      name: 'a Django management command runs in a process of its own',
      path: 'app/management/commands/rebuild.py',
      code: `
        _seen = {}

        class Command:
            def handle(self, *args, **options):
                for name in options["names"]:
                    _seen[name] = True
      `,
    },
    {
      name: 'a function called only from the __main__ block runs once (one-shot script code)',
      code: `
        _seen = {}

        def remember(key):
            _seen[key] = True

        if __name__ == "__main__":
            remember("x")
      `,
    },
    {
      name: 'cachetools caches are bounded',
      code: `
        import cachetools as ct
        from cachetools import TTLCache

        _users = TTLCache(maxsize=1000, ttl=300)
        _pages = ct.LRUCache(maxsize=100)

        def get_user(uid):
            _users[uid] = load(uid)
            _pages[uid] = render(uid)
      `,
    },
    {
      name: 'bounded lru_cache on free functions (explicit, bare, empty call, default 128)',
      code: `
        import functools as ft
        from functools import lru_cache

        @lru_cache(maxsize=256)
        def parse(s): ...

        @lru_cache
        def lookup(k): ...

        @lru_cache()
        def resolve(k): ...

        @ft.lru_cache(maxsize=ft_size())
        def other(k): ...
      `,
    },
    {
      name: 'bounded lru_cache on a method keeps at most maxsize instances: bounded, not reported',
      code: `
        from functools import lru_cache

        class Repo:
            @lru_cache(maxsize=32)
            def find(self, key): ...
      `,
    },
    {
      name: 'FastAPI settings idiom: cache on a function without arguments holds one value',
      code: `
        from functools import cache, lru_cache
        from pydantic_settings import BaseSettings

        class Settings(BaseSettings):
            db_url: str = "sqlite://"

        @lru_cache
        def get_settings():
            return Settings()

        @cache
        def get_engine():
            return create_engine(get_settings().db_url)

        @lru_cache(maxsize=None)
        def client(debug: bool = False):
            return make_client(debug)
      `,
    },
    {
      name: 'static and class methods: cls is one of few classes, no per-instance leak',
      code: `
        import functools

        class Codec:
            @staticmethod
            @functools.cache
            def table():
                return build()

            @classmethod
            @functools.lru_cache(maxsize=None)
            def default(cls):
                return cls()
      `,
    },
    {
      name: 'enum members are a closed set: @cache on an Enum method with only self',
      code: `
        import enum
        from functools import cache

        class Color(enum.Enum):
            RED = 1

            @cache
            def rgb(self):
                return lookup(self.value)
      `,
    },
    {
      name: 'a cache on a nested function dies with its closure',
      code: `
        from functools import cache

        def solve(grid):
            @cache
            def best(i, j):
                return grid[i][j] + min(best(i + 1, j), best(i, j + 1))
            return best(0, 0)
      `,
    },
    {
      name: 'decorator registration fills the dict at import time',
      code: `
        _handlers = {}
        ROUTES = {}

        def register(name):
            def decorator(fn):
                _handlers[name] = fn
                return fn
            return decorator

        def route(fn):
            ROUTES[fn.__name__] = fn
            return fn

        @register("create")
        def create(): ...

        @route
        def index(): ...
      `,
    },
    {
      name: 'registration API, __init_subclass__ and metaclass registries',
      code: `
        _codecs = {}
        _plugins = {}

        def register_codec(name, codec):
            _codecs[name] = codec

        class Plugin:
            registry = {}

            def __init_subclass__(cls, **kwargs):
                super().__init_subclass__(**kwargs)
                Plugin.registry[cls.__name__] = cls

        class Meta(type):
            def __new__(mcs, name, bases, ns):
                cls = super().__new__(mcs, name, bases, ns)
                _plugins[name] = cls
                return cls
      `,
    },
    {
      name: 'helpers only called while importing (transitively) fill tables',
      code: `
        opmap = {}

        def def_op(name, op):
            opmap[name] = op

        def name_op(name, op):
            def_op(name, op)

        def_op("POP_TOP", 1)
        name_op("LOAD_NAME", 101)
      `,
    },
    {
      name: 'writes under constant keys cannot grow the dict',
      code: `
        _state = {}
        DEBUG_KEY = "debug"

        def configure(debug, level):
            _state["debug"] = debug
            _state[DEBUG_KEY] = debug
            _state.update(level=level)
            _state.update({"ready": True})
            _state.setdefault("count", 0)
      `,
    },
    {
      name: 'keys from a closed set: private helper always given constants, loop over a constant tuple',
      code: `
        _tables = {}
        _modules = {}
        _names = ("dbm.gnu", "dbm.dumb")

        def _table(alphabet):
            if alphabet not in _tables:
                _tables[alphabet] = build(alphabet)
            return _tables[alphabet]

        def b32():
            return _table(b"ABC")

        def b32hex():
            return _table(alphabet=b"0123")

        def load():
            for name in _names:
                _modules[name] = __import__(name)
      `,
    },
    {
      name: 'evicted: del, pop, popitem, clear in another function',
      code: `
        _sessions = {}
        _tokens = {}
        _recent = {}

        async def login(user):
            _sessions[user.id] = user
            _tokens[user.id] = make_token()
            _recent[user.id] = now()

        async def logout(user):
            del _sessions[user.id]
            _tokens.pop(user.id, None)

        def trim():
            while _recent:
                _recent.popitem()
      `,
    },
    {
      name: 'rebinding via global resets the cache',
      code: `
        _cache = {}

        def get(k):
            _cache[k] = compute(k)
            return _cache[k]

        def reset():
            global _cache
            _cache = {}
      `,
    },
    {
      name: 'a len() bound check before writing',
      code: `
        MAX_ENTRIES = 1000
        _cache = {}

        def remember(key, value):
            if len(_cache) < MAX_ENTRIES:
                _cache[key] = value
      `,
    },
    {
      name: 'eviction through a handed-out bound method, an alias, or a local helper',
      code: `
        import atexit
        import weakref

        _by_id = {}
        _owners = {}
        _seen = {}

        atexit.register(_by_id.clear)

        def track(obj):
            _by_id[id(obj)] = obj
            _owners[id(obj)] = obj.owner
            _seen[obj.key] = True
            weakref.finalize(obj, _owners.pop, id(obj), None)

        def _evict(table, key):
            table.pop(key, None)

        def forget(obj):
            _evict(_seen, obj.key)
      `,
    },
    {
      name: 'locals, instance attributes and dicts only read at run time',
      code: `
        DEFAULTS = {}
        DEFAULTS["timeout"] = 30
        for name in ("a", "b"):
            DEFAULTS[name] = name

        def handler(request):
            cache = {}
            cache[request.path] = request
            return DEFAULTS.get(request.path)

        class Service:
            def __init__(self):
                self._cache = {}

            def get(self, k):
                self._cache[k] = load(k)
                return self._cache[k]
      `,
    },
    {
      name: 'a class-level dict replaced by an instance attribute is per instance',
      code: `
        class Client:
            _cache = {}

            def __init__(self):
                self._cache = {}

            def get(self, k):
                self._cache[k] = fetch(k)
      `,
    },
    {
      name: 'weak dictionaries release their entries',
      code: `
        import weakref
        from weakref import WeakKeyDictionary

        _live = weakref.WeakValueDictionary()
        _meta = WeakKeyDictionary()

        def track(obj):
            _live[obj.id] = obj
            _meta[obj] = describe(obj)
      `,
    },
    {
      name: 'a dict handed to other code (returned, stored elsewhere) may be evicted there',
      code: `
        _registry = {}

        def get_registry():
            return _registry

        def add(name, obj):
            _registry[name] = obj
      `,
    },
    {
      name: 'filled once behind an emptiness check (lazy initialisation)',
      code: `
        _types = {}
        _aliases = {}

        def types_map():
            if not _types:
                for ext, kind in read_mime_files():
                    _types[ext] = kind
            return _types.get

        def aliases():
            if _aliases:
                return _aliases.copy()
            _aliases.update(load_aliases())
            return _aliases.copy()
      `,
    },
    {
      name: 'a dict created with items is a lookup table that code may extend',
      code: `
        ALIASES = {"utf8": "utf-8", "latin1": "iso-8859-1"}

        def add_alias(alias, canonical):
            ALIASES[alias] = canonical
      `,
    },
    {
      name: 'FastAPI CRUD over an in-memory store with a delete endpoint',
      code: `
        from fastapi import FastAPI, HTTPException
        from pydantic import BaseModel

        app = FastAPI()

        class Item(BaseModel):
            id: int
            name: str
            tags: dict[str, str] = {}

        items_db: dict[int, Item] = {}

        @app.post("/items")
        async def create_item(item: Item):
            items_db[item.id] = item
            return item

        @app.delete("/items/{item_id}")
        async def delete_item(item_id: int):
            if item_id not in items_db:
                raise HTTPException(status_code=404)
            del items_db[item_id]
      `,
    },
    {
      name: 'Django settings and app registries are configuration',
      code: `
        from django.apps import AppConfig
        from django.dispatch import receiver

        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        _signal_handlers = {}

        class ShopConfig(AppConfig):
            name = "shop"
            labels = {}

            def ready(self):
                self.labels = {}
                self.labels["shop"] = self.name

        @receiver(post_save)
        def on_save(sender, **kwargs):
            return CACHES["default"]
      `,
    },
    {
      name: 'a lambda bound to a name and only called while importing',
      code: `
        shell_flags = {}
        addflag = lambda *args: shell_flags.update(boolean_flag(*args))
        addflag("autoindent", "Turn on autoindenting.")
      `,
    },
    {
      name: 'a defaultdict read behind a membership guard cannot insert',
      code: `
        from collections import defaultdict

        ALLOWED = defaultdict(set)
        for name in ("gt", "lt"):
            ALLOWED[name].add("int")

        def check(constraint, schema):
            if constraint not in ALLOWED:
                raise ValueError(constraint)
            return schema in ALLOWED[constraint]
      `,
    },
    {
      name: 'helpers deleted once the module is set up',
      code: `
        opmap = {}

        def def_op(name, op):
            opmap[name] = op

        def unused_op(name, op):
            def_op(name, op)

        def_op("NOP", 9)
        del def_op, unused_op
      `,
    },
    {
      name: 'a counter on a plain dict needs the key to exist already',
      code: `
        _counts = {"ok": 0, "error": 0}
        _totals = {}

        def record(status):
            _totals[status] += 1
      `,
    },
    {
      name: 'a registry written by a base __init__ whose objects are all made through a subclass at module level: start-up, bounded by the code',
      code: `
        class Codec:
            _by_label = {}

            def __init__(self, label):
                self.label = label
                self._by_label[label] = self


        class TextCodec(Codec):
            pass


        TextCodec("utf8")
        TextCodec("latin1")
      `,
    },
    {
      name: 'keys that are class constants: a literal in each class body, or a field of a constant tuple of the class (one entry per class)',
      code: `
        class Loader:
            area = None
            steps = ()
            _done = {}
            _steps = {}

            def load(self):
                self._done[self.area] = True
                for step in self.steps:
                    label = step["label"]
                    self._steps[label] = step


        class PdfLoader(Loader):
            area = "pdf"
            steps = ({"label": "parse"}, {"label": "index"})


        def handle(request):
            PdfLoader().load()
      `,
    },
    {
      name: 'a @cache on a helper reached only through wrappers that forward a literal or a default',
      code: `
        from functools import cache


        class Badge:
            @staticmethod
            @cache
            def _frame(shape):
                return load_frame(shape)

            @staticmethod
            def _draw(shape, text):
                return Badge._frame(shape).paint(text)

            def _titled(self, text, shape="round"):
                return self._draw(shape, text) + self._draw("square", "")

            def draw(self, request):
                return self._titled(request.user.name)
      `,
    },
    {
      name: "a memo keyed by a class's identity (`id(klass)`, through a local): one entry per class, bounded",
      code: `
        _wrappers = {}

        def wrapper_class(klass):
            key = id(klass)
            known = _wrappers.get(key)
            if known is not None:
                return known
            wrapper = type(klass.__name__, (Mixin, klass), {})
            _wrappers[key] = wrapper
            return wrapper
      `,
    },
    {
      name: 'buckets per backend and function whose expired entries are deleted three levels down: evicted',
      code: `
        import time

        _buckets = {}

        def bucket(backend, func_name, ttl):
            owner = backend.ident()
            if owner not in _buckets:
                _buckets[owner] = {"lookup": {}, "info": {}}
            else:
                stale = [k for k, v in _buckets[owner].get(func_name, {}).items() if v[0] + ttl < time.time()]
                for key in stale:
                    del _buckets[owner][func_name][key]
            return _buckets[owner].setdefault(func_name, {})
      `,
    },
  ],
  invalid: [
    {
      name: "a helper's memo keyed by what a Celery task passes it: the task's argument, one entry per distinct argument (information, naming the unknown)",
      code: `
        from celery import shared_task

        _previews = {}


        def _preview(address):
            if address not in _previews:
                _previews[address] = download(address)[:512]
            return _previews[address]


        @shared_task
        def index_page(page_address):
            return len(_preview(page_address))
      `,
      errors: [{ line: 3, severity: 'information', message: 'whether its values come with the traffic' }],
    },
    {
      name: 'keys taken from the items of what a registered callback receives, through a helper: one entry per item handled',
      code: `
        _digests = {}


        def digest(path):
            _digests[path] = checksum(path)


        def on_batch(batch):
            for item in batch.items:
                digest(item.path)


        def setup(bus):
            bus.subscribe("batch", on_batch)
      `,
      errors: [{ line: 1, severity: 'information' }],
    },
    {
      name: 'a table keyed by the running asyncio task, written by a callback: one entry, and the task kept alive, per task',
      code: `
        import asyncio

        _started = {}


        def mark(frame, event, arg):
            _started[asyncio.current_task()] = frame


        def install(tracer):
            tracer.on_call(mark)
      `,
      errors: [{ line: 3 }],
    },
    {
      name: 'a read-through memo under a public name: other modules may read it (mod.schemas), so its bound is unsafe',
      code: `
        schemas = {}


        def schema_of(request, validator):
            key = repr(validator)
            if key not in schemas:
                schemas[key] = build(validator)
            return schemas[key]
      `,
      errors: [{ line: 1 }],
      unsafeOutput: `
        schemas = {}


        def schema_of(request, validator):
            key = repr(validator)
            if key not in schemas:
                schemas[key] = build(validator)
                if len(schemas) > 1024:
                    del schemas[next(iter(schemas))]
            return schemas[key]
      `,
    },
    {
      name: 'a class whose __new__ records its argument, also made per request: still reported',
      code: `
        from fastapi import FastAPI

        app = FastAPI()
        seen = {}


        class Recorder:
            def __new__(cls, name):
                seen[name] = True
                return super().__new__(cls)


        @app.get("/items/{name}")
        def item(name: str):
            Recorder(name)
            return name
      `,
      errors: [{ line: 4 }],
    },
    {
      name: 'a registry that only checks for the key and then overwrites it (no raise): its growth still counts',
      code: `
        _handlers = {}

        def on_message(message):
            if message.topic in _handlers:
                print("replacing", message.topic)
            _handlers[message.topic] = message.reply_to
      `,
      errors: [{ line: 1, message: '`_handlers` is written in `on_message()` and never evicted' }],
    },
    {
      name: 'a registry that raises for another key than the one it adds: its growth still counts',
      code: `
        _sessions = {}

        def on_login(user, token):
            if user.name in _sessions:
                raise ValueError("already logged in")
            _sessions[token] = user
      `,
      errors: [{ line: 1, message: '`_sessions` is written in `on_login()` and never evicted' }],
    },
    {
      name: 'a writer called under `if not d:` and also, by a route, without it: still reported',
      code: `
        from fastapi import FastAPI

        app = FastAPI()
        _columns = {}


        def load_column(session, column_id):
            _columns[column_id] = session.load(column_id)


        def first_column(session):
            if not _columns:
                load_column(session, 1)
            return _columns.get(1)


        @app.post("/columns/{column_id}")
        def refresh(column_id: int, session):
            load_column(session, column_id)
      `,
      errors: [{ line: 4, message: 'it runs on every request' }],
    },
    {
      name: 'the same buckets per owner with nothing ever deleted from them: reported',
      code: `
        _buckets = {}

        def bucket(backend, func_name):
            owner = backend.ident()
            if owner not in _buckets:
                _buckets[owner] = {"lookup": {}, "info": {}}
            return _buckets[owner].setdefault(func_name, {})
      `,
      errors: [{ line: 1, message: '`_buckets` is written in `bucket()` and never evicted' }],
    },
    {
      name: "a memo keyed by an object's identity (`id(item)`, through a local): one entry per object ever passed",
      code: `
        _wrappers = {}

        def wrapper_for(item):
            key = id(item)
            known = _wrappers.get(key)
            if known is not None:
                return known
            wrapper = Wrapper(item)
            _wrappers[key] = wrapper
            return wrapper
      `,
      errors: [{ line: 1, message: '`_wrappers` is written in `wrapper_for()` and never evicted' }],
    },
    {
      name: 'a registry filled by a register_*() step and read by a lookup that never fills it: no bound (an evicted loader is never registered again)',
      code: `
        loaders = {}

        def register_loader(kind, loader):
            loaders[kind] = loader

        def load(kind, path):
            return loaders[kind](path)

        def watch(source):
            while True:
                for kind, loader in source.poll():
                    register_loader(kind, loader)
      `,
      errors: [{ line: 1 }],
      output: null,
    },
    {
      name: 'a record of failures written in an except handler (a deny-list): no eviction, which would re-allow the retry the code refuses',
      code: `
        _failed = {}

        def load(path):
            if prev := _failed.get(path):
                raise RuntimeError("failed before") from prev
            try:
                return compile_file(path)
            except OSError as e:
                _failed[path] = e
                raise

        def serve(queue):
            while True:
                load(queue.get())
      `,
      errors: [{ line: 1 }],
      output: null,
    },
    {
      name: 'hooks that objects add to a module dict in __init__, looked up by another function: no TTL (hooks would expire)',
      code: `
        hooks = {}

        class Plugin:
            def __init__(self, name):
                self.name = name
                found = hooks.get(name, [])
                found.append(self.run)
                hooks[name] = found

            def run(self): ...

            def close(self):
                found = hooks.get(self.name, [])
                found.remove(self.run)
                hooks[self.name] = found

        def call_hook(name):
            return [f() for f in hooks.get(name, [])]

        def load(names):
            for n in names:
                Plugin(n)
      `,
      errors: [{ line: 1 }],
      output: null,
    },
    {
      name: 'a key named like a record id but visibly built from a loop over the installed apps and an argument: information (its domain is the unknown), not a warning',
      code: `
        from django.apps import apps

        _snippets = {}


        def app_snippet(request, part):
            out = []
            for app in apps.get_app_configs():
                snippet_id = "{}:{}".format(app.label, part)
                if snippet_id not in _snippets:
                    _snippets[snippet_id] = render(app, part)
                out.append(_snippets[snippet_id])
            return out
      `,
      errors: [{ line: 3, severity: 'information', message: 'whether its values come with the traffic' }],
    },
    {
      name: 'a registry written by a base __init__ and a subclass made on every request: the registry grows with the traffic',
      code: `
        class Visit:
            _all = {}

            def __init__(self, key):
                self._all[key] = self


        class PageVisit(Visit):
            pass


        def track(request):
            PageVisit(request.path)
      `,
      errors: [{ line: 2, message: 'made through its subclasses' }],
    },
    {
      name: 'a memo keyed by a connection its module passes: one entry, and the connection kept alive, per connection ever used',
      code: `
        _scripts = {}


        def script_for(connection):
            if connection not in _scripts:
                _scripts[connection] = connection.register_script(SOURCE)
            return _scripts[connection]


        def enqueue(connection, job):
            return script_for(connection)(args=[job])
      `,
      errors: [
        {
          line: 1,
          severity: 'information',
          message:
            /^`_scripts` is written in `script_for\(\)` and never evicted: it keeps an entry for every distinct `connection` it is given/,
        },
      ],
    },
    {
      name: 'a memo on the request path keyed by a base URL: whether the key varies with traffic is the unknown (information, naming it); keyed by a model name: one per configured model (hint)',
      code: `
        from fastapi import FastAPI

        app = FastAPI()
        _loaded = {}
        _health = {}


        def load_model(model_name):
            if model_name not in _loaded:
                _loaded[model_name] = build(model_name)
            return _loaded[model_name]


        class Client:
            def __init__(self, base_url):
                self.base_url = base_url

            def healthy(self):
                _health[self.base_url] = ping(self.base_url)
                return _health[self.base_url]


        @app.post("/embed")
        def embed(body: dict):
            Client(body["url"]).healthy()
            return load_model(body["model"]).encode(body["text"])
      `,
      errors: [
        {
          line: 4,
          severity: 'hint',
          message:
            /every distinct `model_name` for the life of the process, one per configured model: it grows only as those are set up, harmless in practice unless they are made at run time \(.*route handler\)/,
        },
        {
          line: 5,
          severity: 'information',
          message:
            /every distinct `self.base_url` for the life of the process, and whether its values come with the traffic or from a few configured ones cannot be known here \(/,
        },
      ],
    },
    {
      name: 'public API keyed by configured things (an engine, an organisation): a hint, also through str(); a tenant with a user id is per user',
      code: `
        import threading

        _errors = {}
        _locks = {}
        _prefs = {}


        def record_error(engine_name, error):
            _errors.setdefault(engine_name, {})[type(error)] = error


        def lock_for(org_id):
            key = str(org_id)
            if key not in _locks:
                _locks[key] = threading.Lock()
            return _locks[key]


        def remember(tenant_id, user_id, value):
            _prefs[(tenant_id, user_id)] = value
      `,
      errors: [
        { line: 3, severity: 'hint', message: /every distinct `engine_name`.*one per configured engine/ },
        {
          line: 4,
          severity: 'hint',
          message: /every distinct `str\(org_id\)`.*one per configured organisation:/,
        },
        { line: 5, severity: 'information', message: /every distinct `\(tenant_id, user_id\)` it is given/ },
      ],
    },
    {
      name: 'keys shown to change with the traffic: a record id passed by a route, a view reading its URL kwargs through a helper method',
      code: `
        import asyncio

        from fastapi import FastAPI
        from rest_framework.generics import RetrieveAPIView

        app = FastAPI()
        _wallet_locks = {}


        def _lock_for(wallet_id):
            if wallet_id not in _wallet_locks:
                _wallet_locks[wallet_id] = asyncio.Lock()
            return _wallet_locks[wallet_id]


        @app.post("/pay/{wallet_id}")
        async def pay(wallet_id: str):
            async with _lock_for(wallet_id):
                return {"ok": True}


        class Translations(RetrieveAPIView):
            loaded = {}

            def load(self, name):
                self.loaded[name] = read_dir(name)
                return self.loaded[name]

            def retrieve(self, request, *args, **kwargs):
                name = kwargs.get("name")
                return self.load(name)
      `,
      errors: [
        { line: 7, severity: 'warning', message: /`_wallet_locks` is written in `_lock_for\(\)`/ },
        { line: 23, severity: 'warning', message: /`Translations.loaded`/ },
      ],
    },
    {
      name: 'a writer whose callers are elsewhere: information naming the key (what a local key holds), the unknown that decides the size',
      code: `
        _emails = {}


        def email_of(client, user):
            cache_key = (client.url, user)
            if cache_key not in _emails:
                _emails[cache_key] = client.lookup(user)
            return _emails[cache_key]
      `,
      errors: [
        {
          line: 1,
          severity: 'information',
          message:
            '`_emails` is written in `email_of()` and never evicted: it keeps an entry for every distinct `(client.url, user)` it is given for the life of the process, and how many distinct values its callers pass cannot be known here (how often `email_of()` is called is decided by its callers in other modules)',
        },
      ],
    },
    {
      name: 'a memo that returns nothing, called on every request, is a warn-once guard: a hint that says it grows only with distinct values',
      code: `
        import functools
        import logging

        from fastapi import FastAPI

        app = FastAPI()
        log = logging.getLogger(__name__)


        @functools.lru_cache(maxsize=None)
        def _warn_deprecated_region(region: str) -> None:
            log.warning("region %s is deprecated", region)


        @app.get("/upload")
        def upload(region: str):
            _warn_deprecated_region(region)
      `,
      errors: [
        {
          line: 10,
          message:
            '`@functools.lru_cache(maxsize=None)` on `_warn_deprecated_region()` makes it run once per distinct argument (it returns nothing: a do-once guard); it keeps each argument for the life of the process, so it grows only with the number of distinct values (usually a few configured ones)',
          severity: 'hint',
        },
      ],
      output: `
        import functools
        import logging

        from fastapi import FastAPI

        app = FastAPI()
        log = logging.getLogger(__name__)


        @functools.lru_cache(maxsize=1024)
        def _warn_deprecated_region(region: str) -> None:
            log.warning("region %s is deprecated", region)


        @app.get("/upload")
        def upload(region: str):
            _warn_deprecated_region(region)
      `,
    },
    {
      name: 'the same memo fed a value from the request by one caller: one entry per distinct value sent',
      code: `
        import asyncio

        from .settings import DISCOVERY_URL

        _endpoints = {}


        async def _endpoint(url):
            if url not in _endpoints:
                _endpoints[url] = await fetch(url)
            return _endpoints[url]


        async def token_endpoint(request):
            if request.query.get("default"):
                return await _endpoint(DISCOVERY_URL)
            return await _endpoint(request.query.get("discovery_url"))
      `,
      errors: [
        {
          line: 5,
          severity: 'warning',
          message: /`_endpoints` is written in `_endpoint\(\)` and never evicted/,
        },
      ],
    },
    {
      name: 'a dict keyed by tasks: each task pops its own entry when done (not a weak dict of the values, which nothing else holds)',
      code: `
        import asyncio

        class Info:
            def __init__(self):
                self.calls = 0

        infos: dict[asyncio.Task, Info] = {}

        def trace():
            task = asyncio.current_task()
            info = infos.get(task)
            if info is None:
                info = Info()
                infos[task] = info
            info.calls += 1
      `,
      errors: [{ line: 7 }],
      unsafeOutput: `
        import asyncio

        class Info:
            def __init__(self):
                self.calls = 0

        infos: dict[asyncio.Task, Info] = {}

        def trace():
            task = asyncio.current_task()
            info = infos.get(task)
            if info is None:
                info = Info()
                infos[task] = info
                task.add_done_callback(lambda done_task: infos.pop(done_task, None))
            info.calls += 1
      `,
    },
    {
      name: 'a dict of tasks drops each task when done, a dict of queues holds them weakly (the fresh one kept in a local): unsafe',
      code: `
        import asyncio

        tasks_by_name = {}
        channels: dict[str, asyncio.Queue] = {}

        def create_unique(name, coro):
            task = asyncio.create_task(coro)
            tasks_by_name[name] = task
            return task

        def channel(name):
            if name not in channels:
                channels[name] = make_channel()
            return channels[name]
      `,
      errors: [{ line: 3 }, { line: 4 }],
      unsafeOutput: `
        import asyncio
        import weakref

        tasks_by_name = {}
        channels: weakref.WeakValueDictionary[str, asyncio.Queue] = weakref.WeakValueDictionary()

        def create_unique(name, coro):
            task = asyncio.create_task(coro)
            tasks_by_name[name] = task
            task.add_done_callback(lambda done_task, key=name: tasks_by_name.pop(key) if tasks_by_name.get(key) is done_task else None)
            return task

        def channel(name):
            value = channels.get(name)
            if value is None:
                value = channels[name] = make_channel()
            return value
      `,
    },
    {
      name: 'a dict of locks: no bound keeps it correct (an evicted lock made again would not exclude); held weakly instead, unsafe',
      code: `
        import asyncio

        _locks: dict[str, asyncio.Lock] = {}

        async def pay(wallet_id):
            if wallet_id not in _locks:
                _locks[wallet_id] = asyncio.Lock()
            async with _locks[wallet_id]:
                return wallet_id
      `,
      errors: [{ line: 3 }],
      unsafeOutput: `
        import asyncio
        import weakref

        _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

        async def pay(wallet_id):
            lock = _locks.get(wallet_id)
            if lock is None:
                lock = _locks[wallet_id] = asyncio.Lock()
            async with lock:
                return wallet_id
      `,
    },
    {
      name: 'a read-through memo without cachetools: the oldest entry is evicted past the bound (safe), TTLCache is the unsafe alternative',
      code: `
        _rates = {}

        def rate(currency):
            if currency not in _rates:
                _rates[currency] = fetch_rate(currency)
            return _rates[currency]
      `,
      errors: [{ line: 1 }],
      output: `
        _rates = {}

        def rate(currency):
            if currency not in _rates:
                _rates[currency] = fetch_rate(currency)
                if len(_rates) > 1024:
                    del _rates[next(iter(_rates))]
            return _rates[currency]
      `,
    },
    {
      name: 'a coding line, then the docstring: the import goes after the docstring, which stays the docstring',
      code: `
        # -*- coding: utf-8 -*-
        """Prices."""
        _prices = {}

        def price(item):
            if item not in _prices:
                _prices[item] = compute(item)
            return _prices[item]
      `,
      errors: [{ line: 3 }],
      output: `
        # -*- coding: utf-8 -*-
        """Prices."""
        _prices = {}

        def price(item):
            if item not in _prices:
                _prices[item] = compute(item)
                if len(_prices) > 1024:
                    del _prices[next(iter(_prices))]
            return _prices[item]
      `,
    },
    {
      name: 'a cached function called from a route handler: information, the message says why',
      code: `
        from functools import lru_cache
        from fastapi import FastAPI

        app = FastAPI()

        @lru_cache(maxsize=None)
        def load_profile(user_id):
            return fetch(user_id)

        @app.get("/profile/{user_id}")
        def profile(user_id: int):
            return load_profile(user_id)
      `,
      errors: [
        {
          line: 6,
          severity: 'information',
          message: 'it runs on every request: `profile()` is a route handler',
        },
      ],
      output: `
        from functools import lru_cache
        from fastapi import FastAPI

        app = FastAPI()

        @lru_cache(maxsize=1024)
        def load_profile(user_id):
            return fetch(user_id)

        @app.get("/profile/{user_id}")
        def profile(user_id: int):
            return load_profile(user_id)
      `,
    },
    {
      name: 'the message quotes the decorator, not its trailing comment',
      code: `
        import functools

        @functools.cache  # speeds up lookups
        def profile(user_id):
            return load(user_id)
      `,
      errors: [
        {
          line: 3,
          message: /^`@functools.cache` on `profile\(\)` keeps every distinct argument/,
          severity: 'hint',
        },
      ],
      output: `
        import functools

        @functools.lru_cache(maxsize=1024)  # speeds up lookups
        def profile(user_id):
            return load(user_id)
      `,
    },
    {
      name: 'a cache written by a route handler says it runs on every request',
      code: `
        from fastapi import FastAPI

        app = FastAPI()
        _users = {}

        @app.get("/users/{user_id}")
        async def get_user(user_id: int):
            _users[user_id] = await fetch(user_id)
            return _users[user_id]
      `,
      errors: [
        {
          line: 4,
          message: 'it runs on every request: `get_user()` is a route handler',
          severity: 'warning',
        },
      ],
      output: `
        from fastapi import FastAPI

        app = FastAPI()
        _users = {}

        @app.get("/users/{user_id}")
        async def get_user(user_id: int):
            _users[user_id] = await fetch(user_id)
            if len(_users) > 1024:
                del _users[next(iter(_users))]
            return _users[user_id]
      `,
    },
    {
      name: 'a cached method of objects made per request keeps each of them',
      code: `
        from functools import cache

        class Notice:
            def __init__(self, user):
                self.user = user

            @cache
            def payload(self):
                return render(self.user)

        def notify(user):
            return Notice(user).payload()
      `,
      errors: [{ line: 7, message: 'keeps every `self` it is called on alive' }],
      output: `
        from functools import cache
        from functools import lru_cache

        class Notice:
            def __init__(self, user):
                self.user = user

            @lru_cache(maxsize=1024)
            def payload(self):
                return render(self.user)

        def notify(user):
            return Notice(user).payload()
      `,
    },
    {
      name: 'module dict written in a public function whose callers are in other modules → information, TTLCache after the existing imports',
      code: `
        """User lookups."""
        import asyncio

        _users = {}

        async def get_user(user_id):
            if user_id not in _users:
                _users[user_id] = await load_user(user_id)
            return _users[user_id]
      `,
      errors: [
        {
          line: 4,
          column: 1,
          message: '`_users` is written in `get_user()` and never evicted',
          severity: 'information',
        },
      ],
      output: `
        """User lookups."""
        import asyncio

        _users = {}

        async def get_user(user_id):
            if user_id not in _users:
                _users[user_id] = await load_user(user_id)
                if len(_users) > 1024:
                    del _users[next(iter(_users))]
            return _users[user_id]
      `,
    },
    {
      name: 'dict() with a dict[...] annotation, an existing `import cachetools`, settings from config',
      settings: { cacheMaxsize: 500, cacheTtlSeconds: 60 },
      code: `
        import cachetools

        _pages: dict[str, bytes] = dict()

        def render(path):
            _pages.setdefault(path, build(path))
            return _pages.get(path)
      `,
      errors: [{ line: 3, message: 'written in `render()`' }],
      output: `
        import cachetools

        _pages: cachetools.TTLCache[str, bytes] = cachetools.TTLCache(maxsize=500, ttl=60)

        def render(path):
            _pages.setdefault(path, build(path))
            return _pages.get(path)
      `,
    },
    {
      name: 'typing.Dict annotation, update() writer, TTLCache already imported (reused)',
      code: `
        from typing import Dict
        from cachetools import TTLCache

        _ttl = TTLCache(maxsize=10, ttl=5)
        _meta: Dict[str, dict] = {}

        def refresh(source):
            _meta.update(source.fetch())
      `,
      errors: [{ line: 5, message: '`_meta` is written in `refresh()`' }],
      output: `
        from typing import Dict
        from cachetools import TTLCache

        _ttl = TTLCache(maxsize=10, ttl=5)
        _meta: TTLCache[str, dict] = TTLCache(maxsize=1024, ttl=3600)

        def refresh(source):
            _meta.update(source.fetch())
      `,
    },
    {
      name: 'OrderedDict through a module alias, only mapping API used → fix',
      code: `
        import collections as c

        _lru = c.OrderedDict()

        def put(k, v):
            _lru[k] = v

        def get(k):
            return _lru.get(k)
      `,
      errors: [{ line: 3, message: '`_lru` is written in `put()`' }],
      unsafeOutput: `
        import collections as c
        from cachetools import TTLCache

        _lru = TTLCache(maxsize=1024, ttl=3600)

        def put(k, v):
            _lru[k] = v

        def get(k):
            return _lru.get(k)
      `,
    },
    {
      name: 'OrderedDict.move_to_end is not in TTLCache: the oldest entry is evicted instead, unsafe',
      code: `
        from collections import OrderedDict

        _recent = OrderedDict()

        def touch(k, v):
            _recent[k] = v
            _recent.move_to_end(k)
      `,
      errors: [{ line: 3, message: '`_recent`' }],
      unsafeOutput: `
        from collections import OrderedDict

        _recent = OrderedDict()

        def touch(k, v):
            _recent[k] = v
            if len(_recent) > 1024:
                del _recent[next(iter(_recent))]
            _recent.move_to_end(k)
      `,
    },
    {
      name: 'defaultdict (aliased) grown by new keys: TTLCache would not create defaults, the oldest entry is evicted instead, unsafe',
      code: `
        from collections import defaultdict as dd

        _hits = dd(int)
        _by_user = dd(list)

        def hit(ip, user, event):
            _hits[ip] += 1
            _by_user[user].append(event)
      `,
      errors: [
        { line: 3, message: '`_hits` is written in `hit()`' },
        { line: 4, message: '`_by_user` is written in `hit()`' },
      ],
      unsafeOutput: `
        from collections import defaultdict as dd

        _hits = dd(int)
        _by_user = dd(list)

        def hit(ip, user, event):
            _hits[ip] += 1
            if len(_hits) > 1024:
                del _hits[next(iter(_hits))]
            _by_user[user].append(event)
            if len(_by_user) > 1024:
                del _by_user[next(iter(_by_user))]
      `,
    },
    {
      name: 'a defaultdict(bool) that grows only by reads of missing keys: read with .get(key, bool()), safe',
      code: `
        from collections import defaultdict

        SECURE_SCHEMES = defaultdict(bool, {"https": True, "wss": True})

        def needs_tls(scheme):
            if SECURE_SCHEMES[scheme.lower()]:
                return True
            return False
      `,
      errors: [{ line: 3, message: '`SECURE_SCHEMES` is written in `needs_tls()`' }],
      output: `
        from collections import defaultdict

        SECURE_SCHEMES = defaultdict(bool, {"https": True, "wss": True})

        def needs_tls(scheme):
            if SECURE_SCHEMES.get(scheme.lower(), bool()):
                return True
            return False
      `,
    },
    {
      name: 'a defaultdict(lambda: "") read by key and also listed: .get() would list fewer keys, unsafe',
      code: `
        from collections import defaultdict

        _labels = defaultdict(lambda: "")

        def label(code):
            return _labels[code] or code

        def known():
            return sorted(_labels)
      `,
      errors: [{ line: 3, message: '`_labels` is written in `label()`' }],
      unsafeOutput: `
        from collections import defaultdict

        _labels = defaultdict(lambda: "")

        def label(code):
            return _labels.get(code, "") or code

        def known():
            return sorted(_labels)
      `,
    },
    {
      name: 'dict-only API (|=, copy, json) blocks the TTLCache: the oldest entries are evicted instead, unsafe',
      code: `
        import json

        _a = {}
        _b = {}
        _c = {}

        def merge(extra, k, v):
            global _a
            _a |= extra
            _b[k] = v
            _c[k] = v
            return json.dumps(_b), _c.copy()
      `,
      errors: [{ line: 3 }, { line: 4 }, { line: 5 }],
      unsafeOutput: `
        import json

        _a = {}
        _b = {}
        _c = {}

        def merge(extra, k, v):
            global _a
            _a |= extra
            while len(_a) > 1024:
                del _a[next(iter(_a))]
            _b[k] = v
            if len(_b) > 1024:
                del _b[next(iter(_b))]
            _c[k] = v
            if len(_c) > 1024:
                del _c[next(iter(_c))]
            return json.dumps(_b), _c.copy()
      `,
    },
    {
      name: 'class-level dict written through self, cls and the class name',
      code: `
        class Geo:
            _by_ip = {}
            _by_name = {}
            _by_zip = {}

            def locate(self, ip):
                self._by_ip[ip] = lookup(ip)

            @classmethod
            def named(cls, name):
                cls._by_name[name] = lookup(name)

        def by_zip(code):
            Geo._by_zip[code] = lookup(code)
      `,
      errors: [
        { line: 2, column: 5, message: 'class-level dict `Geo._by_ip` is written in `Geo.locate()`' },
        { line: 3, message: '`Geo._by_name` is written in `Geo.named()`' },
        { line: 4, message: '`Geo._by_zip` is written in `by_zip()`' },
      ],
      output: `
        class Geo:
            _by_ip = {}
            _by_name = {}
            _by_zip = {}

            def locate(self, ip):
                self._by_ip[ip] = lookup(ip)
                if len(self._by_ip) > 1024:
                    del self._by_ip[next(iter(self._by_ip))]

            @classmethod
            def named(cls, name):
                cls._by_name[name] = lookup(name)
                if len(cls._by_name) > 1024:
                    del cls._by_name[next(iter(cls._by_name))]

        def by_zip(code):
            Geo._by_zip[code] = lookup(code)
            if len(Geo._by_zip) > 1024:
                del Geo._by_zip[next(iter(Geo._by_zip))]
      `,
    },
    {
      name: 'functools.cache on a method through a module alias keeps every self alive',
      code: `
        import functools as ft

        class Report:
            @ft.cache
            def totals(self, year):
                return compute(self, year)
      `,
      errors: [
        {
          line: 4,
          column: 5,
          message: '`@ft.cache` on method `Report.totals()` keeps every `self` it is called on alive',
          severity: 'warning',
        },
      ],
      output: `
        import functools as ft

        class Report:
            @ft.lru_cache(maxsize=1024)
            def totals(self, year):
                return compute(self, year)
      `,
    },
    {
      name: 'lru_cache(maxsize=None) on a method, on a property, and positional None',
      code: `
        from functools import cache, lru_cache

        class Model:
            @lru_cache(maxsize=None)
            def score(self, x):
                return x

            @property
            @cache
            def summary(self):
                return str(self)

            @lru_cache(None, True)
            def typed(self, x):
                return x
      `,
      errors: [
        { line: 4, message: 'on method `Model.score()`' },
        { line: 9, message: '`@cache` on method `Model.summary()`' },
        { line: 13, message: 'on method `Model.typed()`' },
      ],
      output: `
        from functools import cache, lru_cache

        class Model:
            @lru_cache(maxsize=1024)
            def score(self, x):
                return x

            @property
            @lru_cache(maxsize=1024)
            def summary(self):
                return str(self)

            @lru_cache(1024, True)
            def typed(self, x):
                return x
      `,
    },
    {
      name: 'unbounded cache on a free function with arguments: a hint when no caller here repeats, lru_cache imported',
      code: `
        from functools import cache
        import re

        @cache
        def compile_pattern(pattern, flags):
            return re.compile(pattern, flags)
      `,
      errors: [
        {
          line: 4,
          message: '`@cache` on `compile_pattern()` keeps every distinct argument and its result',
          severity: 'hint',
        },
      ],
      output: `
        from functools import cache
        import re
        from functools import lru_cache

        @lru_cache(maxsize=1024)
        def compile_pattern(pattern, flags):
            return re.compile(pattern, flags)
      `,
    },
    {
      name: 'functools.lru_cache(maxsize=None) on a free function, aliased import',
      code: `
        import functools as ft

        @ft.lru_cache(maxsize=None)
        async def fetch(url):
            return await get(url)
      `,
      errors: [{ line: 3, severity: 'hint' }],
      output: `
        import functools as ft

        @ft.lru_cache(maxsize=1024)
        async def fetch(url):
            return await get(url)
      `,
    },
    {
      name: 'several writers are all named, public API called at import and at run time',
      code: `
        _seen = {}

        def remember(key, value):
            _seen[key] = value

        def handle(request):
            remember(request.path, request)
            _seen.setdefault(request.user, [])

        remember("boot", None)
      `,
      errors: [{ line: 1, message: 'written in `remember()` and `handle()` and never evicted' }],
    },
    {
      name: 'a decorator whose wrapper writes on every call is run time',
      code: `
        _calls = {}

        def traced(fn):
            def wrapper(*args):
                _calls[(fn.__name__, args)] = now()
                return fn(*args)
            return wrapper

        @traced
        def work(x): ...
      `,
      errors: [{ line: 1, message: '`_calls` is written in `wrapper()`' }],
    },
    {
      name: 'a callback lambda writes at run time',
      code: `
        _last = {}
        bus.subscribe(lambda evt: _last.__setitem__(evt.key, evt))
        bus.subscribe(lambda evt: _last.update({evt.key: evt}))
      `,
      errors: [{ line: 1, message: 'written in a lambda' }],
    },
    {
      name: 'written through self.__class__; aliased lru_cache(maxsize=None) on a method',
      code: `
        from functools import lru_cache as memoize

        class Store:
            _items = {}

            def put(self, k, v):
                self.__class__._items[k] = v

            @memoize(maxsize=None)
            async def fetch(self, key): ...
      `,
      errors: [
        { line: 4, message: '`Store._items` is written in `Store.put()`' },
        { line: 9, message: '`@memoize(maxsize=None)` on method `Store.fetch()`' },
      ],
      output: `
        from functools import lru_cache as memoize

        class Store:
            _items = {}

            def put(self, k, v):
                self.__class__._items[k] = v
                if len(self.__class__._items) > 1024:
                    del self.__class__._items[next(iter(self.__class__._items))]

            @memoize(maxsize=1024)
            async def fetch(self, key): ...
      `,
    },
    {
      name: 'a classmethod cache with more arguments than cls is a free-function cache (information)',
      code: `
        import functools

        class Parser:
            @classmethod
            @functools.lru_cache(maxsize=None)
            def for_dialect(cls, dialect):
                return cls(dialect)
      `,
      errors: [
        { line: 5, severity: 'hint', message: 'on `Parser.for_dialect()` keeps every distinct argument' },
      ],
    },
    {
      name: 'a truth test that is not an emptiness guard does not make it "fill once"',
      code: `
        _memo = {}

        def lookup(k):
            if _memo and k in _memo:
                return _memo[k]
            _memo[k] = v = compute(k)
            return v
      `,
      errors: [{ line: 1, message: '`_memo` is written in `lookup()`' }],
      output: `
        _memo = {}

        def lookup(k):
            if _memo and k in _memo:
                return _memo[k]
            _memo[k] = v = compute(k)
            if len(_memo) > 1024:
                del _memo[next(iter(_memo))]
            return v
      `,
    },
    {
      name: 'a dict of lists keyed at run time (setdefault(k, []).append) is LEAK001, not LEAK002',
      code: `
        _by_user = {}

        def track(user, event):
            _by_user.setdefault(user, []).append(event)
      `,
      errors: [{ line: 1, message: '`_by_user` is written in `track()`' }],
      unsafeOutput: `
        from cachetools import TTLCache
        _by_user = TTLCache(maxsize=1024, ttl=3600)

        def track(user, event):
            _by_user.setdefault(user, []).append(event)
      `,
    },
    {
      name: 'suppressed with noqa on the creation line',
      code: `
        _a = {}  # noqa: LEAK001
        _b = {}

        def f(k):
            _a[k] = 1
            _b[k] = 1
      `,
      errors: [{ line: 2, message: '`_b`' }],
    },
    {
      name: 'a class-level defaultdict of per-task stores that grows by reads (return d[k][p], for … in d[task]): the trim goes before those statements, after the write, once per key in a function, unsafe',
      code: `
        from collections import defaultdict


        class Persistence:
            class_store = defaultdict(lambda: defaultdict(dict))

            def __init__(self, plugin=None):
                self.session_id = None
                self.plugin = plugin

            @property
            def store(self):
                return self.class_store[self.session_id][self.plugin]

            def set(self, key, value):
                self.store[key] = value

            @classmethod
            def load(cls, rows, task=None):
                for plugin, key, value in rows:
                    cls.class_store[task][plugin][key] = value

            @classmethod
            def flush(cls, save, task=None):
                for plugin in cls.class_store[task]:
                    for key, value in cls.class_store[task][plugin].items():
                        save(task, plugin, key, value)


        class TaskPersistence(Persistence):
            def __init__(self, task):
                self.task = task
                self.session_id = task.session_id
      `,
      errors: [{ line: 5, message: 'class-level dict `Persistence.class_store`' }],
      unsafeOutput: `
        from collections import defaultdict


        class Persistence:
            class_store = defaultdict(lambda: defaultdict(dict))

            def __init__(self, plugin=None):
                self.session_id = None
                self.plugin = plugin

            @property
            def store(self):
                if len(self.class_store) > 1024:
                    del self.class_store[next(iter(self.class_store))]
                return self.class_store[self.session_id][self.plugin]

            def set(self, key, value):
                self.store[key] = value

            @classmethod
            def load(cls, rows, task=None):
                for plugin, key, value in rows:
                    cls.class_store[task][plugin][key] = value
                    if len(cls.class_store) > 1024:
                        del cls.class_store[next(iter(cls.class_store))]

            @classmethod
            def flush(cls, save, task=None):
                if len(cls.class_store) > 1024:
                    del cls.class_store[next(iter(cls.class_store))]
                for plugin in cls.class_store[task]:
                    for key, value in cls.class_store[task][plugin].items():
                        save(task, plugin, key, value)


        class TaskPersistence(Persistence):
            def __init__(self, task):
                self.task = task
                self.session_id = task.session_id
      `,
    },
    {
      name: 'a guard on a flag the block never sets is no load-once guard: still reported',
      code: `
        _by_key = {}
        _loaded = False


        def load_all(*mods):
            for mod in mods or discover():
                for user_id, profile in mod.items():
                    _by_key[user_id] = profile


        def find(key):
            if not _loaded:
                load_all()
            return _by_key.get(key)


        def view(request):
            return find(request.GET["key"])
      `,
      errors: [{ line: 1, message: '`_by_key` is written in `load_all()`' }],
    },
    {
      name: 'the same helper called in a `while` loop of a function whose callers are elsewhere: a loop that runs until stopped repeats, still reported naming the loop',
      code: `
        _originals = {}


        def watch(config, store, changes):
            def read(key, default=""):
                value = store.get(key)
                if key not in _originals:
                    _originals[key] = config.get(key)
                return value if value is not None else _originals[key] or default

            while True:
                read(changes.get())
      `,
      errors: [{ line: 1, severity: 'information', message: 'is called in a loop' }],
    },
    {
      name: 'a membership guard against a set that a request handler fills is no bound: still reported',
      code: `
        from flask import Flask, request

        app = Flask(__name__)
        seen_names = set()
        by_name = {}


        @app.post("/names")
        def add_name():
            name = request.json["name"]
            seen_names.add(name)
            if name in seen_names:
                by_name[name] = request.json
            return "ok"
      `,
      errors: [{ line: 5, severity: 'warning', message: '`by_name`' }],
    },
  ],
};

ruleTester(rule, table);

describe('LEAK001 details', () => {
  before(async () => {
    await initEngine();
  });

  it('never throws on any snippet of the table (a crash would pass as "no finding")', () => {
    for (const c of [...table.valid, ...table.invalid]) {
      const code = dedent(typeof c === 'string' ? c : c.code);
      assert.deepEqual(analyzeSource(code, { rules: [rule] }).ruleErrors, []);
    }
  });

  it('flags the documented example and is silent on its "use instead"', () => {
    assert.ok(analyzeSource(rule.docs.example, { rules: [rule] }).findings.length >= 2);
    assert.deepEqual(analyzeSource(rule.docs.useInstead, { rules: [rule] }).findings, []);
  });

  it('points related information at every write site', () => {
    const code = dedent(`
      _cache = {}

      def a(k):
          _cache[k] = 1

      async def b(k):
          _cache.setdefault(k, 2)
    `);
    const [finding] = analyzeSource(code, { rules: [rule] }).findings;
    assert.deepEqual(
      finding.related.map((r) => [r.range.start.line + 1, r.message]),
      [
        [4, 'written here'],
        [7, 'written here'],
      ],
    );
    assert.deepEqual(finding.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 6 } });
  });

  it('the TTL is a plain number of seconds and the fix is preferred for dicts and methods', () => {
    const code = dedent(`
      from functools import cache
      _c = {}
      def f(k):
          _c[k] = 1
      class A:
          @cache
          def m(self, x): ...
    `);
    const findings = analyzeSource(code, {
      rules: [rule],
      settings: { ...DEFAULT_SETTINGS, cacheTtlSeconds: 90 },
    }).findings;
    assert.equal(findings.length, 2);
    // No cachetools in the module: the stdlib bound first (safe), TTLCache second (unsafe).
    const ttl = findings[0].fixes.find((f) => f.title.includes('TTLCache'));
    assert.match(ttl?.edits.map((e) => e.newText).join('') ?? '', /TTLCache\(maxsize=1024, ttl=90\)/);
    assert.equal(ttl?.applicability, 'unsafe');
    assert.ok(findings.every((f) => f.fixes[0].isPreferred && f.fixes[0].applicability === 'safe'));
  });

  it('the free-function fix is offered but not preferred (unbounded may be intended)', () => {
    const code = dedent(`
      from functools import cache
      @cache
      def f(x): ...
    `);
    const [finding] = analyzeSource(code, { rules: [rule] }).findings;
    assert.equal(finding.fixes.length, 1);
    assert.equal(finding.fixes[0].isPreferred, false);
  });
});
