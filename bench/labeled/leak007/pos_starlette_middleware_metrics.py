# Leaks: the middleware fires a metrics push task per request and discards the handle.
import asyncio
import time

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request


async def push_metric(path: str, status: int, ms: float) -> None:
    from .statsd import client  # type: ignore

    await client.timing(f"http.{path.strip('/').replace('/', '.') or 'root'}.{status}", ms)


class MetricsMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = (time.perf_counter() - started) * 1000
        asyncio.create_task(push_metric(request.url.path, response.status_code, elapsed))  # expect: LEAK007
        return response
