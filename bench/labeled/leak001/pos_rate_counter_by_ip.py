# Leaks: the rate-limit counter dict gets a key for every client IP ever seen and old windows are never dropped.
import time

from aiohttp import web

WINDOW_SECONDS = 60
MAX_REQUESTS = 120

_hits_by_ip = {}  # expect: LEAK001


@web.middleware
async def rate_limit(request: web.Request, handler):
    ip = request.headers.get("X-Forwarded-For", request.remote or "unknown").split(",")[0]
    window = int(time.time() // WINDOW_SECONDS)
    bucket = _hits_by_ip.setdefault((ip, window), [0])
    bucket[0] += 1
    if bucket[0] > MAX_REQUESTS:
        raise web.HTTPTooManyRequests()
    return await handler(request)


def make_app() -> web.Application:
    return web.Application(middlewares=[rate_limit])
