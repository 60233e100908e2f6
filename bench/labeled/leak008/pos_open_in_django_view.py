# Leaks: the view opens the tenant's theme file on every request and never closes the handle.
import json
import os

from django.conf import settings
from django.http import HttpRequest, JsonResponse


def theme(request: HttpRequest, tenant: str) -> JsonResponse:
    path = os.path.join(settings.THEMES_DIR, f"{tenant}.json")
    if not os.path.exists(path):
        return JsonResponse({"error": "unknown tenant"}, status=404)
    fh = open(path, encoding="utf-8")  # expect: LEAK008
    data = json.load(fh)
    return JsonResponse({"primary": data["colors"]["primary"], "logo": data.get("logo_url")})
