"""An order service with one memory leak of each kind Leak Lens knows (LEAK001 to LEAK008).

Scan it with `node dist/cli.js scan examples/`, or open it in VS Code with Leak Lens installed:
each leak is underlined, and the quick fix (Ctrl+.) rewrites it into the idiom that does not leak.
"""

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger(__name__)

# LEAK001 unbounded-cache: filled on every request for a new user, never evicted.
_user_cache = {}

# LEAK002 global-accumulation: one entry per request, never cleared.
_request_log = []


def get_user(user_id):
    if user_id not in _user_cache:
        _user_cache[user_id] = {"id": user_id, "name": f"user-{user_id}"}
    return _user_cache[user_id]


def record_request(path):
    _request_log.append(path)


class Item:
    def __init__(self, sku):
        self.sku = sku
        self.order = None


class Order:
    def __init__(self, order_id):
        self.order_id = order_id
        self.items = []

    def add_item(self, item):
        # LEAK003 circular-reference: the item points back at the order that holds it.
        item.order = self
        self.items.append(item)


def count_orders(db_path):
    # LEAK004 unclosed-connection: the connection is never closed.
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT count(*) FROM orders").fetchone()
    return row[0]


def attach_request_logger(request_id):
    # LEAK005 listener-not-removed: one handler per request, never removed from the logger.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(f"[{request_id}] %(message)s"))
    logger.addHandler(handler)
    logger.info("request started")


def checksum_all(blobs):
    # LEAK006 executor-not-shutdown: a new thread pool per call, never shut down.
    pool = ThreadPoolExecutor(max_workers=4)
    return list(pool.map(hash, blobs))


async def send_receipt(order_id):
    await asyncio.sleep(0.1)
    logger.info("receipt sent for %s", order_id)


async def place_order(order_id):
    # LEAK007 dangling-task: nothing keeps a reference to the task, so it can vanish mid-run.
    asyncio.create_task(send_receipt(order_id))
    return order_id


def read_price_list(path):
    # LEAK008 unclosed-file: the file object is never closed (it stays open until the garbage
    # collector gets to it).
    f = open(path)
    prices = f.read()
    return prices


def order_view(request, user_id):
    # The request handler: every request runs the helpers above, so what they grow piles up.
    record_request(request.path)
    return get_user(user_id)
