# Not a leak: the builder receives a weakref.proxy to the context, so context -> builder is the only strong edge.
import weakref

from aiohttp import web


class HeaderBuilder:
    def __init__(self, context) -> None:
        self.context = context

    def headers(self) -> dict[str, str]:
        return {"X-Request-Id": self.context.request_id, "X-Tenant": self.context.tenant}


class RequestContext:
    def __init__(self, request: web.Request) -> None:
        self.request_id = request.headers.get("X-Request-Id", "-")
        self.tenant = request.match_info.get("tenant", "public")
        self.builder = HeaderBuilder(weakref.proxy(self))


async def ping(request: web.Request) -> web.Response:
    ctx = RequestContext(request)
    return web.json_response({"pong": True}, headers=ctx.builder.headers())
