# Leaks: functools.cache keeps one entry per session token forever; tokens are an open-ended set.
import functools

import jwt
from django.conf import settings
from django.http import HttpRequest, JsonResponse


@functools.cache  # expect: LEAK001
def decode_token(token: str) -> dict:
    return jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])


def whoami(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return JsonResponse({"error": "unauthenticated"}, status=401)
    claims = decode_token(header.removeprefix("Bearer "))
    return JsonResponse({"sub": claims["sub"], "roles": claims.get("roles", [])})
