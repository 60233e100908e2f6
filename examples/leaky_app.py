"""A small web service that leaks memory on every request: the Leak Lens demo target.

    python3 examples/leaky_app.py                # http://127.0.0.1:8000
    python3 examples/load.py "http://127.0.0.1:8000/items/{rand}" --rate 20 --duration 120
    leak-lens detect --pid <PID printed at start> --duration 120 --interval 2 --min-duration 60

Uses FastAPI + uvicorn when both are importable, else the standard library's http.server with the
same endpoints (`--impl stdlib` forces it):

    GET /items/{id}   answers a small JSON document, and keeps a copy of the request's payload in
                      a module-level list that nothing ever empties (the leak; Leak Lens flags this
                      pattern statically as LEAK002)
    GET /health       "ok"
    GET /metrics      Prometheus text with process_resident_memory_bytes (prometheus_client when
                      importable, else written by hand from /proc/self/status)

`examples/healthy_app.py` is the same service with a bounded cache instead: it must be called
healthy. Listens on 127.0.0.1 only. `--port 0` picks a free port (printed at start).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _demo_server import serve  # noqa: E402

# The leak: every request's payload is remembered forever.
REQUEST_HISTORY = []


def handle_item(item_id, payload_bytes):
    # bytearray touches its pages, so the memory really becomes resident (bytes(n) would not).
    payload = bytearray(payload_bytes)
    REQUEST_HISTORY.append(payload)
    return json.dumps({"id": item_id, "size": len(payload), "kept": len(REQUEST_HISTORY)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--payload-kb", type=int, default=64, help="bytes leaked per request, KiB")
    parser.add_argument("--impl", choices=["auto", "fastapi", "stdlib"], default="auto")
    args = parser.parse_args()
    serve("leaky", lambda item_id: handle_item(item_id, args.payload_kb * 1024), args.port, args.impl)


if __name__ == "__main__":
    main()
