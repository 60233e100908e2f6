# Not a leak: the per-job handler is removed from the shared logger (and closed) in finally, so nothing stays registered.
import io
import logging

from celery import shared_task

etl_log = logging.getLogger("etl")


@shared_task
def reconcile_ledger(account_id: int) -> str:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    etl_log.addHandler(handler)
    try:
        from .ledger import reconcile  # type: ignore

        etl_log.info("reconciling account %s", account_id)
        reconcile(account_id)
    finally:
        etl_log.removeHandler(handler)
        handler.close()
    return buffer.getvalue()
