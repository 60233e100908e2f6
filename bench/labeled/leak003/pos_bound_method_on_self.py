# Leaks: storing self.on_chunk (a bound method, which references self) on self creates a cycle for every upload object.
import hashlib

from fastapi import FastAPI, Request

app = FastAPI()


class UploadDigest:
    def __init__(self, upload_id: str) -> None:
        self.upload_id = upload_id
        self.size = 0
        self._sha = hashlib.sha256()
        self.sink = self.on_chunk  # expect: LEAK003

    def on_chunk(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._sha.update(chunk)


@app.post("/uploads/{upload_id}")
async def receive(upload_id: str, request: Request) -> dict:
    digest = UploadDigest(upload_id)
    async for chunk in request.stream():
        digest.sink(chunk)
    return {"id": upload_id, "bytes": digest.size, "sha256": digest._sha.hexdigest()}
