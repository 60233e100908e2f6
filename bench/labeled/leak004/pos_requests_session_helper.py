# Leaks: the helper builds a new requests.Session (with its own connection pool) on each call and never closes it.
import requests
from django.conf import settings
from django.http import HttpRequest, JsonResponse


def fetch_exchange_rates(base: str) -> dict:
    session = requests.Session()  # expect: LEAK004
    session.headers["Authorization"] = f"Bearer {settings.FX_API_TOKEN}"
    resp = session.get(f"{settings.FX_API_URL}/latest", params={"base": base}, timeout=5)
    resp.raise_for_status()
    return resp.json()["rates"]


def convert(request: HttpRequest) -> JsonResponse:
    base = request.GET.get("from", "EUR")
    target = request.GET.get("to", "USD")
    amount = float(request.GET.get("amount", "1"))
    rate = fetch_exchange_rates(base)[target]
    return JsonResponse({"amount": round(amount * rate, 2), "currency": target})
