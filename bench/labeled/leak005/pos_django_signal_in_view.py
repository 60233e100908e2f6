# Leaks: the view connects a fresh closure to post_save with weak=False on every request and never disconnects it.
from django.db.models.signals import post_save
from django.http import HttpRequest, JsonResponse

from .models import Order  # type: ignore
from .notifications import push_to_user  # type: ignore


def start_order_tracking(request: HttpRequest, order_id: int) -> JsonResponse:
    user_id = request.user.pk

    def on_order_saved(sender, instance, **kwargs):
        if instance.pk == order_id:
            push_to_user(user_id, {"order": instance.pk, "status": instance.status})

    post_save.connect(on_order_saved, sender=Order, weak=False)  # expect: LEAK005
    return JsonResponse({"tracking": order_id})
