# Not a leak: the AsyncClient is opened with `async with`, which closes it and its connections when the handler finishes.
import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/weather/{city}")
async def weather(city: str) -> dict:
    async with httpx.AsyncClient(base_url="https://weather.internal", timeout=5) as client:
        current = await client.get("/current", params={"city": city})
        forecast = await client.get("/forecast", params={"city": city, "days": 3})
    return {"current": current.json(), "forecast": forecast.json()}
