# Leaks: each call to notify_slack creates an aiohttp.ClientSession that is never closed.
import os

import aiohttp
from aiohttp import web

SLACK_WEBHOOK = os.environ.get("SLACK_WEBHOOK", "")


async def notify_slack(text: str) -> int:
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))  # expect: LEAK004
    resp = await session.post(SLACK_WEBHOOK, json={"text": text})
    return resp.status


async def deploy_finished(request: web.Request) -> web.Response:
    body = await request.json()
    status = await notify_slack(f"Deploy of {body['service']} finished: {body['result']}")
    return web.json_response({"slack_status": status})


app = web.Application()
app.router.add_post("/hooks/deploy", deploy_finished)
