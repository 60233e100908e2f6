// LEAK006 executor-not-shutdown: concurrent.futures executors and multiprocessing pools created in
// a function or inline, with the owned-by-an-object cases, aliases, async code and fixes that only
// wrap in `with` when waiting (futures) or terminating (pools) at the end of the block keeps the
// behaviour.
import { rule } from '../../server/src/rules/leak006-executor-not-shutdown';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'shut down by a nested function defined before the executor (it runs later, on a thread)',
      code: `
        import threading
        from concurrent.futures import ThreadPoolExecutor

        def stream(n):
            def drain():
                try:
                    collect()
                finally:
                    executor.shutdown(wait=False)

            executor = ThreadPoolExecutor(max_workers=n)
            for i in range(n):
                executor.submit(work, i)
            threading.Thread(target=drain).start()
      `,
    },
    {
      name: 'with ThreadPoolExecutor()',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def fetch_all(urls):
            with ThreadPoolExecutor(max_workers=8) as pool:
                return list(pool.map(fetch, urls))
      `,
    },
    {
      name: 'alias: from concurrent.futures import ThreadPoolExecutor as TPE',
      code: `
        from concurrent.futures import ThreadPoolExecutor as TPE

        def run(jobs):
            with TPE() as pool:
                futures = [pool.submit(j) for j in jobs]
            return [f.result() for f in futures]
      `,
    },
    {
      name: 'module-level singleton executor',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max_workers=4)

        def submit(job):
            return _pool.submit(job)
      `,
    },
    {
      name: 'shut down in finally',
      code: `
        import concurrent.futures as cf

        def run(jobs):
            pool = cf.ProcessPoolExecutor()
            try:
                return list(pool.map(work, jobs))
            finally:
                pool.shutdown(wait=True)
      `,
    },
    {
      name: 'factory returns the executor',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def make_executor(n):
            executor = ThreadPoolExecutor(max_workers=n, thread_name_prefix="io")
            return executor
      `,
    },
    {
      name: 'owned by an object that shuts it down in close()',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        class Worker:
            def __init__(self):
                self._pool = ThreadPoolExecutor(2)

            def submit(self, job):
                return self._pool.submit(job)

            def close(self):
                self._pool.shutdown()
      `,
    },
    {
      name: 'owned by an object without any teardown method',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        class Service:
            def __init__(self):
                self.pool = ThreadPoolExecutor(4)

            def handle(self, req):
                return self.pool.submit(process, req)
      `,
    },
    {
      name: 'multiprocessing.Pool in with',
      code: `
        import multiprocessing as mp

        def squares(xs):
            with mp.Pool(4) as pool:
                return pool.map(square, xs)
      `,
    },
    {
      name: 'close + join in finally',
      code: `
        from multiprocessing import Pool

        def run(xs):
            pool = Pool()
            try:
                results = pool.map_async(work, xs).get()
            finally:
                pool.close()
                pool.join()
            return results
      `,
    },
    {
      name: 'terminate in finally (multiprocessing.pool.ThreadPool)',
      code: `
        from multiprocessing.pool import ThreadPool

        def run(xs):
            pool = ThreadPool(8)
            try:
                return pool.map(work, xs)
            finally:
                pool.terminate()
      `,
    },
    {
      name: 'handed to the event loop as its default executor',
      code: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        def configure(loop):
            loop.set_default_executor(ThreadPoolExecutor(max_workers=16))
      `,
    },
    {
      name: 'stored in a global',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        _executor = None

        def executor():
            global _executor
            if _executor is None:
                _executor = ThreadPoolExecutor()
            return _executor
      `,
    },
    {
      name: 'ExitStack.enter_context',
      code: `
        from contextlib import ExitStack
        from concurrent.futures import ThreadPoolExecutor

        def run(jobs):
            with ExitStack() as stack:
                pool = stack.enter_context(ThreadPoolExecutor())
                return [f.result() for f in [pool.submit(j) for j in jobs]]
      `,
    },
    {
      name: 'executor in async with-statement via run_in_executor',
      code: `
        import asyncio
        from concurrent.futures import ProcessPoolExecutor

        async def crunch(data):
            loop = asyncio.get_running_loop()
            with ProcessPoolExecutor() as pool:
                return await loop.run_in_executor(pool, heavy, data)
      `,
    },
    {
      name: 'multiprocessing.get_context(...).Pool in with',
      code: `
        import multiprocessing

        def run(xs):
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(2) as pool:
                return pool.map(work, xs)
      `,
    },
    {
      name: 'shut down right away: nothing can raise in between',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def probe():
            pool = ThreadPoolExecutor()
            pool.shutdown()
      `,
    },
    {
      name: 'atexit.register(pool.shutdown)',
      code: `
        import atexit
        from concurrent.futures import ThreadPoolExecutor

        def start():
            pool = ThreadPoolExecutor()
            atexit.register(pool.shutdown)
            pool.submit(background)
      `,
    },
    {
      name: 'teardown shuts it down with wait=False in __exit__',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        class Batch:
            def __enter__(self):
                self._pool = ThreadPoolExecutor()
                return self

            def __exit__(self, *exc):
                self._pool.shutdown(wait=False, cancel_futures=True)
      `,
    },
    {
      name: 'teardown delegates to the base class',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        class Child(Base):
            def start(self):
                self._pool = ThreadPoolExecutor()

            def close(self):
                super().close()
      `,
    },
    {
      name: "a local class named ThreadPoolExecutor is not concurrent.futures'",
      code: `
        class ThreadPoolExecutor:
            def map(self, fn, xs):
                return [fn(x) for x in xs]

        def run(xs):
            pool = ThreadPoolExecutor()
            return pool.map(str, xs)
      `,
    },
  ],
  invalid: [
    {
      name: 'executor never shut down',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def fetch_all(urls):
            pool = ThreadPoolExecutor(max_workers=8)
            return list(pool.map(fetch, urls))
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message: '`pool` from `ThreadPoolExecutor()` is never shut down in `fetch_all()`',
        },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor

        def fetch_all(urls):
            with ThreadPoolExecutor(max_workers=8) as pool:
                return list(pool.map(fetch, urls))
      `,
    },
    {
      name: 'alias TPE shut down only on the normal path',
      code: `
        from concurrent.futures import ThreadPoolExecutor as TPE

        def run(jobs):
            pool = TPE(4)
            futures = [pool.submit(j) for j in jobs]
            results = [f.result() for f in futures]
            pool.shutdown()
            return results
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            '`pool` from `TPE()` is shut down in `run()` only if no exception occurs first: shut it down in `finally` or use `with`',
          severity: 'hint',
        },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor as TPE

        def run(jobs):
            with TPE(4) as pool:
                futures = [pool.submit(j) for j in jobs]
                results = [f.result() for f in futures]
            return results
      `,
    },
    {
      name: 'inline in run_in_executor, awaited',
      code: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        async def read(path):
            loop = asyncio.get_running_loop()
            data = await loop.run_in_executor(ThreadPoolExecutor(), load, path)
            return data
      `,
      errors: [
        {
          line: 6,
          column: 39,
          message:
            'The executor from `ThreadPoolExecutor()` is passed to `loop.run_in_executor()` and never shut down in `read()`',
        },
      ],
      output: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        async def read(path):
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor() as pool:
                data = await loop.run_in_executor(pool, load, path)
            return data
      `,
    },
    {
      name: 'inline in run_in_executor, future returned: named, shut down without waiting in finally',
      code: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        def schedule(loop, fn):
            return loop.run_in_executor(ThreadPoolExecutor(), fn)
      `,
      errors: [
        {
          line: 5,
          column: 33,
          message:
            'The executor from `ThreadPoolExecutor()` is passed to `loop.run_in_executor()` and never shut down in `schedule()`',
        },
      ],
      output: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        def schedule(loop, fn):
            pool = ThreadPoolExecutor()
            try:
                return loop.run_in_executor(pool, fn)
            finally:
                pool.shutdown(wait=False)
      `,
    },
    {
      name: 'fire-and-forget submit: with would make it wait, shutdown(wait=False) in finally does not',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def kick(job):
            pool = ThreadPoolExecutor()
            pool.submit(job)
      `,
      errors: [
        { line: 4, column: 12, message: '`pool` from `ThreadPoolExecutor()` is never shut down in `kick()`' },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor

        def kick(job):
            pool = ThreadPoolExecutor()
            try:
                pool.submit(job)
            finally:
                pool.shutdown(wait=False)
      `,
    },
    {
      name: 'futures waited with a timeout: with would wait for all of them first, so shutdown(wait=False) in finally',
      code: `
        from concurrent.futures import ThreadPoolExecutor, wait

        def check_all(checks, seconds):
            pool = ThreadPoolExecutor(max_workers=4)
            futures = []
            for check in checks:
                futures.append(pool.submit(check))
            done, late = wait(futures, timeout=seconds)
            return len(late)
      `,
      errors: [
        { line: 4, message: '`pool` from `ThreadPoolExecutor()` is never shut down in `check_all()`' },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor, wait

        def check_all(checks, seconds):
            pool = ThreadPoolExecutor(max_workers=4)
            try:
                futures = []
                for check in checks:
                    futures.append(pool.submit(check))
            finally:
                pool.shutdown(wait=False)
            done, late = wait(futures, timeout=seconds)
            return len(late)
      `,
    },
    {
      name: 'multiprocessing.Pool never closed',
      code: `
        import multiprocessing as mp

        def squares(xs):
            pool = mp.Pool(4)
            return pool.map(square, xs)
      `,
      errors: [{ line: 4, column: 12, message: '`pool` from `mp.Pool()` is never closed in `squares()`' }],
      output: `
        import multiprocessing as mp

        def squares(xs):
            with mp.Pool(4) as pool:
                return pool.map(square, xs)
      `,
    },
    {
      name: 'Pool with apply_async results: with would terminate, close() in finally lets them finish',
      code: `
        from multiprocessing import Pool

        def start(xs):
            pool = Pool()
            results = [pool.apply_async(work, (x,)) for x in xs]
            return [r.get() for r in results]
      `,
      errors: [{ line: 4, column: 12, message: '`pool` from `Pool()` is never closed in `start()`' }],
      output: `
        from multiprocessing import Pool

        def start(xs):
            pool = Pool()
            try:
                results = [pool.apply_async(work, (x,)) for x in xs]
                return [r.get() for r in results]
            finally:
                pool.close()
      `,
    },
    {
      name: 'Pool closed and joined only on the normal path',
      code: `
        from multiprocessing import Pool

        def run(xs):
            pool = Pool(2)
            out = pool.map(work, xs)
            pool.close()
            pool.join()
            return out
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            '`pool` from `Pool()` is closed in `run()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'hint',
        },
      ],
      output: `
        from multiprocessing import Pool

        def run(xs):
            with Pool(2) as pool:
                out = pool.map(work, xs)
                pool.close()
                pool.join()
            return out
      `,
    },
    {
      name: 'get_context("spawn").Pool() chained',
      code: `
        import multiprocessing

        def run(xs):
            return multiprocessing.get_context("spawn").Pool(2).map(work, xs)
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            'The pool from `multiprocessing.get_context("spawn").Pool()` is used once (`.map()`) and never closed in `run()`',
        },
      ],
      output: `
        import multiprocessing

        def run(xs):
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                return pool.map(work, xs)
      `,
    },
    {
      name: 'ctx.Pool() from a get_context() result',
      code: `
        import multiprocessing as mp

        def run(xs):
            ctx = mp.get_context("fork")
            pool = ctx.Pool(2)
            out = pool.map(work, xs)
            return out
      `,
      errors: [{ line: 5, column: 12, message: '`pool` from `ctx.Pool()` is never closed in `run()`' }],
      output: `
        import multiprocessing as mp

        def run(xs):
            ctx = mp.get_context("fork")
            with ctx.Pool(2) as pool:
                out = pool.map(work, xs)
            return out
      `,
    },
    {
      name: 'ProcessPoolExecutor().map consumed in the statement',
      code: `
        from concurrent.futures import ProcessPoolExecutor

        def run(xs):
            total = sum(ProcessPoolExecutor().map(work, xs))
            return total
      `,
      errors: [
        {
          line: 4,
          column: 17,
          message:
            'The executor from `ProcessPoolExecutor()` is used once (`.map()`) and never shut down in `run()`',
        },
      ],
      output: `
        from concurrent.futures import ProcessPoolExecutor

        def run(xs):
            with ProcessPoolExecutor() as pool:
                total = sum(pool.map(work, xs))
            return total
      `,
    },
    {
      name: 'class teardown forgets the executor',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        class Worker:
            def __init__(self):
                self._pool = ThreadPoolExecutor(2)
                self._running = True

            def stop(self):
                self._running = False
      `,
      errors: [
        {
          line: 5,
          column: 22,
          message:
            '`self._pool` from `ThreadPoolExecutor()` is never shut down: `Worker.stop()` does not shut it down',
        },
      ],
      unsafeOutput: `
        from concurrent.futures import ThreadPoolExecutor

        class Worker:
            def __init__(self):
                self._pool = ThreadPoolExecutor(2)
                self._running = True

            def stop(self):
                self._running = False
                self._pool.shutdown()
      `,
    },
    {
      name: 'discarded executor',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def warm():
            ThreadPoolExecutor(4)
      `,
      errors: [
        {
          line: 4,
          column: 5,
          message:
            'The executor from `ThreadPoolExecutor()` is discarded without being shut down in `warm()`',
        },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor

        def warm():
            ThreadPoolExecutor(4).shutdown()
      `,
    },
    {
      name: 'tab-indented file keeps tabs',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def run(jobs):
        	pool = ThreadPoolExecutor()
        	for job in jobs:
        		if job:
        			pool.submit(job).result()
        	return len(jobs)
      `,
      errors: [
        { line: 4, column: 9, message: '`pool` from `ThreadPoolExecutor()` is never shut down in `run()`' },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor

        def run(jobs):
        	with ThreadPoolExecutor() as pool:
        		for job in jobs:
        			if job:
        				pool.submit(job).result()
        	return len(jobs)
      `,
    },
    {
      name: 'shutdown(wait=False) on the normal path moves to finally (with would wait)',
      code: `
        from concurrent.futures import ThreadPoolExecutor

        def run(job):
            pool = ThreadPoolExecutor()
            fut = pool.submit(job)
            pool.shutdown(wait=False)
            return fut
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            '`pool` from `ThreadPoolExecutor()` is shut down in `run()` only if no exception occurs first: shut it down in `finally` or use `with`',
          severity: 'hint',
        },
      ],
      output: `
        from concurrent.futures import ThreadPoolExecutor

        def run(job):
            pool = ThreadPoolExecutor()
            try:
                fut = pool.submit(job)
            finally:
                pool.shutdown(wait=False)
            return fut
      `,
    },
    {
      name: 'executor created in an async def and awaited through run_in_executor',
      code: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        async def crunch(items):
            loop = asyncio.get_running_loop()
            executor = ThreadPoolExecutor(max_workers=2)
            results = [await loop.run_in_executor(executor, work, i) for i in items]
            return results
      `,
      errors: [
        {
          line: 6,
          column: 16,
          message: '`executor` from `ThreadPoolExecutor()` is never shut down in `crunch()`',
        },
      ],
      output: `
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        async def crunch(items):
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(max_workers=2) as executor:
                results = [await loop.run_in_executor(executor, work, i) for i in items]
                return results
      `,
    },
    {
      name: 'a multiprocessing pool is sure to leak, an idle executor until it is collected',
      code: `
        import multiprocessing
        from concurrent.futures import ThreadPoolExecutor


        def squares(numbers):
            pool = multiprocessing.Pool(4)
            return pool.map(square, numbers)


        def fetch_all(urls):
            executor = ThreadPoolExecutor(max_workers=4)
            return list(executor.map(fetch, urls))
      `,
      errors: [
        {
          line: 6,
          column: 12,
          message:
            '`pool` from `multiprocessing.Pool()` is never closed in `squares()`: the garbage collector is not guaranteed to stop its worker processes',
          severity: 'warning',
        },
        {
          line: 11,
          column: 16,
          message:
            '`executor` from `ThreadPoolExecutor()` is never shut down in `fetch_all()`: its idle workers stay until the executor is garbage-collected',
          severity: 'information',
        },
      ],
      output: `
        import multiprocessing
        from concurrent.futures import ThreadPoolExecutor


        def squares(numbers):
            with multiprocessing.Pool(4) as pool:
                return pool.map(square, numbers)


        def fetch_all(urls):
            with ThreadPoolExecutor(max_workers=4) as executor:
                return list(executor.map(fetch, urls))
      `,
    },
    {
      name: 'a pool in main() run from the __main__ guard: a hint',
      code: `
        import multiprocessing


        def main():
            pool = multiprocessing.Pool()
            print(pool.map(abs, [-1, -2]))


        if __name__ == "__main__":
            main()
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`pool` from `multiprocessing.Pool()` is never closed in `main()`: the garbage collector is not guaranteed to stop its worker processes (`main()` runs once, from `if __name__ == "__main__":`)',
          severity: 'hint',
        },
      ],
      output: `
        import multiprocessing


        def main():
            with multiprocessing.Pool() as pool:
                print(pool.map(abs, [-1, -2]))


        if __name__ == "__main__":
            main()
      `,
    },
  ],
};

ruleTester(rule, table);
