# Leaks: the handler opens an asyncpg connection per request and never awaits conn.close().
import os

import asyncpg
from aiohttp import web


async def list_invoices(request: web.Request) -> web.Response:
    customer_id = int(request.match_info["customer_id"])
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])  # expect: LEAK004
    rows = await conn.fetch(
        "SELECT id, total, status FROM invoices WHERE customer_id = $1 ORDER BY id DESC LIMIT 50",
        customer_id,
    )
    return web.json_response([{"id": r["id"], "total": str(r["total"]), "status": r["status"]} for r in rows])


app = web.Application()
app.router.add_get("/customers/{customer_id}/invoices", list_invoices)
