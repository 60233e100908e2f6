# Not a leak: the task is held in a set and removed by its done-callback, the pattern recommended in the asyncio docs.
import asyncio

from aiohttp import web

_background_tasks: set[asyncio.Task] = set()


async def index_document(doc_id: int) -> None:
    from .search import reindex  # type: ignore

    await reindex(doc_id)


async def save_document(request: web.Request) -> web.Response:
    doc_id = int(request.match_info["doc_id"])
    body = await request.json()
    await request.app["db"].save(doc_id, body)
    task = asyncio.create_task(index_document(doc_id))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return web.json_response({"saved": doc_id})
