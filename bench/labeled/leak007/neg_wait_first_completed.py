# Not a leak: both tasks are awaited via asyncio.wait, and the loser is cancelled and awaited before returning.
import asyncio
import contextlib


async def query_replica(name: str, sql: str) -> list:
    from .db import replicas  # type: ignore

    return await replicas[name].fetch(sql)


async def hedged_query(sql: str) -> list:
    primary = asyncio.create_task(query_replica("replica-a", sql))
    backup = asyncio.create_task(query_replica("replica-b", sql))
    done, pending = await asyncio.wait({primary, backup}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return done.pop().result()
