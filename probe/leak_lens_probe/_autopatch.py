"""Per-endpoint numbers without a code change (`leak-lens run`): once Starlette's routing or
wsgiref's handlers are imported, their request entry points are wrapped to measure the traced
bytes each request keeps, keyed by the route template (Starlette) or a template guessed from the
path (wsgiref). Checked on every probe tick; each is patched once."""

import sys

from ._core import get_probe
from ._routes import UNMATCHED, guess_template, route_template

_MARK = "_leak_lens_measured"


def _patch_starlette(routing):
    route_class = getattr(routing, "Route", None)
    original = getattr(route_class, "handle", None)
    if original is None or getattr(original, _MARK, False):
        return

    async def handle(self, scope, receive, send):
        probe = get_probe()
        if probe is None:
            await original(self, scope, receive, send)
            return
        before = probe.kept_marker()
        try:
            await original(self, scope, receive, send)
        finally:
            template = route_template(self) or UNMATCHED
            probe.record_request(scope.get("method", "GET"), template, probe.kept_since(before))

    setattr(handle, _MARK, True)
    route_class.handle = handle


def _patch_wsgiref(handlers):
    base = getattr(handlers, "BaseHandler", None)
    original = getattr(base, "run", None)
    if original is None or getattr(original, _MARK, False):
        return

    def run(self, application):
        seen = []

        def measured_app(environ, start_response):
            seen.append((environ.get("REQUEST_METHOD", "GET"), guess_template(environ.get("PATH_INFO", "/"))))
            return application(environ, start_response)

        probe = get_probe()
        if probe is None:
            return original(self, application)
        before = probe.kept_marker()
        try:
            return original(self, measured_app)
        finally:
            if seen:
                probe.record_request(seen[0][0], seen[0][1], probe.kept_since(before))

    setattr(run, _MARK, True)
    base.run = run


_PATCHES = {"starlette.routing": _patch_starlette, "wsgiref.handlers": _patch_wsgiref}
_done = set()


def check():
    """Patches what has been imported since the last check."""
    if len(_done) == len(_PATCHES):
        return
    for name, patch in _PATCHES.items():
        if name not in _done and name in sys.modules:
            _done.add(name)
            patch(sys.modules[name])
