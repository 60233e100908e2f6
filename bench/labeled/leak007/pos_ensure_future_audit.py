# Leaks: the audit write is scheduled with ensure_future and the returned task is discarded.
import asyncio
import datetime as dt

from aiohttp import web


async def write_audit(pool, user: str, action: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO audit (at, username, action) VALUES ($1, $2, $3)", dt.datetime.utcnow(), user, action
        )


async def delete_document(request: web.Request) -> web.Response:
    doc_id = int(request.match_info["doc_id"])
    user = request.headers.get("X-User", "anonymous")
    async with request.app["pool"].acquire() as conn:
        await conn.execute("DELETE FROM documents WHERE id = $1", doc_id)
    asyncio.ensure_future(write_audit(request.app["pool"], user, f"delete document {doc_id}"))  # expect: LEAK007
    return web.json_response({"deleted": doc_id})
