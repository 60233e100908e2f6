# Not a leak: one append-only file is opened once at import for the life of the process and closed via atexit.
import atexit
import json
import threading
import time

_ACCESS_LOG = open("/var/log/app/access.jsonl", "a", buffering=1, encoding="utf-8")
atexit.register(_ACCESS_LOG.close)
_lock = threading.Lock()


def log_access(method: str, path: str, status: int, ms: float) -> None:
    line = json.dumps({"ts": time.time(), "method": method, "path": path, "status": status, "ms": ms})
    with _lock:
        _ACCESS_LOG.write(line + "\n")


def access_log_middleware(get_response):
    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        log_access(request.method, request.path, response.status_code, (time.perf_counter() - started) * 1000)
        return response

    return middleware
