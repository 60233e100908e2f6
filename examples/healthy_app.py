"""The demo service without the leak: payloads live in a bounded cache.

    python3 examples/healthy_app.py              # http://127.0.0.1:8001
    python3 examples/load.py "http://127.0.0.1:8001/items/{rand}" --rate 20 --duration 120

Same endpoints as leaky_app.py. The cache is cachetools.TTLCache when importable (the fix Leak
Lens proposes for LEAK001), else a small least-recently-used cache on OrderedDict. Memory rises
while the cache fills (a warm-up), then stays flat: Leak Lens must call it healthy.
"""

import argparse
import json
import os
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _demo_server import serve  # noqa: E402

MAXSIZE = 128

try:
    from cachetools import TTLCache

    CACHE = TTLCache(maxsize=MAXSIZE, ttl=600)
except ImportError:

    class LRUCache(OrderedDict):
        """Keeps the `maxsize` most recently used entries."""

        def __init__(self, maxsize):
            super().__init__()
            self.maxsize = maxsize

        def __getitem__(self, key):
            self.move_to_end(key)
            return super().__getitem__(key)

        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.maxsize:
                self.popitem(last=False)

    CACHE = LRUCache(MAXSIZE)


def handle_item(item_id, payload_bytes):
    payload = CACHE.get(item_id)
    if payload is None:
        payload = bytearray(payload_bytes)
        CACHE[item_id] = payload
    return json.dumps({"id": item_id, "size": len(payload), "cached": len(CACHE)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--payload-kb", type=int, default=64, help="size of each cached payload, KiB")
    parser.add_argument("--impl", choices=["auto", "fastapi", "stdlib"], default="auto")
    args = parser.parse_args()
    serve("healthy", lambda item_id: handle_item(item_id, args.payload_kb * 1024), args.port, args.impl)


if __name__ == "__main__":
    main()
