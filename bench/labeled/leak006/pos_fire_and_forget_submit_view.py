# Leaks: the view creates an executor only to fire off one background email and drops it without shutdown.
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.http import HttpRequest, JsonResponse


def invite_user(request: HttpRequest) -> JsonResponse:
    email = request.POST["email"]
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    ThreadPoolExecutor(max_workers=1).submit(  # expect: LEAK006
        send_mail,
        "You're invited",
        f"{request.user.get_full_name()} invited you to the workspace.",
        "noreply@example.com",
        [email],
    )
    return JsonResponse({"user": user.pk, "created": created})
