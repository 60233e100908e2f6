"""A WSGI middleware (Flask, Django, any WSGI app): the probe's endpoints under /api/debug/memory/
and the traced bytes each request keeps, keyed by route template and method.

The route template comes from `route_for(environ)` when given, else from `routes` (templates such
as "/users/{user_id}"), else from the framework's own routing (a Flask app, or its `wsgi_app`;
Django's WSGI handler), else from a guess that replaces identifier-like path segments by {id}:
never the raw path.
"""

from . import _api, _autopatch
from ._core import get_probe, start_probe
from ._routes import RouteTemplates, framework_route_for
from ._settings import enabled_by

_REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class _Measured(object):
    """The app's response iterable; the request is measured when the server closes it (after the
    body was produced, which may allocate lazily)."""

    def __init__(self, result, done):
        self._result = result
        self._done = done

    def __iter__(self):
        return iter(self._result)

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


class LeakLensWSGIMiddleware(object):
    def __init__(
        self,
        app,
        enabled=None,
        token=None,
        prefix=_api.PREFIX,
        routes=(),
        route_for=None,
        metrics_paths=(),
        config=None,
    ):
        import os

        self.app = app
        self.enabled = enabled_by(enabled)
        self.token = token if token is not None else (os.environ.get("LEAK_LENS_PROBE_TOKEN") or None)
        self.prefix = prefix
        self.metrics_paths = tuple(metrics_paths)
        templates = RouteTemplates(routes)
        self.route_for = (
            route_for
            or (routes and (lambda environ: templates(environ.get("PATH_INFO", ""))))
            or framework_route_for(app)
            or (lambda environ: templates(environ.get("PATH_INFO", "")))
        )
        if self.enabled:
            start_probe(config)

    def __call__(self, environ, start_response):
        if not self.enabled:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if _api.handles(path, self.prefix, self.metrics_paths):
            method = environ.get("REQUEST_METHOD", "GET")
            status, content_type, body = _api.handle(
                get_probe(), method, path, environ.get("HTTP_AUTHORIZATION"), self.token, self.prefix, self.metrics_paths
            )
            start_response(
                "%d %s" % (status, _REASONS.get(status, "")),
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
            )
            return [body if method != "HEAD" else b""]
        probe = get_probe()
        if probe is None:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        template = self.route_for(environ)
        before = probe.kept_marker()

        def done():
            probe.record_request(method, template, probe.kept_since(before))

        _autopatch.enter_middleware()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            done()
            raise
        finally:
            _autopatch.leave_middleware()
        return _Measured(result, done)
