import { rule } from '../../server/src/rules/leak003-circular-reference';
import { type RuleTable, ruleTester } from '../support/rule-tester';

/** A class whose objects form a cycle with a queue they own; where it is made decides the finding. */
const SENDER = `
  class Sender:
      def __init__(self, hub):
          self.hub = hub
          self.queue = WakeupQueue(self)


  class WakeupQueue:
      def __init__(self, sender):
          self.sender = sender
          self.pending = set()
`;

/** A class that keeps a lambda using itself; made by other modules in the cases below. */
const WEB_SERVICE = `
  class WebService:
      def __init__(self):
          self.port = None
          self.get_port = lambda: self.port
`;

const table: RuleTable = {
  valid: [
    {
      name: 'a service started with a named start (start_network()) and stopped with stop(): made once, when the feature is switched on',
      code: `
        class Gossip:
            def __init__(self, config):
                self.config = config
                self.peers = PeerManager(self)

            def start_network(self, network):
                self.network = network

            async def stop(self):
                await self.peers.stop()


        class PeerManager:
            def __init__(self, owner):
                self.owner = owner
      `,
    },
    {
      name: "the toolkit's application object (a QGuiApplication subclass) is made once per process: its controller's back link is never garbage",
      code: `
        from PyQt6.QtGui import QGuiApplication


        class Controller:
            def __init__(self, app):
                self._app = app


        class MainApplication(QGuiApplication):
            def __init__(self, args):
                super().__init__(args)
                self.controller = Controller(self)
      `,
    },
    {
      name: 'a Twisted client factory that links each protocol it builds back to itself: the factory is made once per connector, the old protocol is freed when replaced',
      code: `
        from twisted.internet import protocol


        class LinkFactory(protocol.ReconnectingClientFactory):
            def __init__(self, server):
                self.server = server

            def buildProtocol(self, addr):
                self.resetDelay()
                self.server.link = LinkProtocol()
                self.server.link.factory = self
                return self.server.link


        class LinkProtocol(protocol.Protocol):
            pass
      `,
    },
    {
      name: "an editor parked on its caller's attribute store, removed by name when it quits: the link is undone",
      code: `
        class Editor:
            def __init__(self, caller, key):
                self._key = key
                self._caller = caller
                self._caller.ndb._editor = self

            def quit(self):
                self._caller.nattributes.remove("_editor")
                self._caller.msg("Exited editor.")


        def open_editor(request):
            return Editor(request.user, "notes")
      `,
    },
    {
      name: 'a span that puts itself on its scope and restores the previous one in _end(), which __exit__ and end() call',
      code: `
        class Span:
            def __init__(self, name, scope=None):
                self._name = name
                self._scope = scope
                self._start()

            def __enter__(self):
                return self

            def __exit__(self, ty, value, tb):
                self._end()

            def end(self):
                self._end()

            def _start(self):
                if self._scope is None:
                    return
                old = self._scope.current_span
                self._scope.current_span = self
                self._previous = old

            def _end(self):
                if self._scope:
                    self._scope.current_span = self._previous


        def view(request, scope):
            with Span("view", scope=scope):
                return respond(request)
      `,
    },
    {
      name: 'a state machine stores bound methods of itself, but nothing here shows its objects are made again and again',
      code: `
        class Parser:
            def __init__(self):
                self.step = self.read_header

            def read_header(self, data):
                self.step = self.read_body

            def read_body(self, data): ...
      `,
    },
    {
      name: 'a staticmethod stored on self holds no instance',
      code: `
        class Job:
            def __init__(self):
                self.encode = self.to_json

            @staticmethod
            def to_json(value): ...

        def handle(request):
            return Job()
      `,
    },
    {
      name: 'back-reference through weakref.ref / weakref.proxy',
      code: `
        import weakref
        from weakref import proxy

        class Node:
            def add(self, child):
                child.parent = weakref.ref(self)
                self.children.append(child)

            def adopt(self, child):
                child.owner = proxy(self)
                self.children.append(child)
      `,
    },
    {
      name: 'children held in a WeakSet',
      code: `
        import weakref

        class Group:
            def __init__(self):
                self.members = weakref.WeakSet()

            def add(self, member):
                member.group = self
                self.members.add(member)
      `,
    },
    {
      name: 'WeakValueDictionary / WeakKeyDictionary registries',
      code: `
        import weakref

        class Registry:
            def __init__(self):
                self._by_name = weakref.WeakValueDictionary()
                self._meta = weakref.WeakKeyDictionary()

            def register(self, name, item):
                item.registry = self
                self._by_name[name] = item
                self._meta[item] = {"owner": self}
      `,
    },
    {
      name: 'WeakMethod callbacks',
      code: `
        import weakref

        class View:
            def __init__(self):
                self.callback = weakref.WeakMethod(self.refresh)

            def refresh(self): ...
      `,
    },
    {
      name: 'a container named weak, initialised elsewhere (apt: package._pcache._weakversions)',
      code: `
        class Version:
            def __init__(self, package, cand):
                self.package = package
                self.package._pcache._weakversions.add(self)
      `,
    },
    {
      name: 'a temporary link restored in finally (unittest subTest)',
      code: `
        import contextlib

        class Case:
            @contextlib.contextmanager
            def sub_test(self, msg):
                parent = self._subtest
                self._subtest = SubTest(self, msg)
                try:
                    yield
                finally:
                    self._subtest = parent

        class SubTest:
            def __init__(self, case, msg):
                self.case = case
                self.msg = msg
      `,
    },
    {
      name: 'one-directional links',
      code: `
        class Tree:
            def add(self, child):
                self.children.append(child)

            def attach(self, plugin):
                plugin.host = self
      `,
    },
    {
      name: 'lambdas that do not use self',
      code: `
        class Table:
            def __init__(self):
                self.sort_key = lambda row: row.name
                self.handlers = [lambda e: print(e)]
      `,
    },
    {
      name: 'closures capturing self stored elsewhere (LEAK005 territory, not a cycle through self)',
      code: `
        class Window:
            def __init__(self, loop, bus):
                loop.call_soon(lambda: self.tick())
                bus.subscribe(lambda e: self.on(e))
                self.items.sort(key=lambda i: self.rank(i))
      `,
    },
    {
      name: 'a closure holding only a weak reference to self (the weakref.WeakValueDictionary idiom)',
      code: `
        from _weakref import ref

        class Cache:
            def __init__(self):
                def remove(wr, selfref=ref(self)):
                    self = selfref()
                    if self is not None:
                        self.data.pop(wr.key, None)
                self._remove = remove
                self._pending = lambda k, r=ref(self): r() and r().drop(k)
      `,
    },
    {
      name: 'links broken explicitly',
      code: `
        class Node:
            def add(self, child):
                child.parent = self
                self.children.append(child)

            def remove(self, child):
                self.children.remove(child)
                child.parent = None
      `,
    },
    {
      name: 'a property setter that may store the reference weakly',
      code: `
        import weakref

        class Child:
            @property
            def parent(self):
                return self._parent()

            @parent.setter
            def parent(self, value):
                self._parent = weakref.ref(value)

        class Parent:
            def add(self, child):
                child.parent = self
                self.children.append(child)
      `,
    },
    {
      name: 'a class-level registry is not a per-object cycle',
      code: `
        class Breakpoint:
            bplist = []

            def __init__(self):
                self.bplist.append(self)
      `,
    },
    {
      name: 'class objects referring to themselves (classmethods, __init_subclass__, metaclasses)',
      code: `
        class Base:
            def __init_subclass__(cls, **kw):
                cls.initialized = cls

            @classmethod
            def make(cls):
                cls.default = cls

        class Meta(type):
            def __init__(cls, name, bases, ns):
                cls.me = cls
      `,
    },
    {
      name: 'a constructor that keeps its argument weakly, or is not stored',
      code: `
        import weakref

        class Child:
            def __init__(self, parent):
                self.parent = weakref.proxy(parent)

        class Helper:
            def __init__(self, owner):
                self.owner = owner

        class Parent:
            def __init__(self):
                self.children = [Child(self)]
                Helper(self).run()
      `,
    },
    {
      name: 'self = self outside a class is not an instance cycle',
      code: `
        def configure(self):
            self.me = self
      `,
    },
    {
      name: 'a static method has no instance',
      code: `
        class Tools:
            @staticmethod
            def link(self, other):
                self.other = other
                other.back = self
      `,
    },
    {
      name: 'a nested function that does not use self',
      code: `
        class Parser:
            def __init__(self):
                def default(token):
                    return token.upper()
                self.transform = default
      `,
    },
    // Objects that are never garbage: a cycle through them delays nothing.
    {
      name: 'an object made once at module level (a plugin instance) keeping a lambda that uses it',
      code: `
        class Exporter:
            def __init__(self):
                self.scale = 1000
                self.to_millis = lambda seconds: round(seconds * self.scale)

        plugins = [Exporter()]
      `,
    },
    {
      name: 'an object made once in main() of a command-line tool',
      code: `
        class Benchmark:
            def __init__(self, options):
                self.options = options
                self.results = []

            def measure(self, fn):
                self.results.append(Outcome(self, fn))

            @classmethod
            def main(cls):
                Benchmark(read_options()).run()

        class Outcome:
            def __init__(self, bench, fn):
                self.bench = bench
                self.fn = fn
      `,
    },
    {
      name: 'a click command runs once per process, not per event',
      code: `
        import click

        class Redirector:
            def __init__(self):
                self.api = ControlServer(self)

        class ControlServer:
            def __init__(self, owner):
                self.owner = owner

        @click.group()
        def cli():
            pass

        @cli.command()
        def redirect():
            Redirector()
      `,
    },
    {
      name: 'process-wide owners named for their role (a pool, a manager base, a registry)',
      code: `
        class WorkerPool:
            def __init__(self):
                self.on_exit = lambda pid: self.respawn(pid)

        class Commands(BaseManager):
            def add(self, name, fn):
                self.table[name] = Command(self, name, fn)

        class Command:
            def __init__(self, manager, name, fn):
                self.manager = manager

        class registry:
            def depends_on(self, other):
                other._dependents.add(self)
                self._dependencies.add(other)
      `,
    },
    {
      name: 'an object with a configure() hook is configured once and kept (an add-on)',
      code: `
        class FlowList:
            def __init__(self):
                self.cursor = Cursor(self)

            def configure(self, updated):
                self.cursor.reset()

        class Cursor:
            def __init__(self, flows):
                self.flows = flows
      `,
    },
    {
      name: 'a service that is started and closed, whose handlers point back at it',
      code: `
        class Broker:
            def start(self):
                self.running = True

            def close(self):
                self.running = False

            def subscribe(self, topic, handler):
                handler.broker = self
                self.handlers[topic] = handler
      `,
    },
    {
      name: 'closures made in a set-up step (a helper only register_with_loop() calls)',
      code: `
        class Dispatcher:
            def register_with_loop(self, loop):
                self._make_timeout_handlers(loop)

            def _make_timeout_handlers(self, loop):
                def on_timeout(job):
                    self.cancel(job)
                self.on_timeout = on_timeout
      `,
    },
    {
      name: 'configuration objects: a dialect, a lambda set in initialize(), a reverse link set from do_init()',
      code: `
        class PgDialect:
            def _detect_format(self, conn):
                self._convert = lambda value: self._fix(value)

        class Loader:
            def initialize(self):
                self._parse = lambda value: self.decode(value)

        class Link:
            def do_init(self):
                self._generate_reverse()

            def _generate_reverse(self):
                other = self.target_link()
                self._reverse.add(other)
                other._reverse.add(self)
      `,
    },
    {
      name: 'implementations made only by a registration function (the base class and its subclasses)',
      code: `
        class _Impl:
            def __init__(self, key):
                self.key = key
                self._token = EventToken(self)

        class _ScalarImpl(_Impl):
            pass

        class EventToken:
            def __init__(self, impl):
                self.impl = impl

        def _register_impl(owner, key):
            owner.impls[key] = _ScalarImpl(key)
      `,
    },
    {
      name: 'schema items attaching themselves to their column when the table is declared',
      code: `
        class SchemaItem:
            pass

        class ColumnDefault(SchemaItem):
            def _set_parent(self, column):
                self.column = column
                self.column.default = self
      `,
    },
    {
      name: 'a link undone in close() by restoring the saved previous value',
      code: `
        class Transaction:
            def __init__(self, session):
                self.session = session
                self._outer = session.current
                session.current = self

            def close(self):
                self.session.current = self._outer
      `,
    },
    {
      name: 'a link undone by a helper that only commit() and rollback() call',
      code: `
        class Savepoint:
            def __init__(self, conn):
                self.conn = conn
                self._previous = conn.savepoint
                conn.savepoint = self

            def _restore_previous(self):
                self.conn.savepoint = self._previous

            def commit(self):
                self._restore_previous()

            def rollback(self):
                self._restore_previous()
      `,
    },
    {
      name: "children kept in the project's own weak container (a WeakSequence helper)",
      code: `
        from .util import WeakSequence

        class TypeInfo:
            def __init__(self, base):
                self.subtypes = WeakSequence()
                self.base = base
                if base is not None:
                    base.subtypes.append(self)
      `,
    },
    {
      name: 'ORM relationships are the data model (SQLAlchemy declarative, Django models)',
      code: `
        from django.db import models
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Version(Base):
            __tablename__ = "version"

            def reattach(self):
                self.owner.current = self

        class Answer(models.Model):
            def promote(self):
                self.question.best = self
      `,
    },
    {
      name: 'self put in a class-level registry two subscripts deep (declared in the class body, never set on the instance): registration, not a cycle',
      code: `
        class Field:
            _by_owner = {}

            def __init__(self, owner, name):
                self.name = name
                self._by_owner.setdefault("fields", {})
                self._by_owner["fields"].setdefault(owner, [])
                self._by_owner["fields"][owner].append(self)
      `,
    },
    {
      name: 'made in another module only by a memoized getter of a process-wide object (`@cached_property` on an application): one object, its cycle never garbage',
      path: 'hub/sender.py',
      project: {
        'hub/application.py': `
          from functools import cached_property
          from hub.sender import Sender

          class Application:
              @cached_property
              def sender(self):
                  return Sender(self)
        `,
      },
      code: SENDER,
    },
    {
      name: "made in another module only by a getter under the project's own caching decorator on a server object",
      path: 'hub/sender.py',
      project: {
        'hub/server.py': `
          from hub.sender import Sender
          from hub.util import cache_on_self

          class HubServer:
              @cache_on_self
              def get_sender(self):
                  return Sender(self)
        `,
      },
      code: SENDER,
    },
    {
      name: 'made only by functions of command-line scripts (a `scripts/` folder): once per invocation',
      path: 'tool/watcher.py',
      project: {
        'tool/scripts/start.py': `
          from tool.watcher import Watcher

          class Follower:
              def follow(self, path):
                  watcher = Watcher(path)
                  return watcher.start()
        `,
      },
      code: `
        class Watcher:
            def __init__(self, path):
                self.path = path
                self.proto = Protocol(self)

            def start(self): ...


        class Protocol:
            def __init__(self, watcher):
                self.watcher = watcher
      `,
    },
    {
      name: 'options made by the constructor of a configuration object, itself made in a loop over the configured entries: they live as long as the configuration',
      code: `
        class Secret:
            def __init__(self, key):
                self.key = key
                self.show = self.masked

            def masked(self):
                return "*" * 8


        class ServerConfig:
            def __init__(self, name, values):
                self.name = name
                self.password = Secret("password")


        def load(parsed):
            for name in parsed["servers"]:
                ServerConfig(name, parsed["servers"][name])
      `,
    },
    {
      name: "made in another module only by a method that a process-wide object's constructor calls (a build master creating its child services)",
      path: 'ci/web.py',
      project: {
        'ci/master.py': `
          from ci.web import WebService

          class BuildMaster:
              def __init__(self, basedir):
                  self.basedir = basedir
                  self.create_children()

              def create_children(self):
                  self.www = WebService()
        `,
      },
      code: WEB_SERVICE,
    },
    {
      name: 'a factory made when its service is reconfigured (an operator reloading the configuration), not per request',
      code: `
        class ChatFactory:
            def __init__(self, nick):
                self.nick = nick
                self.protocol = None

            def build(self, address):
                p = ChatBot(self.nick)
                p.factory = self
                self.protocol = p
                return p


        class ChatBot:
            def __init__(self, nick):
                self.nick = nick


        class ChatReporter:
            def reconfigService(self, nick):
                if self.factory is not None:
                    self.factory.stop()
                self.factory = ChatFactory(nick)
      `,
    },
  ],
  invalid: [
    {
      name: 'a protocol storing itself on the factory its creator hands it: the factory outlives it and the next protocol replaces the link, a hint that says so',
      code: `
        class ChatProtocol(WebSocketClientProtocol):
            def onOpen(self):
                self.factory.client = self
                self.greet()


        class ChatFactory(WebSocketClientFactory):
            def buildProtocol(self, addr):
                protocol = ChatProtocol()
                protocol.factory = self
                return protocol
      `,
      errors: [
        {
          line: 3,
          severity: 'hint',
          message: 'is handed over from outside (the object never sets it itself)',
        },
      ],
    },
    {
      name: 'the same back link on an object the class stores itself (from a parameter): its lifetime is not known to be longer, the usual verdict (information)',
      code: `
        class Unpacker:
            def __init__(self, job):
                self.job = job
                self.job.unpacker = self
      `,
      errors: [{ line: 4, severity: 'information' }],
    },
    {
      name: 'the same factory made for every message: warning',
      code: `
        class ChatFactory:
            def __init__(self, nick):
                self.nick = nick
                self.protocol = None

            def build(self, address):
                p = ChatBot(self.nick)
                p.factory = self
                self.protocol = p
                return p


        class ChatBot:
            def __init__(self, nick):
                self.nick = nick


        class ChatReporter:
            def on_message(self, nick):
                if self.factory is not None:
                    self.factory.stop()
                self.factory = ChatFactory(nick)
      `,
      errors: [{ line: 8, severity: 'warning' }],
    },
    {
      name: 'made by a method of a process-wide object that its constructor does not call: its callers decide, information',
      path: 'ci/web.py',
      project: {
        'ci/master.py': `
          from ci.web import WebService

          class BuildMaster:
              def __init__(self, basedir):
                  self.basedir = basedir

              def add_web(self):
                  self.www = WebService()
        `,
      },
      code: WEB_SERVICE,
      errors: [{ line: 4, severity: 'information' }],
    },
    {
      name: 'made per request by a method of a server object (not its constructor): warning',
      code: `
        class Context:
            def __init__(self, request):
                self.request = request
                self.reply = self.send

            def send(self, body): ...


        class HttpServer:
            def __init__(self):
                self.default = Context(None)

            def handle(self, request):
                return Context(request)
      `,
      errors: [{ line: 4, severity: 'warning', message: /a `Context` is made in `HttpServer.handle\(\)`/ }],
    },
    {
      name: 'made by a memoized getter of an object that is itself made per job: still one graph per job, information',
      path: 'hub/sender.py',
      project: {
        'hub/jobs.py': `
          from functools import cached_property
          from hub.sender import Sender

          class Job:
              @cached_property
              def sender(self):
                  return Sender(self)
        `,
      },
      code: SENDER,
      errors: [
        {
          line: 4,
          severity: 'information',
          message: /how often `Sender` objects are made is decided in other modules/,
        },
      ],
    },
    {
      name: 'a class named …Factory that is not a Twisted factory, made per request: still a warning',
      code: `
        class LinkFactory:
            def __init__(self, server):
                self.server = server

            def build(self):
                self.server.link = object.__new__(Link)
                self.server.link.factory = self
                return self.server.link


        class Link:
            pass


        def handle(request):
            return LinkFactory(request.server).build()
      `,
      errors: [{ line: 7, severity: 'warning', message: '`self.server.link.factory` refers back to `self`' }],
    },
    {
      name: 'the store removes another name than the one the object is parked under: still a cycle',
      code: `
        class Editor:
            def __init__(self, caller, key):
                self._key = key
                self._caller = caller
                self._caller.ndb._editor = self

            def quit(self):
                self._caller.nattributes.remove("_editor_buffer")


        def open_editor(request):
            return Editor(request.user, "notes")
      `,
      errors: [{ line: 5, severity: 'warning', message: '`self._caller.ndb._editor` refers back to `self`' }],
    },
    {
      name: 'lambdas and bound methods in one dict of the object are one cycle: one finding, and one fix that weakens them all',
      code: `
        class Flow:
            def __init__(self, steps):
                self.steps = steps
                self.routes = {
                    "start": {"next": self.on_start},
                    "pick": {
                        "next": lambda d: "extra" if self.wants_extra(d) else "done",
                        "last": lambda d: not self.wants_extra(d),
                    },
                    "done": {"last": True},
                }

            def on_start(self, d):
                return "pick"

            def wants_extra(self, d):
                return bool(d)


        def view(request):
            return Flow(request.steps)
      `,
      errors: [
        {
          line: 7,
          severity: 'warning',
          message:
            'the lambda stored in `self.routes` uses `self` (as do 2 more lambdas and bound methods stored there)',
        },
      ],
      unsafeOutput: `
        import weakref
        class Flow:
            def __init__(self, steps):
                self.steps = steps
                weak_self = weakref.ref(self)
                self.routes = {
                    "start": {"next": lambda *args, **kwargs: weak_self().on_start(*args, **kwargs)},
                    "pick": {
                        "next": lambda d: "extra" if weak_self().wants_extra(d) else "done",
                        "last": lambda d: not weak_self().wants_extra(d),
                    },
                    "done": {"last": True},
                }

            def on_start(self, d):
                return "pick"

            def wants_extra(self, d):
                return bool(d)


        def view(request):
            return Flow(request.steps)
      `,
    },
    {
      name: 'a child made with self again in clear_all() replaces the one __init__ made: the old child is freed at once, only the constructor is reported',
      code: `
        class Entry:
            def __init__(self, owner, name):
                self.owner = owner
                self.name = name


        class Totals:
            def __init__(self):
                self.total = Entry(self, "all")

            def clear_all(self):
                self.total = Entry(self, "all")


        def view(request):
            return Totals()
      `,
      errors: [{ line: 9, severity: 'warning', message: 'holds the `Entry` created here' }],
    },
    {
      name: "a dialog through the module's own base class of a Qt dialog is a GUI object: a hint",
      code: `
        from PyQt5.QtWidgets import QDialog


        class ModalDialog(QDialog):
            pass


        class InfoDialog(ModalDialog):
            def __init__(self, wallet):
                super().__init__()
                self.wallet = wallet
                self.ask = lambda: self.wallet.has_password()
      `,
      errors: [
        {
          line: 12,
          severity: 'hint',
          message: '`InfoDialog` derives from `ModalDialog`, a `PyQt5.QtWidgets` class',
        },
      ],
    },
    {
      name: 'made by a plain helper of another module (not a script, not memoized): its callers decide, information',
      path: 'hub/sender.py',
      project: {
        'hub/service.py': `
          from hub.sender import Sender

          def connect(hub):
              return Sender(hub)
        `,
      },
      code: SENDER,
      errors: [{ line: 4, severity: 'information' }],
    },
    {
      name: 'three attributes each holding a view made with self: one cycle between the two classes, reported once (the weak back link fixes all)',
      code: `
        class View:
            def __init__(self, owner, state):
                self.owner = owner
                self.state = state


        class Container(list):
            def __init__(self):
                super().__init__()
                self.accepted = View(self, "accepted")
                self.rejected = View(self, "rejected")
                self.failed = View(self, "failed")


        def run(request):
            return Container()
      `,
      errors: [
        {
          line: 10,
          message: /`self.accepted` holds the `View` created here, which keeps `self` in `.owner`/,
        },
      ],
    },
    {
      name: 'a bound method of a per-request object stored on an object it owns: a forwarding lambda through a weak self, unsafe',
      code: `
        import weakref

        class Results:
            def __init__(self):
                self.on_result = None

        class Search:
            def __init__(self, query):
                self.query = query
                self.results = Results()
                self.results.on_result = self._on_result

            def _on_result(self, item):
                return item is not None

        def search_view(request):
            return Search(request.args["q"]).query
      `,
      errors: [
        { line: 11, message: 'the bound method `self._on_result` stored in `self.results.on_result`' },
      ],
      unsafeOutput: `
        import weakref

        class Results:
            def __init__(self):
                self.on_result = None

        class Search:
            def __init__(self, query):
                self.query = query
                self.results = Results()
                weak_self = weakref.ref(self)
                self.results.on_result = lambda *args, **kwargs: weak_self()._on_result(*args, **kwargs)

            def _on_result(self, item):
                return item is not None

        def search_view(request):
            return Search(request.args["q"]).query
      `,
    },
    {
      name: 'parent and children with node = node.parent walks: a weakref.ref-backed parent property (a proxy would break the walk)',
      code: `
        class Node:
            def __init__(self, name):
                self.name = name
                self.parent = None
                self.children = []

            def add(self, child):
                child.parent = self
                self.children.append(child)

            def root(self):
                node = self
                while node.parent is not None:
                    node = node.parent
                return node
      `,
      errors: [
        { line: 8, message: '`self.children` holds `child` and `child.parent` refers back to `self`' },
      ],
      unsafeOutput: `
        import weakref
        class Node:
            def __init__(self, name):
                self.name = name
                self.parent = None
                self.children = []

            @property
            def parent(self):
                ref = self._parent_ref
                return ref() if ref is not None else None

            @parent.setter
            def parent(self, value):
                self._parent_ref = weakref.ref(value) if value is not None else None

            def add(self, child):
                child.parent = self
                self.children.append(child)

            def root(self):
                node = self
                while node.parent is not None:
                    node = node.parent
                return node
      `,
    },
    {
      name: 'a bound method of self stored on self, for objects made on every request',
      code: `
        from fastapi import FastAPI

        app = FastAPI()

        class Digest:
            def __init__(self, name):
                self.name = name
                self.feed = self.update
                self.total = 0

            def update(self, chunk):
                self.total += len(chunk)

        @app.post("/upload")
        async def upload(name: str):
            d = Digest(name)
            d.feed(b"x")
            return d.total
      `,
      errors: [
        {
          line: 8,
          severity: 'warning',
          message: 'the bound method `self.update` stored in `self.feed` uses `self`',
        },
      ],
      unsafeOutput: `
        from fastapi import FastAPI
        import types


        class _SelfMethod:
            """An attribute holding a bound method of its own object: the function is stored and bound
            again on each read, so the object does not refer to itself through the attribute."""

            def __init__(self, default=None):
                self.default = default

            def __set_name__(self, owner, name):
                self.public = name
                self.private = "_" + name + "_self_method"

            def __get__(self, obj, objtype=None):
                if obj is None:
                    return self if self.default is None else self.default
                try:
                    is_own, value = obj.__dict__[self.private]
                except KeyError:
                    if self.default is not None:
                        bind = getattr(type(self.default), "__get__", None)
                        return bind(self.default, obj, objtype) if bind else self.default
                    raise AttributeError(self.public) from None
                return types.MethodType(value, obj) if is_own else value

            def __set__(self, obj, value):
                if getattr(value, "__self__", None) is obj and hasattr(value, "__func__"):
                    obj.__dict__[self.private] = (True, value.__func__)
                else:
                    obj.__dict__[self.private] = (False, value)

            def __delete__(self, obj):
                if obj.__dict__.pop(self.private, None) is None:
                    raise AttributeError(self.public)


        app = FastAPI()

        class Digest:
            feed = _SelfMethod()

            def __init__(self, name):
                self.name = name
                self.feed = self.update
                self.total = 0

            def update(self, chunk):
                self.total += len(chunk)

        @app.post("/upload")
        async def upload(name: str):
            d = Digest(name)
            d.feed(b"x")
            return d.total
      `,
    },
    {
      name: 'self.x = self becomes a read-only property, unsafe',
      code: `
        class Root:
            def __init__(self):
                self.root = self
      `,
      errors: [
        {
          line: 3,
          column: 9,
          message: '`self.root = self` makes the object refer to itself',
          severity: 'information',
        },
      ],
      unsafeOutput: `
        class Root:
            def __init__(self):
                pass

            root = property(lambda self: self)
      `,
    },
    {
      name: 'the AttrDict idiom self.__dict__ = self',
      code: `
        class AttrDict(dict):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.__dict__ = self
      `,
      errors: [{ line: 4, message: '`self.__dict__ = self`' }],
      unsafeOutput: `
        class AttrDict(dict):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)

            def __getattr__(self, name):
                try:
                    return self[name]
                except KeyError:
                    raise AttributeError(name) from None

            def __setattr__(self, name, value):
                self[name] = value

            def __delattr__(self, name):
                try:
                    del self[name]
                except KeyError:
                    raise AttributeError(name) from None
      `,
    },
    {
      name: 'child.parent = self with self.children.append(child): weakref.proxy fix',
      code: `
        class Node:
            def __init__(self, name):
                self.name = name
                self.parent = None
                self.children = []

            def add(self, child):
                child.parent = self  # back-reference
                self.children.append(child)

            def path(self):
                return (self.parent.path() + "/" if self.parent is not None else "") + self.name
      `,
      errors: [
        { line: 8, message: '`self.children` holds `child` and `child.parent` refers back to `self`' },
      ],
      unsafeOutput: `
        import weakref
        class Node:
            def __init__(self, name):
                self.name = name
                self.parent = None
                self.children = []

            def add(self, child):
                child.parent = weakref.proxy(self)  # back-reference
                self.children.append(child)

            def path(self):
                return (self.parent.path() + "/" if self.parent is not None else "") + self.name
      `,
    },
    {
      name: 'self.children[k] = child with child.owner = self, weakref imported under an alias',
      code: `
        import weakref as wr

        class Shelf:
            def add(self, key, child):
                self.children[key] = child
                child.owner = self
      `,
      errors: [{ line: 6, message: '`child.owner` refers back to `self`' }],
      unsafeOutput: `
        import weakref as wr

        class Shelf:
            def add(self, key, child):
                self.children[key] = child
                child.owner = wr.proxy(self)
      `,
    },
    {
      name: 'two attributes: the one named like a back-reference (parent) is weakened',
      code: `
        import json

        class Page:
            def set_body(self, body):
                self.body = body
                body.parent = self
      `,
      errors: [{ line: 6 }],
      unsafeOutput: `
        import json
        import weakref

        class Page:
            def set_body(self, body):
                self.body = body
                body.parent = weakref.proxy(self)
      `,
    },
    {
      name: 'the child registers itself with its parent: self.parent = parent, proxied only when not None',
      code: `
        import weakref

        class Node:
            def __init__(self, name, parent=None):
                self.name = name
                self.parent = parent
                self.children = {}
                if parent is not None:
                    parent.children[name] = self
      `,
      errors: [
        { line: 6, message: '`self.parent` holds `parent` and `parent.children` refers back to `self`' },
      ],
      unsafeOutput: `
        import weakref

        class Node:
            def __init__(self, name, parent=None):
                self.name = name
                self.parent = weakref.proxy(parent) if parent is not None else None
                self.children = {}
                if parent is not None:
                    parent.children[name] = self
      `,
    },
    {
      name: 'a slotted class takes the back link: the weak fix adds __weakref__ to its slots (a weak reference to it raised TypeError)',
      code: `
        class Root:
            __slots__ = ("child",)

            def __init__(self):
                self.child = None

        class Part:
            def __init__(self, parent):
                self.parent = parent
                if parent:
                    parent.child = self

        class Word(Part):
            __slots__ = ("parent", "child", "text")
      `,
      errors: [{ line: 9, message: '`self.parent` holds `parent` and `parent.child` refers back to `self`' }],
      unsafeOutput: `
        import weakref
        class Root:
            __slots__ = ("child", "__weakref__",)

            def __init__(self):
                self.child = None

        class Part:
            def __init__(self, parent):
                self.parent = weakref.proxy(parent) if parent is not None else None
                if parent:
                    parent.child = self

        class Word(Part):
            __slots__ = ("parent", "child", "text")
      `,
    },
    {
      name: 'a slotted class takes the back link and its weak-reference support comes from a base elsewhere: no weak fix',
      code: `
        from nodes import Base

        class Root(Base):
            __slots__ = ("child",)

        class Part:
            def __init__(self, parent):
                self.parent = parent
                if parent:
                    parent.child = self
      `,
      errors: [{ line: 8 }],
      output: null,
    },
    {
      name: 'an identity test on the attribute elsewhere: a proxy would break it, the weakref.ref property keeps it, unsafe',
      code: `
        class Node:
            def add(self, child):
                child.parent = self
                self.children.append(child)

        def is_root_child(node, root):
            return node.parent is root
      `,
      errors: [{ line: 3 }],
      unsafeOutput: `
        import weakref
        class Node:
            def add(self, child):
                child.parent = self
                self.children.append(child)

            @property
            def parent(self):
                ref = self._parent_ref
                return ref() if ref is not None else None

            @parent.setter
            def parent(self, value):
                self._parent_ref = weakref.ref(value) if value is not None else None

        def is_root_child(node, root):
            return node.parent is root
      `,
    },
    {
      name: 'a lambda using self stored on self',
      code: `
        class Widget:
            def __init__(self):
                self.on_click = lambda: self.refresh()
      `,
      errors: [{ line: 3, column: 25, message: 'the lambda stored in `self.on_click` uses `self`' }],
      unsafeOutput: `
        import weakref
        class Widget:
            def __init__(self):
                weak_self = weakref.ref(self)
                self.on_click = lambda: weak_self().refresh()
      `,
    },
    {
      name: 'lambdas appended to self.handlers, and stored on an object self owns',
      code: `
        class Controller:
            def __init__(self, button):
                self.handlers = []
                self.handlers.append(lambda e: self.on(e))
                self.button = button
                self.button.on_click = lambda: self.clicked()
      `,
      errors: [
        { line: 4, message: '`self.handlers`' },
        { line: 6, message: '`self.button.on_click`' },
      ],
      unsafeOutput: `
        import weakref
        class Controller:
            def __init__(self, button):
                self.handlers = []
                weak_self = weakref.ref(self)
                self.handlers.append(lambda e: weak_self().on(e))
                self.button = button
                self.button.on_click = lambda: weak_self().clicked()
      `,
    },
    {
      name: 'a nested function using self stored on self (async method)',
      code: `
        class Client:
            async def connect(self):
                def on_lost(exc):
                    self.reconnect(exc)
                self.protocol_lost = on_lost
      `,
      errors: [{ line: 5, message: 'the nested function `on_lost`' }],
      unsafeOutput: `
        import weakref
        class Client:
            async def connect(self):
                weak_self = weakref.ref(self)
                def on_lost(exc):
                    weak_self().reconnect(exc)
                self.protocol_lost = on_lost
      `,
    },
    {
      name: 'a child built with self whose __init__ keeps it',
      code: `
        class Item:
            def __init__(self, owner, name):
                self.owner = owner
                self.name = name

        class Basket:
            def __init__(self):
                self.items = []

            def add(self, name):
                self.items.append(Item(self, name))
      `,
      errors: [
        { line: 11, column: 27, message: 'holds the `Item` created here, which keeps `self` in `.owner`' },
      ],
      unsafeOutput: `
        import weakref
        class Item:
            def __init__(self, owner, name):
                self.owner = owner
                self.name = name

            @property
            def owner(self):
                ref = self._owner_ref
                return ref() if ref is not None else None

            @owner.setter
            def owner(self, value):
                self._owner_ref = weakref.ref(value) if value is not None else None

        class Basket:
            def __init__(self):
                self.items = []

            def add(self, name):
                self.items.append(Item(self, name))
      `,
    },
    {
      name: 'several children built with self into one holder are one cycle: reported once, where the weak slot breaks them all',
      code: `
        class Seat:
            def __init__(self, label, table):
                self.label = label
                self.table = table

        class Table:
            def __init__(self):
                self.seats = [
                    Seat("north", self),
                    Seat("south", self),
                ]
      `,
      errors: [{ line: 9, message: 'holds the `Seat` created here, which keeps `self` in `.table`' }],
    },
    {
      name: 'a dataclass child built with keyword self, through a local',
      code: `
        from dataclasses import dataclass

        @dataclass
        class Session:
            server: object
            user: str

        class Lobby:
            def open(self, user):
                session = Session(server=self, user=user)
                self.sessions[user] = session
                return session
      `,
      errors: [{ line: 10, message: '`Session`' }],
      unsafeOutput: `
        from dataclasses import dataclass
        import weakref

        @dataclass
        class Session:
            server: object
            user: str

        class Lobby:
            def open(self, user):
                session = Session(server=weakref.proxy(self), user=user)
                self.sessions[user] = session
                return session
      `,
    },
    {
      name: 'an owned object pointing back: self.config.owner = self',
      code: `
        class Configurator:
            def __init__(self, config):
                self.config = config
                self.config.owner = self
      `,
      errors: [{ line: 4, message: '`self.config.owner` refers back to `self`' }],
      unsafeOutput: `
        import weakref
        class Configurator:
            def __init__(self, config):
                self.config = config
                self.config.owner = weakref.proxy(self)
      `,
    },
    {
      name: '__slots__ without __weakref__: the proxy fix adds __weakref__ to them, unsafe',
      code: `
        class Cell:
            __slots__ = ("children", "value")

            def add(self, child):
                child.parent = self
                self.children.append(child)
      `,
      errors: [{ line: 5 }],
      unsafeOutput: `
        import weakref
        class Cell:
            __slots__ = ("children", "value", "__weakref__")

            def add(self, child):
                child.parent = weakref.proxy(self)
                self.children.append(child)
      `,
    },
    {
      name: 'self stored in its own list',
      code: `
        class Loop:
            def __init__(self):
                self.members = [self]
      `,
      errors: [{ line: 3, message: '`self.members` holds `self` itself' }],
      unsafeOutput: `
        import weakref
        class Loop:
            def __init__(self):
                self.members = [weakref.proxy(self)]
      `,
    },
    // Severity says how sure: warning when the objects are made again and again.
    {
      name: 'a per-request object that stores itself in its own dict: warning, with the reason',
      code: `
        from flask import Flask

        app = Flask(__name__)

        class RequestContext:
            def __init__(self, user):
                self.user = user
                self.values = {"context": self, "user": user}

        @app.get("/profile")
        def profile():
            context = RequestContext(current_user())
            return render(context)
      `,
      errors: [
        {
          line: 8,
          severity: 'warning',
          message:
            '`self.values` holds `self` itself, so the object refers to itself; these objects are freed only by the cyclic garbage collector, not as soon as the last outside reference goes away; a `RequestContext` is made in `profile()`, and it runs on every request: `profile()` is a route handler',
        },
      ],
      unsafeOutput: `
        from flask import Flask
        import weakref

        app = Flask(__name__)

        class RequestContext:
            def __init__(self, user):
                self.user = user
                self.values = {"context": weakref.proxy(self), "user": user}

        @app.get("/profile")
        def profile():
            context = RequestContext(current_user())
            return render(context)
      `,
    },
    {
      name: 'objects made in a loop keep a lambda that uses them: warning',
      code: `
        class Job:
            def __init__(self, spec):
                self.spec = spec
                self.on_done = lambda result: self.finish(result)

        def run_all(specs):
            for spec in specs:
                Job(spec).start()
      `,
      errors: [
        { line: 4, severity: 'warning', message: 'a `Job` is made in `run_all()`, and it runs in a loop' },
      ],
      unsafeOutput: `
        import weakref
        class Job:
            def __init__(self, spec):
                self.spec = spec
                weak_self = weakref.ref(self)
                self.on_done = lambda result: weak_self().finish(result)

        def run_all(specs):
            for spec in specs:
                Job(spec).start()
      `,
    },
    {
      name: 'a set-up step does not excuse objects made per call',
      code: `
        class Parser:
            def initialize(self):
                self.emit = lambda token: self.tokens.append(token)

        def handle_upload(request):
            parser = Parser()
            parser.initialize()
            return parser.run(request.body)
      `,
      errors: [{ line: 3, severity: 'warning', message: 'a `Parser` is made in `handle_upload()`' }],
      unsafeOutput: `
        import weakref
        class Parser:
            def initialize(self):
                weak_self = weakref.ref(self)
                self.emit = lambda token: weak_self().tokens.append(token)

        def handle_upload(request):
            parser = Parser()
            parser.initialize()
            return parser.run(request.body)
      `,
    },
    {
      name: 'a class-based view is made by the framework for every request: warning',
      code: `
        from django.views import View

        class ReportView(View):
            def get(self, request):
                self.extra = {"view": self}
                return self.render()
      `,
      errors: [
        {
          line: 5,
          severity: 'warning',
          message: 'a `ReportView` is made for every request: it is a `View`',
        },
      ],
      unsafeOutput: `
        from django.views import View
        import weakref

        class ReportView(View):
            def get(self, request):
                self.extra = {"view": weakref.proxy(self)}
                return self.render()
      `,
    },
    {
      name: 'a form is made for every request: warning',
      code: `
        from django import forms

        class SignupForm(forms.Form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.helper = FormLayout(self)

        class FormLayout:
            def __init__(self, form):
                self.form = form
      `,
      errors: [
        {
          line: 6,
          severity: 'warning',
          message: 'a `SignupForm` is made for every request: it is a `Form`',
        },
      ],
      unsafeOutput: `
        from django import forms
        import weakref

        class SignupForm(forms.Form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.helper = FormLayout(self)

        class FormLayout:
            def __init__(self, form):
                self.form = form

            @property
            def form(self):
                ref = self._form_ref
                return ref() if ref is not None else None

            @form.setter
            def form(self, value):
                self._form_ref = weakref.ref(value) if value is not None else None
      `,
    },
    {
      name: 'made in other modules: information that names the unknown',
      code: `
        class Layer:
            def __init__(self, context):
                self.context = context
                self.context.layers.append(self)
      `,
      errors: [
        {
          line: 4,
          severity: 'information',
          message: 'how often `Layer` objects are made is decided in other modules',
        },
      ],
      unsafeOutput: `
        import weakref
        class Layer:
            def __init__(self, context):
                self.context = context
                self.context.layers.append(weakref.proxy(self))
      `,
    },
    {
      name: 'a link rebound outside close/commit/rollback is not undone',
      code: `
        class Cursor:
            def __init__(self, conn):
                self.conn = conn
                conn.active = self

            def hand_over(self, other):
                self.conn.active = other
      `,
      errors: [{ line: 4, severity: 'information', message: '`conn.active` refers back to `self`' }],
      unsafeOutput: `
        import weakref
        class Cursor:
            def __init__(self, conn):
                self.conn = conn
                conn.active = weakref.proxy(self)

            def hand_over(self, other):
                self.conn.active = other
      `,
    },
    {
      name: 'a GUI widget is made at the pace of its user: hint',
      code: `
        import tkinter as tk

        class Editor(tk.Frame):
            def __init__(self, master):
                super().__init__(master)
                self.rows = RowModel(self)

        class RowModel:
            def __init__(self, editor):
                self.editor = editor
      `,
      errors: [
        {
          line: 6,
          severity: 'hint',
          message: 'harmless in practice: `Editor` is a `tkinter.Frame` widget, made as the user interacts',
        },
      ],
      unsafeOutput: `
        import tkinter as tk
        import weakref

        class Editor(tk.Frame):
            def __init__(self, master):
                super().__init__(master)
                self.rows = RowModel(self)

        class RowModel:
            def __init__(self, editor):
                self.editor = editor

            @property
            def editor(self):
                ref = self._editor_ref
                return ref() if ref is not None else None

            @editor.setter
            def editor(self, value):
                self._editor_ref = weakref.ref(value) if value is not None else None
      `,
    },
    {
      name: 'a state machine made per request: its constructor makes the cycle (warning); a second slot there, or a later switch to another bound method, adds none (hint naming the first)',
      code: `
        from fastapi import FastAPI

        app = FastAPI()

        class Stream:
            def __init__(self):
                self.state = self.start
                self.on_close = self.finish
                self.feed = None

            def start(self, data):
                if data == b"upgrade":
                    self.feed = self.relay

            def relay(self, data): ...

            def finish(self): ...

        @app.post("/stream")
        def stream(chunks: list):
            s = Stream()
            for c in chunks:
                s.state(c)
      `,
      errors: [
        { line: 7, severity: 'warning', message: 'the bound method `self.start` stored in `self.state`' },
        {
          line: 8,
          severity: 'hint',
          message:
            'it adds no cycle of its own, every `Stream` is already in one from its construction through `self.state` (line 7)',
        },
        {
          line: 13,
          severity: 'hint',
          message:
            'it adds no cycle of its own, every `Stream` is already in one from its construction through `self.state` (line 7)',
        },
      ],
    },
    {
      name: 'a method replaced on the object by another bound method: the descriptor goes after it and gives it back until set',
      code: `
        from fastapi import FastAPI

        app = FastAPI()

        class Layer:
            def __init__(self):
                self.log = []

            def handle(self, event):
                if event == "switch":
                    self.handle = self.passthrough

            def passthrough(self, event):
                self.log.append(event)

        @app.post("/run")
        def run(events: list):
            layer = Layer()
            for e in events:
                layer.handle(e)
            return layer.log
      `,
      errors: [
        { line: 11, message: 'the bound method `self.passthrough` stored in `self.handle` uses `self`' },
      ],
      unsafeOutput: `
        from fastapi import FastAPI
        import types


        class _SelfMethod:
            """An attribute holding a bound method of its own object: the function is stored and bound
            again on each read, so the object does not refer to itself through the attribute."""

            def __init__(self, default=None):
                self.default = default

            def __set_name__(self, owner, name):
                self.public = name
                self.private = "_" + name + "_self_method"

            def __get__(self, obj, objtype=None):
                if obj is None:
                    return self if self.default is None else self.default
                try:
                    is_own, value = obj.__dict__[self.private]
                except KeyError:
                    if self.default is not None:
                        bind = getattr(type(self.default), "__get__", None)
                        return bind(self.default, obj, objtype) if bind else self.default
                    raise AttributeError(self.public) from None
                return types.MethodType(value, obj) if is_own else value

            def __set__(self, obj, value):
                if getattr(value, "__self__", None) is obj and hasattr(value, "__func__"):
                    obj.__dict__[self.private] = (True, value.__func__)
                else:
                    obj.__dict__[self.private] = (False, value)

            def __delete__(self, obj):
                if obj.__dict__.pop(self.private, None) is None:
                    raise AttributeError(self.public)


        app = FastAPI()

        class Layer:
            def __init__(self):
                self.log = []

            def handle(self, event):
                if event == "switch":
                    self.handle = self.passthrough

            handle = _SelfMethod(handle)

            def passthrough(self, event):
                self.log.append(event)

        @app.post("/run")
        def run(events: list):
            layer = Layer()
            for e in events:
                layer.handle(e)
            return layer.log
      `,
    },
    {
      name: 'groups linked both ways through lists (children and parents): the back side appends weakref.proxy(self), unsafe',
      code: `
        import logging


        class Group:
            def __init__(self, name):
                self.name = name
                self.children = []
                self.parents = []

            def add_child_group(self, group):
                if group not in self.children:
                    self.children.append(group)
                if self not in group.parents:
                    group.parents.append(self)


        class Inventory:
            def __init__(self):
                self.groups = {}

            def group(self, name):
                if name not in self.groups:
                    logging.debug("new group %s", name)
                    self.groups[name] = Group(name)
                return self.groups[name]
      `,
      errors: [{ line: 14, message: '`group.parents` refers back to `self`' }],
      unsafeOutput: `
        import logging
        import weakref


        class Group:
            def __init__(self, name):
                self.name = name
                self.children = []
                self.parents = []

            def add_child_group(self, group):
                if group not in self.children:
                    self.children.append(group)
                if self not in group.parents:
                    group.parents.append(weakref.proxy(self))


        class Inventory:
            def __init__(self):
                self.groups = {}

            def group(self, name):
                if name not in self.groups:
                    logging.debug("new group %s", name)
                    self.groups[name] = Group(name)
                return self.groups[name]
      `,
    },
  ],
};

ruleTester(rule, table);
