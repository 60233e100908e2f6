# Leaks: the job function adds a StreamHandler to the root logger each time it runs, so handlers (and duplicate log lines) accumulate.
import logging
import sys

import requests


def sync_catalog(vendor: str, feed_url: str) -> int:
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(f"%(asctime)s [{vendor}] %(levelname)s %(message)s"))
    root.addHandler(handler)  # expect: LEAK005
    root.setLevel(logging.INFO)

    items = requests.get(feed_url, timeout=30).json()["items"]
    logging.info("fetched %d items for %s", len(items), vendor)
    from .catalog import upsert_items  # type: ignore

    return upsert_items(vendor, items)
