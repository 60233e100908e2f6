# Leaks: keeping sys.exc_info() in a local makes traceback -> frame -> locals -> traceback a cycle on every failed request.
import logging
import sys

from django.http import HttpRequest, JsonResponse

from .payments import charge_card  # type: ignore

log = logging.getLogger(__name__)


def checkout(request: HttpRequest) -> JsonResponse:
    try:
        receipt = charge_card(request.user.pk, request.POST["amount"], request.POST["token"])
    except Exception:
        exc_type, exc_value, exc_tb = sys.exc_info()  # expect: LEAK003
        log.warning("charge failed: %s", exc_value, exc_info=(exc_type, exc_value, exc_tb))
        return JsonResponse({"error": str(exc_value)}, status=402)
    return JsonResponse({"receipt": receipt})
