// LEAK004 unclosed-connection: every case the issue lists — each library's context-manager
// semantics (sqlite3/psycopg2 `with` does not close), FastAPI dependencies, SQLAlchemy engines,
// sessions and sessionmakers, aliases, async clients, configured factories — and the exact fixed
// output (re-parsed, re-checked and compiled by the tester).
import { rule } from '../../server/src/rules/leak004-unclosed-connection';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'a client whose stop() is a remote command returning its answer, not its teardown: the session lives with the client',
      code: `
        import requests


        class BotClient:
            def __init__(self, url):
                self._url = url
                self._session = requests.Session()

            def _post(self, path):
                return self._session.post(self._url + path).json()

            def stop(self):
                return self._post("/stop")
      `,
    },
    {
      name: 'an SMTP session in with, and an IMAP session logged out in finally',
      code: `
        import imaplib
        import smtplib

        def send(to, body):
            with smtplib.SMTP("mail.example", 25) as server:
                server.sendmail("noreply@example", to, body)

        def unread(user, password):
            box = imaplib.IMAP4_SSL("imap.example")
            try:
                box.login(user, password)
                return box.select("INBOX")
            finally:
                box.logout()
      `,
    },
    {
      name: 'a socket made in a try whose catch-all handler swallows the rest, closed after it',
      code: `
        import socket

        def can_bind(host):
            sock = None
            usable = False
            try:
                sock = socket.socket(socket.AF_INET6)
                sock.bind((host, 0))
                usable = True
            except Exception:
                pass
            if sock:
                sock.close()
            return usable
      `,
    },
    {
      name: 'contextlib.closing around sqlite3.connect',
      code: `
        import sqlite3
        from contextlib import closing

        def load(path):
            with closing(sqlite3.connect(path)) as conn:
                return conn.execute("SELECT 1").fetchall()
      `,
    },
    {
      name: 'closed in finally',
      code: `
        import sqlite3

        def load(path):
            conn = sqlite3.connect(path)
            try:
                return conn.execute("SELECT 1").fetchall()
            finally:
                conn.close()
      `,
    },
    {
      name: 'FastAPI dependency: yield the session, close in finally',
      code: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://localhost/app")
        SessionLocal = sessionmaker(bind=engine)

        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
      `,
    },
    {
      name: 'module-level singletons',
      code: `
        import sqlite3
        import requests

        conn = sqlite3.connect("app.db")
        session = requests.Session()

        def users():
            return conn.execute("SELECT * FROM users").fetchall()
      `,
    },
    {
      name: 'factory function returns the connection',
      code: `
        import psycopg2

        def open_db(dsn):
            conn = psycopg2.connect(dsn)
            conn.autocommit = True
            return conn
      `,
    },
    {
      name: 'stored on self by a class without teardown',
      code: `
        import requests

        class Client:
            def __init__(self):
                self.session = requests.Session()

            def get(self, url):
                return self.session.get(url)
      `,
    },
    {
      name: 'psycopg 3 connection context manager closes',
      code: `
        import psycopg

        def count(dsn):
            with psycopg.connect(dsn) as conn:
                return conn.execute("SELECT count(*) FROM t").fetchone()
      `,
    },
    {
      name: 'await client.aclose() in finally (import httpx as hx)',
      code: `
        import httpx as hx

        async def fetch(url):
            client = hx.AsyncClient()
            try:
                response = await client.get(url)
                return response.json()
            finally:
                await client.aclose()
      `,
    },
    {
      name: 'aiohttp session in async with',
      code: `
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()
      `,
    },
    {
      name: 'ExitStack.enter_context and stack.callback(x.close)',
      code: `
        import sqlite3
        from contextlib import ExitStack

        def copy(a, b):
            with ExitStack() as stack:
                src = stack.enter_context(sqlite3.connect(a))
                dst = sqlite3.connect(b)
                stack.callback(dst.close)
                src.backup(dst)
      `,
    },
    {
      name: 'atexit.register(client.close)',
      code: `
        import atexit
        import redis

        def make_cache(url):
            client = redis.Redis.from_url(url)
            atexit.register(client.close)
            client.ping()
      `,
    },
    {
      name: 'weakref.finalize(self, session.close)',
      code: `
        import weakref
        import requests

        class Api:
            def start(self):
                session = requests.Session()
                weakref.finalize(self, session.close)
                session.get("https://example.com")
      `,
    },
    {
      name: 'engine.connect() in with; create_engine returned',
      code: `
        from sqlalchemy import create_engine, text

        engine = create_engine("sqlite://")

        def ping():
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        def make_engine(url):
            return create_engine(url, pool_pre_ping=True)
      `,
    },
    {
      name: 'pymongo database handed on',
      code: `
        import pymongo

        def users_collection(url):
            client = pymongo.MongoClient(url)
            return client["app"]["users"]
      `,
    },
    {
      name: 'a parameter named sqlite3 is not the module',
      code: `
        def load(sqlite3, path):
            conn = sqlite3.connect(path)
            return conn.execute("SELECT 1").fetchall()
      `,
    },
    {
      name: 'closed in except (re-raised) and on the normal path',
      code: `
        import sqlite3

        def save(path, rows):
            conn = sqlite3.connect(path)
            try:
                conn.executemany("INSERT INTO t VALUES (?)", rows)
                conn.commit()
            except Exception:
                conn.close()
                raise
            conn.close()
      `,
    },
    {
      name: 'closed right away: nothing can raise in between',
      code: `
        import sqlite3

        def touch(path):
            conn = sqlite3.connect(path)
            conn.close()
      `,
    },
    {
      name: 'stored on self and closed by close()',
      code: `
        import sqlite3

        class Store:
            def __init__(self, path):
                self.conn = sqlite3.connect(path)

            def close(self):
                self.conn.close()
      `,
    },
    {
      name: 'passed to a constructor that keeps it',
      code: `
        import sqlite3

        def repository(path):
            conn = sqlite3.connect(path)
            return Repository(conn)
      `,
    },
    {
      name: '@contextmanager session closed in finally',
      code: `
        from contextlib import contextmanager
        from sqlalchemy.orm import Session

        @contextmanager
        def session_scope(engine):
            session = Session(engine)
            try:
                yield session
                session.commit()
            finally:
                session.close()
      `,
    },
    {
      name: 'async with await psycopg.AsyncConnection.connect()',
      code: `
        import psycopg

        async def count(dsn):
            async with await psycopg.AsyncConnection.connect(dsn) as conn:
                cur = await conn.execute("SELECT 1")
                return await cur.fetchone()
      `,
    },
    {
      name: 'redis client as context manager',
      code: `
        import redis

        def get(key):
            with redis.Redis() as r:
                return r.get(key)
      `,
    },
    {
      name: 'try/except/else: closed in else right after opening',
      code: `
        import sqlite3

        def check(path):
            try:
                conn = sqlite3.connect(path)
            except sqlite3.Error:
                return False
            else:
                conn.close()
            return True
      `,
    },
    {
      name: 'configured factory closed in finally',
      settings: { extendConnectionFactories: ['mylib.db.connect'] },
      code: `
        import mylib.db

        def load():
            conn = mylib.db.connect("x")
            try:
                return conn.query("q").rows
            finally:
                conn.close()
      `,
    },
    {
      name: 'pool checkout returned to a pool by a helper',
      code: `
        import sqlite3

        def with_conn(path, fn):
            conn = sqlite3.connect(path)
            try:
                return fn(conn)
            finally:
                release(conn)
      `,
    },
    {
      name: 'a helper of this file closes it in finally',
      code: `
        import sqlite3

        def close_quietly(conn):
            try:
                conn.close()
            except sqlite3.Error:
                pass

        def load(path):
            conn = sqlite3.connect(path)
            try:
                return conn.execute("SELECT 1").fetchall()
            finally:
                close_quietly(conn)
      `,
    },
    {
      name: 'a helper of this file keeps it',
      code: `
        import sqlite3

        _open = []

        def track(conn):
            _open.append(conn)

        def connect(path):
            conn = sqlite3.connect(path)
            track(conn)
            conn.execute("PRAGMA foreign_keys = ON")
      `,
    },
    {
      name: "a session on the caller's connection borrows it",
      code: `
        from sqlalchemy.orm import Session


        def add_audit_row(connection, row):
            session = Session(bind=connection)
            session.add(row)
            session.flush()


        def after_flush(session, context):
            extra = Session(session.connection())
            extra.add(context)
      `,
    },
    {
      name: 'an engine only used for its dialect and to compile never connects',
      code: `
        from sqlalchemy import create_engine


        def render(statement, url):
            engine = create_engine(url)
            print(engine.dialect.name)
            return str(statement.compile(engine))
      `,
    },
    {
      name: 'urlopen responses read to the end close their connection',
      code: `
        import json
        from urllib.request import urlopen


        def fetch_json(url):
            return json.load(urlopen(url))


        def fetch_text(url):
            return urlopen(url).read().decode()


        def count_lines(url):
            n = 0
            for _ in urlopen(url):
                n += 1
            return n
      `,
    },
    {
      name: 'a connection entered after execution_options() is closed by the with',
      code: `
        from sqlalchemy import select


        def lookup(engine, table, key):
            cache = {}
            with engine.connect().execution_options(compiled_cache=cache) as conn:
                return conn.execute(select(table).where(table.c.id == key)).first()
      `,
    },
    {
      name: 'probes: an engine made only to see whether its driver imports, a connection only opened to see whether it can be',
      code: `
        import sqlite3

        from sqlalchemy import create_engine


        def driver_available(url):
            try:
                create_engine(url)
                return True
            except ImportError:
                return False


        def can_open(path):
            try:
                conn = sqlite3.connect(path)
                return True
            except sqlite3.Error:
                return False
      `,
    },
  ],
  invalid: [
    {
      name: 'an urlopen response released only by reading it to the end, after code that may raise: the message says read, not closed',
      code: `
        from urllib.request import urlopen

        def image_part(url, body):
            response = urlopen(url)
            part = render(body)
            part.attach(response.read())
            return part
      `,
      errors: [
        {
          line: 4,
          message:
            '`response` from `urlopen()` is read to the end (which closes it) in `image_part()` only if no exception occurs first',
        },
      ],
    },
    {
      name: 'a probe socket per address in a loop, reset to None each time and closed again in the handler',
      code: `
        import socket

        def reachable(host, port):
            for family, kind, proto, _name, address in socket.getaddrinfo(host, port):
                probe = None
                try:
                    probe = socket.socket(family, kind, proto)
                    probe.settimeout(1.0)
                    probe.connect(address)
                    probe.close()
                    return True
                except OSError:
                    if probe:
                        probe.close()
            return False
      `,
      errors: [{ line: 7, message: 'only if no exception occurs first' }],
      output: `
        import socket

        def reachable(host, port):
            for family, kind, proto, _name, address in socket.getaddrinfo(host, port):
                probe = None
                try:
                    with socket.socket(family, kind, proto) as probe:
                        probe.settimeout(1.0)
                        probe.connect(address)
                    return True
                except OSError:
                    if probe:
                        probe.close()
            return False
      `,
    },
    {
      name: 'a response per batch whose status is read after the loop: the with ends at the status read',
      code: `
        import urllib.request

        def post_batches(url, batches):
            status = None
            for body in batches:
                response = urllib.request.urlopen(url, body)
                status = response.status
            return status
      `,
      errors: [{ line: 6, message: 'is never closed' }],
      output: `
        import urllib.request

        def post_batches(url, batches):
            status = None
            for body in batches:
                with urllib.request.urlopen(url, body) as response:
                    status = response.status
            return status
      `,
    },
    {
      name: 'a socket closed at the end of a try whose handler catches only socket errors (and closes it again)',
      code: `
        import socket

        def whois(host, query, retries):
            try:
                conn = socket.create_connection((host, 43))
                conn.sendall(query.encode())
                answer = conn.recv(4096).decode()
                conn.close()
                return answer
            except OSError:
                try:
                    conn.close()
                except Exception:
                    pass
                if retries:
                    return whois(host, query, retries - 1)
                raise
      `,
      errors: [{ line: 5, message: 'only if no exception occurs first' }],
      output: `
        import socket

        def whois(host, query, retries):
            try:
                with socket.create_connection((host, 43)) as conn:
                    conn.sendall(query.encode())
                    answer = conn.recv(4096).decode()
                return answer
            except OSError:
                try:
                    conn.close()
                except Exception:
                    pass
                if retries:
                    return whois(host, query, retries - 1)
                raise
      `,
    },
    {
      name: 'a socket made in a try whose handler catches only OSError: the close after it is skipped by anything else',
      code: `
        import socket

        def can_bind(host):
            sock = None
            try:
                sock = socket.socket(socket.AF_INET6)
                sock.bind((host, 0))
            except OSError:
                pass
            if sock:
                sock.close()
      `,
      errors: [{ line: 6, message: 'only if no exception occurs first' }],
    },
    {
      name: 'a thread body runs as often as the code that starts it: once from main() (hint), per request from a handler (warning)',
      code: `
        import threading
        import requests


        def check_version():
            session = requests.Session()
            while True:
                session.get("https://example.com/v")


        def poll(url):
            session = requests.Session()
            return session.get(url).json()


        def main():
            threading.Thread(target=check_version, daemon=True).start()


        def handle_request(url):
            threading.Thread(target=poll, args=(url,)).start()


        if __name__ == "__main__":
            main()
      `,
      errors: [
        {
          line: 6,
          severity: 'hint',
          message: '(`check_version()` is the body of a thread started in `main()` (`main()` runs once',
        },
        {
          line: 12,
          severity: 'warning',
          message: '`session` from `requests.Session()` is never closed in `poll()`',
        },
      ],
    },
    {
      name: 'an asyncpg connection per request, never closed: closed in finally, awaited',
      code: `
        import asyncpg

        async def count_users(request):
            conn = await asyncpg.connect("postgresql://db/app")
            rows = await conn.fetch("SELECT id FROM users")
            return len(rows)
      `,
      errors: [{ line: 4, severity: 'warning', message: '`conn` from `asyncpg.connect()` is never closed' }],
      output: `
        import asyncpg

        async def count_users(request):
            conn = await asyncpg.connect("postgresql://db/app")
            try:
                rows = await conn.fetch("SELECT id FROM users")
                return len(rows)
            finally:
                await conn.close()
      `,
    },
    {
      name: 'an SMTP session ended with quit() only when sending succeeds',
      code: `
        import smtplib

        def notify(to, body):
            server = smtplib.SMTP("mail.example", 25)
            server.sendmail("noreply@example", to, body)
            server.quit()
      `,
      errors: [{ line: 4, severity: 'information', message: 'only if no exception occurs first' }],
      output: `
        import smtplib

        def notify(to, body):
            with smtplib.SMTP("mail.example", 25) as server:
                server.sendmail("noreply@example", to, body)
                server.quit()
      `,
    },
    {
      name: 'a plain value read from a cursor (lastrowid) keeps nothing alive: the close on the normal path only',
      code: `
        import sqlite3

        def add_note(path, text):
            db = sqlite3.connect(path)
            cur = db.execute("INSERT INTO notes (body) VALUES (?)", (text,))
            db.commit()
            note_id = cur.lastrowid
            db.close()
            return note_id
      `,
      errors: [{ line: 4, severity: 'information', message: 'only if no exception occurs first' }],
    },
    {
      name: 'a client used through a chain of handles (client[db][collection].find().limit()) and never closed',
      code: `
        from pymongo import MongoClient

        def recent(url, tenant):
            client = MongoClient(url)
            events = client[tenant]["events"]
            rows = list(events.find({}).sort("ts", -1).limit(50))
            return len(rows)
      `,
      errors: [{ line: 4, message: 'is never closed' }],
    },
    {
      name: 'sqlite3 connection never closed',
      code: `
        import sqlite3

        def load_users(path):
            conn = sqlite3.connect(path)
            rows = conn.execute("SELECT * FROM users").fetchall()
            return rows
      `,
      errors: [
        { line: 4, column: 12, message: '`conn` from `sqlite3.connect()` is never closed in `load_users()`' },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def load_users(path):
            with closing(sqlite3.connect(path)) as conn:
                rows = conn.execute("SELECT * FROM users").fetchall()
            return rows
      `,
    },
    {
      name: 'a connection closed only when a flag says so: only on some paths; closing after its last use is safe (nothing else holds it)',
      code: `
        import sqlite3

        def count_rows(path, keep_open):
            conn = sqlite3.connect(path)
            n = conn.execute("SELECT count(*) FROM users").fetchone()[0]
            if not keep_open:
                conn.close()
            return n
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            '`conn` from `sqlite3.connect()` is closed in `count_rows()` only on some paths: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def count_rows(path, keep_open):
            with closing(sqlite3.connect(path)) as conn:
                n = conn.execute("SELECT count(*) FROM users").fetchone()[0]
                if not keep_open:
                    conn.close()
            return n
      `,
    },
    {
      name: 'with sqlite3.connect() only wraps a transaction (import sqlite3 as sq)',
      code: `
        import sqlite3 as sq

        def add(path, name):
            with sq.connect(path) as conn:
                conn.execute("INSERT INTO users VALUES (?)", (name,))
      `,
      errors: [
        {
          line: 4,
          column: 10,
          message:
            '`with sq.connect()` only commits or rolls back the transaction: it does not close `conn`, which is never closed in `add()`',
        },
      ],
      output: `
        import sqlite3 as sq
        from contextlib import closing

        def add(path, name):
            with closing(sq.connect(path)) as conn, conn:
                conn.execute("INSERT INTO users VALUES (?)", (name,))
      `,
    },
    {
      name: 'with psycopg2.connect() does not close either',
      code: `
        import psycopg2

        def count(dsn):
            with psycopg2.connect(dsn) as conn:
                with conn.cursor() as cur:
                    cur.execute("SELECT count(*) FROM t")
                    return cur.fetchone()[0]
      `,
      errors: [
        {
          line: 4,
          column: 10,
          message:
            '`with psycopg2.connect()` only commits or rolls back the transaction: it does not close `conn`, which is never closed in `count()`',
        },
      ],
      output: `
        import psycopg2
        from contextlib import closing

        def count(dsn):
            with closing(psycopg2.connect(dsn)) as conn, conn:
                with conn.cursor() as cur:
                    cur.execute("SELECT count(*) FROM t")
                    return cur.fetchone()[0]
      `,
    },
    {
      name: 'chained use of a fresh connection',
      code: `
        import sqlite3

        def version(path):
            return sqlite3.connect(path).execute("select sqlite_version()").fetchone()
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            'The connection from `sqlite3.connect()` is used once (`.execute()`) and never closed in `version()`',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def version(path):
            with closing(sqlite3.connect(path)) as conn:
                return conn.execute("select sqlite_version()").fetchone()
      `,
    },
    {
      name: 'httpx.AsyncClient closed only on the normal path (import httpx as hx)',
      code: `
        import httpx as hx

        async def fetch(url):
            client = hx.AsyncClient(timeout=5)
            response = await client.get(url)
            await client.aclose()
            return response.json()
      `,
      errors: [
        {
          line: 4,
          column: 14,
          message:
            '`client` from `hx.AsyncClient()` is closed in `fetch()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        import httpx as hx

        async def fetch(url):
            async with hx.AsyncClient(timeout=5) as client:
                response = await client.get(url)
            return response.json()
      `,
    },
    {
      name: 'requests.Session closed without finally: close removed, with added',
      code: `
        import requests

        def download(urls):
            session = requests.Session()
            session.headers["User-Agent"] = "leak-lens"
            pages = []
            for url in urls:
                pages.append(session.get(url).text)
            session.close()
            return pages
      `,
      errors: [
        {
          line: 4,
          column: 15,
          message:
            '`session` from `requests.Session()` is closed in `download()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        import requests

        def download(urls):
            with requests.Session() as session:
                session.headers["User-Agent"] = "leak-lens"
                pages = []
                for url in urls:
                    pages.append(session.get(url).text)
            return pages
      `,
    },
    {
      name: 'FastAPI dependency closing after yield without finally',
      code: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://localhost/app")
        SessionLocal = sessionmaker(bind=engine)

        def get_db():
            db = SessionLocal()
            yield db
            db.close()
      `,
      errors: [
        {
          line: 8,
          column: 10,
          message:
            '`db` from `SessionLocal()` is closed after `yield` in `get_db()` but not in `finally`: an exception raised at the `yield` skips it',
          severity: 'information',
        },
      ],
      output: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("postgresql://localhost/app")
        SessionLocal = sessionmaker(bind=engine)

        def get_db():
            with SessionLocal() as db:
                yield db
      `,
    },
    {
      name: 'dependency yields a session nobody closes',
      code: `
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker()

        def get_db():
            db = SessionLocal()
            yield db
      `,
      errors: [
        {
          line: 6,
          column: 10,
          message: '`db` from `SessionLocal()` is yielded by `get_db()` and never closed after the `yield`',
        },
      ],
      output: `
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker()

        def get_db():
            with SessionLocal() as db:
                yield db
      `,
    },
    {
      name: 'a session whose query results are returned is still never closed',
      code: `
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker()

        def list_users():
            db = SessionLocal()
            return db.query(User).filter(User.active).all()
      `,
      errors: [
        { line: 6, column: 10, message: '`db` from `SessionLocal()` is never closed in `list_users()`' },
      ],
      output: `
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker()

        def list_users():
            with SessionLocal() as db:
                return db.query(User).filter(User.active).all()
      `,
    },
    {
      name: 'engine.connect() on a module-level engine',
      code: `
        from sqlalchemy import create_engine, text

        engine = create_engine("sqlite://")

        def ping():
            conn = engine.connect()
            conn.execute(text("SELECT 1"))
      `,
      errors: [
        { line: 6, column: 12, message: '`conn` from `engine.connect()` is never closed in `ping()`' },
      ],
      output: `
        from sqlalchemy import create_engine, text

        engine = create_engine("sqlite://")

        def ping():
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
      `,
    },
    {
      name: 'create_engine inside a function: dispose in finally',
      code: `
        from sqlalchemy import create_engine, text

        def migrate(url):
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x int)"))
      `,
      errors: [
        { line: 4, column: 14, message: '`engine` from `create_engine()` is never disposed in `migrate()`' },
      ],
      output: `
        from sqlalchemy import create_engine, text

        def migrate(url):
            engine = create_engine(url)
            try:
                with engine.begin() as conn:
                    conn.execute(text("CREATE TABLE t (x int)"))
            finally:
                engine.dispose()
      `,
    },
    {
      name: 'aiohttp.ClientSession in an async def',
      code: `
        import aiohttp

        async def fetch(url):
            session = aiohttp.ClientSession()
            async with session.get(url) as response:
                return await response.text()
      `,
      errors: [
        {
          line: 4,
          column: 15,
          message: '`session` from `aiohttp.ClientSession()` is never closed in `fetch()`',
        },
      ],
      output: `
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()
      `,
    },
    {
      name: 'aiohttp.ClientSession in a sync def: no async with possible',
      code: `
        import aiohttp

        def make_session():
            session = aiohttp.ClientSession()
            session.headers.update({"X": "1"})
      `,
      errors: [
        {
          line: 4,
          column: 15,
          message: '`session` from `aiohttp.ClientSession()` is never closed in `make_session()`',
        },
      ],
      output: null,
    },
    {
      name: 'redis.asyncio client (import redis.asyncio as aioredis)',
      code: `
        import redis.asyncio as aioredis

        async def bump(url, key):
            r = aioredis.from_url(url)
            await r.incr(key)
      `,
      errors: [{ line: 4, column: 9, message: '`r` from `aioredis.from_url()` is never closed in `bump()`' }],
      output: `
        import redis.asyncio as aioredis

        async def bump(url, key):
            async with aioredis.from_url(url) as r:
                await r.incr(key)
      `,
    },
    {
      name: 'pymongo client never closed',
      code: `
        from pymongo import MongoClient

        def count_users(url):
            client = MongoClient(url)
            return client.app.users.count_documents({})
      `,
      errors: [
        { line: 4, column: 14, message: '`client` from `MongoClient()` is never closed in `count_users()`' },
      ],
      output: `
        from pymongo import MongoClient

        def count_users(url):
            with MongoClient(url) as client:
                return client.app.users.count_documents({})
      `,
    },
    {
      name: 'class teardown forgets self.session',
      code: `
        import requests

        class Api:
            def __init__(self):
                self.session = requests.Session()
                self.conn = None

            def close(self):
                if self.conn:
                    self.conn.close()
      `,
      errors: [
        {
          line: 5,
          column: 24,
          message:
            '`self.session` from `requests.Session()` is never closed: `Api.close()` does not close it',
        },
      ],
      unsafeOutput: `
        import requests

        class Api:
            def __init__(self):
                self.session = requests.Session()
                self.conn = None

            def close(self):
                if self.conn:
                    self.conn.close()
                self.session.close()
      `,
    },
    {
      name: 'discarded connection',
      code: `
        import sqlite3

        def touch(path):
            sqlite3.connect(path)
      `,
      errors: [
        {
          line: 4,
          column: 5,
          message: 'The connection from `sqlite3.connect()` is discarded without being closed in `touch()`',
        },
      ],
      output: `
        import sqlite3

        def touch(path):
            sqlite3.connect(path).close()
      `,
    },
    {
      name: 'configured factory (extend-connection-factories)',
      settings: { extendConnectionFactories: ['mylib.db.connect'] },
      code: `
        import mylib.db

        def load():
            conn = mylib.db.connect("x")
            rows = conn.execute("q").fetchall()
            return rows
      `,
      errors: [
        { line: 4, column: 12, message: '`conn` from `mylib.db.connect()` is never closed in `load()`' },
      ],
      unsafeOutput: `
        import mylib.db
        from contextlib import closing

        def load():
            with closing(mylib.db.connect("x")) as conn:
                rows = conn.execute("q").fetchall()
            return rows
      `,
    },
    {
      name: 'with sqlite3.connect() and the connection used after the block: an outer closing() around both',
      code: `
        import sqlite3

        def load(path):
            with sqlite3.connect(path) as conn:
                conn.execute("DELETE FROM t")
            return conn.execute("SELECT * FROM t").fetchall()
      `,
      errors: [
        {
          line: 4,
          column: 10,
          message:
            '`with sqlite3.connect()` only commits or rolls back the transaction: it does not close `conn`, which is never closed in `load()`',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def load(path):
            with closing(sqlite3.connect(path)) as conn:
                with conn:
                    conn.execute("DELETE FROM t")
                return conn.execute("SELECT * FROM t").fetchall()
      `,
    },
    {
      name: 'multi-line SQL string kept verbatim when re-indenting',
      code: `
        import sqlite3

        def report(path):
            conn = sqlite3.connect(path)
            cur = conn.execute("""
                SELECT name
                  FROM users
            """)
            names = [row[0] for row in cur]
            return names
      `,
      errors: [
        { line: 4, column: 12, message: '`conn` from `sqlite3.connect()` is never closed in `report()`' },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def report(path):
            with closing(sqlite3.connect(path)) as conn:
                cur = conn.execute("""
                SELECT name
                  FROM users
            """)
                names = [row[0] for row in cur]
                return names
      `,
    },
    {
      name: 'named connection used only as a transaction context',
      code: `
        import sqlite3

        def save(path, rows):
            conn = sqlite3.connect(path)
            with conn:
                conn.executemany("INSERT INTO t VALUES (?)", rows)
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            '`conn` from `sqlite3.connect()` is never closed in `save()`: `with conn:` only commits or rolls back the transaction, it does not close the connection',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def save(path, rows):
            with closing(sqlite3.connect(path)) as conn:
                with conn:
                    conn.executemany("INSERT INTO t VALUES (?)", rows)
      `,
    },
    {
      name: 'urllib3.PoolManager',
      code: `
        import urllib3

        def get(url):
            http = urllib3.PoolManager()
            return http.request("GET", url).data
      `,
      errors: [
        { line: 4, column: 12, message: '`http` from `urllib3.PoolManager()` is never closed in `get()`' },
      ],
      output: `
        import urllib3

        def get(url):
            with urllib3.PoolManager() as http:
                return http.request("GET", url).data
      `,
    },
    {
      name: 'connection passed inline to pandas.read_sql',
      code: `
        import sqlite3
        import pandas as pd

        def frame(path):
            df = pd.read_sql("SELECT * FROM t", sqlite3.connect(path))
            return df
      `,
      errors: [
        {
          line: 5,
          column: 41,
          message:
            'The connection from `sqlite3.connect()` is passed to `pd.read_sql()` and never closed in `frame()`',
        },
      ],
      output: `
        import sqlite3
        import pandas as pd
        from contextlib import closing

        def frame(path):
            with closing(sqlite3.connect(path)) as conn:
                df = pd.read_sql("SELECT * FROM t", conn)
            return df
      `,
    },
    {
      name: 'the name is rebound: each connection fixed on its own',
      code: `
        import sqlite3

        def load(path, other):
            conn = sqlite3.connect(path)
            rows = conn.execute("SELECT 1").fetchall()
            conn = sqlite3.connect(other)
            more = conn.execute("SELECT 2").fetchall()
            conn.close()
            return rows + more
      `,
      errors: [
        { line: 4, column: 12, message: '`conn` from `sqlite3.connect()` is never closed in `load()`' },
        {
          line: 6,
          column: 12,
          message:
            '`conn` from `sqlite3.connect()` is closed in `load()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def load(path, other):
            with closing(sqlite3.connect(path)) as conn:
                rows = conn.execute("SELECT 1").fetchall()
            with closing(sqlite3.connect(other)) as conn:
                more = conn.execute("SELECT 2").fetchall()
            return rows + more
      `,
    },
    {
      name: 'a close followed by more uses stays in place',
      code: `
        import sqlite3

        def closed_cursor():
            con = sqlite3.connect(":memory:")
            cur = con.cursor()
            con.close()
            try:
                cur.execute("select 1")
            except sqlite3.ProgrammingError:
                return True
            return False
      `,
      errors: [
        {
          line: 4,
          column: 11,
          message:
            '`con` from `sqlite3.connect()` is closed in `closed_cursor()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def closed_cursor():
            with closing(sqlite3.connect(":memory:")) as con:
                cur = con.cursor()
                con.close()
                try:
                    cur.execute("select 1")
                except sqlite3.ProgrammingError:
                    return True
            return False
      `,
    },
    {
      name: 'an existing import contextlib is reused',
      code: `
        import contextlib
        import sqlite3

        def names(path):
            conn = sqlite3.connect(path)
            return [r[0] for r in conn.execute("SELECT name FROM t")]
      `,
      errors: [
        { line: 5, column: 12, message: '`conn` from `sqlite3.connect()` is never closed in `names()`' },
      ],
      output: `
        import contextlib
        import sqlite3

        def names(path):
            with contextlib.closing(sqlite3.connect(path)) as conn:
                return [r[0] for r in conn.execute("SELECT name FROM t")]
      `,
    },
    {
      name: 'chained request on a fresh requests.Session',
      code: `
        import requests

        def status(url):
            code = requests.Session().get(url).status_code
            return code
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            'The session from `requests.Session()` is used once (`.get()`) and never closed in `status()`',
        },
      ],
      output: `
        import requests

        def status(url):
            with requests.Session() as session:
                code = session.get(url).status_code
            return code
      `,
    },
    {
      name: 'psycopg 3 connection never closed',
      code: `
        import psycopg

        def count(dsn):
            conn = psycopg.connect(dsn)
            return conn.execute("SELECT count(*) FROM t").fetchone()
      `,
      errors: [
        { line: 4, column: 12, message: '`conn` from `psycopg.connect()` is never closed in `count()`' },
      ],
      output: `
        import psycopg

        def count(dsn):
            with psycopg.connect(dsn) as conn:
                return conn.execute("SELECT count(*) FROM t").fetchone()
      `,
    },
    {
      name: 'passed to helpers of this file that only use it',
      code: `
        import sqlite3

        def init_schema(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
            conn.commit()

        class Loader:
            def run(self, path):
                conn = sqlite3.connect(path)
                init_schema(conn)
                self.load(conn, table="t")

            def load(self, conn, table):
                return conn.execute(f"SELECT * FROM {table}").fetchall()
      `,
      errors: [
        { line: 9, column: 16, message: '`conn` from `sqlite3.connect()` is never closed in `Loader.run()`' },
      ],
      output: `
        import sqlite3
        from contextlib import closing

        def init_schema(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
            conn.commit()

        class Loader:
            def run(self, path):
                with closing(sqlite3.connect(path)) as conn:
                    init_schema(conn)
                    self.load(conn, table="t")

            def load(self, conn, table):
                return conn.execute(f"SELECT * FROM {table}").fetchall()
      `,
    },
    {
      name: 'awaited psycopg.AsyncConnection.connect() never closed',
      code: `
        import psycopg

        async def count(dsn):
            conn = await psycopg.AsyncConnection.connect(dsn)
            cur = await conn.execute("SELECT count(*) FROM t")
            row = await cur.fetchone()
            return row[0]
      `,
      errors: [
        {
          line: 4,
          column: 18,
          message: '`conn` from `psycopg.AsyncConnection.connect()` is never closed in `count()`',
        },
      ],
      output: `
        import psycopg

        async def count(dsn):
            async with await psycopg.AsyncConnection.connect(dsn) as conn:
                cur = await conn.execute("SELECT count(*) FROM t")
                row = await cur.fetchone()
            return row[0]
      `,
    },
    {
      name: 'connection from a local engine',
      code: `
        from sqlalchemy import create_engine, text

        def check(url):
            engine = create_engine(url)
            try:
                conn = engine.connect()
                return conn.execute(text("SELECT 1")).scalar()
            finally:
                engine.dispose()
      `,
      errors: [
        { line: 6, column: 16, message: '`conn` from `engine.connect()` is never closed in `check()`' },
      ],
      output: `
        from sqlalchemy import create_engine, text

        def check(url):
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    return conn.execute(text("SELECT 1")).scalar()
            finally:
                engine.dispose()
      `,
    },
    {
      name: 'self.engine.connect() on an engine the class creates',
      code: `
        from sqlalchemy import create_engine, text


        class Repo:
            def __init__(self, url):
                self.engine = create_engine(url)

            def count(self):
                conn = self.engine.connect()
                return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
      errors: [
        {
          line: 9,
          column: 16,
          message: '`conn` from `self.engine.connect()` is never closed in `Repo.count()`',
          severity: 'warning',
        },
      ],
      output: `
        from sqlalchemy import create_engine, text


        class Repo:
            def __init__(self, url):
                self.engine = create_engine(url)

            def count(self):
                with self.engine.connect() as conn:
                    return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
    },
    {
      name: 'engine.connect() on a parameter: the type is assumed',
      code: `
        from sqlalchemy import text


        def count(engine):
            conn = engine.connect()
            return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`conn` from `engine.connect()` is never closed in `count()`; this assumes `engine` is a SQLAlchemy engine (its type is not known here)',
          severity: 'information',
        },
      ],
      output: `
        from sqlalchemy import text


        def count(engine):
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
    },
    {
      name: 'engine.connect() on a parameter annotated Engine',
      code: `
        from sqlalchemy import text
        from sqlalchemy.engine import Engine


        def count(engine: Engine):
            conn = engine.connect()
            return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
      errors: [
        {
          line: 6,
          column: 12,
          message: '`conn` from `engine.connect()` is never closed in `count()`',
          severity: 'warning',
        },
      ],
      output: `
        from sqlalchemy import text
        from sqlalchemy.engine import Engine


        def count(engine: Engine):
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM t")).scalar()
      `,
    },
    {
      name: 'sockets never closed',
      code: `
        import socket


        def ping(host, port):
            sock = socket.create_connection((host, port), timeout=2)
            sock.sendall(b"PING\\r\\n")
            return sock.recv(64)


        def probe(host):
            s = socket.socket()
            s.settimeout(1)
            return s.connect_ex((host, 80)) == 0
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message: '`sock` from `socket.create_connection()` is never closed in `ping()`',
          severity: 'warning',
        },
        {
          line: 11,
          column: 9,
          message: '`s` from `socket.socket()` is never closed in `probe()`',
          severity: 'warning',
        },
      ],
      output: `
        import socket


        def ping(host, port):
            with socket.create_connection((host, port), timeout=2) as sock:
                sock.sendall(b"PING\\r\\n")
                return sock.recv(64)


        def probe(host):
            with socket.socket() as s:
                s.settimeout(1)
                return s.connect_ex((host, 80)) == 0
      `,
    },
    {
      name: 'an urlopen response that is never read nor closed',
      code: `
        from urllib.request import urlopen


        def status(url):
            response = urlopen(url)
            return response.status
      `,
      errors: [
        {
          line: 5,
          column: 16,
          message: '`response` from `urlopen()` is never closed in `status()`',
          severity: 'warning',
        },
      ],
      output: `
        from urllib.request import urlopen


        def status(url):
            with urlopen(url) as response:
                return response.status
      `,
    },
    {
      name: 'a session committed at the end but not closed',
      code: `
        from sqlalchemy.orm import Session


        def rename(engine, user_id, name):
            session = Session(engine)
            user = session.get(User, user_id)
            user.name = name
            session.commit()
      `,
      errors: [
        {
          line: 5,
          column: 15,
          message:
            '`session` from `Session()` is never closed in `rename()`; `commit()` gives back its connection only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'information',
        },
      ],
      output: `
        from sqlalchemy.orm import Session


        def rename(engine, user_id, name):
            with Session(engine) as session:
                user = session.get(User, user_id)
                user.name = name
                session.commit()
      `,
    },
    {
      name: 'awaited connect() of an async engine: async with enters the call',
      code: `
        from sqlalchemy.ext.asyncio import create_async_engine


        async def count(url):
            engine = create_async_engine(url)
            try:
                conn = await engine.connect()
                return (await conn.execute("SELECT 1")).scalar()
            finally:
                await engine.dispose()
      `,
      errors: [
        {
          line: 7,
          column: 22,
          message: '`conn` from `engine.connect()` is never closed in `count()`',
          severity: 'warning',
        },
      ],
      output: `
        from sqlalchemy.ext.asyncio import create_async_engine


        async def count(url):
            engine = create_async_engine(url)
            try:
                async with engine.connect() as conn:
                    return (await conn.execute("SELECT 1")).scalar()
            finally:
                await engine.dispose()
      `,
    },
    {
      name: 'a management command runs once: a hint',
      code: `
        import sqlite3

        from django.core.management.base import BaseCommand


        class Command(BaseCommand):
            def handle(self, *args, **options):
                conn = sqlite3.connect("index.db")
                conn.execute("DELETE FROM entries")
                conn.commit()
      `,
      errors: [
        {
          line: 8,
          column: 16,
          message:
            '`conn` from `sqlite3.connect()` is never closed in `Command.handle()` (`Command.handle()` is a management command: it runs once per process)',
          severity: 'hint',
        },
      ],
      output: `
        import sqlite3

        from django.core.management.base import BaseCommand
        from contextlib import closing


        class Command(BaseCommand):
            def handle(self, *args, **options):
                with closing(sqlite3.connect("index.db")) as conn:
                    conn.execute("DELETE FROM entries")
                    conn.commit()
      `,
    },
    {
      name: 'execution_options() returns the same connection, still never closed',
      code: `
        from sqlalchemy import select


        def lookup(engine, table, key):
            conn = engine.connect().execution_options(stream_results=True)
            return conn.execute(select(table).where(table.c.id == key)).first()
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`conn` from `engine.connect()` is never closed in `lookup()`; this assumes `engine` is a SQLAlchemy engine (its type is not known here)',
          severity: 'information',
        },
      ],
      output: `
        from sqlalchemy import select


        def lookup(engine, table, key):
            with engine.connect().execution_options(stream_results=True) as conn:
                return conn.execute(select(table).where(table.c.id == key)).first()
      `,
    },
    {
      name: 'a session on engine.execution_options() checks out its own connection',
      code: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        engine = create_engine("sqlite://")


        def lookup(model, key):
            session = Session(bind=engine.execution_options(compiled_cache={}))
            return session.get(model, key)
      `,
      errors: [
        {
          line: 8,
          column: 15,
          message: '`session` from `Session()` is never closed in `lookup()`',
          severity: 'warning',
        },
      ],
      output: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        engine = create_engine("sqlite://")


        def lookup(model, key):
            with Session(bind=engine.execution_options(compiled_cache={})) as session:
                return session.get(model, key)
      `,
    },
    {
      name: 'created in a try whose handlers return, used in a later try with no finally: that try gets the finally',
      code: `
        import sqlite3

        def validate_database(database=None):
            try:
                connection = sqlite3.connect(database, timeout=20)
            except (sqlite3.OperationalError, ValueError):
                return "Invalid database specified"

            try:
                connection.execute("SELECT started from session_history")
                connection.close()
            except sqlite3.DatabaseError:
                return "Invalid database specified"

            return "success"
      `,
      errors: [{ line: 5, message: 'only if no exception occurs first' }],
      output: `
        import sqlite3

        def validate_database(database=None):
            try:
                connection = sqlite3.connect(database, timeout=20)
            except (sqlite3.OperationalError, ValueError):
                return "Invalid database specified"

            try:
                connection.execute("SELECT started from session_history")
                connection.close()
            except sqlite3.DatabaseError:
                return "Invalid database specified"
            finally:
                connection.close()

            return "success"
      `,
    },
    {
      name: 'created in a try whose handler raises: the statements after it, up to the last use, go in try/finally',
      code: `
        import sqlite3

        def load(path):
            try:
                conn = sqlite3.connect(path)
            except sqlite3.Error as e:
                raise RuntimeError(path) from e
            rows = conn.execute("SELECT * FROM t").fetchall()
            print(len(rows))
            return rows
      `,
      errors: [{ line: 5, message: 'never closed' }],
      output: `
        import sqlite3

        def load(path):
            try:
                conn = sqlite3.connect(path)
            except sqlite3.Error as e:
                raise RuntimeError(path) from e
            try:
                rows = conn.execute("SELECT * FROM t").fetchall()
            finally:
                conn.close()
            print(len(rows))
            return rows
      `,
    },
    {
      name: 'created in a try whose handler does not leave: try/finally after it, unsafe (the name may be unbound there)',
      code: `
        import sqlite3

        def load(path):
            try:
                conn = sqlite3.connect(path)
            except sqlite3.Error:
                print("no database")
            return conn.execute("SELECT * FROM t").fetchall()
      `,
      errors: [{ line: 5 }],
      unsafeOutput: `
        import sqlite3

        def load(path):
            try:
                conn = sqlite3.connect(path)
            except sqlite3.Error:
                print("no database")
            try:
                return conn.execute("SELECT * FROM t").fetchall()
            finally:
                conn.close()
      `,
    },
    {
      name: 'a benchmark step registered with a decorator whose registry the __main__ block runs: once per run, a hint that says so',
      code: `
        import sqlite3

        from harness import Timer


        @Timer.measure
        def insert_rows(n):
            db = sqlite3.connect("bench.db")
            db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(n)])
            db.commit()


        if __name__ == "__main__":
            Timer.main()
      `,
      errors: [
        {
          line: 8,
          message:
            '`db` from `sqlite3.connect()` is never closed in `insert_rows()` (`insert_rows()` is registered with `@Timer.measure` and run by this script\'s `if __name__ == "__main__":` block (`Timer.main()`): a fixed number of times per run)',
          severity: 'hint',
        },
      ],
    },
    {
      name: 'a function registered on an object whose __main__ block starts it serving runs per event: not once',
      code: `
        import sqlite3

        from chat import bot


        @bot.text_message
        def count_words(update):
            db = sqlite3.connect("stats.db")
            db.execute("INSERT INTO words VALUES (?)", (len(update.text.split()),))
            db.commit()


        if __name__ == "__main__":
            bot.run()
      `,
      errors: [
        {
          line: 8,
          message: '`db` from `sqlite3.connect()` is never closed in `count_words()`',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'a reply read off the connection and searched with re: the connection is not handed on',
      code: `
        import re
        import smtplib


        def notify(host, sender, to, body):
            server = smtplib.SMTP(host)
            if re.search(b"STARTTLS", server.ehlo_resp or b""):
                server.starttls()
            server.sendmail(sender, to, body)
            server.close()
      `,
      errors: [{ line: 6, message: 'only if no exception occurs first' }],
      output: `
        import re
        import smtplib


        def notify(host, sender, to, body):
            with smtplib.SMTP(host) as server:
                if re.search(b"STARTTLS", server.ehlo_resp or b""):
                    server.starttls()
                server.sendmail(sender, to, body)
      `,
    },
    {
      name: 'a socket made in either branch of an if and never closed: each creation entered in one ExitStack around the branches and the uses',
      code: `
        import socket


        def ask(path, address, data):
            if path:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.connect(address)
            s.sendall(data)
            reply = s.recv(1024)
            return reply.decode()
      `,
      errors: [
        { line: 6, message: 'never closed' },
        { line: 9, message: 'never closed' },
      ],
      output: `
        import socket
        from contextlib import ExitStack


        def ask(path, address, data):
            with ExitStack() as stack:
                if path:
                    s = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
                    s.connect(path)
                else:
                    s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    s.connect(address)
                s.sendall(data)
                reply = s.recv(1024)
            return reply.decode()
      `,
    },
    {
      name: 'a socket made in either branch, closed only at the end of a try whose handler returns: the ExitStack closes it on the error path too, the close stays',
      code: `
        import socket

        from contextlib import ExitStack as Stack


        def reachable(udp, host, port):
            if udp:
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            else:
                probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                probe.settimeout(0.5)
                probe.connect((host, port))
                probe.close()
                return True
            except OSError:
                return False
      `,
      errors: [
        { line: 8, message: 'only if no exception occurs first' },
        { line: 10, message: 'only if no exception occurs first' },
      ],
      output: `
        import socket

        from contextlib import ExitStack as Stack


        def reachable(udp, host, port):
            with Stack() as stack:
                if udp:
                    probe = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                else:
                    probe = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                try:
                    probe.settimeout(0.5)
                    probe.connect((host, port))
                    probe.close()
                    return True
                except OSError:
                    return False
      `,
    },
    {
      name: 'an SMTP connection made in a try and made again in its handler when the first fails: both entered in one ExitStack (the first one is closed too)',
      code: `
        import smtplib


        def notify(host, to, body):
            try:
                mail = smtplib.SMTP_SSL(host)
                mail.ehlo()
            except Exception:
                try:
                    mail = smtplib.SMTP(host)
                    mail.ehlo()
                except Exception:
                    return "no server"
            try:
                mail.sendmail("bot@example.org", to, body)
                outcome = "sent"
            except smtplib.SMTPException:
                outcome = "refused"
            mail.quit()
            return outcome
      `,
      errors: [
        { line: 6, message: 'only if no exception occurs first' },
        { line: 10, message: 'only if no exception occurs first' },
      ],
      output: `
        import smtplib
        from contextlib import ExitStack


        def notify(host, to, body):
            with ExitStack() as stack:
                try:
                    mail = stack.enter_context(smtplib.SMTP_SSL(host))
                    mail.ehlo()
                except Exception:
                    try:
                        mail = stack.enter_context(smtplib.SMTP(host))
                        mail.ehlo()
                    except Exception:
                        return "no server"
                try:
                    mail.sendmail("bot@example.org", to, body)
                    outcome = "sent"
                except smtplib.SMTPException:
                    outcome = "refused"
                mail.quit()
            return outcome
      `,
    },
    {
      name: 'in a loop, a socket made in one branch only (a later pass may use the last one): the ExitStack goes around the loop, unsafe (every socket stays open until the loop ends)',
      code: `
        import socket


        def relay(chunks, address):
            for chunk in chunks:
                if chunk.startswith(b"!"):
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.connect(address)
                elif not chunk:
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendall(chunk)
      `,
      errors: [{ line: 7 }, { line: 10 }],
      unsafeOutput: `
        import socket
        from contextlib import ExitStack


        def relay(chunks, address):
            with ExitStack() as stack:
                for chunk in chunks:
                    if chunk.startswith(b"!"):
                        s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                        s.connect(address)
                    elif not chunk:
                        s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    s.sendall(chunk)
      `,
    },
  ],
};

ruleTester(rule, table);
