# Leaks: the de-duplication set in the worker process keeps every webhook id ever processed and is never cleared.
from celery import shared_task

from .billing import apply_payment_event  # type: ignore

_processed_event_ids = set()  # expect: LEAK002


@shared_task(bind=True, max_retries=5, acks_late=True)
def handle_stripe_event(self, event: dict) -> str:
    event_id = event["id"]
    if event_id in _processed_event_ids:
        return "duplicate"
    try:
        apply_payment_event(event["type"], event["data"]["object"])
    except ConnectionError as exc:
        raise self.retry(exc=exc, countdown=30)
    _processed_event_ids.add(event_id)
    return "applied"
