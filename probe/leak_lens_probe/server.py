"""The probe's own HTTP server (standard library), for processes without a web framework to carry
the endpoints (workers, scripts) and for `leak-lens run`. Binds 127.0.0.1 unless told otherwise;
serves /metrics and /api/debug/memory/*."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import _api
from ._core import get_probe, start_probe
from ._settings import enabled_by


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler(token):
    class Handler(BaseHTTPRequestHandler):
        server_version = "leak-lens-probe"

        def _answer(self):
            status, content_type, body = _api.handle(
                get_probe(), self.command, self.path, self.headers.get("Authorization"), token, metrics_paths=("/metrics",)
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args):
            pass

    return Handler


def serve(port=9464, host="127.0.0.1", token=None, enabled=None, config=None):
    """Starts the probe and serves it on host:port from a daemon thread, if enabled (explicitly or
    by LEAK_LENS_PROBE=1). Returns the server (`server.server_address[1]` is the port; 0 picks a
    free one), or None when disabled."""
    if not enabled_by(enabled):
        return None
    start_probe(config)
    server = _Server((host, port), _handler(token))
    threading.Thread(target=server.serve_forever, name="leak-lens-probe-http", daemon=True).start()
    return server
