# Leaks: each job attaches a new handler to the long-lived "etl" logger and never removes it, so handlers pile up per job.
import logging
import logging.handlers
import queue

from celery import shared_task

etl_log = logging.getLogger("etl")


@shared_task(bind=True)
def load_partner_feed(self, partner: str, url: str) -> int:
    job_queue: queue.Queue = queue.Queue()
    handler = logging.handlers.QueueHandler(job_queue)
    etl_log.addHandler(handler)  # expect: LEAK005
    etl_log.info("loading feed for %s from %s", partner, url)
    from .feeds import import_feed  # type: ignore

    count = import_feed(partner, url)
    self.update_state(state="PROGRESS", meta={"log": [r.getMessage() for r in list(job_queue.queue)]})
    return count
