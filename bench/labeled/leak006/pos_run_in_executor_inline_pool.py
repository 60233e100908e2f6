# Leaks: a new ThreadPoolExecutor is created inline for each call to run_in_executor and nothing ever shuts it down.
import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web


def _hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def checksum(request: web.Request) -> web.Response:
    path = f"/srv/artifacts/{request.match_info['name']}"
    loop = asyncio.get_running_loop()
    digest = await loop.run_in_executor(ThreadPoolExecutor(max_workers=1), _hash_file, path)  # expect: LEAK006
    return web.json_response({"sha256": digest})


app = web.Application()
app.router.add_get("/artifacts/{name}/sha256", checksum)
