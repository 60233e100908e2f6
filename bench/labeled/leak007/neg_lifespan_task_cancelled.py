# Not a leak: the one background task is started once at startup, kept on app.state, and cancelled and awaited at shutdown.
import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI


async def refresh_rates_forever() -> None:
    from .fx import refresh_rates  # type: ignore

    while True:
        await refresh_rates()
        await asyncio.sleep(300)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.refresher = asyncio.create_task(refresh_rates_forever())
    yield
    app.state.refresher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app.state.refresher


app = FastAPI(lifespan=lifespan)
