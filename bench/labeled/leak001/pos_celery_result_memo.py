# Leaks: a worker-process dict memoises thumbnails by image URL; every new URL processed adds an entry forever.
import io

import requests
from celery import shared_task
from PIL import Image

_thumbnail_bytes: dict[str, bytes] = {}  # expect: LEAK001


def _render_thumbnail(url: str) -> bytes:
    if url not in _thumbnail_bytes:
        raw = requests.get(url, timeout=15).content
        img = Image.open(io.BytesIO(raw))
        img.thumbnail((256, 256))
        out = io.BytesIO()
        img.save(out, format="PNG")
        _thumbnail_bytes[url] = out.getvalue()
    return _thumbnail_bytes[url]


@shared_task(name="media.make_thumbnail")
def make_thumbnail(image_url: str, upload_key: str) -> int:
    from .storage import put_object  # type: ignore

    data = _render_thumbnail(image_url)
    put_object(upload_key, data)
    return len(data)
