# Leaks: every task run spawns a ProcessPoolExecutor of worker processes and never shuts it down.
import os
from concurrent.futures import ProcessPoolExecutor

from celery import shared_task


def _score_chunk(rows: list[dict]) -> list[float]:
    return [0.3 * r["recency"] + 0.5 * r["frequency"] + 0.2 * r["monetary"] for r in rows]


@shared_task(name="analytics.score_customers")
def score_customers(rows: list[dict]) -> list[float]:
    chunk = 1000
    chunks = [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
    executor = ProcessPoolExecutor(max_workers=os.cpu_count() or 2)  # expect: LEAK006
    scores: list[float] = []
    for part in executor.map(_score_chunk, chunks):
        scores.extend(part)
    return scores
