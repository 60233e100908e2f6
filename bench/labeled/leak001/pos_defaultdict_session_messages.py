# Leaks: a defaultdict keyed by websocket session id gains an entry per connection and nothing deletes it on disconnect.
import collections
import uuid

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()

_history_by_session = collections.defaultdict(list)  # expect: LEAK001


@app.websocket("/chat")
async def chat(ws: WebSocket) -> None:
    await ws.accept()
    session_id = uuid.uuid4().hex
    try:
        while True:
            text = await ws.receive_text()
            history = _history_by_session[session_id]
            history.append(text)
            await ws.send_json({"echo": text, "count": len(history)})
    except WebSocketDisconnect:
        pass
