# Leaks: an httpx.AsyncClient is created per request and never closed (no `async with`, no aclose()).
import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
GITHUB_API = "https://api.github.com"


@app.get("/repos/{owner}/{name}/stars")
async def stars(owner: str, name: str) -> dict:
    client = httpx.AsyncClient(base_url=GITHUB_API, timeout=10)  # expect: LEAK004
    resp = await client.get(f"/repos/{owner}/{name}")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="repository not found")
    resp.raise_for_status()
    return {"repo": f"{owner}/{name}", "stars": resp.json()["stargazers_count"]}
