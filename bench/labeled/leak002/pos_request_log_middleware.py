# Leaks: the middleware appends a record for every request to a module-level list that nothing ever trims.
import time

from fastapi import FastAPI, Request

app = FastAPI()

_request_log: list[dict] = []  # expect: LEAK002


@app.middleware("http")
async def record_timing(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    _request_log.append(
        {
            "path": request.url.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
    )
    return response


@app.get("/debug/slowest")
async def slowest() -> list[dict]:
    return sorted(_request_log, key=lambda r: r["ms"], reverse=True)[:10]
