# Not a leak: tasks created through a TaskGroup are owned by it and all awaited when the `async with` block exits.
import asyncio

from fastapi import FastAPI

app = FastAPI()


async def load(source: str, customer_id: int) -> dict:
    from .sources import fetch  # type: ignore

    return await fetch(source, customer_id)


@app.get("/customers/{customer_id}/360")
async def customer_360(customer_id: int) -> dict:
    async with asyncio.TaskGroup() as tg:
        billing = tg.create_task(load("billing", customer_id))
        support = tg.create_task(load("support", customer_id))
        usage = tg.create_task(load("usage", customer_id))
    return {"billing": billing.result(), "support": support.result(), "usage": usage.result()}
