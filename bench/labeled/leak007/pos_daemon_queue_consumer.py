# Leaks: the daemon's main loop spawns one task per queued message and never keeps or awaits them.
import asyncio
import logging
import signal

log = logging.getLogger("dispatcher")


async def deliver(message: dict) -> None:
    from .webhooks import post_with_retries  # type: ignore

    await post_with_retries(message["url"], message["payload"])


async def dispatcher(queue: asyncio.Queue, stop: asyncio.Event) -> None:
    while not stop.is_set():
        message = await queue.get()
        log.debug("dispatching %s", message.get("id"))
        asyncio.ensure_future(deliver(message))  # expect: LEAK007


async def main() -> None:
    from .source import fill_queue  # type: ignore

    queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await asyncio.gather(fill_queue(queue, stop), dispatcher(queue, stop))


if __name__ == "__main__":
    asyncio.run(main())
