# Not a leak: the defaults are a tuple and a frozenset, which cannot be mutated, so no state accumulates across calls.
from aiohttp import web

DEFAULT_FIELDS = ("id", "name", "email")


def project(record: dict, fields=DEFAULT_FIELDS, hidden=frozenset({"password_hash"})) -> dict:
    return {key: record[key] for key in fields if key in record and key not in hidden}


async def get_user(request: web.Request) -> web.Response:
    user = await request.app["db"].fetch_user(int(request.match_info["user_id"]))
    if user is None:
        raise web.HTTPNotFound()
    wanted = tuple(request.query.get("fields", ",".join(DEFAULT_FIELDS)).split(","))
    return web.json_response(project(user, wanted))
