"""Serving plumbing shared by the demo apps (leaky_app.py, healthy_app.py).

FastAPI + uvicorn when both are importable, else the standard library's http.server; the same
endpoints either way. Each app passes `handle(item_id) -> JSON text`, which is where its memory
behaviour lives. Binds 127.0.0.1 only.
"""

import os
import re
import socket
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

HOST = "127.0.0.1"


def fastapi_available():
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def _rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource  # not Linux: peak RSS is the best the standard library offers

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _go_float(value):
    """Formats a float as Prometheus exporters do (prometheus_client's floatToGoString)."""
    text = repr(float(value))
    dot = text.find(".")
    if value > 0 and dot > 6:
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1:]}".rstrip("0.")
        return f"{mantissa}e+0{dot - 1}"
    return text


def metrics_page():
    """(body, content type) of the /metrics page."""
    try:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(), CONTENT_TYPE_LATEST
    except ImportError:
        body = (
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            "# TYPE process_resident_memory_bytes gauge\n"
            f"process_resident_memory_bytes {_go_float(_rss_bytes())}\n"
        )
        return body.encode(), "text/plain; version=0.0.4; charset=utf-8"


def _announce(name, impl, port):
    print(
        f"Leak Lens demo ({name}, {impl}): PID {os.getpid()} listening on http://{HOST}:{port}",
        flush=True,
    )


def _serve_fastapi(name, handle, sock):
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse, Response

    app = FastAPI(title=f"Leak Lens demo ({name})")

    # async: the handler runs on the event loop's thread. A plain `def` would run in a thread pool,
    # and glibc gives each thread its own malloc arena: RSS then creeps for minutes as arenas fill
    # (a real effect, tamed in production with MALLOC_ARENA_MAX) and would blur the demo.
    @app.get("/items/{item_id}")
    async def get_item(item_id: int):
        return Response(handle(item_id), media_type="application/json")

    @app.get("/health", response_class=PlainTextResponse)
    def health():
        return "ok"

    try:
        from prometheus_client import make_asgi_app

        # Mounted apps answer /metrics with a 307 redirect to /metrics/.
        app.mount("/metrics", make_asgi_app())
    except ImportError:

        @app.get("/metrics")
        def metrics():
            body, content_type = metrics_page()
            return Response(body, media_type=content_type)

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    _announce(name, "fastapi", sock.getsockname()[1])
    server.run(sockets=[sock])


def _serve_stdlib(name, handle, sock_port):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            item = re.fullmatch(r"/items/(-?\d+)", path)
            if item:
                self._send(200, handle(int(item.group(1))).encode(), "application/json")
            elif path == "/health":
                self._send(200, b"ok", "text/plain")
            elif path in ("/metrics", "/metrics/"):
                body, content_type = metrics_page()
                self._send(200, body, content_type)
            else:
                self._send(404, b'{"detail":"Not Found"}', "application/json")

        def log_message(self, *args):
            pass  # quiet: the load generator sends many requests

    # One thread, like the event loop above: per-thread malloc arenas would blur the demo.
    server = HTTPServer((HOST, sock_port), Handler)
    server.request_queue_size = 64
    _announce(name, "stdlib", server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def serve(name, handle, port, impl="auto"):
    """Serves the demo endpoints until interrupted."""
    use_fastapi = impl == "fastapi" or (impl == "auto" and fastapi_available())
    if impl == "fastapi" and not fastapi_available():
        sys.exit("fastapi/uvicorn are not importable here; use --impl stdlib (or install them)")
    if use_fastapi:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)  # connections queue from here on, so the banner never comes too early
        _serve_fastapi(name, handle, sock)
    else:
        _serve_stdlib(name, handle, port)
