# Leaks: the gzip log file opened by each task run is iterated but never closed.
import gzip
import re

from celery import shared_task

LINE = re.compile(r'"(?P<method>GET|POST|PUT|DELETE) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


@shared_task(name="logs.count_errors")
def count_errors(log_path: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    stream = gzip.open(log_path, "rt", encoding="utf-8", errors="replace")  # expect: LEAK008
    for line in stream:
        match = LINE.search(line)
        if match and match["status"].startswith("5"):
            counts[match["path"]] = counts.get(match["path"], 0) + 1
    return counts
