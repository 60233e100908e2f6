# Leaks: a TemporaryFile is opened per upload to buffer the body and is never closed, so its descriptor stays open.
import hashlib
import tempfile

from aiohttp import web


async def upload(request: web.Request) -> web.Response:
    spool = tempfile.TemporaryFile()  # expect: LEAK008
    digest = hashlib.sha256()
    async for chunk in request.content.iter_chunked(64 * 1024):
        digest.update(chunk)
        spool.write(chunk)
    size = spool.tell()
    spool.seek(0)
    await request.app["storage"].put(digest.hexdigest(), spool)
    return web.json_response({"sha256": digest.hexdigest(), "size": size})


app = web.Application(client_max_size=512 * 1024 ** 2)
app.router.add_post("/blobs", upload)
