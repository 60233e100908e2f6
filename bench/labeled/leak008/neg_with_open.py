# Not a leak: the file is opened in a `with` block, so it is closed even if json.load raises.
import json
import os

from django.conf import settings
from django.http import HttpRequest, JsonResponse


def feature_matrix(request: HttpRequest, plan: str) -> JsonResponse:
    path = os.path.join(settings.BASE_DIR, "plans", f"{os.path.basename(plan)}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            matrix = json.load(fh)
    except FileNotFoundError:
        return JsonResponse({"error": "unknown plan"}, status=404)
    return JsonResponse({"plan": plan, "features": sorted(k for k, v in matrix.items() if v)})
