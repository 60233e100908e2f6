# Leaks: tasks are kept in a module-level set to avoid GC but are never discarded when done, so finished tasks pile up.
import asyncio

from aiohttp import web

_background: set[asyncio.Task] = set()


async def warm_cache(product_id: int) -> None:
    from .cache import prefetch_related  # type: ignore

    await prefetch_related(product_id)


async def product_page(request: web.Request) -> web.Response:
    product_id = int(request.match_info["id"])
    _background.add(asyncio.create_task(warm_cache(product_id)))  # expect: LEAK007
    return web.json_response({"id": product_id})


app = web.Application()
app.router.add_get("/products/{id}", product_page)
