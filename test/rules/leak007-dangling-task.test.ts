import { rule } from '../../server/src/rules/leak007-dangling-task';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'awaited and returned tasks',
      code: `
        import asyncio

        async def run():
            await asyncio.create_task(work())
            return asyncio.ensure_future(other())
      `,
    },
    {
      name: 'gathered and waited tasks',
      code: `
        import asyncio

        async def run():
            t1 = asyncio.create_task(a())
            t2 = asyncio.create_task(b())
            await asyncio.gather(t1, t2)
            done, pending = await asyncio.wait([asyncio.create_task(c()), asyncio.create_task(d())])
      `,
    },
    {
      name: 'a task stored on self and cancelled later',
      code: `
        import asyncio

        class Poller:
            def start(self):
                self._task = asyncio.create_task(self._poll())

            def stop(self):
                self._task.cancel()
      `,
    },
    {
      name: 'TaskGroup keeps its tasks',
      code: `
        import asyncio

        async def main():
            async with asyncio.TaskGroup() as tg:
                tg.create_task(fetch(1))
                tg.create_task(fetch(2))
      `,
    },
    {
      name: 'the module-level set + discard idiom',
      code: `
        import asyncio

        background_tasks = set()

        def spawn(coro):
            task = asyncio.create_task(coro)
            background_tasks.add(task)
            task.add_done_callback(background_tasks.discard)
      `,
    },
    {
      name: 'a per-object set pruned by a done callback method',
      code: `
        import asyncio

        class Server:
            def __init__(self):
                self._tasks = set()

            def handle(self, conn):
                task = asyncio.create_task(self.serve(conn))
                self._tasks.add(task)
                task.add_done_callback(self._forget)

            def _forget(self, task):
                self._tasks.discard(task)
      `,
    },
    {
      name: 'anyio and trio nurseries hold their tasks',
      code: `
        import anyio
        import trio

        async def main():
            async with anyio.create_task_group() as tg:
                tg.start_soon(work)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(work)
      `,
    },
    {
      name: 'a local variable named asyncio is not the asyncio module',
      code: `
        def schedule(asyncio, coro):
            asyncio.create_task(coro)
      `,
    },
    {
      name: 'a task bound to a name that is used later',
      code: `
        import asyncio

        async def run():
            t = asyncio.create_task(work())
            await asyncio.sleep(1)
            t.cancel()
      `,
    },
    {
      name: 'tasks kept in a dict by key',
      code: `
        import asyncio

        class Jobs:
            def __init__(self):
                self._by_id = {}

            def start(self, job_id, coro):
                self._by_id[job_id] = asyncio.create_task(coro)
      `,
    },
    {
      name: 'a local list of tasks that is gathered',
      code: `
        import asyncio

        async def crawl(urls):
            tasks = []
            for url in urls:
                tasks.append(asyncio.create_task(fetch(url)))
            return await asyncio.gather(*tasks)
      `,
    },
    {
      name: 'a module-level set that is cleared on shutdown',
      code: `
        import asyncio

        _pending = set()

        def spawn(coro):
            _pending.add(asyncio.create_task(coro))

        async def shutdown():
            await asyncio.gather(*_pending)
            _pending.clear()
      `,
    },
    {
      name: 'bounded and weak containers',
      code: `
        import asyncio
        import collections
        import weakref

        _recent = collections.deque(maxlen=100)
        _live = weakref.WeakSet()

        def spawn(coro):
            task = asyncio.create_task(coro)
            _recent.append(task)
            _live.add(task)
      `,
    },
    {
      name: 'create_task on something that is not an event loop',
      code: `
        def plan(scheduler, job):
            scheduler.create_task(job)
      `,
    },
    {
      name: 'a call that is expected to raise',
      code: `
        import asyncio
        import unittest

        class T(unittest.TestCase):
            def test_closed_loop(self):
                with self.assertRaises(RuntimeError):
                    asyncio.ensure_future(coro(), loop=closed_loop)
      `,
    },
    {
      name: 'a lambda that returns the task to its caller',
      code: `
        import asyncio

        factory = lambda coro: asyncio.create_task(coro)
        tasks = list(map(lambda c: asyncio.create_task(c), coros))
      `,
    },
    {
      name: 'a module-level global keeps the task for the life of the module',
      code: `
        import asyncio

        loop = asyncio.new_event_loop()
        main_task = loop.create_task(main())
        loop.run_forever()
      `,
    },
    {
      name: 'a chained assignment whose first name is awaited',
      code: `
        import asyncio

        async def run(job):
            task = latest = asyncio.create_task(job())
            await task
      `,
    },
    {
      name: 'a task kept in a nonlocal or global name',
      code: `
        import asyncio

        _refresher = None

        def start_refresh(job):
            global _refresher
            _refresher = asyncio.create_task(job())

        def make_starter(job):
            current = None

            def start():
                nonlocal current
                current = asyncio.create_task(job())

            return start
      `,
    },
  ],
  invalid: [
    {
      name: 'a discarded task gets a module-level set (after the imports)',
      code: `
        import asyncio
        import logging

        log = logging.getLogger(__name__)

        async def handle(request):
            asyncio.create_task(audit(request))  # fire and forget
            return "ok"
      `,
      errors: [{ line: 7, column: 5, message: 'is discarded', severity: 'information' }],
      output: `
        import asyncio
        import logging

        _background_tasks: "set[asyncio.Task]" = set()

        log = logging.getLogger(__name__)

        async def handle(request):
            task = asyncio.create_task(audit(request))  # fire and forget
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
            return "ok"
      `,
    },
    {
      name: 'the set is annotated without quotes where the module is evaluated under future annotations',
      code: `
        from __future__ import annotations

        import asyncio

        async def handle(request):
            asyncio.create_task(audit(request))
      `,
      errors: [{ line: 6, column: 5, message: 'is discarded', severity: 'information' }],
      output: `
        from __future__ import annotations

        import asyncio

        _background_tasks: set[asyncio.Task] = set()

        async def handle(request):
            task = asyncio.create_task(audit(request))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'the set is annotated without quotes where the module already evaluates list[...] (Python 3.9+)',
      code: `
        import asyncio

        async def handle(request, ids: list[int]):
            asyncio.create_task(audit(request))
      `,
      errors: [{ line: 4, column: 5, message: 'is discarded', severity: 'information' }],
      output: `
        import asyncio

        _background_tasks: set[asyncio.Task] = set()

        async def handle(request, ids: list[int]):
            task = asyncio.create_task(audit(request))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'a list[...] only inside a function body is not evaluated: the annotation stays quoted',
      code: `
        import asyncio

        async def handle(request):
            ids: list[int] = []
            asyncio.create_task(audit(request, ids))
      `,
      errors: [{ line: 5, column: 5, message: 'is discarded', severity: 'information' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def handle(request):
            ids: list[int] = []
            task = asyncio.create_task(audit(request, ids))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'import asyncio as aio',
      code: `
        import asyncio as aio

        async def handle():
            aio.ensure_future(notify())
      `,
      errors: [{ line: 4, message: '`asyncio.ensure_future()`' }],
      output: `
        import asyncio as aio

        _background_tasks: "set[aio.Task]" = set()

        async def handle():
            task = aio.ensure_future(notify())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'from asyncio import create_task: import asyncio is added for the annotation',
      code: `
        from asyncio import create_task as spawn

        def on_message(msg):
            spawn(process(msg))
      `,
      errors: [{ line: 4, message: '`asyncio.create_task()`' }],
      output: `
        from asyncio import create_task as spawn
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        def on_message(msg):
            task = spawn(process(msg))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'loop.create_task with loop = asyncio.get_running_loop(), and a fresh task name',
      code: `
        import asyncio

        async def run(task):
            lp = asyncio.get_running_loop()
            lp.create_task(task.run())
      `,
      errors: [{ line: 5, message: '`lp.create_task()`' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def run(task):
            lp = asyncio.get_running_loop()
            task_1 = lp.create_task(task.run())
            _background_tasks.add(task_1)
            task_1.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'self._loop.create_task in a method, without any asyncio import',
      code: `
        class Transport:
            def connect(self, waiter):
                self._loop.create_task(self._connect_pipes(waiter))
      `,
      errors: [{ line: 3, message: '`self._loop.create_task()`' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()


        class Transport:
            def connect(self, waiter):
                task = self._loop.create_task(self._connect_pipes(waiter))
                _background_tasks.add(task)
                task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'a task bound to a name that is never used',
      code: `
        import asyncio

        async def handle(event):
            t: asyncio.Task = asyncio.create_task(store(event))
            return None
      `,
      errors: [{ line: 4, message: '`t` holds the task' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def handle(event):
            t: asyncio.Task = asyncio.create_task(store(event))
            _background_tasks.add(t)
            t.add_done_callback(_background_tasks.discard)
            return None
      `,
    },
    {
      name: 'a task returned to a registrar that ignores it passes through _keep_task()',
      code: `
        import asyncio
        import signal

        def install(loop):
            loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.create_task(shutdown()))
      `,
      errors: [{ line: 5, message: '`add_signal_handler()`' }],
      output: `
        import asyncio
        import signal


        _background_tasks: "set[asyncio.Task]" = set()


        def _keep_task(task):
            """Keep a strong reference to the task until it is done (the loop holds it weakly)."""
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
            return task


        def install(loop):
            loop.add_signal_handler(signal.SIGTERM, lambda: _keep_task(asyncio.create_task(shutdown())))
      `,
    },
    {
      name: '_keep_task() added where two blank lines already follow the imports: still two before the next definition',
      code: `
        import asyncio
        import signal


        def install(loop):
            loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.create_task(shutdown()))
      `,
      errors: [{ line: 6, message: '`add_signal_handler()`' }],
      output: `
        import asyncio
        import signal


        _background_tasks: "set[asyncio.Task]" = set()


        def _keep_task(task):
            """Keep a strong reference to the task until it is done (the loop holds it weakly)."""
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
            return task


        def install(loop):
            loop.add_signal_handler(signal.SIGTERM, lambda: _keep_task(asyncio.create_task(shutdown())))
      `,
    },
    {
      name: 'only add_done_callback is called on the task',
      code: `
        import asyncio

        async def handle():
            asyncio.create_task(work()).add_done_callback(report)
      `,
      errors: [{ line: 4, message: 'only `.add_done_callback()`' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def handle():
            task = asyncio.create_task(work())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
            task.add_done_callback(report)
      `,
    },
    {
      name: 'tasks pile up in a module-level set',
      code: `
        import asyncio

        running = set()

        async def handle(request):
            running.add(asyncio.create_task(notify(request)))
      `,
      errors: [{ line: 6, message: 'Tasks are added to `running` and never removed' }],
      output: `
        import asyncio

        running = set()

        async def handle(request):
            task = asyncio.create_task(notify(request))
            running.add(task)
            task.add_done_callback(running.discard)
      `,
    },
    {
      name: 'tasks pile up in a per-object list',
      code: `
        import asyncio

        class Worker:
            def __init__(self):
                self.tasks = []

            def submit(self, coro):
                task = asyncio.create_task(coro)
                self.tasks.append(task)
                return task
      `,
      errors: [{ line: 9, message: 'for the lifetime of the object' }],
      output: `
        import asyncio

        class Worker:
            def __init__(self):
                self.tasks = []

            def submit(self, coro):
                task = asyncio.create_task(coro)
                self.tasks.append(task)
                task.add_done_callback(self.tasks.remove)
                return task
      `,
    },
    {
      name: 'Fix All: two dangling tasks share one _background_tasks set',
      code: `
        """Handlers."""
        import asyncio

        async def a():
            asyncio.create_task(one())

        async def b():
            asyncio.create_task(two())
      `,
      errors: [{ line: 5 }, { line: 8 }],
      output: `
        """Handlers."""
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def a():
            task = asyncio.create_task(one())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)

        async def b():
            task = asyncio.create_task(two())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'a statement sharing its line gets ;-separated statements',
      code: `
        import asyncio

        async def maybe(flag):
            if flag: asyncio.create_task(work())
      `,
      errors: [{ line: 4, column: 14 }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        async def maybe(flag):
            if flag: task = asyncio.create_task(work()); _background_tasks.add(task); task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'an unrelated _background_tasks name is not reused',
      code: `
        import asyncio

        _background_tasks = []

        def spawn(coro):
            asyncio.ensure_future(coro)
      `,
      errors: [{ line: 6 }],
      output: `
        import asyncio

        _background_tasks_2: "set[asyncio.Task]" = set()

        _background_tasks = []

        def spawn(coro):
            task = asyncio.ensure_future(coro)
            _background_tasks_2.add(task)
            task.add_done_callback(_background_tasks_2.discard)
      `,
    },
    {
      name: 'asyncio.get_event_loop().create_task inline, in a sync callback',
      code: `
        import asyncio

        def on_change(path):
            asyncio.get_event_loop().create_task(reload(path))
      `,
      errors: [{ line: 4, message: '`asyncio.get_event_loop().create_task()`' }],
      output: `
        import asyncio

        _background_tasks: "set[asyncio.Task]" = set()

        def on_change(path):
            task = asyncio.get_event_loop().create_task(reload(path))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
      `,
    },
    {
      name: 'pile-ups: sure in a module set, by lifetime on self, once in main()',
      code: `
        import asyncio

        _pending = set()


        class Worker:
            def __init__(self):
                self.jobs = []

            def submit(self, coro):
                self.jobs.append(asyncio.create_task(coro))


        def schedule(coro):
            _pending.add(asyncio.create_task(coro))


        async def main():
            _pending.add(asyncio.create_task(warm_up()))
            await asyncio.sleep(1)


        if __name__ == "__main__":
            asyncio.run(main())
      `,
      errors: [
        {
          line: 11,
          column: 9,
          message:
            'Tasks are added to `self.jobs` and never removed (no `remove`, `clear` or reassignment): finished tasks and their results pile up for the lifetime of the object',
          severity: 'information',
        },
        {
          line: 15,
          column: 5,
          message:
            'Tasks are added to `_pending` and never removed (no `discard`, `clear` or reassignment): finished tasks and their results pile up for the lifetime of the process',
          severity: 'warning',
        },
        {
          line: 19,
          column: 5,
          message:
            'Tasks are added to `_pending` and never removed (no `discard`, `clear` or reassignment): finished tasks and their results pile up for the lifetime of the process (`main()` runs once, from `if __name__ == "__main__":`)',
          severity: 'hint',
        },
      ],
      output: `
        import asyncio

        _pending = set()


        class Worker:
            def __init__(self):
                self.jobs = []

            def submit(self, coro):
                task = asyncio.create_task(coro)
                self.jobs.append(task)
                task.add_done_callback(self.jobs.remove)


        def schedule(coro):
            task = asyncio.create_task(coro)
            _pending.add(task)
            task.add_done_callback(_pending.discard)


        async def main():
            _pending.add(asyncio.create_task(warm_up()))
            await asyncio.sleep(1)


        if __name__ == "__main__":
            asyncio.run(main())
      `,
    },
  ],
};

ruleTester(rule, table);
