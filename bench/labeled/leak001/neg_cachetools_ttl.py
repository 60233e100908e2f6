# Not a leak: cachetools.TTLCache is bounded by maxsize and expires entries after five minutes.
from cachetools import TTLCache
from fastapi import FastAPI, HTTPException

from .db import fetch_feature_flags  # type: ignore

app = FastAPI()

_flags_by_tenant: TTLCache = TTLCache(maxsize=10_000, ttl=300)


def flags_for(tenant_id: str) -> dict[str, bool]:
    flags = _flags_by_tenant.get(tenant_id)
    if flags is None:
        flags = fetch_feature_flags(tenant_id)
        _flags_by_tenant[tenant_id] = flags
    return flags


@app.get("/tenants/{tenant_id}/flags")
def get_flags(tenant_id: str) -> dict[str, bool]:
    flags = flags_for(tenant_id)
    if not flags:
        raise HTTPException(status_code=404)
    return flags
