"""A quick leak verdict on the probe's own RSS history, in the shape of `leak-lens detect --format
json` (its leading keys). `leak-lens run` answers /leaks with the full analysis of the Leak Lens
engine instead; this one serves apps set up in code, where no engine runs beside the process.

Judged on the retained memory (the lowest value at or after each sample, so a GC dip hides
nothing): growth must be clear of the noise floor, sustained for `min_seconds`, and rank-correlated
with time (Spearman ≥ 0.8); the first fifth of the run is left out as warm-up when it rose much
faster than the rest.
"""

import os

MIB = 1024.0 * 1024.0


def _env(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _fit(ts, ys):
    n = len(ts)
    mt, my = sum(ts) / n, sum(ys) / n
    sxx = sum((t - mt) ** 2 for t in ts)
    if sxx == 0:
        return 0.0, 0.0
    sxy = sum((t - mt) * (y - my) for t, y in zip(ts, ys))
    slope = sxy / sxx
    syy = sum((y - my) ** 2 for y in ys)
    r2 = (sxy * sxy) / (sxx * syy) if syy else 0.0
    return slope, r2


def _ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0
        i = j + 1
    return ranks


def _spearman(ts, ys):
    rt, ry = _ranks(ts), _ranks(ys)
    slope, r2 = _fit(rt, ry)
    return (r2**0.5) if slope >= 0 else -(r2**0.5)


def verdict(pid, command, history):
    """`history`: [(epoch t, rss, traced)…]. Returns the detect-JSON-shaped verdict."""
    min_seconds = _env("LEAK_LENS_PROBE_MIN_DURATION", 300)
    rapid = _env("LEAK_LENS_PROBE_RAPID_MB_PER_MIN", 1)
    noise = _env("LEAK_LENS_PROBE_NOISE_FLOOR_MB", 1) * MIB
    samples = [(round(t - history[0][0], 3), rss) for t, rss, _ in history] if history else []
    doc = {
        "version": 1,
        "target": {"pid": pid, "command": command},
        "samples": [[t, rss] for t, rss in samples],
        "growthMBPerMin": 0.0,
        "r2": 0.0,
        "warmupSeconds": 0.0,
        "verdict": "inconclusive",
        "severity": "none",
        "reason": "",
    }
    if len(samples) < 10:
        doc["reason"] = "Only %d samples so far; the probe needs at least 10." % len(samples)
        return doc
    ts = [t for t, _ in samples]
    retained, low = [], float("inf")
    for _, rss in reversed(samples):
        low = min(low, rss)
        retained.append(low)
    retained.reverse()
    start = 0
    fifth = len(samples) // 5
    if fifth >= 3:
        head, _ = _fit(ts[: fifth + 1], retained[: fifth + 1])
        tail, _ = _fit(ts[fifth:], retained[fifth:])
        if head > 0 and head > 5 * max(tail, 0) and retained[fifth] - retained[0] >= noise:
            start = fifth
    ts, ys = ts[start:], retained[start:]
    doc["warmupSeconds"] = round(ts[0], 3)
    slope, r2 = _fit(ts, ys)
    observed = ts[-1] - ts[0]
    rate = slope * 60 / MIB
    doc["growthMBPerMin"] = round(rate, 4)
    doc["r2"] = round(r2, 4)
    rise = ys[-1] - ys[0]
    if rise < noise or slope <= 0:
        doc["verdict"], doc["reason"] = "no-leak", "Memory is flat after warm-up (%.1f MB)." % (rise / MIB)
    elif _spearman(ts, ys) < 0.8:
        doc["reason"] = "Memory moves without a clear trend (%.1f MB over %.0f s)." % (rise / MIB, observed)
    elif observed < min_seconds:
        doc["reason"] = "Growing at %.2f MB/min so far, but watched for %.0f s of the %.0f s needed." % (
            rate,
            observed,
            min_seconds,
        )
    elif rate >= rapid:
        doc["verdict"], doc["severity"] = "rapid-leak", "high"
        doc["reason"] = "Rapid leak: %.2f MB/min sustained for %.0f s." % (rate, observed)
    else:
        doc["verdict"], doc["severity"] = "slow-leak", "low"
        doc["reason"] = "Slow leak: %.2f MB/min sustained for %.0f s." % (rate, observed)
    doc["observedSeconds"] = round(observed, 3)
    return doc
