"""The measurements: RSS, tracemalloc, GC pauses, object counts per type, growing lines and the
memory each endpoint keeps. One `Probe` per process, sampled by one daemon thread.

Every measurement is bounded in cost: RSS and traced bytes are two cheap reads per interval; a
tracemalloc snapshot is taken every `snapshot_interval` seconds, less often when taking it costs
more than 2 % of the time; object counts run at most every `types_interval` (30 s) seconds and stop
at `types_budget` seconds of work. Only file names, line numbers, type names and numbers are kept:
never a value.
"""

import gc
import os
import sys
import threading
import time
import tracemalloc
from array import array
from collections import Counter, deque

PROBE_DIR = os.path.dirname(os.path.abspath(__file__))
_HAVE_GC = 1 << 14  # Py_TPFLAGS_HAVE_GC: instances of a type without it are never gc-tracked
_PAUSE_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0)
_SNAPSHOT_CPU_SHARE = 0.02  # snapshots may take at most this share of the time
_CHUNK = 5000  # objects counted between two checks of the time budget (and GIL hand-overs)


def _env_number(name, default, minimum):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        sys.stderr.write("leak-lens probe: %s=%r is not a number; using %s\n" % (name, raw, default))
        return default
    return max(minimum, value)


class ProbeConfig(object):
    """How often and how much the probe measures. `from_env` reads the LEAK_LENS_PROBE_* variables."""

    def __init__(
        self,
        interval=1.0,
        snapshot_interval=5.0,
        window=6,
        frames=1,
        types_interval=30.0,
        types_budget=0.5,
        trace_delay=0.0,
        history=3600,
        top=20,
        min_growth_bytes=10 * 1024,
        max_routes=200,
        max_tracked_lines=2000,
    ):
        self.interval = interval
        self.snapshot_interval = snapshot_interval
        self.window = int(window)
        self.frames = int(frames)
        self.types_interval = types_interval
        self.types_budget = types_budget
        self.trace_delay = trace_delay
        self.history = int(history)
        self.top = int(top)
        self.min_growth_bytes = min_growth_bytes
        self.max_routes = int(max_routes)
        self.max_tracked_lines = int(max_tracked_lines)

    @classmethod
    def from_env(cls, **overrides):
        config = cls(
            interval=_env_number("LEAK_LENS_PROBE_INTERVAL", 1.0, 0.1),
            snapshot_interval=_env_number("LEAK_LENS_PROBE_SNAPSHOT_INTERVAL", 5.0, 1.0),
            window=_env_number("LEAK_LENS_PROBE_WINDOW", 6, 3),
            frames=_env_number("LEAK_LENS_PROBE_FRAMES", 1, 1),
            types_interval=_env_number("LEAK_LENS_PROBE_TYPES_INTERVAL", 30.0, 30.0),
            types_budget=_env_number("LEAK_LENS_PROBE_TYPES_BUDGET", 0.5, 0.01),
            trace_delay=_env_number("LEAK_LENS_PROBE_TRACE_DELAY", overrides.pop("trace_delay", 0.0), 0.0),
            min_growth_bytes=_env_number("LEAK_LENS_PROBE_MIN_GROWTH_BYTES", 10 * 1024, 0),
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config


def rss_bytes():
    """Current resident set size; the peak where the system offers nothing better."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return 0


def traced_bytes():
    return tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0


def type_name(t):
    module = getattr(t, "__module__", None)
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", "?")
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def relative_path(filename, cwd):
    """A path relative to the working directory when it lies below it, else unchanged."""
    if filename.startswith(cwd + os.sep):
        return filename[len(cwd) + 1 :]
    return filename


def count_types(budget, with_references=True):
    """Counts live objects per type within `budget` seconds of CPU time.

    gc-tracked objects (instances, dicts, lists, …) are counted directly. With `with_references`,
    objects the collector does not track (str, bytes, bytearray, int, …) are counted too, as the
    references tracked containers hold to them: that rises by one for each such object a leaking
    container keeps. Returns (Counter of type -> count, complete); incomplete when the budget ran
    out before the references were all counted (the tracked counts are then still complete,
    unless even they ran out of time: then the Counter is empty).
    """
    started = time.thread_time()  # CPU time: a busy machine does not make the work dearer
    objects = gc.get_objects()
    counts = Counter()
    try:
        for start in range(0, len(objects), _CHUNK):
            counts.update(map(type, objects[start : start + _CHUNK]))
            if time.thread_time() - started > budget:
                return Counter(), False
        if not with_references:
            return counts, True
        untracked = Counter()
        for start in range(0, len(objects), _CHUNK):
            time.sleep(0)  # let request threads run between chunks
            # Few distinct untracked types, many references: list.count per type runs in C and
            # allocates nothing per object (a Counter would make an int per increment, which
            # tracemalloc then traces).
            kinds = list(map(type, gc.get_referents(*objects[start : start + _CHUNK])))
            for t in set(kinds):
                if not t.__flags__ & _HAVE_GC:
                    untracked[t] += kinds.count(t)
            del kinds
            if time.thread_time() - started > budget:
                return counts, False
        counts.update(untracked)
        return counts, True
    finally:
        del objects


def is_growing(sizes, min_growth):
    """Whether a line's traced size keeps rising across the window, not merely is large.

    Needs at least three steps; the size must rise in three quarters of them, by `min_growth`
    bytes in all, and never fall back by more than a tenth of that rise.
    """
    if len(sizes) < 4:
        return False
    steps = [b - a for a, b in zip(sizes, sizes[1:])]
    rise = sizes[-1] - sizes[0]
    if rise < max(min_growth, 1):
        return False
    rising = sum(1 for s in steps if s > 0)
    if rising * 4 < len(steps) * 3:
        return False
    return max(sizes) - sizes[-1] <= rise / 10.0 and all(-s <= rise / 10.0 for s in steps if s < 0)


class Probe(object):
    def __init__(self, config=None):
        self.config = config or ProbeConfig()
        self.pid = os.getpid()
        self.started_at = time.time()
        self._started_monotonic = time.monotonic()
        self._thread = None
        self._stop = threading.Event()
        self._tracing_started_here = False
        self._fork_hooks = []
        self._tick_hooks = []
        self._reset_state()
        self._filters = [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, os.path.join(PROBE_DIR, "*")),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
            tracemalloc.Filter(False, "<unknown>"),
        ]

    # -- state ---------------------------------------------------------------------------------

    def _reset_state(self):
        self._lock = threading.Lock()
        # Kept in arrays (one object each, no object per sample): the probe's own data must not
        # show up as a growing type in the counts it takes.
        self._hist_t = array("d")
        self._hist_rss = array("q")
        self._hist_traced = array("q")
        self.gc_collections = [0, 0, 0]
        self.gc_collected = [0, 0, 0]
        self.gc_uncollectable = [0, 0, 0]
        self.gc_pause_total = 0.0
        self.gc_pause_max = 0.0
        self.gc_pause_buckets = [0] * (len(_PAUSE_BUCKETS) + 1)
        self._gc_started = None
        self._gc_traced_at_start = 0
        self._collecting = 0  # > 0 while the probe itself collects (not the app's pause)
        self.gc_freed_bytes = 0  # traced bytes the collector freed, so far
        self.type_counts = deque(maxlen=3)  # (t, {type name: count})
        self.types_partial = False
        self._next_types = 0.0
        self._prev_lines = None
        self._line_history = {}  # (file, line) -> tuple of sizes, one per snapshot (see above)
        self._line_counts = {}
        self.snapshot_times = deque(maxlen=self.config.window + 1)
        self._next_snapshot = 0.0
        self._snapshot_every = self.config.snapshot_interval
        self.last_snapshot_seconds = 0.0
        self.endpoints = {}  # (method, route) -> [requests, total delta after the first, first delta]
        self.functions = {}  # qualified name -> [calls, total delta after the first, first delta]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self):
        if self._thread is not None and self._thread.is_alive():
            return self
        if self._gc_callback not in gc.callbacks:
            gc.callbacks.append(self._gc_callback)
        now = time.monotonic()
        self._trace_at = now + self.config.trace_delay
        self._next_snapshot = self._trace_at + self._snapshot_every
        # Object counts on a fixed grid (0 s, 30 s, 60 s, ... after start), not 30 s after the
        # previous count ended: the three counts a growing type needs are done a minute after
        # start, not a few seconds later for each count's own time and the tick it waited for.
        # (A first count taken before the app's import is no growth: see growing_types.)
        self._next_types = now
        self._stop.clear()
        self._maybe_start_tracing(now)
        self._thread = threading.Thread(target=self._loop, name="leak-lens-probe", daemon=True)
        self._thread.start()
        if hasattr(os, "register_at_fork") and not getattr(self, "_fork_registered", False):
            os.register_at_fork(after_in_child=self._after_fork)
            self._fork_registered = True
        return self

    def stop(self):
        self._stop.set()
        if self._gc_callback in gc.callbacks:
            gc.callbacks.remove(self._gc_callback)
        if self._tracing_started_here and tracemalloc.is_tracing():
            tracemalloc.stop()
            self._tracing_started_here = False

    def on_fork(self, hook):
        """Runs `hook()` in a forked child once the probe restarted there (servers re-bind)."""
        self._fork_hooks.append(hook)

    def on_tick(self, hook):
        """Runs `hook()` on the probe's thread at every tick (cheap checks only)."""
        self._tick_hooks.append(hook)

    def _after_fork(self):
        # A forked worker is its own process: its own numbers, a fresh thread (threads do not
        # survive fork) and fresh locks (one may have been held by a thread that is gone).
        self.pid = os.getpid()
        self.started_at = time.time()
        self._started_monotonic = time.monotonic()
        self._thread = None
        self._stop = threading.Event()
        self._reset_state()
        self.start()
        for hook in self._fork_hooks:
            try:
                hook()
            except Exception as error:  # a hook must not break the worker
                sys.stderr.write("leak-lens probe: after fork: %s\n" % error)

    def _maybe_start_tracing(self, now):
        if not tracemalloc.is_tracing() and now >= self._trace_at:
            tracemalloc.start(self.config.frames)
            self._tracing_started_here = True

    def uptime(self):
        return time.monotonic() - self._started_monotonic

    # -- the sampling thread -------------------------------------------------------------------

    def _loop(self):
        next_tick = time.monotonic()
        while not self._stop.is_set():
            try:
                self.tick(time.monotonic())
            except Exception as error:  # keep sampling; say what failed once per kind
                message = "%s: %s" % (type(error).__name__, error)
                if message != getattr(self, "_last_error", None):
                    self._last_error = message
                    sys.stderr.write("leak-lens probe: %s\n" % message)
            next_tick += self.config.interval
            delay = next_tick - time.monotonic()
            if delay < 0:  # the process was too busy: skip the missed ticks
                next_tick = time.monotonic()
                delay = self.config.interval
            self._stop.wait(delay)

    def tick(self, now):
        self._maybe_start_tracing(now)
        self._record_sample(round(time.time(), 3), rss_bytes(), traced_bytes())
        if tracemalloc.is_tracing() and now >= self._next_snapshot:
            self._snapshot_lines()
            # Slow snapshots (many live blocks) are taken less often: bounded CPU share.
            self._snapshot_every = max(
                self.config.snapshot_interval, self.last_snapshot_seconds / _SNAPSHOT_CPU_SHARE
            )
            self._next_snapshot = time.monotonic() + self._snapshot_every
        if now >= self._next_types:
            self._count_types()
            self._next_types += self.config.types_interval
            if self._next_types <= time.monotonic():  # the process was too busy: skip missed counts
                self._next_types = time.monotonic() + self.config.types_interval
        for hook in self._tick_hooks:
            hook()

    def _record_sample(self, t, rss, traced):
        self._hist_t.append(t)
        self._hist_rss.append(rss)
        self._hist_traced.append(traced)
        extra = len(self._hist_t) - self.config.history
        if extra > 0:
            del self._hist_t[:extra], self._hist_rss[:extra], self._hist_traced[:extra]

    def history(self):
        """[(epoch t, rss, traced)…], oldest first."""
        return list(zip(self._hist_t.tolist(), self._hist_rss.tolist(), self._hist_traced.tolist()))

    # -- GC ------------------------------------------------------------------------------------

    def _gc_callback(self, phase, info):
        if phase == "start":
            self._gc_traced_at_start = traced_bytes()
            self._gc_started = time.perf_counter()
            return
        if self._gc_started is None:
            return
        pause = time.perf_counter() - self._gc_started
        self._gc_started = None
        self.gc_freed_bytes += max(0, self._gc_traced_at_start - traced_bytes())
        if self._collecting:
            return  # the probe's own collection before a snapshot: not the app's pause
        generation = info.get("generation", 0)
        if 0 <= generation < 3:
            self.gc_collections[generation] += 1
            self.gc_collected[generation] += info.get("collected", 0)
            self.gc_uncollectable[generation] += info.get("uncollectable", 0)
        self.gc_pause_total += pause
        self.gc_pause_max = max(self.gc_pause_max, pause)
        for i, bound in enumerate(_PAUSE_BUCKETS):
            if pause <= bound:
                self.gc_pause_buckets[i] += 1
                break
        else:
            self.gc_pause_buckets[-1] += 1

    def gc_summary(self):
        return {
            "collections": list(self.gc_collections),
            "collected": list(self.gc_collected),
            "uncollectable": list(self.gc_uncollectable),
            "pauseSecondsTotal": round(self.gc_pause_total, 6),
            "pauseSecondsMax": round(self.gc_pause_max, 6),
            "thresholds": list(gc.get_threshold()),
            "counts": list(gc.get_count()),
        }

    def pause_histogram(self):
        """[(upper bound, cumulative count)…] ending with (inf, total)."""
        out, running = [], 0
        for bound, n in zip(_PAUSE_BUCKETS + (float("inf"),), self.gc_pause_buckets):
            running += n
            out.append((bound, running))
        return out

    # -- object counts per type ----------------------------------------------------------------

    def _count_types(self):
        # A young collection first: it untracks the tuples and dicts that hold only numbers and
        # strings (the probe's own records among them), so they are not counted as containers.
        self._collecting += 1
        try:
            gc.collect(0)
        finally:
            self._collecting -= 1
        counts, complete = count_types(self.config.types_budget, not self.types_partial)
        if not complete:
            if not counts:
                return  # not even the tracked objects could be counted in time: try again later
            # Too many references to count in the budget: from now on count tracked objects
            # only, so that successive counts stay comparable.
            self.types_partial = True
            self.type_counts.clear()
        named = {}
        for t, n in counts.items():
            name = type_name(t)
            named[name] = named.get(name, 0) + n
        self.type_counts.append((time.time(), named))

    def current_types(self):
        if not self.type_counts:
            return []
        counts = self.type_counts[-1][1]
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: self.config.top]
        return [{"type": name, "count": count} for name, count in top]

    def growing_types(self):
        """Types whose count rose by a clear margin, and by comparable amounts, at every count of the
        window (three counts)."""
        counts = list(self.type_counts)
        if len(counts) < 3:
            return []
        latest = counts[-1][1]
        out = []
        for name, count in latest.items():
            series = [c.get(name, 0) for _, c in counts]
            margin = max(16, series[0] // 100)
            steps = [b - a for a, b in zip(series, series[1:])]
            # A leak under load rises step after step by comparable amounts. One step ten times
            # another is something else: the app's import caught by a first count taken before it
            # (`leak-lens run` starts the probe first), or a warm-up that is ending.
            if min(steps) >= margin and max(steps) <= 10 * min(steps):
                out.append({"type": name, "count": count, "delta": count - series[0]})
        out.sort(key=lambda d: (-d["delta"], d["type"]))
        return out[: self.config.top]

    def types_window_seconds(self):
        counts = self.type_counts
        return round(counts[-1][0] - counts[0][0], 3) if len(counts) > 1 else 0.0

    # -- growing lines -------------------------------------------------------------------------

    def kept_marker(self):
        """A mark to pass to `kept_since`: traced bytes, plus what the collector freed so far."""
        return traced_bytes() + self.gc_freed_bytes

    def kept_since(self, marker):
        """Bytes allocated since `marker` and not freed by reference counting: a collection that
        runs meanwhile (freeing other requests' garbage) does not make a request look negative;
        reference cycles a request leaves behind count as kept, as they are until collected."""
        return self.kept_marker() - marker

    def _snapshot_lines(self):
        started = time.perf_counter()
        # Garbage waiting for the collector (reference cycles of finished requests) rises between
        # full collections and would look like growth: judge what a full collection leaves.
        self._collecting += 1
        try:
            gc.collect()
        finally:
            self._collecting -= 1
        snapshot = tracemalloc.take_snapshot().filter_traces(self._filters)
        stats = snapshot.statistics("lineno")
        del snapshot
        current = {}
        for stat in stats:
            frame = stat.traceback[0]
            current[(frame.filename, frame.lineno)] = (stat.size, stat.count)
        del stats
        self.snapshot_times.append(time.time())
        previous = self._prev_lines
        history = self._line_history
        window = self.config.window + 1
        if previous is not None:
            # Lines that rose since the last snapshot start a history (bounded in number).
            room = self.config.max_tracked_lines - len(history)
            risers = []
            for key, (size, _count) in current.items():
                if key not in history:
                    before = previous.get(key, (0, 0))[0]
                    if size > before:
                        risers.append((size - before, key, before))
            risers.sort(reverse=True)
            for _rise, key, before in risers[: max(0, room)]:
                history[key] = (before,)
            for key, sizes in list(history.items()):
                sizes = (sizes + (current.get(key, (0, 0))[0],))[-window:]
                # A full window with no net rise: not growing, forget it.
                if len(sizes) == window and sizes[-1] <= sizes[0]:
                    del history[key]
                else:
                    history[key] = sizes
        self._line_counts = {key: current[key][1] for key in history if key in current}
        self._prev_lines = current
        self.last_snapshot_seconds = time.perf_counter() - started

    def growing_lines(self, cwd=None):
        cwd = cwd or os.getcwd()
        out = []
        for (filename, lineno), sizes in list(self._line_history.items()):
            sizes = list(sizes)
            if is_growing(sizes, self.config.min_growth_bytes):
                out.append(
                    {
                        "file": relative_path(filename, cwd),
                        "line": lineno,
                        "sizeBytes": sizes[-1],
                        "deltaBytes": sizes[-1] - sizes[0],
                        "count": self._line_counts.get((filename, lineno), 0),
                    }
                )
        out.sort(key=lambda d: (-d["deltaBytes"], d["file"], d["line"]))
        return out[: self.config.top]

    def lines_window_seconds(self):
        times = self.snapshot_times
        return round(times[-1] - times[0], 3) if len(times) > 1 else 0.0

    # -- per-endpoint and per-function deltas --------------------------------------------------

    # The first request of an endpoint (or call of a function) in a process pays for lazy set-up:
    # imports, a URL resolver built on first use, caches of the framework filled once. Counting it
    # in the mean would rank whichever endpoint happened to come first as the leak, so its delta is
    # reported apart (`firstRequestDeltaBytes`) and the total and mean are the requests after it.
    @staticmethod
    def _add(table, key, delta, limit, overflow):
        entry = table.get(key)
        if entry is None:
            if len(table) >= limit:
                key = overflow  # bounded cardinality
            entry = table.get(key)
            if entry is None:
                table[key] = [1, 0, delta]
                return
        entry[0] += 1
        entry[1] += delta

    def record_request(self, method, route, delta):
        with self._lock:
            self._add(self.endpoints, (method, route), delta, self.config.max_routes, ("*", "<other routes>"))

    def record_call(self, name, delta):
        with self._lock:
            self._add(self.functions, name, delta, self.config.max_routes, "<other functions>")

    def endpoint_stats(self):
        with self._lock:
            items = [(k, list(v)) for k, v in self.endpoints.items()]
        out = [
            {
                "method": method,
                "route": route,
                "requests": n,
                "meanDeltaBytes": round(total / (n - 1), 1) if n > 1 else 0,
                "totalDeltaBytes": total,
                "firstRequestDeltaBytes": first,
            }
            for (method, route), (n, total, first) in items
        ]
        out.sort(key=lambda d: (-d["totalDeltaBytes"], d["route"], d["method"]))
        return out

    def function_stats(self):
        with self._lock:
            items = [(k, list(v)) for k, v in self.functions.items()]
        out = [
            {
                "name": name,
                "calls": n,
                "meanDeltaBytes": round(total / (n - 1), 1) if n > 1 else 0,
                "totalDeltaBytes": total,
                "firstCallDeltaBytes": first,
            }
            for name, (n, total, first) in items
        ]
        out.sort(key=lambda d: (-d["totalDeltaBytes"], d["name"]))
        return out


_probe = None
_probe_lock = threading.Lock()


def get_probe():
    """The process's running probe, or None."""
    return _probe


def start_probe(config=None):
    """Starts the process's probe once (later calls return the running one)."""
    global _probe
    with _probe_lock:
        if _probe is None:
            _probe = Probe(config or ProbeConfig.from_env())
        _probe.start()
        return _probe
