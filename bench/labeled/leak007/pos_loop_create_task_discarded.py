# Leaks: loop.create_task is called per uploaded file and the resulting task is never stored or awaited.
import asyncio

from fastapi import FastAPI, UploadFile

app = FastAPI()


async def scan_for_viruses(name: str, data: bytes) -> None:
    from .antivirus import scan  # type: ignore

    verdict = await scan(data)
    if verdict != "clean":
        from .quarantine import quarantine  # type: ignore

        await quarantine(name, verdict)


@app.post("/files")
async def upload(file: UploadFile) -> dict:
    data = await file.read()
    loop = asyncio.get_running_loop()
    loop.create_task(scan_for_viruses(file.filename, data))  # expect: LEAK007
    return {"name": file.filename, "size": len(data), "scan": "pending"}
