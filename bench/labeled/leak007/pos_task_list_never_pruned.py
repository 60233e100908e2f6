# Leaks: a long-lived consumer appends every spawned task to its list and never removes finished ones.
import asyncio
import json


class OrderEventConsumer:
    def __init__(self, queue: asyncio.Queue) -> None:
        self.queue = queue
        self.inflight: list[asyncio.Task] = []

    async def handle(self, event: dict) -> None:
        from .fulfilment import route_order  # type: ignore

        await route_order(event["order_id"], event["warehouse"])

    async def run(self) -> None:
        while True:
            raw = await self.queue.get()
            self.inflight.append(asyncio.create_task(self.handle(json.loads(raw))))  # expect: LEAK007

    async def drain(self) -> None:
        await asyncio.gather(*self.inflight, return_exceptions=True)
