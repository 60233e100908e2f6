"""The probe's HTTP answers, the same whichever server carries them (the app's own routes, the WSGI
middleware, or the probe's port under `leak-lens run`). JSON documents start with "version": 1;
responses name files, lines and types, never a value or a line of source.
"""

import gc
import hmac
import json
import os
import sys

from . import _verdict
from ._core import rss_bytes, traced_bytes

PREFIX = "/api/debug/memory"
JSON = "application/json"
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def _command():
    return " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]


def snapshot(probe):
    return {
        "version": 1,
        "pid": probe.pid,
        "rssBytes": rss_bytes(),
        "tracedBytes": traced_bytes(),
        "gc": probe.gc_summary(),
        "types": probe.current_types(),
        "typesPartial": probe.types_partial,
        "uptimeSeconds": round(probe.uptime(), 3),
        "probeBytes": _probe_bytes(),
    }


def _probe_bytes():
    import tracemalloc

    return tracemalloc.get_tracemalloc_memory()


def growth(probe):
    return {
        "version": 1,
        "windowSeconds": probe.lines_window_seconds(),
        "types": probe.growing_types(),
        "lines": probe.growing_lines(),
        "typesWindowSeconds": probe.types_window_seconds(),
        "pid": probe.pid,
        "cwd": os.getcwd(),
    }


def history(probe):
    return {"version": 1, "samples": [list(s) for s in probe.history()], "pid": probe.pid}


def leaks(probe):
    return _verdict.verdict(probe.pid, _command(), probe.history())


def endpoints(probe):
    return {"version": 1, "endpoints": probe.endpoint_stats(), "functions": probe.function_stats(), "pid": probe.pid}


def gc_collect(probe):
    before = rss_bytes()
    collected = gc.collect()
    return {"version": 1, "collected": collected, "rssBeforeBytes": before, "rssAfterBytes": rss_bytes()}


def _label(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(out, name, kind, help_text, rows):
    out.append("# HELP %s %s" % (name, help_text))
    out.append("# TYPE %s %s" % (name, kind))
    for labels, value in rows:
        if labels:
            text = ",".join('%s="%s"' % (k, _label(v)) for k, v in labels)
            out.append("%s{%s} %s" % (name, text, value))
        else:
            out.append("%s %s" % (name, value))


def _bound(bound):
    return "+Inf" if bound == float("inf") else repr(bound)


def metrics(probe):
    """Prometheus text. With prometheus_client importable, its default registry (the app's own
    metrics, process and GC collectors) comes first and the probe's families follow."""
    out = []
    have_rss = False
    try:
        from prometheus_client import REGISTRY, generate_latest

        text = generate_latest(REGISTRY).decode("utf-8")
        have_rss = "\nprocess_resident_memory_bytes " in "\n" + text
        out.append(text.rstrip("\n"))
    except ImportError:
        pass
    if not have_rss:
        _family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [((), rss_bytes())])
    _family(out, "leak_lens_traced_memory_bytes", "gauge", "Bytes traced by tracemalloc.", [((), traced_bytes())])
    gens = range(3)
    _family(
        out,
        "leak_lens_gc_collections_total",
        "counter",
        "Garbage collections per generation.",
        [((("generation", g),), probe.gc_collections[g]) for g in gens],
    )
    _family(
        out,
        "leak_lens_gc_collected_objects_total",
        "counter",
        "Objects the collector freed, per generation.",
        [((("generation", g),), probe.gc_collected[g]) for g in gens],
    )
    _family(
        out,
        "leak_lens_gc_uncollectable_objects_total",
        "counter",
        "Objects the collector found but could not free, per generation.",
        [((("generation", g),), probe.gc_uncollectable[g]) for g in gens],
    )
    histogram = probe.pause_histogram()
    out.append("# HELP leak_lens_gc_pause_seconds Garbage collection pauses.")
    out.append("# TYPE leak_lens_gc_pause_seconds histogram")
    for bound, count in histogram:
        out.append('leak_lens_gc_pause_seconds_bucket{le="%s"} %d' % (_bound(bound), count))
    out.append("leak_lens_gc_pause_seconds_sum %r" % round(probe.gc_pause_total, 9))
    out.append("leak_lens_gc_pause_seconds_count %d" % histogram[-1][1])
    _family(
        out,
        "leak_lens_objects",
        "gauge",
        "Live objects per type (the most numerous; untracked types counted as references).",
        [((("type", t["type"]),), t["count"]) for t in probe.current_types()],
    )
    lines = probe.growing_lines()
    _family(
        out,
        "leak_lens_growing_line_bytes",
        "gauge",
        "Bytes traced at a source line whose size keeps rising.",
        [((("file", d["file"]), ("line", d["line"])), d["sizeBytes"]) for d in lines],
    )
    _family(
        out,
        "leak_lens_growing_line_delta_bytes",
        "gauge",
        "Rise of a growing line's traced bytes across the window.",
        [((("file", d["file"]), ("line", d["line"])), d["deltaBytes"]) for d in lines],
    )
    top = probe.endpoint_stats()[: probe.config.top]
    _family(
        out,
        "leak_lens_endpoint_requests_total",
        "counter",
        "Requests measured per route template and method (top routes by bytes kept).",
        [((("method", e["method"]), ("route", e["route"])), e["requests"]) for e in top],
    )
    _family(
        out,
        "leak_lens_endpoint_kept_bytes",
        "gauge",
        "Traced bytes kept by the requests of a route (sum over requests).",
        [((("method", e["method"]), ("route", e["route"])), e["totalDeltaBytes"]) for e in top],
    )
    return ("\n".join(out) + "\n").encode("utf-8")


_GET = {
    "/snapshot": snapshot,
    "/growth": growth,
    "/history": history,
    "/leaks": leaks,
    "/endpoints": endpoints,
}


def authorized(token, authorization):
    if not token:
        return True
    expected = ("Bearer " + token).encode("utf-8")
    return hmac.compare_digest(expected, (authorization or "").encode("utf-8"))


def _json(status, doc):
    return status, JSON, json.dumps(doc, separators=(",", ":")).encode("utf-8")


def handles(path, prefix=PREFIX, metrics_paths=()):
    path = path.split("?", 1)[0]
    return path.startswith(prefix + "/") or path in metrics_paths


def handle(probe, method, path, authorization=None, token=None, prefix=PREFIX, metrics_paths=()):
    """(status, content type, body bytes) of one request to the probe's endpoints."""
    path = path.split("?", 1)[0]
    if not authorized(token, authorization):
        return _json(401, {"version": 1, "error": "A bearer token is required (Authorization: Bearer …)."})
    if probe is None:
        return _json(503, {"version": 1, "error": "The Leak Lens probe is not running in this process."})
    sub = path[len(prefix) :] if path.startswith(prefix + "/") else None
    if path in metrics_paths or sub == "/metrics":
        if method not in ("GET", "HEAD"):
            return _json(405, {"version": 1, "error": "Use GET."})
        return 200, PROMETHEUS, metrics(probe)
    if sub == "/gc-collect":
        if method != "POST":
            return _json(405, {"version": 1, "error": "Use POST for gc-collect."})
        return _json(200, gc_collect(probe))
    action = _GET.get(sub or "")
    if action is None:
        return _json(404, {"version": 1, "error": "No such probe endpoint: %s" % path})
    if method not in ("GET", "HEAD"):
        return _json(405, {"version": 1, "error": "Use GET."})
    return _json(200, action(probe))
