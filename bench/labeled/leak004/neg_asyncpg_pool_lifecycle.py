# Not a leak: the pool is created on startup and closed on cleanup; requests only borrow connections with `async with pool.acquire()`.
import os

import asyncpg
from aiohttp import web


async def init_pool(app: web.Application) -> None:
    app["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)


async def close_pool(app: web.Application) -> None:
    await app["pool"].close()


async def count_orders(request: web.Request) -> web.Response:
    async with request.app["pool"].acquire() as conn:
        total = await conn.fetchval("SELECT count(*) FROM orders WHERE shop_id = $1", int(request.match_info["shop"]))
    return web.json_response({"orders": total})


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(init_pool)
    app.on_cleanup.append(close_pool)
    app.router.add_get("/shops/{shop}/orders/count", count_orders)
    return app
