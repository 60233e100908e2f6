# Leaks: each incoming websocket message spawns a broadcast task whose handle is thrown away, so the loop holds only a weak reference to it.
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
connections: set[WebSocket] = set()


async def broadcast(sender: WebSocket, text: str) -> None:
    for ws in list(connections):
        if ws is not sender:
            await ws.send_text(text)


@app.websocket("/ws/room")
async def room(ws: WebSocket) -> None:
    await ws.accept()
    connections.add(ws)
    try:
        while True:
            text = await ws.receive_text()
            asyncio.create_task(broadcast(ws, text))  # expect: LEAK007
    except WebSocketDisconnect:
        connections.discard(ws)
