# Leaks: out.close() is skipped if rendering or writing raises, leaving the export file handle open.
import csv
import os

from celery import shared_task

EXPORT_DIR = "/srv/exports"


@shared_task
def export_orders(shop_id: int, rows: list[dict]) -> str:
    path = os.path.join(EXPORT_DIR, f"orders-{shop_id}.csv")
    out = open(path, "w", newline="", encoding="utf-8")  # expect: LEAK008
    writer = csv.DictWriter(out, fieldnames=["id", "customer", "total", "status"])
    writer.writeheader()
    for row in rows:
        writer.writerow({"id": row["id"], "customer": row["customer"]["email"], "total": row["total"], "status": row["status"]})
    out.close()
    return path
