# Not a leak: the helper returns the heartbeat task to the websocket handler, which cancels and awaits it in finally.
import asyncio
import contextlib

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


def start_heartbeat(ws: WebSocket, interval: float = 15.0) -> asyncio.Task:
    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            await ws.send_json({"type": "ping"})

    return asyncio.create_task(beat())


@app.websocket("/ws/feed")
async def feed(ws: WebSocket) -> None:
    await ws.accept()
    heartbeat = start_heartbeat(ws)
    try:
        while True:
            await ws.send_json({"type": "echo", "data": await ws.receive_json()})
    except WebSocketDisconnect:
        pass
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
