# Leaks: a deque without maxlen is just an unbounded list; each sensor reading is appended and nothing pops them.
import collections
import json

from aiohttp import web

_readings = collections.deque()  # expect: LEAK002


async def ingest(request: web.Request) -> web.Response:
    payload = await request.json()
    for reading in payload["readings"]:
        _readings.append((payload["device_id"], reading["ts"], reading["value"]))
    return web.json_response({"accepted": len(payload["readings"])})


async def latest(request: web.Request) -> web.Response:
    tail = list(_readings)[-50:]
    return web.Response(text=json.dumps(tail), content_type="application/json")


app = web.Application()
app.router.add_post("/ingest", ingest)
app.router.add_get("/latest", latest)
