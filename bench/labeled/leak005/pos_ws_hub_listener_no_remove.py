# Leaks: every websocket connection adds its send callback to the module-level hub and nothing removes it on disconnect.
import asyncio

from aiohttp import WSMsgType, web


class Hub:
    def __init__(self) -> None:
        self._listeners = []

    def add_listener(self, callback) -> None:
        self._listeners.append(callback)

    async def broadcast(self, text: str) -> None:
        await asyncio.gather(*(cb(text) for cb in self._listeners), return_exceptions=True)


hub = Hub()


async def chat_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    hub.add_listener(ws.send_str)  # expect: LEAK005
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await hub.broadcast(msg.data)
    return ws
