# Leaks: each health probe opens a TCP socket to every dependency and never closes it.
import socket
import time

DEPENDENCIES = {"postgres": ("db.internal", 5432), "redis": ("cache.internal", 6379)}


def probe(host: str, port: int, timeout: float = 1.0) -> float | None:
    started = time.perf_counter()
    try:
        sock = socket.create_connection((host, port), timeout=timeout)  # expect: LEAK004
    except OSError:
        return None
    sock.sendall(b"\r\n")
    return (time.perf_counter() - started) * 1000


def health() -> dict:
    results = {name: probe(host, port) for name, (host, port) in DEPENDENCIES.items()}
    return {"ok": all(ms is not None for ms in results.values()), "latency_ms": results}
