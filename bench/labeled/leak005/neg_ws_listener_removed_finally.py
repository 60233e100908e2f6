# Not a leak: the connection's listener is removed from the hub in finally when the websocket closes.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class Hub:
    def __init__(self) -> None:
        self._listeners: set = set()

    def add_listener(self, cb) -> None:
        self._listeners.add(cb)

    def remove_listener(self, cb) -> None:
        self._listeners.discard(cb)

    async def broadcast(self, text: str) -> None:
        for cb in list(self._listeners):
            await cb(text)


hub = Hub()


@app.websocket("/rooms/lobby")
async def lobby(ws: WebSocket) -> None:
    await ws.accept()
    hub.add_listener(ws.send_text)
    try:
        while True:
            await hub.broadcast(await ws.receive_text())
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove_listener(ws.send_text)
