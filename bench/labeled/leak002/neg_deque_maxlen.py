# Not a leak: the deque has maxlen=200, so appending past that silently drops the oldest entry.
import collections
import time

from fastapi import FastAPI, Request

app = FastAPI()
_recent_errors: collections.deque = collections.deque(maxlen=200)


@app.middleware("http")
async def capture_errors(request: Request, call_next):
    response = await call_next(request)
    if response.status_code >= 500:
        _recent_errors.append((time.time(), request.method, request.url.path, response.status_code))
    return response


@app.get("/debug/errors")
async def recent_errors() -> list:
    return list(_recent_errors)
