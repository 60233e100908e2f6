# Leaks: `samples` is a class attribute, so the per-request collector instances all append to one list that lives forever.
import time


class LatencyCollector:
    samples: list[float] = []  # expect: LEAK002

    def __init__(self, route: str) -> None:
        self.route = route
        self._start = 0.0

    def __enter__(self) -> "LatencyCollector":
        self._start = time.monotonic()
        return self

    def __exit__(self, *exc_info) -> None:
        self.samples.append(time.monotonic() - self._start)

    @classmethod
    def p99(cls) -> float:
        ordered = sorted(cls.samples)
        return ordered[int(len(ordered) * 0.99)] if ordered else 0.0


def handle_request(route: str, handler, *args):
    with LatencyCollector(route):
        return handler(*args)
