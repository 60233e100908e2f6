# Not a leak: the module-level dict is explicitly capped; the oldest entry is evicted before a new one is inserted.
import requests

MAX_ENTRIES = 2_000
_avatar_urls: dict[str, str] = {}


def avatar_url(email: str) -> str:
    if email in _avatar_urls:
        return _avatar_urls[email]
    resp = requests.get("https://people.internal/avatar", params={"email": email}, timeout=3)
    url = resp.json().get("url", "/static/default-avatar.png")
    if len(_avatar_urls) >= MAX_ENTRIES:
        oldest = next(iter(_avatar_urls))
        del _avatar_urls[oldest]
    _avatar_urls[email] = url
    return url


def render_comment(comment: dict) -> dict:
    return {**comment, "avatar": avatar_url(comment["author_email"])}
