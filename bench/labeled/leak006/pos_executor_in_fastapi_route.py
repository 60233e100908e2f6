# Leaks: each request creates a ThreadPoolExecutor, uses it, and returns without shutdown(), leaving its worker threads behind.
from concurrent.futures import ThreadPoolExecutor

import requests
from fastapi import FastAPI

app = FastAPI()
MIRRORS = ["https://eu.mirror.internal", "https://us.mirror.internal", "https://ap.mirror.internal"]


def _check(url: str) -> tuple[str, bool]:
    try:
        return url, requests.head(url + "/health", timeout=2).ok
    except requests.RequestException:
        return url, False


@app.get("/mirrors/status")
def mirror_status() -> dict:
    pool = ThreadPoolExecutor(max_workers=len(MIRRORS))  # expect: LEAK006
    results = dict(pool.map(_check, MIRRORS))
    return {"healthy": [u for u, ok in results.items() if ok], "down": [u for u, ok in results.items() if not ok]}
