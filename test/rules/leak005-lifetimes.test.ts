// LEAK005 on the two facts a listener leak needs: the registration runs again and again, and what
// it is registered with outlives that code. Independent cases written for the rule (not taken from
// any project): the invalid ones are the shapes the rule must catch, the valid ones the shapes
// that only look like them (an emitter made in the same call, weak emitters, DDL, start-up code).
import { rule } from '../../server/src/rules/leak005-listener-not-removed';
import { type RuleTable, ruleTester } from '../support/rule-tester';

export const table: RuleTable = {
  valid: [
    {
      name: "a subscription in a server method that then runs Tornado's IOLoop: the method returns only when the process is done, so it runs once",
      code: `
        from tornado.ioloop import IOLoop
        from app.events import bus


        class Server:
            def run(self):
                bus.subscribe("disconnected", lambda event: self.refresh())
                IOLoop.current().start()

            def refresh(self): ...
      `,
    },
    {
      name: 'SQLAlchemy __declare_last__ runs once per mapped class, when mappers are configured',
      code: `
        from sqlalchemy import event

        class Stamped:
            @classmethod
            def __declare_last__(cls):
                event.listen(cls, "before_update", lambda m, c, t: None)
      `,
    },
    {
      name: 'a click command is the program: it runs once per process',
      code: `
        import atexit
        import click

        @click.group()
        def cli(): ...

        @cli.command("serve")
        def serve():
            server = start()
            atexit.register(lambda: server.stop())
      `,
    },
    {
      name: 'an emitter of this module that keeps weak references (WeakMethod) to its subscribers',
      code: `
        import weakref

        class Settings:
            def __init__(self):
                self._watchers = []

            def subscribe(self, func, keys):
                self._watchers.append((weakref.WeakMethod(func), set(keys)))

        settings = Settings()

        class Sidebar:
            def __init__(self):
                settings.subscribe(self.redraw, ["theme"])

            def redraw(self, *changed): ...

        def open_sidebar(request):
            return Sidebar()
      `,
    },
    {
      name: 'a session made in the same request: its listeners die with it',
      code: `
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        def checkout(request, engine):
            sess = Session(engine)
            event.listen(sess, "after_commit", lambda s: notify(request.user))
            sess.commit()
      `,
    },
    {
      name: 'listeners on a MetaData and a Table made by the test itself',
      code: `
        from sqlalchemy import Column, Integer, MetaData, Table, event

        def test_trigger_is_created(connection):
            created = []
            meta = MetaData()
            orders = Table("orders", meta, Column("id", Integer))
            event.listen(orders, "after_create", lambda target, conn, **kw: created.append(target))
            event.listen(meta, "before_create", lambda target, conn, **kw: created.append(meta))
            meta.create_all(connection)
      `,
    },
    {
      name: 'a DDL statement attached to table creation is configuration, not a listener',
      code: `
        from sqlalchemy import DDL, event

        def add_search_trigger(metadata, table):
            event.listen(
                metadata,
                "after_create",
                DDL("CREATE TRIGGER t_search BEFORE INSERT ON %s FOR EACH ROW EXECUTE search()" % table),
            )

        def attach_views(target):
            for name in ("a", "b"):
                event.listen(target, "after_create", DDL("CREATE VIEW v_%s AS SELECT 1" % name).execute_if(dialect="postgresql"))
      `,
    },
    {
      name: 'subscribing to a result made in the same call to collect it',
      code: `
        def render_payload(document, root):
            results = document.execute(root=root)
            payload = []
            results.subscribe(payload.append)
            return payload[0] if payload else None
      `,
    },
    {
      name: 'subscribing on a list object made in the same call (per-call registry)',
      code: `
        class FilterLists(dict):
            def add_list(self, data):
                fresh = WatchedList(data["id"])
                self[data["type"]] = fresh
                for item in data["filters"]:
                    rule = build_rule(item)
                    fresh.subscribe(rule, *rule.events)
                return fresh
      `,
    },
    {
      name: 'an emitter the method makes itself, awaited, before listening on it: a new page per fetch dies with it',
      code: `
        class Fetcher:
            async def run(self, browser, url):
                context = await browser.new_context()
                self.page = await context.new_page()
                self.page.on("console", lambda msg: print(url, msg))
                await self.page.goto(url)
                await context.close()
      `,
    },
    {
      name: 'an emitter owned by the object itself',
      code: `
        from pyee import EventEmitter

        class Upload:
            def __init__(self, path):
                self.path = path
                self.events = EventEmitter()
                self.events.add_listener("done", self.cleanup)

            def cleanup(self): ...

        def handle_upload(request):
            Upload(request.path).start()
      `,
    },
    {
      name: 'a worker start-up step registers once per worker process',
      code: `
        import atexit
        from celery import bootsteps

        class Journal(bootsteps.Step):
            def create(self, worker):
                worker.journal = open_journal(worker.state_path)
                atexit.register(worker.journal.flush)
      `,
    },
    {
      name: 'a Django management command runs once per process',
      code: `
        import logging
        import sys
        from django.core.management.base import BaseCommand

        class Command(BaseCommand):
            def handle(self, *args, **options):
                logger = logging.getLogger("scripts." + options["script"])
                logger.addHandler(logging.StreamHandler(sys.stdout))
                run_script(options["script"], logger)
      `,
    },
    {
      name: 'a configuration method called once on the module-level application object',
      code: `
        from myapp import signals

        class Application:
            def discover(self, packages):
                signals.modules_loaded.connect(lambda **kw: self.load(packages), weak=False)

            def load(self, packages): ...

        app = Application()
        app.discover(["billing", "users"])
      `,
    },
    {
      name: 'a helper called only while this module is imported',
      code: `
        import logging

        def job_logger(name):
            logger = logging.getLogger("jobs." + name)
            logger.addHandler(logging.StreamHandler())
            return logger

        log = job_logger("exports")
      `,
    },
    {
      name: 'a helper called twice from start-up code registers two listeners in all',
      code: `
        from events import bus

        def watch(path):
            bus.add_event_handler("modified", lambda e: print(path, e))

        def main():
            watch("config.toml")
            watch("secrets.toml")

        if __name__ == "__main__":
            main()
      `,
    },
    {
      name: 'a test function runs once per test session',
      path: 'tests/test_events.py',
      code: `
        import logging
        from sqlalchemy import event
        from app.models import Order

        def test_load_event_fires(session):
            seen = []
            event.listen(Order, "load", lambda target, ctx: seen.append(target))
            session.query(Order).all()

        class LoggingTest:
            def test_records_are_captured(self):
                logging.getLogger("app").addHandler(ListHandler())
      `,
    },
    {
      name: 'a session-scoped fixture runs once',
      code: `
        import logging
        import pytest

        @pytest.fixture(scope="session")
        def captured_logs():
            handler = ListHandler()
            logging.getLogger().addHandler(handler)
            return handler
      `,
    },
    {
      name: 'an emitter of this module that keeps its subscribers in a WeakSet',
      code: `
        import weakref

        class Hub:
            def __init__(self):
                self._listeners = weakref.WeakSet()

            def add_listener(self, listener):
                self._listeners.add(listener)

        hub = Hub()

        def handle(request):
            hub.add_listener(Session(request))
      `,
    },
    {
      name: 'a subscription on what a per-call promise hands to its callback',
      code: `
        def run_subscription(document, event):
            pending = document.execute(root=event, return_promise=True)

            def collect(results):
                payload = []
                results.subscribe(payload.append)
                return payload

            if is_promise(pending):
                return pending.then(collect)
            return collect(pending)
      `,
    },
    {
      name: 'a helper whose every call is guarded by "not logger.handlers"',
      code: `
        import logging
        import sys

        def _add_console(logger):
            logger.addHandler(logging.StreamHandler(sys.stdout))

        class Echo:
            def __init__(self, name, echo):
                self.logger = logging.getLogger(name)
                if echo and not self.logger.handlers:
                    _add_console(self.logger)
      `,
    },
    {
      name: 'the same module-level function registered with atexit from a signal handler (no new arguments)',
      code: `
        import atexit
        import signal

        def _reexec():
            ...

        def install_restart_handler():
            def on_hup(signum, frame):
                atexit.register(_reexec)
                raise SystemExit(0)
            signal.signal(signal.SIGHUP, on_hup)
      `,
    },
    {
      name: 'a data migration connects a receiver once, when migrating',
      code: `
        from django.db import migrations
        from django.db.models.signals import post_migrate

        def backfill(apps, schema_editor):
            def after(sender=None, **kwargs):
                ...
            post_migrate.connect(after, weak=False)

        class Migration(migrations.Migration):
            operations = [migrations.RunPython(backfill)]
      `,
    },
  ],
  invalid: [
    {
      name: 'a handler added to the root logger in __init__ of a class only other modules make: nothing shows more than one object, a hint that names the unknown',
      code: `
        import logging


        class LogEndpoint:
            def __init__(self):
                self.memory = MemoryHandler(400)
                logging.getLogger().addHandler(self.memory)
      `,
      errors: [
        {
          line: 7,
          severity: 'hint',
          message: 'how many `LogEndpoint` objects are made is decided by code in other modules',
        },
      ],
    },
    {
      name: 'the same class made by a function of this module whose callers are elsewhere: one object per call, information naming those callers',
      code: `
        import logging


        class LogEndpoint:
            def __init__(self):
                self.memory = MemoryHandler(400)
                logging.getLogger().addHandler(self.memory)


        def open_endpoint(app):
            app.endpoint = LogEndpoint()
      `,
      errors: [{ line: 7, severity: 'information', message: 'how often `open_endpoint()` is called' }],
    },
    {
      name: 'the same class made by a handler of this module: one handler per object, a warning',
      code: `
        import logging


        class LogEndpoint:
            def __init__(self):
                self.memory = MemoryHandler(400)
                logging.getLogger().addHandler(self.memory)


        def on_connect(client):
            client.endpoint = LogEndpoint()
      `,
      errors: [{ line: 7, severity: 'warning' }],
    },
    {
      name: 'a subscription in a server method that starts a loop of its own making but never runs an event loop: callers elsewhere decide (information)',
      code: `
        from app.events import bus


        class Server:
            def run(self):
                bus.subscribe("disconnected", lambda event: self.refresh())
                self.thread.start()

            def refresh(self): ...
      `,
      errors: [{ line: 6, severity: 'information', message: 'decided by its callers in other modules' }],
    },
    {
      name: 'a per-job logger: a handler added in a helper that a task calls for every job',
      code: `
        import logging
        from celery import shared_task

        def job_logger(job_id):
            log = logging.getLogger(f"jobs.{job_id}")
            log.addHandler(logging.FileHandler(f"/var/log/jobs/{job_id}.log"))
            return log

        @shared_task
        def run_export(job_id):
            log = job_logger(job_id)
            log.info("export started")
      `,
      errors: [{ line: 6, severity: 'warning', message: 'it runs on every job or event' }],
    },
    {
      name: 'a per-tenant logger built in a loop',
      code: `
        import logging

        def tenant_logger(tenant):
            logger = logging.getLogger("tenant." + tenant.slug)
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter(tenant.slug + " %(message)s"))
            logger.addHandler(handler)
            return logger

        def nightly_report(tenants):
            for tenant in tenants:
                tenant_logger(tenant).info("report")
      `,
      errors: [
        {
          line: 7,
          severity: 'information',
          message: 'how often `nightly_report()` is called is decided by its callers',
        },
      ],
    },
    {
      name: 'a module-level emitter subscribed by a websocket route',
      code: `
        from fastapi import FastAPI
        from app.events import EventEmitter

        app = FastAPI()
        prices = EventEmitter()

        @app.websocket("/prices")
        async def price_feed(websocket):
            prices.add_listener("tick", lambda tick: websocket.send_json(tick))
            async for _ in websocket.iter_text():
                pass
      `,
      errors: [{ line: 9, severity: 'warning', message: 'route handler' }],
    },
    {
      name: 'a module-level emitter subscribed by public API: its callers decide',
      code: `
        from app.events import EventEmitter

        prices = EventEmitter()

        async def follow_prices(websocket):
            prices.add_listener("tick", lambda tick: websocket.send_json(tick))
            async for _ in websocket.iter_text():
                pass
      `,
      errors: [
        {
          line: 6,
          severity: 'information',
          message: 'how often `follow_prices()` is called is decided by its callers in other modules',
        },
      ],
    },
    {
      name: 'a lambda subscribed in __init__ of an object made for every request',
      code: `
        from flask import Flask
        from shop.bus import bus

        app = Flask(__name__)

        class OrderTracker:
            def __init__(self, order_id):
                self.order_id = order_id
                self.updates = []
                bus.subscribe("order.updated", lambda e: self.updates.append(e))

        @app.route("/orders/<order_id>/track")
        def track(order_id):
            tracker = OrderTracker(order_id)
            return {"updates": tracker.updates}
      `,
      errors: [
        {
          line: 10,
          severity: 'warning',
          message:
            /for every `OrderTracker` instance .* — an `OrderTracker` is made each time: it runs on every request: `track\(\)` is a route handler$/,
        },
      ],
    },
    {
      name: 'a closure connected with weak=False in __init__ of an object made per delivered message',
      code: `
        from shop import signals

        class Delivery:
            def __init__(self, body):
                self.body = body
                def cancelled(sender, **kw):
                    self.cancelled = True
                signals.order_cancelled.connect(cancelled, weak=False)

            def process(self): ...

        def on_message(channel, method, properties, body):
            Delivery(body).process()
      `,
      errors: [{ line: 8, severity: 'warning' }],
    },
    {
      name: 'add_event_handler in a loop in __init__, on a client passed in',
      code: `
        class Dashboard:
            def __init__(self, client, metrics):
                self.client = client
                for name in metrics:
                    client.add_event_handler(name, self.refresh)

            def refresh(self, event): ...
      `,
      errors: [{ line: 5, severity: 'hint', message: 'how many `Dashboard` objects are made' }],
    },
    {
      name: 'a register_*() helper that subscribes a new closure, called by a route',
      code: `
        from flask import Flask, request
        from billing.hooks import bus

        app = Flask(__name__)

        def register_webhook(url, secret):
            def deliver(event):
                post_signed(url, secret, event)
            bus.subscribe("invoice.paid", deliver)

        @app.post("/webhooks")
        def create_webhook():
            register_webhook(request.json["url"], request.json["secret"])
            return {"ok": True}
      `,
      errors: [{ line: 9, severity: 'warning', message: 'route handler' }],
    },
    {
      name: 'a register_*() helper that subscribes a new closure on every call, called elsewhere',
      code: `
        from billing.hooks import bus

        def register_webhook(url, secret):
            def deliver(event):
                post_signed(url, secret, event)
            bus.subscribe("invoice.paid", deliver)
      `,
      errors: [
        {
          line: 6,
          severity: 'information',
          message: 'how often `register_webhook()` is called is decided by its callers in other modules',
        },
      ],
    },
    {
      name: 'atexit cleanup registered per upload (the same function with new arguments each time)',
      code: `
        import atexit
        import shutil
        import tempfile

        def handle_upload(upload):
            workdir = tempfile.mkdtemp()
            atexit.register(shutil.rmtree, workdir, ignore_errors=True)
            upload.save(workdir)
      `,
      errors: [{ line: 7, severity: 'warning', message: 'until exit' }],
    },
    {
      name: 'a query timer on the module-level engine, per request',
      code: `
        from sqlalchemy import create_engine, event

        engine = create_engine("postgresql://db/app")

        def run_report(request, report_id):
            timings = []
            event.listen(engine, "before_cursor_execute", lambda *a: timings.append(a))
            return build_report(report_id, timings)
      `,
      errors: [{ line: 7, severity: 'warning', message: 'takes a request' }],
    },
    {
      name: 'a Django view connecting a closure to post_save with weak=False',
      code: `
        from django.db.models.signals import post_save
        from django.http import JsonResponse

        def start_import(request):
            created = []
            def collect(sender, instance, **kwargs):
                created.append(instance.pk)
            post_save.connect(collect, weak=False)
            run_import(request.FILES["csv"])
            return JsonResponse({"created": created})
      `,
      errors: [{ line: 8, severity: 'warning' }],
    },
    {
      name: 'a filter added to a module-level logger by an object made in middleware',
      code: `
        import logging

        log = logging.getLogger("payments")

        class RequestContext:
            def __init__(self, request_id):
                self.request_id = request_id
                log.addFilter(lambda record: setattr(record, "rid", self.request_id) or True)

        async def middleware(request, call_next):
            ctx = RequestContext(request.headers.get("x-request-id"))
            return await call_next(request)
      `,
      errors: [{ line: 8, severity: 'warning' }],
    },
    {
      name: 'a connection handler of a long-lived server subscribing on a hub passed in',
      code: `
        class ChatServer:
            def __init__(self, hub):
                self.hub = hub

            async def on_connect(self, ws):
                self.hub.subscribe("message", lambda m: ws.send(m))
      `,
      errors: [{ line: 6, severity: 'information', message: 'whether `self.hub` outlives' }],
    },
    {
      name: 'a Celery task adding a handler to the root logger',
      code: `
        import logging
        from celery import shared_task

        @shared_task(bind=True)
        def import_feed(self, url):
            root = logging.getLogger()
            root.addHandler(TaskLogHandler(self.request.id))
            fetch(url)
      `,
      errors: [{ line: 7, severity: 'warning' }],
    },
    {
      name: 'subscribing through a singleton accessor, for every cart of every request',
      code: `
        class Cart:
            def __init__(self, user):
                self.user = user
                EventBus.instance().subscribe("price_changed", self.reprice)

            def reprice(self, event): ...

        def view_cart(request):
            cart = Cart(request.user)
            return render(cart)
      `,
      errors: [{ line: 4, severity: 'warning' }],
    },
    {
      name: 'middleware connecting a lambda to request_finished on every request',
      code: `
        from django.core.signals import request_finished

        class AuditMiddleware:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                entries = []
                request_finished.connect(lambda sender, **kw: save_audit(entries), weak=False)
                return self.get_response(request)
      `,
      errors: [{ line: 9, severity: 'warning' }],
    },
    {
      name: 'a function-scoped fixture adds a handler to the root logger before every test',
      code: `
        import logging
        import pytest

        @pytest.fixture
        def log_records():
            handler = ListHandler()
            logging.getLogger().addHandler(handler)
            return handler.records
      `,
      errors: [{ line: 7, severity: 'warning', message: 'every test' }],
    },
    {
      name: 'a start-up-sounding helper that a before_request hook calls for every request',
      code: `
        import logging
        from flask import Flask, request

        app = Flask(__name__)
        audit = logging.getLogger("audit")

        def configure_request_logging(incoming):
            audit.addFilter(RequestIdFilter(incoming.headers.get("X-Request-Id")))

        @app.before_request
        def tag_request():
            configure_request_logging(request)
      `,
      errors: [
        {
          line: 8,
          severity: 'warning',
          message: '`configure_request_logging()` is called from `tag_request()`: it runs on every request',
        },
      ],
    },
    {
      name: 'the accept loop of main() subscribes every connection',
      code: `
        import socket
        from chat.bus import bus

        def main():
            server = socket.create_server(("", 9000))
            while True:
                conn, _ = server.accept()
                bus.subscribe("broadcast", lambda msg, c=conn: c.sendall(msg))

        if __name__ == "__main__":
            main()
      `,
      errors: [{ line: 8, severity: 'warning', message: 'in a loop' }],
    },
    {
      name: 'a connection callback handed to a server subscribes a bound method of each connection',
      code: `
        from app.events import bus
        from app.server import Server

        def greet(conn):
            bus.subscribe("news", conn.push)

        server = Server(on_connection=greet)
      `,
      errors: [{ line: 5, severity: 'warning', message: 'callback' }],
    },
    {
      name: 'pyee on() from a streaming view',
      code: `
        import asyncio
        from pyee.asyncio import AsyncIOEventEmitter

        events = AsyncIOEventEmitter()

        async def stream_updates(request):
            queue = asyncio.Queue()
            events.on("update", queue.put_nowait)
            return stream_from(queue)
      `,
      errors: [{ line: 8, severity: 'warning' }],
    },
    {
      name: 'a bot command that adds a new message handler every time it is used',
      code: `
        from telegram.ext import CommandHandler, MessageHandler, filters

        async def start(update, context):
            user = update.effective_user
            context.application.add_handler(
                MessageHandler(filters.TEXT, lambda u, c: greet(u, user))
            )

        def install(application):
            application.add_handler(CommandHandler("start", start))
      `,
      errors: [{ line: 5, severity: 'information' }],
    },
    {
      name: 'a socket.io connect callback subscribing the new client to a module-level bus',
      code: `
        import socketio
        from app.bus import bus

        sio = socketio.Server()
        sio.on("connect", lambda sid, environ: bus.subscribe("alerts", lambda a: sio.emit("alert", a, to=sid)))
      `,
      errors: [{ line: 5, severity: 'warning', message: 'lambda' }],
    },
    {
      name: 'a per-job logger helper called from the run() method of a job class made elsewhere',
      code: `
        import logging

        def job_logger(job_id):
            log = logging.getLogger(f"jobs.{job_id}")
            log.addHandler(logging.FileHandler(f"/tmp/{job_id}.log"))
            return log

        class ExportJob:
            def run(self, job):
                log = job_logger(job.id)
                log.info("start")
      `,
      errors: [
        {
          line: 5,
          severity: 'information',
          message: 'how often `ExportJob.run()` is called is decided by its callers in other modules',
        },
      ],
    },
  ],
};

ruleTester(rule, table);
