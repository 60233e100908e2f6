# Leaks: the lambda stored on the per-job object closes over `self`, so object -> lambda -> self is a cycle for every job.
import logging
import time

log = logging.getLogger(__name__)


class ImportJob:
    def __init__(self, job_id: str, rows: list[dict]) -> None:
        self.job_id = job_id
        self.rows = rows
        self.started = time.monotonic()
        self.report_progress = lambda done: log.info(  # expect: LEAK003
            "job %s: %d/%d rows (%.1fs)", self.job_id, done, len(self.rows), time.monotonic() - self.started
        )

    def run(self, insert) -> int:
        for i, row in enumerate(self.rows, 1):
            insert(row)
            if i % 1000 == 0:
                self.report_progress(i)
        return len(self.rows)


def import_rows_task(job_id: str, rows: list[dict]) -> int:
    from .db import insert_customer  # type: ignore

    return ImportJob(job_id, rows).run(insert_customer)
