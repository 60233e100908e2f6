"""One line in a FastAPI/Starlette app: `setup_memory_monitoring(app)`.

Adds an ASGI middleware that answers the probe's endpoints under /api/debug/memory/ and measures
the traced bytes each request keeps, keyed by the route template the router matched and the
method. Concurrent requests of an async app share one heap, so a request's delta includes what
others allocated meanwhile: the means over many requests still rank the endpoints.
"""

from . import _api
from ._core import get_probe, start_probe
from ._routes import starlette_template
from ._settings import enabled_by


class LeakLensASGIMiddleware(object):
    def __init__(self, app, token=None, prefix=_api.PREFIX, metrics_paths=(), route_app=None):
        self.app = app
        self.token = token
        self.prefix = prefix
        self.metrics_paths = tuple(metrics_paths)
        self.route_app = route_app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if _api.handles(path, self.prefix, self.metrics_paths):
            await self._answer(scope, send, path)
            return
        probe = get_probe()
        if probe is None:
            await self.app(scope, receive, send)
            return
        before = probe.kept_marker()
        try:
            await self.app(scope, receive, send)
        finally:
            template = starlette_template(scope, self.route_app)
            probe.record_request(scope.get("method", "GET"), template, probe.kept_since(before))

    async def _answer(self, scope, send, path):
        authorization = None
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                authorization = value.decode("latin-1")
        status, content_type, body = _api.handle(
            get_probe(),
            scope.get("method", "GET"),
            path,
            authorization,
            self.token,
            self.prefix,
            self.metrics_paths,
        )
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope.get("method") != "HEAD" else b""})


def setup_memory_monitoring(app, enabled=None, token=None, prefix=_api.PREFIX, metrics_path=None, config=None):
    """Starts the probe and serves its endpoints from `app`, if enabled.

    `enabled`: True/False, or None to follow the LEAK_LENS_PROBE environment variable (1 = on);
    disabled, the app is left untouched and nothing is served. `token`: a bearer token every
    probe request must carry (default: LEAK_LENS_PROBE_TOKEN, if set). `metrics_path`: also serve
    the Prometheus text there (it is always at `<prefix>/metrics`, which never shadows the app's
    own /metrics). Works with Starlette/FastAPI apps (ASGI middleware) and Flask apps (wraps
    `app.wsgi_app`); for another WSGI app use `LeakLensWSGIMiddleware`. Returns `app`.
    """
    import os

    if not enabled_by(enabled):
        return app
    token = token if token is not None else (os.environ.get("LEAK_LENS_PROBE_TOKEN") or None)
    metrics_paths = (metrics_path,) if metrics_path else ()
    if hasattr(app, "add_middleware"):
        start_probe(config)
        app.add_middleware(
            LeakLensASGIMiddleware, token=token, prefix=prefix, metrics_paths=metrics_paths, route_app=app
        )
        return app
    if hasattr(app, "wsgi_app"):
        from .wsgi import LeakLensWSGIMiddleware

        app.wsgi_app = LeakLensWSGIMiddleware(
            app.wsgi_app, enabled=True, token=token, prefix=prefix, metrics_paths=metrics_paths, config=config
        )
        return app
    raise TypeError(
        "setup_memory_monitoring() supports Starlette/FastAPI and Flask apps; wrap other apps with "
        "leak_lens_probe.LeakLensASGIMiddleware or LeakLensWSGIMiddleware"
    )
