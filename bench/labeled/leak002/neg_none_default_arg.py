# Not a leak: the default is None and a fresh list is created on every call, so nothing is shared between calls.
from django.http import HttpRequest, JsonResponse


def collect_missing(payload: dict, required: tuple[str, ...], missing: list[str] | None = None) -> list[str]:
    if missing is None:
        missing = []
    for field in required:
        if not payload.get(field):
            missing.append(field)
    return missing


def create_invoice(request: HttpRequest) -> JsonResponse:
    import json

    payload = json.loads(request.body)
    missing = collect_missing(payload, ("customer_id", "currency", "lines"))
    if missing:
        return JsonResponse({"missing": missing}, status=422)
    return JsonResponse({"status": "queued"}, status=202)
