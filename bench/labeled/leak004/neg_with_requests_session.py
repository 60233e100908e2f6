# Not a leak: the per-call requests.Session is used as a context manager, so it is closed when the block exits.
import requests
from django.conf import settings
from django.http import HttpRequest, JsonResponse


def fetch_shipping_quotes(postcode: str, weight_kg: float) -> list[dict]:
    with requests.Session() as session:
        session.headers["X-Api-Key"] = settings.SHIPPING_API_KEY
        resp = session.get(
            f"{settings.SHIPPING_API_URL}/quotes",
            params={"postcode": postcode, "weight": weight_kg},
            timeout=5,
        )
        resp.raise_for_status()
        return resp.json()["quotes"]


def quotes(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"quotes": fetch_shipping_quotes(request.GET["postcode"], float(request.GET["kg"]))})
