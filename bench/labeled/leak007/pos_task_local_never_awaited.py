# Leaks: the task is bound to a local name but the handler returns without awaiting or storing it, so the reference is lost.
import asyncio

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Signup(BaseModel):
    email: str
    name: str


async def send_welcome(email: str, name: str) -> None:
    from .mailer import send  # type: ignore

    await send(email, "Welcome!", f"Hi {name}, thanks for signing up.")


@app.post("/signup", status_code=201)
async def signup(body: Signup) -> dict:
    from .users import create_user  # type: ignore

    user_id = await create_user(body.email, body.name)
    welcome = asyncio.create_task(send_welcome(body.email, body.name))  # expect: LEAK007
    return {"id": user_id, "welcome_scheduled": not welcome.done()}
