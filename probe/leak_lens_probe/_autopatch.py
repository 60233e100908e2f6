"""Per-endpoint numbers without a code change (`leak-lens run`): once Starlette's routing, Flask,
Django's request handler or wsgiref's handlers are imported, their request entry points are
wrapped to measure the traced bytes each request keeps, keyed by the route template the framework
matched (Starlette, Flask, Django) or a template guessed from the path (wsgiref). Checked on every
probe tick; each is patched once. Flask and Django are measured inside the framework, so the
server in front (gunicorn, uWSGI, waitress, wsgiref) does not matter."""

import sys
import threading

from ._core import get_probe
from ._routes import UNMATCHED, django_template, flask_template, guess_template, route_template

_MARK = "_leak_lens_measured"

# One request, one record: the in-code middleware outranks a framework patch, which outranks the
# path guessed by the wsgiref patch (Django's runserver is wsgiref underneath). Per thread, since
# each WSGI request runs in one thread from start to end.
_local = threading.local()


def enter_middleware():
    """The in-code middleware measures this request: the framework patches stand aside."""
    _local.middleware = getattr(_local, "middleware", 0) + 1
    _local.recorded = True


def leave_middleware():
    _local.middleware = getattr(_local, "middleware", 1) - 1


def _claim():
    """Whether a framework patch should measure this request (no middleware does); marks it measured."""
    if getattr(_local, "middleware", 0) > 0:
        return False
    _local.recorded = True
    return True


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
        _local.recorded = False
        before = probe.kept_marker()
        try:
            return original(self, measured_app)
        finally:
            if seen and not _local.recorded:
                probe.record_request(seen[0][0], seen[0][1], probe.kept_since(before))

    setattr(run, _MARK, True)
    base.run = run


def _patch_flask(flask_app):
    # `full_dispatch_request` runs inside the request context, after the URL was matched: the
    # rule is on `request.url_rule` (None for a 404).
    flask_class = getattr(flask_app, "Flask", None)
    original = getattr(flask_class, "full_dispatch_request", None)
    if original is None or getattr(original, _MARK, False):
        return

    def full_dispatch_request(self, *args, **kwargs):
        probe = get_probe()
        if probe is None or not _claim():
            return original(self, *args, **kwargs)
        from flask import request

        before = probe.kept_marker()
        try:
            return original(self, *args, **kwargs)
        finally:
            rule = getattr(request, "url_rule", None)
            template = flask_template(rule.rule) if rule is not None else UNMATCHED
            probe.record_request(request.method, template, probe.kept_since(before))

    setattr(full_dispatch_request, _MARK, True)
    flask_class.full_dispatch_request = full_dispatch_request


def _django_template(request):
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return django_template(route) if route else UNMATCHED


def _patch_django(base):
    # `get_response` (WSGI) and `get_response_async` (ASGI) run the middleware chain and the view;
    # the URL resolver leaves its match on the request.
    handler = getattr(base, "BaseHandler", None)
    original = getattr(handler, "get_response", None)
    if original is not None and not getattr(original, _MARK, False):

        def get_response(self, request):
            probe = get_probe()
            if probe is None or not _claim():
                return original(self, request)
            before = probe.kept_marker()
            try:
                return original(self, request)
            finally:
                probe.record_request(request.method, _django_template(request), probe.kept_since(before))

        setattr(get_response, _MARK, True)
        handler.get_response = get_response
    original_async = getattr(handler, "get_response_async", None)
    if original_async is not None and not getattr(original_async, _MARK, False):

        async def get_response_async(self, request):
            probe = get_probe()
            if probe is None or not _claim():
                return await original_async(self, request)
            before = probe.kept_marker()
            try:
                return await original_async(self, request)
            finally:
                probe.record_request(request.method, _django_template(request), probe.kept_since(before))

        setattr(get_response_async, _MARK, True)
        handler.get_response_async = get_response_async


_PATCHES = {
    "starlette.routing": _patch_starlette,
    "flask.app": _patch_flask,
    "django.core.handlers.base": _patch_django,
    "wsgiref.handlers": _patch_wsgiref,
}
_done = set()


def check():
    """Patches what has been imported since the last check."""
    if len(_done) == len(_PATCHES):
        return
    for name, patch in _PATCHES.items():
        if name not in _done and name in sys.modules:
            _done.add(name)
            patch(sys.modules[name])
