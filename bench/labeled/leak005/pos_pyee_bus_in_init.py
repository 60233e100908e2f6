# Leaks: every per-connection PriceWatcher subscribes a bound method to the module-level emitter and never calls remove_listener.
from pyee.asyncio import AsyncIOEventEmitter
from fastapi import FastAPI, WebSocket

app = FastAPI()
price_bus = AsyncIOEventEmitter()


class PriceWatcher:
    def __init__(self, ws: WebSocket, symbol: str) -> None:
        self.ws = ws
        self.symbol = symbol
        price_bus.on("price", self.on_price)  # expect: LEAK005

    async def on_price(self, symbol: str, price: float) -> None:
        if symbol == self.symbol:
            await self.ws.send_json({"symbol": symbol, "price": price})


@app.websocket("/prices/{symbol}")
async def prices(ws: WebSocket, symbol: str) -> None:
    await ws.accept()
    PriceWatcher(ws, symbol)
    async for _ in ws.iter_text():
        pass
