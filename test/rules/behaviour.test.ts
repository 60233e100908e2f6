// Behaviour checks: a fix must keep the module doing its job, beyond compiling. For each rule, a
// module is fixed the way Fix All (or `--unsafe-fixes`) fixes it, then the original and the fixed
// module run in real Python on the same inputs and their results must be equal — the TTLCache
// still returns the cached values without computing them again, the deque still yields the
// newest items in order, the `with` block still returns what the code read.
//
// Safe fixes are checked on any input, past their bounds too (3,000 appends into a deque of
// 1,024 that is read at its tail). Unsafe fixes are checked within the limit their title states
// (fewer items than the bound, the parent still alive, one call): that is where they must behave
// the same; beyond it they may not, which is why they are unsafe.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../server/src/engine';
import { dedent } from '../../server/src/fixes/edits';
import { ruleByCode } from '../../server/src/rules/index';
import type { Rule } from '../../server/src/types';
import { findingsOf, fixAll } from '../support/rule-tester';

interface BehaviourCase {
  name: string;
  code: `LEAK00${number}`;
  /** The module. */
  module: string;
  /**
   * Python run after the module, in its namespace, with `tmp` a fresh directory; it sets
   * `result` to something JSON can print. Runs once on the original, once on the fixed module.
   */
  driver: string;
  /** Apply the unsafe fixes too (the driver stays within their stated limit). */
  unsafe?: boolean;
  /** Needs `cachetools` (the TTLCache fix). */
  cachetools?: boolean;
  /** A text the fixed module must contain: the fix checked is the one meant. */
  fixedContains: string;
}

