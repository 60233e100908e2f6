import * as assert from 'node:assert/strict';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { dedent } from '../../server/src/fixes/edits';
import { rule } from '../../server/src/rules/leak002-global-accumulation';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'in an indexed project, a class-level set a method nobody in it calls adds host names to: neither how often nor how many distinct hosts is shown, not reported',
      path: 'fetch/sites.py',
      project: { 'fetch/other.py': 'LIMIT = 3\n' },
      code: `
        from urllib.parse import urlparse


        class Fetcher:
            blocked_hosts = set()

            def refuse(self, url):
                self.blocked_hosts.add(urlparse(url).netloc)
      `,
    },
    {
      name: 'a list of plugins whose add() raises on one it already holds: filled by declarations, once each',
      code: `
        _plugins = []


        def add_plugin(plugin):
            if plugin in _plugins:
                raise RuntimeError("registered twice")
            _plugins.append(plugin)


        def handle(request):
            add_plugin(request.plugin)
      `,
    },
    {
      name: 'a mutable-default memo of functions imported by dotted name: sys.modules holds them anyway, bounded by the code',
      code: `
        import importlib


        def resolve(path, cache={}):
            if path not in cache:
                module, name = path.rsplit(".", 1)
                cache[path] = getattr(importlib.import_module(module), name)
            return cache[path]
      `,
    },
    {
      name: "a pylint checker's class-level lists: it lives for one lint run of a short-lived process",
      code: `
        from pylint import checkers


        class MissingInitChecker(checkers.BaseChecker):
            name = "missing-init"
            seen_modules = []

            def visit_module(self, node):
                self.seen_modules.append(node.file)
      `,
    },
    {
      name: 'a set filled beside its companion dict, under the emptiness guard of that dict: filled once, not per call',
      code: `
        _type_by_oid = {}
        _type_names = set()


        def type_of(engine, oid):
            _load_types(engine)
            return _type_by_oid[oid]


        def _load_types(engine):
            if not _type_by_oid:
                for oid, name in engine.execute("SELECT oid, typname FROM pg_type"):
                    _type_by_oid[oid] = name
                    _type_names.add(name)


        def columns(engine, rows):
            return [type_of(engine, row.oid) for row in rows]
      `,
    },
    {
      name: 'a plain function used as a decorator inside its own class body runs at import: the set it fills is filled once',
      code: `
        _tagged = set()


        class Marks:
            def tag(func):
                _tagged.add(func)
                return staticmethod(func)

            @tag
            def first():
                return 1

            @tag
            def second():
                return 2
      `,
    },
    {
      name: 'a set grown with names by a function this module calls: neither how often nor how many names is shown, so nothing is reported',
      code: `
        _known_names = set()


        def remember_name(name):
            _known_names.add(name)


        def load(spec):
            remember_name(spec.name)
      `,
    },
    {
      name: 'a mutable default filled under configured timeframes and pairs: a fixed set of slots, replaced on each call',
      code: `
        class Kitchen:
            def populate(self, frames={}):
                timeframes = self.config.get("timeframes", [])
                for tf in timeframes:
                    if tf not in frames:
                        frames[tf] = {}
                    for pair in self.config["pairs"]:
                        frames[tf][pair] = load(tf, pair)
                self.filled = len(frames)
      `,
    },
    {
      name: 'a class-level registry filled by the inner function of a decorator factory (even one returning nothing)',
      code: `
        class Dispatcher:
            handlers = []

            def add(self, **options):
                def decorator(func):
                    self.handlers.append((func, options))
                return decorator
      `,
    },
    {
      name: 'a set filled by an optparse callback (recognised by its signature)',
      code: `
        include = set()

        def _include(opt_str, value, parser):
            include.add(value)
      `,
    },
    {
      name: 'a set filled by an argparse type= callback while the command line is parsed',
      code: `
        import argparse

        _excluded = set()

        def _exclude(value):
            _excluded.add(value)
            return value

        def parser():
            p = argparse.ArgumentParser()
            p.add_argument("--exclude", type=_exclude)
            return p
      `,
    },
    {
      name: 'a list grown only in main(), which runs once',
      code: `
        _results = []

        def main():
            for arg in sys.argv[1:]:
                _results.append(run(arg))
            print(_results)
      `,
    },
    {
      name: 'constants only read at run time',
      code: `
        ALLOWED_HOSTS = ["localhost", "example.com"]
        SAFE_METHODS = {"GET", "HEAD"}

        def check(request):
            return request.host in ALLOWED_HOSTS and request.method in SAFE_METHODS
      `,
    },
    {
      name: 'filled at import time, including by a registration decorator',
      code: `
        _items = []
        for i in range(3):
            _items.append(i)
        _items += [4, 5]

        _plugins = []
        _seen = set()

        def plugin(fn):
            _plugins.append(fn)
            _seen.add(fn.__name__)
            return fn

        @plugin
        def first(): ...
      `,
    },
    {
      name: 'deque with maxlen (keyword, positional, module alias)',
      code: `
        import collections as col
        from collections import deque

        _recent = deque(maxlen=100)
        _window = col.deque([], 50)

        async def record(event):
            _recent.append(event)
            _window.appendleft(event)
      `,
    },
    {
      name: 'cleared, popped, removed or truncated somewhere in the module',
      code: `
        _buffer = []
        _log = []
        _tail = []
        _queue = []
        _listeners = []
        _ids = set()

        def add(x):
            _buffer.append(x)
            _log.append(x)
            _tail.append(x)
            _queue.append(x)
            _listeners.append(x)
            _ids.add(x)

        def flush():
            send(list(_buffer))
            _buffer.clear()
            del _log[:-100]
            _tail[:] = _tail[-10:]
            return _queue.pop(0)

        def unsubscribe(cb):
            _listeners.remove(cb)
            _ids.discard(cb)
      `,
    },
    {
      name: 'rebinding via global starts over',
      code: `
        _events = []

        def track(e):
            _events.append(e)

        def rotate():
            global _events
            batch, _events = _events, []
            return batch
      `,
    },
    {
      name: 'a len() bound check guards the growth',
      code: `
        _recent = []

        def remember(x):
            if len(_recent) < 100:
                _recent.append(x)
      `,
    },
    {
      name: 'heap with heappop',
      code: `
        import heapq

        _timers = []

        def schedule(when, cb):
            heapq.heappush(_timers, (when, cb))

        def next_timer():
            return heapq.heappop(_timers)
      `,
    },
    {
      name: 'locals and instance attributes assigned in __init__',
      code: `
        def collect(rows):
            out = []
            for r in rows:
                out.append(r)
            return out

        class Batch:
            items = []

            def __init__(self):
                self.items = []

            def add(self, x):
                self.items.append(x)
      `,
    },
    {
      name: '__all__ is not an accumulator',
      code: `
        __all__ = []

        def export(fn):
            __all__.append(fn.__name__)
            return fn

        def late(name):
            __all__.append(name)
      `,
    },
    {
      name: 'a list created with items is a table code may extend',
      code: `
        PLUGINS = ["core", "auth"]

        def enable(name):
            PLUGINS.append(name)
      `,
    },
    {
      name: 'asyncio task sets are LEAK007 business (with or without discard)',
      code: `
        import asyncio

        _tasks = set()
        _pending = set()

        def spawn(coro):
            task = asyncio.create_task(coro)
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)

        def fire(coro):
            _pending.add(asyncio.ensure_future(coro))
      `,
    },
    {
      name: 'dicts that gain keys belong to LEAK001 (one report)',
      code: `
        from collections import defaultdict

        _groups = {}
        _by_user = defaultdict(list)

        def add(key, user, x):
            _groups.setdefault(key, []).append(x)
            _by_user[user].append(x)
      `,
    },
    {
      name: 'a dict of lists reset under the same constant key',
      code: `
        _events = {"clicks": [], "views": []}

        def click(e):
            _events["clicks"].append(e)

        def reset():
            _events["clicks"] = []
      `,
    },
    {
      name: 'mutable defaults that are not mutated, rebound first, or cleared',
      code: `
        def count(items=[]):
            return len(items)

        def merge(extra, acc=[]):
            acc = list(acc)
            acc.append(extra)
            return acc

        def batch(x, buf=[]):
            buf.append(x)
            if len(buf) > 10:
                flush(buf)
                buf.clear()

        def options(opts={}):
            return {**opts, "a": 1}
      `,
    },
    {
      name: 'defaults of nested functions are created per outer call',
      code: `
        def walk_packages(path):
            def seen(p, m={}):
                if p in m:
                    return True
                m[p] = True
            return [p for p in path if not seen(p)]
      `,
    },
    {
      name: 'Pydantic and dataclass field declarations are copied per instance',
      code: `
        from dataclasses import dataclass, field
        from pydantic import BaseModel

        class Item(BaseModel):
            tags: list[str] = []

            def tag(self, t):
                self.tags.append(t)

        @dataclass
        class Cart:
            lines: list = field(default_factory=list)

            def add(self, line):
                self.lines.append(line)
      `,
    },
    {
      name: 'FastAPI and Django module-level configuration lists',
      code: `
        from django.conf import settings
        from django.conf.urls.static import static
        from django.urls import path
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        origins = ["http://localhost:3000"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=origins)

        urlpatterns = [path("", index)]
        urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
        middleware = []
        middleware.append("x")
      `,
    },
    {
      name: 'a container handed to other code may be emptied there',
      code: `
        _history = []

        def record(x):
            _history.append(x)

        def get_history():
            return _history
      `,
    },
    {
      name: 'a decorator recognised by its shape: records the function and returns it unchanged',
      code: `
        import typing as t

        internal_code: t.MutableSet = set()

        def internalcode(f: t.Callable) -> t.Callable:
            """Marks the function as internally used."""
            internal_code.add(f.__code__)
            return f
      `,
    },
    {
      name: 'a class-level list that a method clears',
      code: `
        class Recorder:
            calls = []

            def record(self, c):
                self.calls.append(c)

            @classmethod
            def reset(cls):
                cls.calls.clear()
      `,
    },
    {
      name: 'a class-level table of pending lists that __init__ drains with .get(k).pop(): it shrinks as it is used',
      code: `
        class Form:
            _pending = {}

            @classmethod
            def defer(cls, model, **options):
                cls._pending.setdefault(model, []).append(options)

            def __init__(self, model):
                while self._pending.get(model):
                    self._pending.get(model).pop()
      `,
    },
    {
      name: "callbacks registered by the function that installs the process's SIGHUP handler (a daemon's start-up), whose callers are elsewhere",
      code: `
        import signal

        _reload_hooks = []

        def on_reload(func, *args):
            _reload_hooks.append((func, args))

        async def start(server):
            def reload(*_):
                for func, args in _reload_hooks:
                    func(*args)

            signal.signal(signal.SIGHUP, reload)
            on_reload(server.reload_certificates)
            on_reload(server.reload_caches)
      `,
    },
  ],
  invalid: [
    {
      name: "a project's own BaseChecker (pylint not imported) is service code: still reported",
      code: `
        from app.health import BaseChecker


        class DiskChecker(BaseChecker):
            results = []

            def check(self, request):
                self.results.append(request.path)
                return True
      `,
      errors: [{ line: 5 }],
    },
    {
      name: 'callbacks registered by a function that installs a SIGALRM handler (a per-call timeout), whose callers are elsewhere: still reported',
      code: `
        import signal

        _expired = []

        def on_expiry(func):
            _expired.append(func)

        def with_timeout(job, seconds):
            signal.signal(signal.SIGALRM, lambda *_: job.cancel())
            signal.alarm(seconds)
            on_expiry(job.cleanup)
            return job.run()
      `,
      errors: [{ line: 3, message: '`_expired` grows in `on_expiry()`' }],
    },
    {
      name: 'an emptiness guard on a collection the block does not fill is no fill-once: still reported',
      code: `
        _pending = []
        _names = set()


        def type_of(engine, oid):
            if not _pending:
                for oid, name in engine.execute("SELECT oid, typname FROM pg_type"):
                    _names.add(name)
            return oid


        def serve(engine, queue):
            while True:
                print([type_of(engine, row.oid) for row in queue.get()])
      `,
      errors: [{ line: 2, message: '`_names` grows in `type_of()`' }],
    },
    {
      name: 'a set under a class constant key filled with the variable of the loop around it: the loop is not the repetition (information naming the distinct values)',
      code: `
        class Loader:
            _seen = {}
            area = "plugins"

            @classmethod
            def load_all(cls, apps):
                cls._seen.setdefault(cls.area, set())
                for app in apps:
                    cls._seen[cls.area].add(app)
      `,
      errors: [
        {
          line: 2,
          severity: 'information',
          message: 'as a set it grows only with the number of distinct `app` added',
        },
      ],
    },
    {
      name: 'a list appended to only after a not-in test, to report each message once: a hint (distinct messages only)',
      code: `
        import logging

        logger = logging.getLogger(__name__)
        _reported = []


        def warn_once(message):
            if message not in _reported:
                logger.warning(message)
                _reported.append(message)
      `,
      errors: [{ line: 4, severity: 'hint', message: /it remembers each value reported once/ }],
    },
    {
      name: 'a set grown with hosts read from the response of a handled flow: the values are traffic, even through locals',
      code: `
        import urllib.parse

        _secure_hosts = set()


        def response(flow):
            location = flow.response.headers["Location"]
            host = urllib.parse.urlparse(location).hostname
            _secure_hosts.add(host)


        def replay(flow):
            response(flow)
      `,
      errors: [
        {
          line: 3,
          severity: 'information',
          message: /as a set it grows only with the number of distinct `host` added/,
        },
      ],
    },
    {
      name: 'a set updated from an argument by a function whose callers are elsewhere: the distinct items decide',
      code: `
        _masked = set()


        def mask_secrets(secrets):
            _masked.update(secrets)
      `,
      errors: [
        {
          line: 1,
          severity: 'information',
          message:
            /; as a set it grows only with the number of distinct items of `secrets` added, which cannot be known here \(/,
        },
      ],
    },
    {
      name: 'a set grown by a function whose callers are elsewhere names the values it grows with: distinct ones decide its size',
      code: `
        _upgraded_hosts = set()


        def remember_upgrade(flow):
            _upgraded_hosts.add(flow.host)
      `,
      errors: [
        {
          line: 1,
          severity: 'information',
          message:
            '`_upgraded_hosts` grows in `remember_upgrade()` (`.add()`) and nothing clears, pops or truncates it: it holds every item for the life of the process; as a set it grows only with the number of distinct `flow.host` added, which cannot be known here (how often `remember_upgrade()` is called is decided by its callers in other modules)',
        },
      ],
    },
    {
      name: 'a list defined under a module-level switch read from the environment grows only in that opt-in mode: information that names it',
      code: `
        import os

        PROFILE = os.environ.get("APP_PROFILE")

        if PROFILE:
            timings = []

            def record(request, elapsed):
                timings.append(elapsed)
      `,
      errors: [
        {
          line: 6,
          message:
            '`timings` grows in `record()` (`.append()`) and nothing clears, pops or truncates it: it holds every item for the life of the process, but only in a mode the configuration turns on: it is defined under `if PROFILE:` (it runs for every request it is given: `record()` takes a request)',
          severity: 'information',
        },
      ],
    },
    {
      name: 'a report-once set is a hint: it grows only with the distinct values reported',
      code: `
        import logging

        log = logging.getLogger(__name__)
        _warned = set()

        def check(name):
            if name not in _warned:
                _warned.add(name)
                log.warning("unknown setting %s", name)
      `,
      errors: [
        {
          line: 4,
          message: 'it remembers each value reported once',
          severity: 'hint',
        },
      ],
      unsafeOutput: `
        import logging

        log = logging.getLogger(__name__)
        _warned = set()

        def check(name):
            if name not in _warned:
                _warned.add(name)
                if len(_warned) > 1024:
                    _warned.clear()
                log.warning("unknown setting %s", name)
      `,
    },
    {
      name: 'module list appended in a public function whose callers are in other modules → information, bounded deque',
      code: `
        import logging

        _events = []

        async def track(event):
            _events.append(event)
            return len(_events)
      `,
      errors: [
        {
          line: 3,
          column: 1,
          message: '`_events` grows in `track()` (`.append()`) and nothing clears, pops or truncates it',
          severity: 'information',
        },
      ],
      unsafeOutput: `
        import logging
        from collections import deque

        _events = deque(maxlen=1024)

        async def track(event):
            _events.append(event)
            return len(_events)
      `,
    },
    {
      name: 'list() with a list[...] annotation and an existing `import collections`; insert, iteration and indexing are deque-safe',
      settings: { cacheMaxsize: 200 },
      code: `
        import collections

        _audit: list[str] = list()

        def audit(line):
            _audit.insert(0, line)
            _audit.extend([line])

        def last():
            return _audit[0] if _audit else None

        def dump():
            return "\\n".join(_audit) + str([a for a in _audit])
      `,
      errors: [{ line: 3, message: '`.insert()` and `.extend()`' }],
      unsafeOutput: `
        import collections

        _audit: collections.deque[str] = collections.deque(maxlen=200)

        def audit(line):
            _audit.insert(0, line)
            _audit.extend([line])

        def last():
            return _audit[0] if _audit else None

        def dump():
            return "\\n".join(_audit) + str([a for a in _audit])
      `,
    },
    {
      name: '+= through global is growth and works on a deque too',
      code: `
        _seen = []

        def visit(nodes):
            global _seen
            _seen += nodes
      `,
      errors: [{ line: 1, message: '`+=`' }],
      output: `
        from collections import deque
        _seen = deque(maxlen=1024)

        def visit(nodes):
            global _seen
            _seen += nodes
      `,
    },
    {
      name: 'slicing, + with a list and json read a list() copy of the deque; a sorted list is trimmed after each append',
      code: `
        import json

        _a = []
        _b = []
        _c = []
        _d = []

        def add(x):
            _a.append(x)
            _b.append(x)
            _c.append(x)
            _d.append(x)

        def show():
            _b.sort()
            return _a[-10:], _c + [1], json.dumps(_d)
      `,
      errors: [{ line: 3 }, { line: 4 }, { line: 5 }, { line: 6 }],
      // `_a` is read only at its tail, within the bound: the one safe fix.
      output: `
        import json
        from collections import deque

        _a = deque(maxlen=1024)
        _b = []
        _c = []
        _d = []

        def add(x):
            _a.append(x)
            _b.append(x)
            _c.append(x)
            _d.append(x)

        def show():
            _b.sort()
            return list(_a)[-10:], _c + [1], json.dumps(_d)
      `,
      // `_b.sort()` needs a list (trimmed); the others read a copy (`list(_c) + [1]`) of a deque.
      unsafeOutput: `
        import json
        from collections import deque

        _a = deque(maxlen=1024)
        _b = []
        _c = deque(maxlen=1024)
        _d = deque(maxlen=1024)

        def add(x):
            _a.append(x)
            _b.append(x)
            del _b[:-1024]
            _c.append(x)
            _d.append(x)

        def show():
            _b.sort()
            return list(_a)[-10:], list(_c) + [1], json.dumps(list(_d))
      `,
    },
    {
      name: 'a set that only grows: started over past the bound (unsafe)',
      code: `
        _seen_ids = set()

        def dedupe(msg):
            if msg.id in _seen_ids:
                return False
            _seen_ids.add(msg.id)
            return True
      `,
      errors: [{ line: 1, message: '`_seen_ids` grows in `dedupe()` (`.add()`)' }],
      unsafeOutput: `
        _seen_ids = set()

        def dedupe(msg):
            if msg.id in _seen_ids:
                return False
            _seen_ids.add(msg.id)
            if len(_seen_ids) > 1024:
                _seen_ids.clear()
            return True
      `,
    },
    {
      name: 'set |= through global',
      code: `
        _names = set()

        def tag(names):
            global _names
            _names |= set(names)
      `,
      errors: [{ line: 1, message: '`|=`' }],
      unsafeOutput: `
        _names = set()

        def tag(names):
            global _names
            _names |= set(names)
            if len(_names) > 1024:
                _names.clear()
      `,
    },
    {
      name: 'unbounded deques (aliased) get a maxlen',
      code: `
        from collections import deque as dq
        import collections as c

        _jobs = dq()
        _log = c.deque(initial_entries())
        _hist = dq(maxlen=None)

        def push(job):
            _jobs.appendleft(job)
            _log.append(job)
            _hist.extend([job])
      `,
      errors: [{ line: 4 }, { line: 5 }, { line: 6 }],
      output: `
        from collections import deque as dq
        import collections as c

        _jobs = dq(maxlen=1024)
        _log = c.deque(initial_entries(), maxlen=1024)
        _hist = dq(maxlen=1024)

        def push(job):
            _jobs.appendleft(job)
            _log.append(job)
            _hist.extend([job])
      `,
    },
    {
      name: 'class-level lists grown through self and the class name: trimmed after each append (unsafe)',
      code: `
        class Collector:
            items = []
            registry = []
            log = []

            def add(self, x):
                self.items.append(x)

            @classmethod
            def register(cls, x):
                cls.registry.append(x)

        def note(x):
            Collector.log.append(x)
      `,
      errors: [
        {
          line: 2,
          column: 5,
          message:
            'class attribute `Collector.items` is shared by all instances and grows in `Collector.add()`',
        },
        { line: 4, message: '`Collector.log` is shared by all instances and grows in `note()`' },
      ],
      unsafeOutput: `
        class Collector:
            items = []
            registry = []
            log = []

            def add(self, x):
                self.items.append(x)
                del self.items[:-1024]

            @classmethod
            def register(cls, x):
                cls.registry.append(x)

        def note(x):
            Collector.log.append(x)
            del Collector.log[:-1024]
      `,
    },
    {
      name: 'a ClassVar-annotated list in a model class is shared',
      code: `
        from typing import ClassVar
        from pydantic import BaseModel

        class Event(BaseModel):
            history: ClassVar[list] = []

            def save(self):
                self.history.append(self)
      `,
      errors: [{ line: 5, message: '`Event.history`' }],
      unsafeOutput: `
        from typing import ClassVar
        from pydantic import BaseModel

        class Event(BaseModel):
            history: ClassVar[list] = []

            def save(self):
                self.history.append(self)
                del self.history[:-1024]
      `,
    },
    {
      name: 'dict values accumulating under constant keys (literal and setdefault)',
      code: `
        _events = {"clicks": [], "views": []}
        _groups = {}

        def click(e):
            _events["clicks"].append(e)
            _groups.setdefault("all", []).append(e)
      `,
      errors: [
        { line: 1, message: '`_events` grows in `click()` (`[k].append()`)' },
        { line: 2, message: '`.setdefault(…).append()`' },
      ],
      unsafeOutput: `
        _events = {"clicks": [], "views": []}
        _groups = {}

        def click(e):
            _events["clicks"].append(e)
            del _events["clicks"][:-1024]
            _groups.setdefault("all", []).append(e)
            del _groups["all"][:-1024]
      `,
    },
    {
      name: 'lists growing inside a list of buckets: a maxlen would not bound them; the bucket is named and trimmed, unsafe',
      code: `
        _buckets = [[] for _ in range(16)]

        def put(key, value):
            _buckets[hash(key) % 16].append(value)
      `,
      errors: [{ line: 1, message: '`_buckets` grows in `put()` (`[k].append()`)' }],
      unsafeOutput: `
        _buckets = [[] for _ in range(16)]

        def put(key, value):
            items = _buckets[hash(key) % 16]
            items.append(value)
            del items[:-1024]
      `,
    },
    {
      name: 'mutable default list with a docstring and a comment → None + guard after the docstring',
      code: `
        def collect(item, acc=[]):
            """Collect items."""
            # remember the item
            acc.append(item)
            return acc
      `,
      errors: [
        {
          line: 1,
          column: 23,
          message:
            'mutable default `acc=[]` of `collect()` is created once and grows on every call (`.append()`)',
        },
      ],
      unsafeOutput: `
        def collect(item, acc=None):
            """Collect items."""
            if acc is None:
                acc = []
            # remember the item
            acc.append(item)
            return acc
      `,
    },
    {
      name: 'annotated default → Optional[...] with the typing import; method and async def',
      code: `
        import os

        class Walker:
            def walk(self, node, seen: set[int] = set()):
                seen.add(id(node))
                for child in node.children:
                    self.walk(child, seen)
                return seen

        async def gather(x, out: list = []):
            out.extend(await fetch(x))
            return out
      `,
      errors: [
        { line: 4, message: '`seen=set()` of `walk()`' },
        { line: 10, message: '`out=[]` of `gather()`' },
      ],
      unsafeOutput: `
        import os
        from typing import Optional

        class Walker:
            def walk(self, node, seen: Optional[set[int]] = None):
                if seen is None:
                    seen = set()
                seen.add(id(node))
                for child in node.children:
                    self.walk(child, seen)
                return seen

        async def gather(x, out: Optional[list] = None):
            if out is None:
                out = []
            out.extend(await fetch(x))
            return out
      `,
    },
    {
      name: 'under `from __future__ import annotations` the annotation becomes X | None; tabs are kept',
      code: `
        from __future__ import annotations

        def add(x, acc: dict[str, int] = {}, *, flags={}):
        \tacc[x] = 1
        \treturn acc
      `,
      errors: [{ line: 3, message: '`acc={}` of `add()`' }],
      unsafeOutput: `
        from __future__ import annotations

        def add(x, acc: dict[str, int] | None = None, *, flags={}):
        \tif acc is None:
        \t\tacc = {}
        \tacc[x] = 1
        \treturn acc
      `,
    },
    {
      name: 'a default used as a memo across calls: a fresh dict would change behaviour, so it is bounded instead, unsafe',
      code: `
        def synopsis(filename, cache={}):
            if filename in cache:
                return cache[filename]
            cache[filename] = result = read(filename)
            return result
      `,
      errors: [
        { line: 1, message: 'mutable default `cache={}` of `synopsis()` is a cache shared by all calls' },
      ],
      unsafeOutput: `
        def synopsis(filename, cache={}):
            if filename in cache:
                return cache[filename]
            cache[filename] = result = read(filename)
            if len(cache) > 1024:
                del cache[next(iter(cache))]
            return result
      `,
    },
    {
      name: 'in-place += on a list default is growth; multi-line parameters',
      code: `
        def extend(
            items,
            acc=[],
        ):
            acc += items
            return acc
      `,
      errors: [{ line: 3, message: '`acc=[]` of `extend()` is created once and grows on every call (`+=`)' }],
      unsafeOutput: `
        def extend(
            items,
            acc=None,
        ):
            if acc is None:
                acc = []
            acc += items
            return acc
      `,
    },
    {
      name: 'a body on the header line moves to lines of its own under the None guard',
      code: `
        def push(x, stack=[]): stack.append(x); return stack
      `,
      errors: [{ line: 1 }],
      unsafeOutput: `
        def push(x, stack=None):
            if stack is None:
                stack = []
            stack.append(x); return stack
      `,
    },
    {
      name: 'the wrapper of a decorator appends on every call',
      code: `
        _calls = []

        def traced(fn):
            def wrapper(*args):
                _calls.append(fn.__name__)
                return fn(*args)
            return wrapper
      `,
      errors: [{ line: 1, message: '`_calls` grows in `wrapper()`' }],
      output: `
        from collections import deque
        _calls = deque(maxlen=1024)

        def traced(fn):
            def wrapper(*args):
                _calls.append(fn.__name__)
                return fn(*args)
            return wrapper
      `,
    },
    {
      name: 'heappush without heappop grows; a deque cannot be a heap: it keeps its smallest items, unsafe',
      code: `
        import heapq

        _heap = []

        def push(item):
            heapq.heappush(_heap, item)
      `,
      errors: [{ line: 3, message: '`_heap` grows in `push()` (`heapq.heappush()`)' }],
      unsafeOutput: `
        import heapq

        _heap = []

        def push(item):
            heapq.heappush(_heap, item)
            if len(_heap) > 2048:
                _heap[:] = heapq.nsmallest(1024, _heap)
      `,
    },
  ],
};

ruleTester(rule, table);

describe('LEAK002 details', () => {
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
    assert.equal(analyzeSource(rule.docs.example, { rules: [rule] }).findings.length, 2);
    assert.deepEqual(analyzeSource(rule.docs.useInstead, { rules: [rule] }).findings, []);
  });

  it('points at the container name and relates every growth site', () => {
    const code = dedent(`
      _log = []

      def a(x):
          _log.append(x)

      def b(x):
          _log.extend(x)
    `);
    const [finding] = analyzeSource(code, { rules: [rule] }).findings;
    assert.deepEqual(finding.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
    assert.deepEqual(
      finding.related.map((r) => [r.range.start.line + 1, r.message]),
      [
        [4, 'grows here'],
        [7, 'grows here'],
      ],
    );
  });

  it('the mutable default finding underlines the default value', () => {
    const [finding] = analyzeSource('def f(x, acc=[]):\n    acc.append(x)\n', { rules: [rule] }).findings;
    assert.deepEqual(finding.range, { start: { line: 0, character: 13 }, end: { line: 0, character: 15 } });
  });
});
