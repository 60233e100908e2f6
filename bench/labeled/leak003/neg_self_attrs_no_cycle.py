# Not a leak: the job stores plain values, a module-level callback and a child logger; none of them refers back to the job.
import logging
from typing import Callable

log = logging.getLogger("jobs")


def default_notify(job_id: str, status: str) -> None:
    log.info("job %s -> %s", job_id, status)


class ExportJob:
    def __init__(self, job_id: str, fmt: str, notify: Callable[[str, str], None] = default_notify) -> None:
        self.job_id = job_id
        self.fmt = fmt
        self.kind = self.__class__.__name__
        self.notify = notify
        self.log = log.getChild(self.kind)

    def run(self, rows: list[dict]) -> int:
        self.log.debug("exporting %d rows as %s", len(rows), self.fmt)
        self.notify(self.job_id, "done")
        return len(rows)


def export_task(job_id: str, fmt: str, rows: list[dict]) -> int:
    return ExportJob(job_id, fmt).run(rows)
