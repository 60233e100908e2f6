# Leaks: rendered HTML is cached under an f-string key of user and page number, an unbounded key space with no eviction.
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .models import Notification  # type: ignore

RENDERED = {}  # expect: LEAK001


def notifications_page(request: HttpRequest, page: int) -> HttpResponse:
    key = f"{request.user.pk}:{page}"
    html = RENDERED.get(key)
    if html is None:
        items = Notification.objects.filter(user=request.user).order_by("-created")[page * 25:(page + 1) * 25]
        html = render_to_string("notifications/list.html", {"items": items, "page": page})
        RENDERED[key] = html
    return HttpResponse(html)
