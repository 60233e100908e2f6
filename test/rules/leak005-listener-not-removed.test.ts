import * as assert from 'node:assert/strict';
import { dedent } from '../../server/src/fixes/edits';
import { rule } from '../../server/src/rules/leak005-listener-not-removed';
import { findingsOf, type RuleTable, ruleTester } from '../support/rule-tester';

export const table: RuleTable = {
  valid: [
    {
      name: "a helper named for switching a logger's output on (`add_stderr_logger`), which nothing here calls: start-up or debugging code, called once",
      code: `
        import logging


        def add_stderr_logger(level=logging.DEBUG):
            logger = logging.getLogger("mylib")
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(level)
            return handler
      `,
    },
    {
      name: 'a registration method whose docstring makes calling it once the contract (from an init hook): it runs once',
      code: `
        class RequestLog:
            def register(self, env):
                """Attach to env's events. Must be called once, from the init hook."""
                env.events.request.add_listener(self.on_request)
                self.opened = open_log()

            def on_request(self, **kw): ...
      `,
    },
    {
      name: 'socketio on(event, handler) keeps one handler per event name: registering again replaces it',
      code: `
        import socketio

        class Chat:
            def __init__(self):
                self.sio = socketio.Client()

            def task(self):
                self.sio.on("message", lambda m: self.got(m))
                self.sio.emit("send", "hi")

        def run(n):
            for _ in range(n):
                Chat().task()
      `,
    },
    {
      name: 'a socketio client made on a base class elsewhere (self.sio), in a module that imports socketio',
      code: `
        from socketio import Client

        class ChatUser(SocketUserBase):
            def task(self):
                self.sio.on("message", self.on_message)
                Client.call(self.sio, "send", {})

            def on_message(self, m): ...
      `,
    },
    {
      name: "a Django field's contribute_to_class (once per model field, when the class is made) that connects through a lambda lazy_related_operation runs once",
      code: `
        from django.db import models
        from django.db.models.fields.related import lazy_related_operation
        from django.db.models.signals import m2m_changed


        class RoleField(models.ForeignKey):
            def contribute_to_class(self, cls, name):
                super().contribute_to_class(cls, name)
                function = lambda local, related, field: self.bind(field, related, local)
                lazy_related_operation(function, cls, "self", field=self)

            def bind(self, field, related, cls):
                m2m_changed.connect(self.on_change, sender=cls, weak=False)

            def on_change(self, **kwargs):
                pass
      `,
    },
    {
      name: 'module-level one-time registration',
      code: `
        import logging
        from events import bus

        def on_event(e): ...

        bus.subscribe("changed", on_event)
        logging.getLogger().addHandler(logging.StreamHandler())
      `,
    },
    {
      name: '@receiver decorators',
      code: `
        from django.db.models.signals import post_save
        from django.dispatch import receiver

        @receiver(post_save, sender=Order)
        def on_order_saved(sender, instance, **kwargs): ...
      `,
    },
    {
      name: 'Django/blinker connect with the default weak=True, or with a dispatch_uid',
      code: `
        from django.db.models.signals import post_save

        class Audit:
            def __init__(self):
                post_save.connect(self.on_save)
                post_save.connect(self.on_save, weak=False, dispatch_uid="audit")
      `,
    },
    {
      name: 'a subscription undone in close()',
      code: `
        class Widget:
            def __init__(self, bus):
                self.bus = bus
                self.bus.subscribe("changed", self.on_changed)

            def close(self):
                self.bus.unsubscribe("changed", self.on_changed)
      `,
    },
    {
      name: 'a handler removed in __exit__',
      code: `
        import logging

        class capture_logs:
            def __enter__(self):
                self.handler = logging.StreamHandler()
                logging.getLogger().addHandler(self.handler)
                return self

            def __exit__(self, *exc):
                logging.getLogger().removeHandler(self.handler)
      `,
    },
    {
      name: 'logging set up once, from main()',
      code: `
        import logging

        def setup_logging(level):
            root = logging.getLogger()
            root.addHandler(logging.StreamHandler())
            root.setLevel(level)

        def main():
            setup_logging("INFO")

        if __name__ == "__main__":
            main()
      `,
    },
    {
      name: 'a helper guarded by "if not logger.handlers"',
      code: `
        import logging

        def get_logger(name):
            logger = logging.getLogger(name)
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler())
            return logger
      `,
    },
    {
      name: 'a run-once flag',
      code: `
        import logging

        _configured = False

        def get_logger(name):
            global _configured
            if _configured:
                return logging.getLogger(name)
            logging.getLogger().addHandler(logging.StreamHandler())
            _configured = True
            return logging.getLogger(name)
      `,
    },
    {
      name: 'the unsubscribe handle is kept',
      code: `
        class View:
            def __init__(self, store):
                self._unsubscribe = store.subscribe(self.render)

            def close(self):
                self._unsubscribe()
      `,
    },
    {
      name: 'filters added to a fresh handler, and handlers added to a hand-built logger',
      code: `
        import logging

        def make_handler(path):
            handler = logging.FileHandler(path)
            handler.addFilter(logging.Filter("app"))
            return handler

        class Job:
            def __init__(self, name):
                self.log = logging.Logger(name)
                self.log.addHandler(logging.StreamHandler())
      `,
    },
    {
      name: 'the same module-level handler object re-added is a no-op',
      code: `
        import logging

        _console = logging.StreamHandler()

        def handle(request):
            logger = logging.getLogger("app")
            logger.addHandler(_console)
      `,
    },
    {
      name: 'atexit registration from main() and memoized helpers',
      code: `
        import atexit
        import functools
        import logging

        def main():
            atexit.register(lambda: print("bye"))

        @functools.lru_cache(maxsize=None)
        def get_logger(name):
            logger = logging.getLogger(name)
            logger.addHandler(logging.StreamHandler())
            return logger
      `,
    },
    {
      name: 'a method registering a module-level function (the same object each time)',
      code: `
        from events import bus

        def log_event(e): ...

        class Service:
            def start(self):
                bus.subscribe("tick", log_event)
      `,
    },
    {
      name: 'a helper called in a loop while the module is imported (once per name)',
      code: `
        import logging

        def attach(name):
            logging.getLogger(name).addHandler(logging.StreamHandler())

        for name in ("a", "b", "c"):
            attach(name)
      `,
    },
    {
      name: "a helper that resets the logger's handlers before adding one",
      code: `
        import logging

        def get_logger(name):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.addHandler(logging.StreamHandler())
            return logger
      `,
    },
    {
      name: 'removal registered on an ExitStack',
      code: `
        import contextlib

        class Session:
            def __init__(self, bus, stack: contextlib.ExitStack):
                bus.subscribe(self.on_message)
                stack.callback(bus.unsubscribe, self.on_message)
      `,
    },
    {
      name: 'dead code under "if 0:"',
      code: `
        import logging

        class NetTests:
            def setUp(self):
                if 0:
                    logger = logging.getLogger("net")
                    logger.addHandler(logging.StreamHandler())
      `,
    },
    {
      name: 'connect() without weak=False is not a signal registration (sockets, databases)',
      code: `
        import socket

        class Client:
            def open(self, addr):
                self.sock = socket.socket()
                self.sock.connect(addr)
      `,
    },
    {
      name: 'unittest setUp paired with tearDown',
      code: `
        import logging
        import unittest

        class T(unittest.TestCase):
            def setUp(self):
                self.handler = logging.StreamHandler()
                logging.getLogger("x").addHandler(self.handler)

            def tearDown(self):
                logging.getLogger("x").removeHandler(self.handler)
      `,
    },
    {
      name: 'atexit registration in a helper called only by the method that runs the event loop forever: once per process',
      code: `
        import asyncio
        import atexit

        class Daemon:
            def __init__(self):
                self.loop = asyncio.new_event_loop()

            def _on_exit(self):
                def close_loop():
                    self.loop.close()

                atexit.register(close_loop)

            def serve(self):
                self._on_exit()
                self.loop.run_forever()
      `,
    },
    {
      name: 'atexit registration in a function that daemonizes the process (it forks and detaches: once per process)',
      code: `
        import atexit
        import os

        def daemonize_process(pid_file):
            if os.fork():
                os._exit(0)
            with open(pid_file, "w") as f:
                f.write(str(os.getpid()))
            atexit.register(os.remove, pid_file)


        def start(pid_file, daemonize):
            if daemonize:
                daemonize_process(pid_file)
      `,
    },
  ],
  invalid: [
    {
      name: 'atexit registration in a helper of a method that hands the event loop to a callback it does not run: its callers decide',
      code: `
        import atexit

        class Daemon:
            def _on_exit(self):
                atexit.register(self.flush)

            def launch(self, reactor):
                self._on_exit()
                reactor.callWhenRunning(lambda: reactor.run())

            def flush(self): ...
      `,
      errors: [{ line: 5, message: 'how often `Daemon.launch()` is called is decided by its callers' }],
    },
    {
      name: 'a handler added by a plain function that logs through it: removed in finally, or attached once (both unsafe)',
      code: `
        import logging

        def export(rows, stream):
            logging.getLogger("export").addHandler(logging.StreamHandler(stream))
            for row in rows:
                logging.getLogger("export").info("row %s", row)
            write(rows)
      `,
      errors: [{ line: 4, message: 'adds a handler on every call of `export()`' }],
      unsafeOutput: `
        import logging

        def export(rows, stream):
            handler = logging.StreamHandler(stream)
            logging.getLogger("export").addHandler(handler)
            try:
                for row in rows:
                    logging.getLogger("export").info("row %s", row)
                write(rows)
            finally:
                logging.getLogger("export").removeHandler(handler)
      `,
    },
    {
      name: 'a helper not called in this module is public API, called as often as its callers like',
      code: `
        import logging

        def attach_console(name):
            logging.getLogger(name).addHandler(logging.StreamHandler())
      `,
      errors: [{ line: 4, message: 'adds a handler on every call of `attach_console()`' }],
      unsafeOutput: `
        import logging

        def attach_console(name):
            if not any(type(h) is logging.StreamHandler for h in logging.getLogger(name).handlers):
                logging.getLogger(name).addHandler(logging.StreamHandler())
      `,
    },
    {
      name: 'the classic: a logging helper that adds a handler on every call',
      code: `
        import logging

        def get_logger(name):
            logger = logging.getLogger(name)
            logger.addHandler(logging.StreamHandler())
            return logger
      `,
      errors: [
        {
          line: 5,
          column: 5,
          message:
            '`logger.addHandler()` adds a handler on every call of `get_logger()` and nothing removes it (no `removeHandler` in this module): handlers pile up on the process-wide logger (each one repeating every record and holding its stream open) — how often `get_logger()` is called is decided by its callers in other modules',
          severity: 'information',
        },
      ],
      unsafeOutput: `
        import logging

        def get_logger(name):
            logger = logging.getLogger(name)
            if not any(type(h) is logging.StreamHandler for h in logger.handlers):
                logger.addHandler(logging.StreamHandler())
            return logger
      `,
    },
    {
      name: 'two handlers added to one logger: one guard around both (a guard each would never attach the second)',
      code: `
        import logging

        def get_logger(name, path):
            logger = logging.getLogger(name)
            logger.addHandler(logging.FileHandler(path))
            logger.addHandler(logging.StreamHandler())
            return logger
      `,
      errors: [
        { line: 5, message: 'adds a handler on every call of `get_logger()`' },
        { line: 6, message: 'adds a handler on every call of `get_logger()`' },
      ],
      unsafeOutput: `
        import logging

        def get_logger(name, path):
            logger = logging.getLogger(name)
            if not any(type(h) in (logging.FileHandler, logging.StreamHandler) for h in logger.handlers):
                logger.addHandler(logging.FileHandler(path))
                logger.addHandler(logging.StreamHandler())
            return logger
      `,
    },
    {
      name: 'a per-instance handler, removed in the existing close()',
      code: `
        import logging as lg

        class Job:
            def __init__(self, path):
                self.logger = lg.getLogger("jobs")
                self.handler = lg.FileHandler(path)
                self.logger.addHandler(self.handler)

            def close(self):
                """Release the log file."""
                self.handler.close()
      `,
      errors: [{ line: 7, message: 'for every `Job` instance' }],
      output: `
        import logging as lg

        class Job:
            def __init__(self, path):
                self.logger = lg.getLogger("jobs")
                self.handler = lg.FileHandler(path)
                self.logger.addHandler(self.handler)

            def close(self):
                """Release the log file."""
                self.logger.removeHandler(self.handler)
                self.handler.close()
      `,
    },
    {
      name: 'an event-bus subscription in __init__, undone in close() after its guard',
      code: `
        class Widget:
            def __init__(self, bus):
                self.bus = bus
                self.closed = False
                self.bus.subscribe("changed", self.on_changed)

            def on_changed(self, event): ...

            def close(self):
                if self.closed:
                    return
                self.closed = True
      `,
      errors: [{ line: 5, message: 'no `unsubscribe` in this class or module' }],
      unsafeOutput: `
        class Widget:
            def __init__(self, bus):
                self.bus = bus
                self.closed = False
                self.bus.subscribe("changed", self.on_changed)

            def on_changed(self, event): ...

            def close(self):
                if self.closed:
                    return
                self.bus.unsubscribe("changed", self.on_changed)
                self.closed = True
      `,
    },
    {
      name: 'a signal connected with weak=False, disconnected in __exit__',
      code: `
        from django.db.models.signals import post_save

        class Recorder:
            def __enter__(self):
                post_save.connect(self.record, sender=Order, weak=False)
                return self

            def __exit__(self, *exc):
                return False

            def record(self, sender, **kwargs): ...
      `,
      errors: [{ line: 5, message: '`post_save.connect()`' }],
      output: `
        from django.db.models.signals import post_save

        class Recorder:
            def __enter__(self):
                post_save.connect(self.record, sender=Order, weak=False)
                return self

            def __exit__(self, *exc):
                post_save.disconnect(self.record, sender=Order)
                return False

            def record(self, sender, **kwargs): ...
      `,
    },
    {
      name: 'atexit.register(self.close) keeps every instance until exit',
      code: `
        import atexit

        class TempDir:
            def __init__(self):
                atexit.register(self.cleanup)

            def cleanup(self):
                pass
      `,
      errors: [{ line: 5, message: 'until exit' }],
      output: `
        import atexit

        class TempDir:
            def __init__(self):
                atexit.register(self.cleanup)

            def cleanup(self):
                atexit.unregister(self.cleanup)
                pass
      `,
    },
    {
      name: 'a lambda that only forwards to a method becomes the bound method, removed in close(), unsafe',
      code: `
        class Panel:
            def __init__(self, emitter):
                emitter.add_listener("resize", lambda e: self.layout(e))

            def close(self):
                pass
      `,
      errors: [{ line: 3, message: '`emitter.add_listener()`' }],
      unsafeOutput: `
        class Panel:
            def __init__(self, emitter):
                self._emitter = emitter
                emitter.add_listener("resize", self.layout)

            def close(self):
                self._emitter.remove_listener("resize", self.layout)
                pass
      `,
    },
    {
      name: 'a FastAPI route that adds a handler per request',
      code: `
        import logging
        from fastapi import FastAPI

        app = FastAPI()
        log = logging.getLogger("api")

        @app.get("/items")
        async def items():
            log.addHandler(logging.FileHandler("items.log"))
            return []
      `,
      errors: [{ line: 9, message: 'on every call of `items()`' }],
      unsafeOutput: `
        import logging
        from fastapi import FastAPI

        app = FastAPI()
        log = logging.getLogger("api")

        @app.get("/items")
        async def items():
            if not any(type(h) is logging.FileHandler for h in log.handlers):
                log.addHandler(logging.FileHandler("items.log"))
            return []
      `,
    },
    {
      name: 'a Django view (first parameter request) subscribing a bound method of a local',
      code: `
        def stream(request):
            feed = Feed(request.user)
            hub.subscribe(feed.push)
            return feed.response()
      `,
      errors: [{ line: 3 }],
      unsafeOutput: `
        def stream(request):
            feed = Feed(request.user)
            hub.subscribe(feed.push)
            try:
                return feed.response()
            finally:
                hub.unsubscribe(feed.push)
      `,
    },
    {
      name: 'a helper called in a for loop of a function whose callers are elsewhere: the loop is not the repetition, the callers are (information)',
      code: `
        import logging

        def attach(name):
            logging.getLogger(name).addHandler(logging.StreamHandler())

        def refresh(names):
            for name in names:
                attach(name)
      `,
      errors: [
        {
          line: 4,
          severity: 'information',
          message: 'how often `refresh()` is called is decided by its callers',
        },
      ],
      unsafeOutput: `
        import logging

        def attach(name):
            if not any(type(h) is logging.StreamHandler for h in logging.getLogger(name).handlers):
                logging.getLogger(name).addHandler(logging.StreamHandler())

        def refresh(names):
            for name in names:
                attach(name)
      `,
    },
    {
      name: 'an autodiscovery method, by convention called once at start-up: a hint that says so',
      code: `
        import logging

        class PluginHost:
            def autodiscover_plugins(self, packages):
                log = logging.getLogger("plugins")
                log.addHandler(logging.StreamHandler())
                return [__import__(p) for p in packages]
      `,
      errors: [
        {
          line: 6,
          severity: 'hint',
          message: 'an autodiscovery call, usually made once at start-up',
        },
      ],
    },
    {
      name: 'a factory usually called once at start-up (jinja2 make_logging_undefined): a hint',
      code: `
        import logging
        import sys

        def make_logging_undefined(logger=None):
            if logger is None:
                logger = logging.getLogger(__name__)
                logger.addHandler(logging.StreamHandler(sys.stderr))
            return logger
      `,
      errors: [{ line: 7, severity: 'hint', message: 'a factory, usually called once at start-up' }],
      unsafeOutput: `
        import logging
        import sys

        def make_logging_undefined(logger=None):
            if logger is None:
                logger = logging.getLogger(__name__)
                if not any(type(h) is logging.StreamHandler for h in logger.handlers):
                    logger.addHandler(logging.StreamHandler(sys.stderr))
            return logger
      `,
    },
    {
      name: 'a helper called from two places',
      code: `
        from events import bus

        def watch(path):
            bus.add_event_handler("modified", lambda e: print(path, e))

        def start():
            watch("a")
            watch("b")
      `,
      errors: [{ line: 4, message: '`bus.add_event_handler()`' }],
      unsafeOutput: `
        from events import bus

        def watch(path):
            listener = lambda e: print(path, e)
            bus.add_event_handler("modified", listener)
            return lambda: bus.remove_event_handler("modified", listener)

        def start():
            watch("a")
            watch("b")
      `,
    },
    {
      name: 'removed only in __del__, which never runs while the bus holds the bound method',
      code: `
        class Sub:
            def __init__(self, bus):
                self.bus = bus
                bus.subscribe(self.on)

            def on(self, e): ...

            def __del__(self):
                self.bus.unsubscribe(self.on)
      `,
      errors: [{ line: 4, message: 'removes it only in `__del__`' }],
      unsafeOutput: `
        class Sub:
            def __init__(self, bus):
                self.bus = bus
                bus.subscribe(self.on)

            def on(self, e): ...

            def close(self):
                self.bus.unsubscribe(self.on)
      `,
    },
    {
      name: "on() of another library's object: a project function named unsubscribe is no removal method for it",
      code: `
        class BasePage:
            def __init__(self, page):
                self.page = page

            def accept_dialog(self):
                self.page.on("dialog", lambda dialog: dialog.accept())

        def unsubscribe(request, token):
            return token
      `,
      errors: [{ line: 6, severity: 'hint' }],
      output: null,
    },
    {
      name: 'add_event_listener per instance and no cleanup method',
      code: `
        class Tooltip:
            def __init__(self, element):
                element.add_event_listener("hover", self.show)

            def show(self, e): ...
      `,
      errors: [{ line: 3 }],
      unsafeOutput: `
        class Tooltip:
            def __init__(self, element):
                self._element = element
                element.add_event_listener("hover", self.show)

            def show(self, e): ...

            def close(self):
                self._element.remove_event_listener("hover", self.show)
      `,
    },
    {
      name: 'sqlalchemy event.listen per instance, removed in shutdown()',
      code: `
        from sqlalchemy import event

        class Auditor:
            def __init__(self, engine):
                self.engine = engine
                event.listen(self.engine, "before_execute", self.audit, retval=True)

            def audit(self, *args): ...

            def shutdown(self):
                self.engine = None
      `,
      errors: [{ line: 6, message: '`sqlalchemy.event.listen()`' }],
      output: `
        from sqlalchemy import event

        class Auditor:
            def __init__(self, engine):
                self.engine = engine
                event.listen(self.engine, "before_execute", self.audit, retval=True)

            def audit(self, *args): ...

            def shutdown(self):
                event.remove(self.engine, "before_execute", self.audit)
                self.engine = None
      `,
    },
    {
      name: 'a nested closure registered from a set-up method (per instance): kept on the object, removed in a new close()',
      code: `
        class Chart:
            def bind(self, source):
                def redraw(event):
                    self.draw(event)
                source.subscribe(redraw)
      `,
      errors: [{ line: 5, message: 'on every call of `Chart.bind()`' }],
      unsafeOutput: `
        class Chart:
            def bind(self, source):
                def redraw(event):
                    self.draw(event)
                self._source = source
                source.subscribe(redraw)
                self._redraw = redraw

            def close(self):
                if getattr(self, "_redraw", None) is not None:
                    self._source.unsubscribe(self._redraw)
      `,
    },
    {
      name: 'atexit.register with arguments in a view that goes on: the cleanup runs in a finally instead, unsafe',
      code: `
        import atexit

        def export(request):
            spool = open_spool(request)
            atexit.register(spool.cleanup, True)
            spool.write(request.body)
            return spool.name
      `,
      errors: [{ line: 5, message: '`atexit.register()`' }],
      unsafeOutput: `
        import atexit

        def export(request):
            spool = open_spool(request)
            try:
                spool.write(request.body)
                return spool.name
            finally:
                spool.cleanup(True)
      `,
    },
    {
      name: 'a bound method of every instance registered with atexit in __init__, in a class with no cleanup: a close() that unregisters it, unsafe',
      code: `
        import atexit

        from flask import Flask

        app = Flask(__name__)

        class Timing:
            def __init__(self, name):
                self.name = name
                self.samples = []
                atexit.register(self.dump)

            def dump(self):
                print(self.name, len(self.samples))

        @app.get("/work")
        def work():
            timing = Timing("work")
            timing.samples.append(1)
            return "ok"
      `,
      errors: [{ line: 11, message: 'for every `Timing` instance' }],
      unsafeOutput: `
        import atexit

        from flask import Flask

        app = Flask(__name__)

        class Timing:
            def __init__(self, name):
                self.name = name
                self.samples = []
                atexit.register(self.dump)

            def dump(self):
                print(self.name, len(self.samples))

            def close(self):
                atexit.unregister(self.dump)

        @app.get("/work")
        def work():
            timing = Timing("work")
            timing.samples.append(1)
            return "ok"
      `,
    },
    {
      name: 'a filter made in the call, added to a named logger in __init__ of a per-request class: kept on the object, removed in a new close(), unsafe',
      code: `
        import logging

        class Redact(logging.Filter):
            def filter(self, record):
                return True

        class Client:
            def __init__(self, token):
                self.token = token
                logging.getLogger("client.http").addFilter(Redact())

        def view(request):
            return Client(request.headers["token"]).token
      `,
      errors: [
        {
          line: 10,
          message:
            /adds a filter for every `Client` instance .*filters pile up on the process-wide logger \(each one run on every record/,
        },
      ],
      unsafeOutput: `
        import logging

        class Redact(logging.Filter):
            def filter(self, record):
                return True

        class Client:
            def __init__(self, token):
                self.token = token
                self._redact = Redact()
                logging.getLogger("client.http").addFilter(self._redact)

            def close(self):
                logging.getLogger("client.http").removeFilter(self._redact)

        def view(request):
            return Client(request.headers["token"]).token
      `,
    },
    {
      name: 'atexit.register(shutil.rmtree, tmp) for a folder the task made: removed when the task is done, unsafe',
      code: `
        import atexit
        import shutil
        import tempfile

        from celery import shared_task

        @shared_task
        def render(doc_id):
            workdir = tempfile.mkdtemp()
            atexit.register(shutil.rmtree, workdir, True)
            return build(doc_id, workdir)
      `,
      errors: [{ line: 10, message: '`atexit.register()`' }],
      unsafeOutput: `
        import atexit
        import shutil
        import tempfile

        from celery import shared_task

        @shared_task
        def render(doc_id):
            workdir = tempfile.mkdtemp()
            try:
                return build(doc_id, workdir)
            finally:
                shutil.rmtree(workdir, True)
      `,
    },
    {
      name: 'atexit.register of a long-lived pool on every call of a method: no fix (unregistering would also drop the one made at start-up)',
      code: `
        import atexit

        from flask import Flask

        app = Flask(__name__)

        class Worker:
            def __init__(self, pool):
                self.pool = pool

            def handle(self, job):
                atexit.register(self.pool.close)
                return self.pool.submit(job)

        @app.post("/jobs")
        def submit():
            return Worker(make_pool()).handle("job")
      `,
      errors: [{ line: 12, message: 'on every call of `Worker.handle()`' }],
      output: null,
    },
    {
      name: 'aliased atexit.register in a per-request handler',
      code: `
        from atexit import register as at_exit

        def handle(request):
            session = open_session(request)
            at_exit(session.close)
      `,
      errors: [{ line: 5, message: '`atexit.register()`' }],
      unsafeOutput: `
        from atexit import register as at_exit

        def handle(request):
            session = open_session(request)
            session.close()
      `,
    },
    {
      name: 'a handler added in start() of a subclass, maybe: kept on the object, removed in a stop() that calls the base one, unsafe',
      code: `
        import logging

        from celery.worker import WorkController

        class TestWorkController(WorkController):
            def start(self):
                if self.logger_queue:
                    handler = logging.handlers.QueueHandler(self.logger_queue)
                    logger = logging.getLogger()
                    logger.addHandler(handler)
                return super().start()
      `,
      errors: [
        {
          line: 10,
          message: '`logger.addHandler()` adds a handler on every call of `TestWorkController.start()`',
        },
      ],
      unsafeOutput: `
        import logging

        from celery.worker import WorkController

        class TestWorkController(WorkController):
            def start(self):
                if self.logger_queue:
                    handler = logging.handlers.QueueHandler(self.logger_queue)
                    logger = logging.getLogger()
                    logger.addHandler(handler)
                    self._handler = handler
                return super().start()

            def stop(self, *args, **kwargs):
                if getattr(self, "_handler", None) is not None:
                    logging.getLogger().removeHandler(self._handler)
                return super().stop(*args, **kwargs)
      `,
    },
    {
      name: 'a factory registers a closure with atexit on every call: keep only the latest (a module-level slot, the previous one unregistered), unsafe',
      code: `
        import atexit

        from .db import engine


        def create_worker_app(config):
            """Build the app."""
            app = {"config": config}

            def dispose():
                engine.dispose()

            atexit.register(dispose)
            return app
      `,
      errors: [{ line: 13, message: 'on every call of `create_worker_app()`' }],
      unsafeOutput: `
        import atexit

        from .db import engine

        _create_worker_app_at_exit = None


        def create_worker_app(config):
            """Build the app."""
            app = {"config": config}

            def dispose():
                engine.dispose()

            global _create_worker_app_at_exit
            if _create_worker_app_at_exit is not None:
                atexit.unregister(_create_worker_app_at_exit)
            _create_worker_app_at_exit = dispose
            atexit.register(_create_worker_app_at_exit)
            return app
      `,
    },
    {
      name: "a method that closes its pool, replaces it and registers the new pool's close with atexit: the old registration unregistered where the code closes it (safe: it would only close it again)",
      code: `
        import atexit
        from multiprocessing.pool import ThreadPool


        class Bot:
            def __init__(self, size):
                self.size = size
                self.pool = ThreadPool(size)

            def handle(self, admin_only):
                if admin_only:
                    self.pool.close()
                    self.pool.join()
                    self.pool = ThreadPool(self.size)
                    atexit.register(self.pool.close)
                return self.pool
      `,
      errors: [{ line: 15, message: 'on every call of `Bot.handle()`' }],
      output: `
        import atexit
        from multiprocessing.pool import ThreadPool


        class Bot:
            def __init__(self, size):
                self.size = size
                self.pool = ThreadPool(size)

            def handle(self, admin_only):
                if admin_only:
                    self.pool.close()
                    atexit.unregister(self.pool.close)
                    self.pool.join()
                    self.pool = ThreadPool(self.size)
                    atexit.register(self.pool.close)
                return self.pool
      `,
    },
    {
      name: 'a method registers a closure of its own with atexit on each call, nothing of the object in it: keep only the latest, one per process, unsafe',
      code: `
        import asyncio
        import atexit


        class Server:
            def _exit_handling(self):
                def close_loop():
                    asyncio.get_event_loop().close()

                atexit.register(close_loop)
      `,
      errors: [{ line: 10, message: 'on every call of `Server._exit_handling()`' }],
      unsafeOutput: `
        import asyncio
        import atexit

        _exit_handling_at_exit = None


        class Server:
            def _exit_handling(self):
                def close_loop():
                    asyncio.get_event_loop().close()

                global _exit_handling_at_exit
                if _exit_handling_at_exit is not None:
                    atexit.unregister(_exit_handling_at_exit)
                _exit_handling_at_exit = close_loop
                atexit.register(_exit_handling_at_exit)
      `,
    },
    {
      name: 'a signal receiver built over several lines and connected on every call: kept on the object, the previous one disconnected first (same sender), unsafe',
      code: `
        from . import signals
        from .promises import starpromise


        class App:
            def discover(self, packages, force=False):
                if force:
                    return self._discover(packages)
                signals.import_modules.connect(starpromise(
                    self._discover, packages,
                ), weak=False, sender=self)

            def _discover(self, packages, **kwargs):
                return packages
      `,
      errors: [{ line: 9, message: 'on every call of `App.discover()`' }],
      unsafeOutput: `
        from . import signals
        from .promises import starpromise


        class App:
            def discover(self, packages, force=False):
                if force:
                    return self._discover(packages)
                if getattr(self, "_import_modules_listener", None) is not None:
                    signals.import_modules.disconnect(self._import_modules_listener, sender=self)
                self._import_modules_listener = starpromise(
                    self._discover, packages,
                )
                signals.import_modules.connect(self._import_modules_listener, weak=False, sender=self)

            def _discover(self, packages, **kwargs):
                return packages
      `,
    },
    {
      name: 'a function defined in __init__ registered per instance, work after it: kept on the object and removed in a new close() (never a finally in __init__, never a return value from __init__)',
      code: `
        from events import bus

        class Session:
            def __init__(self, user):
                self.user = user

                def on_logout(event):
                    self.user = None

                bus.add_listener("logout", on_logout)
                self.started = True

        def handle(request):
            return Session(request.user)
      `,
      errors: [{ line: 10, message: 'for every `Session` instance' }],
      unsafeOutput: `
        from events import bus

        class Session:
            def __init__(self, user):
                self.user = user

                def on_logout(event):
                    self.user = None

                bus.add_listener("logout", on_logout)
                self._on_logout = on_logout
                self.started = True

            def close(self):
                if getattr(self, "_on_logout", None) is not None:
                    bus.remove_listener("logout", self._on_logout)

        def handle(request):
            return Session(request.user)
      `,
    },
    {
      name: 'a listener registered last in __init__ on an emitter in a local: no fix (a lambda returned from __init__ is a TypeError)',
      code: `
        from events import get_hub

        class Session:
            def __init__(self, user):
                self.user = user
                hub = get_hub()
                hub.subscribe(self.end)

            def end(self, e): ...

        def handle(request):
            return Session(request.user)
      `,
      errors: [{ line: 7, message: 'for every `Session` instance' }],
      output: null,
    },
    {
      name: 'a set-up method, register(env), adding its own handler on an emitter passed in, then opening its file: no finally that would remove the handler at once',
      code: `
        class RequestLog:
            def register(self, env):
                env.events.request.add_listener(self.on_request)
                self.opened = open_log()

            def on_request(self, **kw): ...

        def attach(envs):
            for env in envs:
                RequestLog().register(env)
      `,
      errors: [{ line: 3, message: '`env.events.request.add_listener()`' }],
      output: null,
    },
    {
      name: 'a helper whose caller uses its result: no remover returned in place of it (only the unsafe latest-registration fix)',
      code: `
        from events import bus

        def watch(path):
            bus.add_event_handler("modified", lambda e: print(path, e))

        def start():
            ok = watch("a")
            watch("b")
            return ok
      `,
      errors: [{ line: 4, message: '`bus.add_event_handler()`' }],
      unsafeOutput: `
        from events import bus

        _watch_listener = None

        def watch(path):
            global _watch_listener
            if _watch_listener is not None:
                bus.remove_event_handler("modified", _watch_listener)
            _watch_listener = lambda e: print(path, e)
            bus.add_event_handler("modified", _watch_listener)

        def start():
            ok = watch("a")
            watch("b")
            return ok
      `,
    },
    {
      name: 'on() of an emitter whose removal is not known: reported, no removal guessed',
      code: `
        from events import make_bus

        bus = make_bus()

        def watch(path):
            bus.on("modified", lambda e: print(path, e))
            scan(path)
            bus.emit("scanned", path)

        def start(paths):
            for p in paths:
                watch(p)
      `,
      errors: [{ line: 6, message: '`bus.on()`' }],
      output: null,
    },
    {
      name: 'on() of a project emitter that defines remove_listener: the removal uses it, in a finally once the work that emits is done',
      code: `
        class Bus:
            def on(self, name, fn): ...

            def remove_listener(self, name, fn): ...

            def emit(self, name, arg): ...

        bus = Bus()

        def watch(path):
            bus.on("modified", lambda e: print(path, e))
            bus.emit("scanned", path)

        def start(paths):
            for p in paths:
                watch(p)
      `,
      errors: [{ line: 11, message: '`bus.on()`' }],
      unsafeOutput: `
        class Bus:
            def on(self, name, fn): ...

            def remove_listener(self, name, fn): ...

            def emit(self, name, arg): ...

        bus = Bus()

        def watch(path):
            listener = lambda e: print(path, e)
            bus.on("modified", listener)
            try:
                bus.emit("scanned", path)
            finally:
                bus.remove_listener("modified", listener)

        def start(paths):
            for p in paths:
                watch(p)
      `,
    },
    {
      name: 'a listener added in __init__ of a class that starts and stops again: the removal goes to a new close(), not to stop() (the next start() would miss it)',
      code: `
        import logging

        class Poller:
            def __init__(self, name):
                logging.getLogger("poller").addFilter(PollFilter(name))

            def start(self): ...

            def stop(self): ...

        def poll(names):
            for name in names:
                Poller(name).start()
      `,
      errors: [{ line: 5, message: '`logging.getLogger("poller").addFilter()`' }],
      unsafeOutput: `
        import logging

        class Poller:
            def __init__(self, name):
                self._poll_filter = PollFilter(name)
                logging.getLogger("poller").addFilter(self._poll_filter)

            def start(self): ...

            def stop(self): ...

            def close(self):
                logging.getLogger("poller").removeFilter(self._poll_filter)

        def poll(names):
            for name in names:
                Poller(name).start()
      `,
    },
    {
      name: 'a listener added in __init__ of a class that starts, stops and quits: removed in quit(), the end of its life',
      code: `
        from events import bus

        class Crawler:
            def __init__(self):
                bus.add_listener("tick", self.on_tick)

            def on_tick(self, t): ...

            def start(self): ...

            def stop(self): ...

            def quit(self):
                self.stop()

        crawlers = [Crawler() for _ in range(3)]

        def restart():
            crawlers.append(Crawler())
      `,
      errors: [{ line: 5 }],
      unsafeOutput: `
        from events import bus

        class Crawler:
            def __init__(self):
                bus.add_listener("tick", self.on_tick)

            def on_tick(self, t): ...

            def start(self): ...

            def stop(self): ...

            def quit(self):
                bus.remove_listener("tick", self.on_tick)
                self.stop()

        crawlers = [Crawler() for _ in range(3)]

        def restart():
            crawlers.append(Crawler())
      `,
    },
    {
      name: 'the body of a greenlet that start() spawns (gevent.spawn(self.serve), the counterpart of Thread(target=…)): as often as start() runs, not "passed on as a callback"',
      code: `
        import logging

        import gevent

        log = logging.getLogger(__name__)

        class Console:
            def start(self):
                self.greenlet = gevent.spawn(self.serve)

            def serve(self):
                log.addFilter(QuietFilter())
                run_forever()
      `,
      errors: [
        {
          line: 12,
          severity: 'information',
          message: '`Console.serve()` is the body of a thread started in `Console.start()`',
        },
      ],
    },
    {
      name: 'a listener whose own body calls quit(): the removal does not go into quit() (it would run while the event is being dispatched to it)',
      code: `
        from events import bus

        class Worker:
            def __init__(self):
                def on_quitting(**kw):
                    self.quit()

                bus.add_listener("quitting", on_quitting)

            def quit(self):
                self.running = False

        def spawn(n):
            return [Worker() for _ in range(n)]
      `,
      errors: [{ line: 8 }],
      unsafeOutput: `
        from events import bus

        class Worker:
            def __init__(self):
                def on_quitting(**kw):
                    self.quit()

                bus.add_listener("quitting", on_quitting)
                self._on_quitting = on_quitting

            def quit(self):
                self.running = False

            def close(self):
                if getattr(self, "_on_quitting", None) is not None:
                    bus.remove_listener("quitting", self._on_quitting)

        def spawn(n):
            return [Worker() for _ in range(n)]
      `,
    },
  ],
};

ruleTester(rule, table);

describe('LEAK005 fixes that add a cleanup method', () => {
  it('a new close() says that nothing calls it yet, and is not the preferred fix', () => {
    const [finding] = findingsOf(
      rule,
      dedent(`
        import logging

        class Poller:
            def __init__(self):
                logging.getLogger("poller").addFilter(PollFilter())

        def poll(n):
            for _ in range(n):
                Poller()
      `),
    );
    assert.equal(finding.fixes.length, 1);
    assert.match(finding.fixes[0].title, /^Add `close\(\)` that calls .* nothing calls it yet/);
    assert.equal(finding.fixes[0].isPreferred, false);
  });
});
