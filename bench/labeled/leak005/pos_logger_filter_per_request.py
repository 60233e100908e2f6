# Leaks: a new filter carrying the request id is added to the module logger on every request and never removed.
import logging
import uuid

from fastapi import FastAPI, Request

app = FastAPI()
log = logging.getLogger("api")


class RequestIdFilter(logging.Filter):
    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = self.request_id
        return True


@app.middleware("http")
async def tag_logs(request: Request, call_next):
    request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    log.addFilter(RequestIdFilter(request_id))  # expect: LEAK005
    response = await call_next(request)
    response.headers["X-Request-Id"] = request_id
    return response
