# Not a leak: the module-level batch is flushed to the metrics backend and cleared whenever it reaches 500 items.
import threading

import requests

BATCH_SIZE = 500
_batch: list[dict] = []
_lock = threading.Lock()


def _flush(points: list[dict]) -> None:
    requests.post("http://metrics.internal/write", json=points, timeout=5)


def record_metric(name: str, value: float, **tags: str) -> None:
    with _lock:
        _batch.append({"name": name, "value": value, "tags": tags})
        if len(_batch) < BATCH_SIZE:
            return
        points = list(_batch)
        _batch.clear()
    _flush(points)
