# Not a leak: functools.cache on a zero-argument function can only ever hold a single entry.
import functools
import os

from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Settings(BaseModel):
    database_url: str
    redis_url: str
    debug: bool = False


@functools.cache
def get_settings() -> Settings:
    return Settings(
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
        debug=os.environ.get("DEBUG") == "1",
    )


@app.get("/health")
def health(settings: Settings = Depends(get_settings)) -> dict:
    return {"ok": True, "debug": settings.debug}
