"""`@memory_tracked`: the traced bytes each call of a function keeps, listed under "functions" by
/api/debug/memory/endpoints. Costs one lookup while the probe is not running."""

import functools

from ._core import get_probe

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect/asyncio at start-up


def memory_tracked(func=None, name=None):
    """Decorates a function or coroutine function; `name` defaults to module.qualname."""

    def decorate(f):
        label = name or "%s.%s" % (f.__module__, getattr(f, "__qualname__", f.__name__))

        if getattr(getattr(f, "__code__", None), "co_flags", 0) & _CO_COROUTINE:

            @functools.wraps(f)
            async def async_wrapper(*args, **kwargs):
                probe = get_probe()
                if probe is None:
                    return await f(*args, **kwargs)
                before = probe.kept_marker()
                try:
                    return await f(*args, **kwargs)
                finally:
                    probe.record_call(label, probe.kept_since(before))

            return async_wrapper

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            probe = get_probe()
            if probe is None:
                return f(*args, **kwargs)
            before = probe.kept_marker()
            try:
                return f(*args, **kwargs)
            finally:
                probe.record_call(label, probe.kept_since(before))

        return wrapper

    return decorate(func) if func is not None else decorate

