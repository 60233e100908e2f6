# Not a leak: the psycopg2 connection is closed in finally, so it is released on both success and error paths.
import os

import psycopg2
from celery import shared_task


@shared_task(autoretry_for=(psycopg2.OperationalError,), retry_backoff=True)
def expire_trials() -> int:
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    try:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE subscriptions SET status = 'expired' "
                "WHERE status = 'trial' AND trial_ends_at < now()"
            )
            expired = cur.rowcount
        conn.commit()
        return expired
    finally:
        conn.close()
