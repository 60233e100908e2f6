# Not a leak: each in-flight request id is removed from the module-level dict in finally, so it only holds live requests.
import asyncio
import uuid

_pending: dict[str, asyncio.Future] = {}


def on_reply(message: dict) -> None:
    fut = _pending.get(message["correlation_id"])
    if fut is not None and not fut.done():
        fut.set_result(message["body"])


async def rpc_call(channel, routing_key: str, body: bytes, timeout: float = 10.0) -> bytes:
    correlation_id = uuid.uuid4().hex
    fut = asyncio.get_running_loop().create_future()
    _pending[correlation_id] = fut
    try:
        await channel.publish(routing_key, body, correlation_id=correlation_id)
        return await asyncio.wait_for(fut, timeout)
    finally:
        _pending.pop(correlation_id, None)