const CASES: BehaviourCase[] = [
  {
    name: 'LEAK001 TTLCache on a read-through memo returns the cached values without computing them again',
    code: 'LEAK001',
    cachetools: true,
    module: `
      import cachetools

      calls = []
      _rates = {}
      _bounded = cachetools.LRUCache(maxsize=16)

      def rate(currency):
          if currency in _rates:
              return _rates[currency]
          calls.append(currency)
          value = len(currency) * 1.5
          _rates[currency] = value
          return value
    `,
    driver: `result = [[rate(c) for c in ["EUR", "USD", "EUR", "GBP", "USD"]], calls]`,
    fixedContains: '_rates = cachetools.TTLCache(maxsize=1024, ttl=3600)',
  },
  {
    name: 'LEAK001 evicting the oldest entry of a read-through memo (no cachetools): same values, recomputed only past the bound',
    code: 'LEAK001',
    module: `
      calls = []
      _squares = {}

      def square(n):
          if n not in _squares:
              calls.append(n)
              _squares[n] = n * n
          return _squares[n]
    `,
    driver: `
      first = [square(n) for n in range(2000)]
      again = [square(n) for n in range(1990, 2000)]
      result = [first[-5:], again, len(calls)]
    `,
    fixedContains: 'del _squares[next(iter(_squares))]',
  },
  {
    name: 'LEAK001 a bounded lru_cache still caches: same results, same number of calls',
    code: 'LEAK001',
    module: `
      import functools

      calls = []

      @functools.cache
      def slug(title):
          calls.append(title)
          return title.lower().replace(" ", "-")

      def handle(titles):
          return [slug(t) for t in titles]
    `,
    driver: `result = [handle(["A b", "C d", "A b"] * 3), len(calls)]`,
    fixedContains: '@functools.lru_cache(maxsize=1024)',
  },
  {
    name: 'LEAK001 locks held weakly still exclude: two coroutines on one key run one after the other, other keys in parallel',
    code: 'LEAK001',
    unsafe: true,
    module: `
      import asyncio

      log = []
      _locks: dict[str, asyncio.Lock] = {}

      async def pay(wallet_id, n):
          if wallet_id not in _locks:
              _locks[wallet_id] = asyncio.Lock()
          async with _locks[wallet_id]:
              log.append(("start", wallet_id, n))
              await asyncio.sleep(0.01)
              log.append(("end", wallet_id, n))
    `,
    driver: `
      async def run_all():
          await asyncio.gather(pay("a", 1), pay("a", 2), pay("b", 3))
          await pay("a", 4)

      asyncio.run(run_all())
      result = log
    `,
    fixedContains: 'lock = _locks[wallet_id] = asyncio.Lock()',
  },
  {
    name: 'LEAK002 a deque read at its tail yields the newest items in order, past its bound too',
    code: 'LEAK002',
    module: `
      _recent = []

      def record(event):
          _recent.append(event)

      def last_five():
          return _recent[-5:]

      def latest():
          return _recent[-1]
    `,
    driver: `
      for i in range(3000):
          record(i)
      result = [list(last_five()), latest()]
    `,
    fixedContains: '_recent = deque(maxlen=1024)',
  },
  {
    name: 'LEAK002 a None default (unsafe): one call, or an explicit list, gives the same result',
    code: 'LEAK002',
    unsafe: true,
    module: `
      def add_tag(tag, tags=[]):
          tags.append(tag)
          return tags
    `,
    driver: `
      mine = ["x"]
      result = [add_tag("a"), add_tag("b", mine), mine]
    `,
    fixedContains: 'if tags is None:',
  },
  {
    name: 'LEAK002 a list read by slicing becomes a deque (unsafe): within the bound, the same slices',
    code: 'LEAK002',
    unsafe: true,
    module: `
      _lines = []

      def log(line):
          _lines.append(line)

      def tail(n):
          return _lines[-n:]

      def count():
          return len(_lines)
    `,
    driver: `
      for i in range(500):
          log(f"line {i}")
      result = [tail(3), tail(10), count()]
    `,
    fixedContains: 'list(_lines)[-n:]',
  },
  {
    name: 'LEAK003 a state held as a method bound on each read: same transitions, comparisons and names',
    code: 'LEAK003',
    unsafe: true,
    module: `
      from fastapi import FastAPI

      app = FastAPI()

      class Machine:
          def __init__(self):
              self.state = self.idle
              self.log = []

          def idle(self, event):
              self.log.append(("idle", event, self.state == self.idle))
              self.state = self.busy

          def busy(self, event):
              self.log.append(("busy", event, self.state.__name__))
              if event == "done":
                  self.state = self.idle

      @app.post("/run")
      def run(events: list):
          m = Machine()
          for e in events:
              m.state(e)
          return m.log
    `,
    driver: `
      m = Machine()
      m.state = print
      plain = m.state is print
      del m.state
      result = [run(["a", "b", "done", "c"]), hasattr(Machine(), "state"), plain, hasattr(m, "state")]
    `,
    fixedContains: 'state = _SelfMethod()',
  },
  {
    name: 'LEAK003 a method replaced on the object by another: the class method until set, then the other, compared equal',
    code: 'LEAK003',
    unsafe: true,
    module: `
      from fastapi import FastAPI

      app = FastAPI()

      class Layer:
          def __init__(self):
              self.log = []

          def handle(self, event):
              self.log.append(("handle", event, self.handle == self.passthrough))
              if event == "switch":
                  self.handle = self.passthrough

          def passthrough(self, event):
              self.log.append(("pass", event, self.handle == self.passthrough, self.handle.__name__))

      @app.post("/run")
      def run(events: list):
          layer = Layer()
          for e in events:
              layer.handle(e)
          return layer.log
    `,
    driver: `result = [run(["a", "switch", "b", "c"]), Layer.handle.__name__ if hasattr(Layer.handle, "__name__") else "descriptor"]`,
    fixedContains: 'handle = _SelfMethod(handle)',
  },
  {
    name: 'LEAK003 an AttrDict without self.__dict__ = self: attributes and items stay one namespace',
    code: 'LEAK003',
    unsafe: true,
    module: `
      class AttrDict(dict):
          def __init__(self, *args, **kwargs):
              super().__init__(*args, **kwargs)
              self.__dict__ = self
    `,
    driver: `
      d = AttrDict(a=1)
      d.b = 2
      d["c"] = 3
      del d.a
      try:
          d.missing
          missing = "no error"
      except AttributeError:
          missing = "AttributeError"
      result = [sorted(d.items()), d.c, d.b, hasattr(d, "a"), missing, d.get("b")]
    `,
    fixedContains: 'def __getattr__(self, name):',
  },
  {
    name: 'LEAK004 a connection in with closing(...) returns the same rows',
    code: 'LEAK004',
    module: `
      import sqlite3

      def totals(path):
          conn = sqlite3.connect(path)
          conn.execute("create table if not exists t (x)")
          conn.execute("insert into t values (2), (3)")
          conn.commit()
          return conn.execute("select sum(x), count(*) from t").fetchall()
    `,
    driver: `result = [totals(tmp + "/a.db"), totals(tmp + "/a.db")]`,
    fixedContains: 'with closing(sqlite3.connect(path)) as conn:',
  },
  {
    name: 'LEAK001 a defaultdict(bool) read with .get(key, bool()) gives the same answers (and keeps no new keys)',
    code: 'LEAK001',
    module: `
      from collections import defaultdict

      SECURE = defaultdict(bool, {"https": True, "wss": True})

      def needs_tls(scheme):
          if SECURE[scheme.lower()]:
              return "tls"
          return "plain"
    `,
    driver: `result = [needs_tls(s) for s in ["HTTPS", "http", "ftp", "wss", "gopher", "http"]]`,
    fixedContains: 'SECURE.get(scheme.lower(), bool())',
  },
  {
    name: 'LEAK004 a file-backed connection closed at the end of a try and again in its handler: with inside the try, same results and the same error path',
    code: 'LEAK004',
    module: `
      import sqlite3

      def count(path, table):
          try:
              conn = sqlite3.connect(path)
              conn.execute("create table if not exists t (x)")
              rows = conn.execute("select count(*) from " + table).fetchall()
              conn.close()
              return rows
          except sqlite3.OperationalError:
              try:
                  conn.close()
              except Exception:
                  pass
              return "no such table"
    `,
    driver: `result = [count(tmp + "/c.db", "t"), count(tmp + "/c.db", "missing"), count(tmp + "/c.db", "t")]`,
    fixedContains: 'with closing(sqlite3.connect(path)) as conn:',
  },
  {
    name: 'LEAK008 files opened in both branches of an if, each wrapped in its own with: the same rows either way',
    code: 'LEAK008',
    module: `
      import csv

      def load(path, legacy):
          rows = []
          if legacy:
              f = open(path)
              rows = f.read().splitlines()
              f.close()
          else:
              f = open(path, newline="")
              for row in csv.reader(f):
                  rows.append(row[0])
              f.close()
          return rows
    `,
    driver: `
      with open(tmp + "/t.csv", "w") as out:
          out.write("a,1\\nb,2\\n")
      result = [load(tmp + "/t.csv", True), load(tmp + "/t.csv", False)]
    `,
    fixedContains: 'with open(path, newline="") as f:',
  },
  {
    name: 'LEAK004 a socket made in either branch of an if (and in a handler after a failed first try), entered in one ExitStack: the same answers',
    code: 'LEAK004',
    module: `
      import socket

      def local_name(udp):
          if udp:
              s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
          else:
              s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
          s.bind(("127.0.0.1", 0))
          return [s.type == socket.SOCK_DGRAM, s.getsockname()[0]]

      def bound(port_text):
          try:
              s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
              s.bind(("127.0.0.1", int(port_text)))
          except ValueError:
              try:
                  s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                  s.bind(("127.0.0.1", 0))
              except OSError:
                  return "no socket"
          try:
              return [s.type == socket.SOCK_DGRAM, s.getsockname()[1] > 0]
          except OSError:
              return "unbound"
    `,
    driver: `result = [local_name(True), local_name(False), bound("0"), bound("any"), local_name(True)]`,
    fixedContains: 's = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))',
  },
  {
    name: 'LEAK008 a file opened in one branch, a stream or None bound in the other, entered in an ExitStack: the same text written, the stream closed only where the code closed it',
    code: 'LEAK008',
    module: `
      import sys

      def dump(out, text):
          if out != "-":
              f = open(out, "w")
          else:
              f = sys.stdout
          f.write(text)
          f.close()
          return len(text)

      def build(log, steps):
          if log:
              sink = open(log, "a")
          else:
              sink = None
          done = []
          for step in steps:
              if sink is not None:
                  sink.write(step + "\\n")
              done.append(step.upper())
          if sink is not None:
              sink.close()
          return done
    `,
    driver: `
      import io

      class Stream(io.StringIO):
          def close(self):
              self.closed_by_code = True

      stream = Stream()
      saved, sys.stdout = sys.stdout, stream
      try:
          written = [dump(tmp + "/d.txt", "hello"), dump("-", "to stream")]
      finally:
          sys.stdout = saved
      with open(tmp + "/d.txt") as back:
          text = back.read()
      steps = [build(tmp + "/log.txt", ["a", "b"]), build(None, ["c"]), build(tmp + "/log.txt", ["d"])]
      with open(tmp + "/log.txt") as back:
          log = back.read()
      result = [written, text, stream.getvalue(), getattr(stream, "closed_by_code", False), steps, log]
    `,
    fixedContains: 'sink = stack.enter_context(open(log, "a"))',
  },
  {
    name: 'LEAK008 a process made in a try whose handler raises, then a name reused for a second process: with proc: after the try, and an ExitStack for both, give the same output and codes',
    code: 'LEAK008',
    module: `
      import sys
      from subprocess import PIPE, Popen

      def execute(code):
          try:
              proc = Popen([sys.executable, "-c", code], stdout=PIPE, stderr=PIPE)
          except OSError as e:
              raise RuntimeError("cannot run") from e
          out, err = proc.communicate()
          return [out.decode().strip(), err.decode().strip()[-17:], proc.returncode]

      def both(first, second):
          lines = []
          if first:
              p = Popen([sys.executable, "-c", first], stdout=PIPE)
              for line in p.stdout:
                  lines.append(line.decode().strip())
              status = p.wait()
              lines.append(status)
          if second:
              p = Popen([sys.executable, "-c", second], stdout=PIPE)
              lines.append(p.stdout.read().decode().strip())
              status = p.wait()
              lines.append(status)
          return lines
    `,
    driver: `
      result = [
          execute("print(6 * 7)"),
          execute("raise SystemExit(3)"),
          execute("1 / 0"),
          both("print(1); print(2)", "import sys; print(3); sys.exit(4)"),
          both(None, "print(5)"),
          both("print(6)", None),
      ]
    `,
    fixedContains: 'with proc:',
  },
  {
    name: 'LEAK004 a connection made and dropped, now closed at once, still creates the database file',
    code: 'LEAK004',
    module: `
      import os
      import sqlite3

      def touch(path):
          sqlite3.connect(path)
          return os.path.exists(path)
    `,
    driver: `result = [touch(tmp + "/new.db"), touch(tmp + "/new.db")]`,
    fixedContains: 'sqlite3.connect(path).close()',
  },
  {
    name: 'LEAK005 a pool replaced after its own close(), its atexit registration dropped where it is closed: the new pool still works, the old one is still closed once',
    code: 'LEAK005',
    module: `
      import atexit
      from multiprocessing.pool import ThreadPool

      class Bot:
          def __init__(self, size):
              self.size = size
              self.pool = ThreadPool(size)
              self.closed = []

          def handle(self, admin_only, n):
              if admin_only:
                  self.pool.close()
                  self.pool.join()
                  self.closed.append(self.pool._state)
                  self.pool = ThreadPool(self.size)
                  atexit.register(self.pool.close)
              return self.pool.apply(pow, (2, n))
    `,
    driver: `
      bot = Bot(2)
      answers = [bot.handle(n % 2 == 0, n) for n in range(6)]
      result = [answers, [str(s) for s in bot.closed]]
      bot.pool.close()
    `,
    fixedContains: 'atexit.unregister(self.pool.close)',
  },
  {
    name: 'LEAK005 a listener removed in finally still gets every event published while the function runs',
    code: 'LEAK005',
    unsafe: true,
    module: `
      class Hub:
          def __init__(self):
              self.listeners = []

          def subscribe(self, fn):
              self.listeners.append(fn)

          def unsubscribe(self, fn):
              self.listeners.remove(fn)

          def publish(self, event):
              for fn in list(self.listeners):
                  fn(event)

      hub = Hub()

      class Feed:
          def __init__(self, user):
              self.user = user
              self.seen = []

          def push(self, event):
              self.seen.append(event)

      def stream(user, events):
          feed = Feed(user)
          hub.subscribe(feed.push)
          for e in events:
              hub.publish(e)
          return list(feed.seen)
    `,
    driver: `result = [stream("a", [1, 2]), stream("b", [3])]`,
    fixedContains: 'hub.unsubscribe(feed.push)',
  },
  {
    name: 'LEAK005 a listener registered in __init__ still gets events after the object is made (no removal in finally, no value returned from __init__)',
    code: 'LEAK005',
    unsafe: true,
    module: `
      class Hub(list):
          add_listener = list.append
          remove_listener = list.remove

          def publish(self, event):
              for fn in list(self):
                  fn(event)

      hub = Hub()

      class Session:
          def __init__(self, user):
              self.user = user

              def on_logout(event):
                  self.user = None

              hub.add_listener(on_logout)
              self.started = True

      def handle(users):
          return [Session(u) for u in users]
    `,
    driver: `
      sessions = handle(["a", "b"])
      hub.publish("logout")
      result = [[s.user for s in sessions], len(hub)]
    `,
    fixedContains: 'def close(self):',
  },
  {
    name: 'LEAK003 a parent held weakly still links each node to its parent, a root with __slots__ included (no TypeError)',
    code: 'LEAK003',
    unsafe: true,
    module: `
      class Document:
          __slots__ = ("title", "child")

          def __init__(self, title):
              self.title = title
              self.child = None

      class Section:
          def __init__(self, parent, title):
              self.title = title
              self.parent = parent
              parent.child = self

      def outline(titles):
          doc = Document(titles[0])
          node = doc
          for t in titles[1:]:
              node = Section(node, t)
          return doc
    `,
    driver: `
      doc = outline(["d", "a", "b"])
      result = [doc.child.parent.title, doc.child.child.parent.title, doc.child.child.title]
    `,
    fixedContains: '"__weakref__"',
  },
  {
    name: 'LEAK004 a transaction block inside closing(): the insert is committed and the rows read after it are the same',
    code: 'LEAK004',
    module: `
      import sqlite3

      def add_and_count(path, x):
          with sqlite3.connect(path) as conn:
              conn.execute("create table if not exists t (x)")
              conn.execute("insert into t values (?)", (x,))
          return conn.execute("select count(*), sum(x) from t").fetchall()
    `,
    driver: `
      first = add_and_count(tmp + "/b.db", 2)
      second = add_and_count(tmp + "/b.db", 5)
      check = sqlite3.connect(tmp + "/b.db")
      result = [first, second, check.execute("select count(*) from t").fetchall()]
      check.close()
    `,
    fixedContains: 'with closing(sqlite3.connect(path)) as conn:',
  },
  {
    name: 'LEAK005 a handler added in start() of a subclass still gets the records logged while it runs; stop() still stops',
    code: 'LEAK005',
    unsafe: true,
    module: `
      import logging

      class Worker:
          def start(self):
              return "started"

          def stop(self, reason=None):
              return "stopped " + str(reason)

      class ListHandler(logging.Handler):
          def __init__(self, sink):
              super().__init__()
              self.sink = sink

          def emit(self, record):
              self.sink.append(record.getMessage())

      class TestWorker(Worker):
          def __init__(self, sink):
              self.sink = sink

          def start(self):
              if self.sink is not None:
                  handler = ListHandler(self.sink)
                  logger = logging.getLogger("leak-lens-check")
                  logger.addHandler(handler)
              return super().start()
    `,
    driver: `
      sink = []
      w = TestWorker(sink)
      started = w.start()
      logging.getLogger("leak-lens-check").warning("one")
      result = [started, sink, w.stop(reason="done")]
    `,
    fixedContains: 'return super().stop(*args, **kwargs)',
  },
  {
    name: 'LEAK006 fire-and-forget work still runs after shutdown(wait=False) in finally, and the caller still does not wait for it',
    code: 'LEAK006',
    module: `
      import threading
      from concurrent.futures import ThreadPoolExecutor

      gate = threading.Event()
      done = []

      def job(n):
          gate.wait(10)
          done.append(n)

      def kick(n):
          pool = ThreadPoolExecutor()
          pool.submit(job, n)
          return len(done)
    `,
    driver: `
      import time
      before = [kick(1), kick(2)]
      gate.set()
      deadline = time.monotonic() + 10
      while len(done) < 2 and time.monotonic() < deadline:
          time.sleep(0.01)
      result = [before, sorted(done)]
    `,
    fixedContains: 'pool.shutdown(wait=False)',
  },
  {
    name: 'LEAK006 a pool closed in finally still hands back every async result',
    code: 'LEAK006',
    module: `
      from multiprocessing.pool import ThreadPool

      def start(xs):
          pool = ThreadPool(2)
          results = [pool.apply_async(pow, (x, 2)) for x in xs]
          return [r.get() for r in results]
    `,
    driver: `result = [start(range(10)), start([7])]`,
    fixedContains: 'pool.close()',
  },
  {
    name: 'LEAK006 an executor in a with block maps the same results',
    code: 'LEAK006',
    module: `
      from concurrent.futures import ThreadPoolExecutor

      def squares(items):
          pool = ThreadPoolExecutor(max_workers=2)
          return list(pool.map(lambda x: x * x, items))
    `,
    driver: `result = squares(range(20))`,
    fixedContains: 'with ThreadPoolExecutor(max_workers=2) as pool:',
  },
  {
    name: 'LEAK007 a task made in a callback lambda, kept through _keep_task, still runs to completion',
    code: 'LEAK007',
    module: `
      import asyncio

      done = []

      async def work(x):
          await asyncio.sleep(0)
          done.append(x)

      def schedule(loop, x):
          loop.call_soon(lambda: asyncio.create_task(work(x)))
    `,
    driver: `
      async def main():
          loop = asyncio.get_running_loop()
          for x in range(3):
              schedule(loop, x)
          for _ in range(20):
              await asyncio.sleep(0)

      asyncio.run(main())
      result = sorted(done)
    `,
    fixedContains: '_keep_task(asyncio.create_task(work(x)))',
  },
  {
    name: 'LEAK007 a task kept in a set still runs to completion, in order',
    code: 'LEAK007',
    module: `
      import asyncio

      done = []

      async def work(x):
          await asyncio.sleep(0)
          done.append(x)

      async def kick(items):
          for x in items:
              asyncio.create_task(work(x))
          await asyncio.sleep(0.05)
    `,
    driver: `
      asyncio.run(kick(range(10)))
      result = done
    `,
    fixedContains: '_background_tasks.add(task)',
  },
  {
    name: 'LEAK008 a file opened in a try whose handler returns, closed in finally after its last use: same lines, same fallback',
    code: 'LEAK008',
    module: `
      def tail(f, n):
          return f.readlines()[-n:]

      def get_log_tail(path, window=2):
          try:
              logfile = open(path, "r", encoding="utf-8")
          except IOError:
              return []
          log_lines = tail(logfile, window)
          if not log_lines:
              return ["empty"]
          return [line.strip() for line in log_lines]
    `,
    driver: `
      with open(tmp + "/a.log", "w") as out:
          out.write("one\\ntwo\\nthree\\n")
      open(tmp + "/empty.log", "w").close()
      result = [get_log_tail(tmp + "/a.log"), get_log_tail(tmp + "/empty.log"), get_log_tail(tmp + "/missing.log")]
    `,
    fixedContains: 'logfile.close()',
  },
  {
    name: 'LEAK008 a file or stdin in a with block (stdin through nullcontext): same lines, stdin still open',
    code: 'LEAK008',
    module: `
      import sys

      def lines(path):
          f = open(path) if path != "-" else sys.stdin
          return f.readlines()
    `,
    driver: `
      import io
      with open(tmp + "/a.txt", "w") as out:
          out.write("x\\ny\\n")
      sys.stdin = io.StringIO("from stdin\\n")
      result = [lines(tmp + "/a.txt"), lines("-"), sys.stdin.closed]
    `,
    fixedContains: 'nullcontext(sys.stdin)',
  },
  {
    name: 'LEAK008 a file closed in the finally that already used it: same size, same name printed',
    code: 'LEAK008',
    module: `
      seen = []

      def size(path):
          try:
              f = open(path)
              data = f.read()
          finally:
              seen.append(f.name.endswith("c.txt"))
          return len(data)
    `,
    driver: `
      with open(tmp + "/c.txt", "w") as out:
          out.write("hello")
      result = [size(tmp + "/c.txt"), seen]
    `,
    fixedContains: 'f.close()',
  },
  {
    name: 'LEAK008 a zip writer rotated in a loop, closed in finally too: the same archives with the same members',
    code: 'LEAK008',
    module: `
      import zipfile

      def write_zips(pages, per_zip, out):
          current = None
          count = 0
          index = 0
          for page in pages:
              if count == 0 or count >= per_zip:
                  if current is not None:
                      current.close()
                  current = zipfile.ZipFile(out + "/part_" + str(index) + ".zip", "w")
                  index += 1
                  count = 0
              current.writestr(page + ".txt", page)
              count += 1
          if current is not None:
              current.close()
          return index
    `,
    driver: `
      n = write_zips(["a", "b", "c", "d", "e"], 2, tmp)
      result = [n] + [sorted(zipfile.ZipFile(tmp + "/part_" + str(i) + ".zip").namelist()) for i in range(n)]
    `,
    fixedContains: 'if current is not None:',
  },
  {
    name: 'LEAK008 a name rebound to a second file: the first closed before, the one held closed in finally; same text read',
    code: 'LEAK008',
    module: `
      def pick(a, b, second):
          f = open(a)
          if second:
              f = open(b)
          return f.read()
    `,
    driver: `
      for name, text in (("a", "first"), ("b", "second")):
          with open(tmp + "/" + name, "w") as out:
              out.write(text)
      result = [pick(tmp + "/a", tmp + "/b", False), pick(tmp + "/a", tmp + "/b", True)]
    `,
    fixedContains: 'f.close()',
  },
  {
    name: 'LEAK008 a file read in a with block (or with Path) gives the same text',
    code: 'LEAK008',
    module: `
      def read_config(path):
          f = open(path)
          return f.read()

      def first_line(path):
          f = open(path)
          line = f.readline()
          f.close()
          return line
    `,
    driver: `
      with open(tmp + "/c.txt", "w") as out:
          out.write("alpha\\nbeta\\n")
      result = [read_config(tmp + "/c.txt"), first_line(tmp + "/c.txt")]
    `,
    fixedContains: 'with open(path) as f:',
  },
  {
    name: 'LEAK005 a handler removed in close(): records logged while open still reach it',
    code: 'LEAK005',
    module: `
      import io
      import logging

      class Job:
          def __init__(self, name):
              self.stream = io.StringIO()
              self.handler = logging.StreamHandler(self.stream)
              self.logger = logging.getLogger("jobs")
              self.logger.addHandler(self.handler)

          def run(self, n):
              for i in range(n):
                  self.logger.warning("step %d", i)
              return self.stream.getvalue()

          def close(self):
              self.handler.close()
    `,
    driver: `
      job = Job("a")
      out = job.run(3)
      job.close()
      result = out
    `,
    fixedContains: 'self.logger.removeHandler(self.handler)',
  },
  {
    name: 'LEAK005 a handler removed in finally (unsafe): the export still writes its records to the stream',
    code: 'LEAK005',
    unsafe: true,
    module: `
      import io
      import logging

      def export(rows, stream):
          logging.getLogger("export").addHandler(logging.StreamHandler(stream))
          for row in rows:
              logging.getLogger("export").warning("row %s", row)
          return len(rows)
    `,
    driver: `
      s = io.StringIO()
      n = export([1, 2], s)
      result = [n, s.getvalue()]
    `,
    fixedContains: 'removeHandler(handler)',
  },
  {
    name: 'LEAK003 a weakref.ref-backed parent (unsafe): walks and identity tests work while the tree is alive',
    code: 'LEAK003',
    unsafe: true,
    module: `
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
    driver: `
      top = Node("top")
      mid = Node("mid")
      leaf = Node("leaf")
      top.add(mid)
      mid.add(leaf)
      result = [leaf.root() is top, leaf.parent is mid, leaf.root().name, top.parent]
    `,
    fixedContains: 'def parent(self):',
  },
  {
    name: 'LEAK003 a lambda holding self weakly (unsafe): calling it while the object lives does the same',
    code: 'LEAK003',
    unsafe: true,
    module: `
      class Counter:
          def __init__(self):
              self.n = 0
              self.on_tick = lambda step: self.bump(step)

          def bump(self, step):
              self.n += step
              return self.n
    `,
    driver: `
      c = Counter()
      result = [c.on_tick(2), c.on_tick(3), c.n]
    `,
    fixedContains: 'weak_self = weakref.ref(self)',
  },
];

// Runs each (module, driver) pair in a fresh module namespace; prints one JSON line per pair.
const HARNESS = `
import json, os, sys, tempfile, traceback, types
cases = json.load(open(sys.argv[1]))
for i, case in enumerate(cases):
    name = f"leak_case_{i}"
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    ns = mod.__dict__
    ns["tmp"] = tempfile.mkdtemp()
    try:
        exec(compile(case["module"], name + ".py", "exec"), ns)
        exec(compile(case["driver"], "driver.py", "exec"), ns)
        print(json.dumps({"result": ns.get("result")}, default=repr))
    except BaseException:
        print(json.dumps({"error": traceback.format_exc(limit=1).strip().splitlines()[-1]}))
`;

/** A Python that has cachetools (Debian's python3-cachetools), else python3 on PATH. */
function choosePython(): { python: string; cachetools: boolean } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const res = spawnSync(python, ['-c', 'import cachetools'], { encoding: 'utf8' });
    if (res.status === 0) return { python, cachetools: true };
  }
  return { python: 'python3', cachetools: false };
}

function runAll(
  python: string,
  pairs: { module: string; driver: string }[],
): { result?: unknown; error?: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-behaviour-'));
  try {
    const input = join(dir, 'cases.json');
    writeFileSync(input, JSON.stringify(pairs));
    const res = spawnSync(python, ['-c', HARNESS, input], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(res.status, 0, res.stderr);
    return res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('behaviour: original and fixed modules give the same results in real Python', function () {
  this.timeout(180_000);
  const { python, cachetools } = choosePython();
  type Outcome = { result?: unknown; error?: string };
  const prepared: { c: BehaviourCase; original: string; fixed: string; results?: [Outcome, Outcome] }[] = [];

  before(async () => {
    await initEngine();
    for (const c of CASES) {
      const rule = ruleByCode(c.code) as Rule;
      const original = dedent(c.module);
      const fixed = fixAll(rule, original, undefined, c.unsafe ?? false);
      prepared.push({ c, original, fixed });
    }
    const runnable = prepared.filter((p) => cachetools || !p.c.cachetools);
    const pairs = runnable.flatMap((p) => [
      { module: p.original, driver: dedent(p.c.driver) },
      { module: p.fixed, driver: dedent(p.c.driver) },
    ]);
    const results = runAll(python, pairs);
    runnable.forEach((p, i) => {
      p.results = [results[2 * i], results[2 * i + 1]];
    });
  });

  for (const c of CASES) {
    it(c.name, function () {
      const p = prepared.find((x) => x.c === c);
      assert.ok(p);
      if (c.cachetools && !cachetools) this.skip(); // no Python with cachetools on this machine
      const rule = ruleByCode(c.code) as Rule;
      assert.ok(findingsOf(rule, p.original).length > 0, 'the module has no finding to fix');
      assert.ok(p.fixed.includes(c.fixedContains), `the fix checked is not the one applied:\n${p.fixed}`);
      assert.equal(findingsOf(rule, p.fixed).length, 0, `the fix left findings:\n${p.fixed}`);
      const [before, after] = p.results ?? [{ error: 'not run' }, { error: 'not run' }];
      assert.equal(before.error, undefined, `the original module failed: ${before.error}`);
      assert.equal(after.error, undefined, `the fixed module failed: ${after.error}\n${p.fixed}`);
      assert.deepEqual(after.result, before.result);
    });
  }
});
