# Not a leak: FastAPI's BackgroundTasks runs the function after the response inside the request lifecycle; no asyncio task is orphaned.
from fastapi import BackgroundTasks, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Feedback(BaseModel):
    email: str
    message: str


async def forward_to_helpdesk(email: str, message: str) -> None:
    from .helpdesk import create_ticket  # type: ignore

    await create_ticket(requester=email, body=message)


@app.post("/feedback", status_code=202)
async def feedback(body: Feedback, background_tasks: BackgroundTasks) -> dict:
    background_tasks.add_task(forward_to_helpdesk, body.email, body.message)
    return {"queued": True}
