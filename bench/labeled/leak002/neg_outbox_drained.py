# Not a leak: the module-level outbox is drained by the periodic sender, which pops every queued item.
import asyncio
import logging

log = logging.getLogger(__name__)
_outbox: list[tuple[str, str]] = []


def queue_email(to: str, body: str) -> None:
    _outbox.append((to, body))


async def sender_loop(smtp) -> None:
    while True:
        while _outbox:
            to, body = _outbox.pop(0)
            try:
                await smtp.send(to, body)
            except Exception:
                log.exception("failed to send mail to %s", to)
        await asyncio.sleep(1.0)
