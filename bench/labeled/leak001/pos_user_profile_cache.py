# Leaks: every distinct user id ever requested is stored in a module-level dict that is never pruned.
from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()
PROFILE_SERVICE = "http://profiles.internal/api/users"

_profile_cache: dict[int, dict[str, Any]] = {}  # expect: LEAK001


async def _load_profile(client: httpx.AsyncClient, user_id: int) -> dict[str, Any]:
    cached = _profile_cache.get(user_id)
    if cached is not None:
        return cached
    resp = await client.get(f"{PROFILE_SERVICE}/{user_id}")
    resp.raise_for_status()
    profile = resp.json()
    _profile_cache[user_id] = profile
    return profile


@app.get("/users/{user_id}/summary")
async def user_summary(user_id: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5) as client:
        profile = await _load_profile(client, user_id)
    return {"id": user_id, "name": profile.get("name"), "plan": profile.get("plan")}
