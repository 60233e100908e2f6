# Not a leak: the task runs concurrently with the database query and is awaited before the handler returns.
import asyncio

from fastapi import FastAPI

app = FastAPI()


async def fetch_recommendations(user_id: int) -> list[int]:
    from .recs import client  # type: ignore

    return await client.top_items(user_id, limit=10)


@app.get("/home/{user_id}")
async def home(user_id: int) -> dict:
    from .db import recent_orders  # type: ignore

    recs_task = asyncio.create_task(fetch_recommendations(user_id))
    orders = await recent_orders(user_id)
    recs = await recs_task
    return {"orders": orders, "recommended": recs}
