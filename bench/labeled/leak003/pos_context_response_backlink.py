# Leaks: the per-request context owns a response builder and then gives the builder a strong link back to the context.
from aiohttp import web


class ResponseBuilder:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.context = None

    def build(self, body: dict) -> web.Response:
        self.headers["X-Request-Id"] = self.context.request_id
        return web.json_response(body, headers=self.headers)


class RequestContext:
    def __init__(self, request: web.Request) -> None:
        self.request = request
        self.request_id = request.headers.get("X-Request-Id", "-")
        self.response = ResponseBuilder()
        self.response.context = self  # expect: LEAK003


async def get_status(request: web.Request) -> web.Response:
    ctx = RequestContext(request)
    return ctx.response.build({"status": "ok"})
