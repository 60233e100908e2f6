# Not a leak: run_in_executor(None, ...) uses the event loop's shared default executor, which the loop itself owns and shuts down.
import asyncio
import socket

from aiohttp import web


async def resolve(request: web.Request) -> web.Response:
    host = request.match_info["host"]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.run_in_executor(None, socket.getaddrinfo, host, 443)
    except socket.gaierror:
        raise web.HTTPNotFound(text=f"cannot resolve {host}")
    addresses = sorted({info[4][0] for info in infos})
    return web.json_response({"host": host, "addresses": addresses})


app = web.Application()
app.router.add_get("/resolve/{host}", resolve)
