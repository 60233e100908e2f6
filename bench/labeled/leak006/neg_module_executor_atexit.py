# Not a leak: a single module-level executor is created at import, shared by all requests, and shut down at process exit.
import atexit
from concurrent.futures import ThreadPoolExecutor

from django.http import HttpRequest, JsonResponse

from .geo import reverse_geocode  # type: ignore

_GEO_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="geo")
atexit.register(_GEO_POOL.shutdown, wait=False)


def locate_many(request: HttpRequest) -> JsonResponse:
    points = [tuple(map(float, p.split(","))) for p in request.GET.getlist("p")]
    futures = [_GEO_POOL.submit(reverse_geocode, lat, lon) for lat, lon in points]
    return JsonResponse({"places": [f.result(timeout=10) for f in futures]})
