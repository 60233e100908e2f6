# Not a leak: one ClientSession is created at startup, shared by all requests, and closed in the cleanup hook.
import aiohttp
from aiohttp import web


async def create_client(app: web.Application) -> None:
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))


async def close_client(app: web.Application) -> None:
    await app["http"].close()


async def proxy_avatar(request: web.Request) -> web.Response:
    user = request.match_info["user"]
    async with request.app["http"].get(f"https://avatars.internal/{user}.png") as resp:
        body = await resp.read()
    return web.Response(body=body, content_type="image/png")


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(create_client)
    app.on_cleanup.append(close_client)
    app.router.add_get("/avatars/{user}", proxy_avatar)
    return app
