# Not a leak: the stored lambda closes over local copies of the id and start time, not over `self`, so no cycle is formed.
import logging
import time

log = logging.getLogger(__name__)


class ReindexJob:
    def __init__(self, index: str, doc_ids: list[str]) -> None:
        self.index = index
        self.doc_ids = doc_ids
        index_name = index
        started = time.monotonic()
        total = len(doc_ids)
        self.report = lambda done: log.info(
            "%s: %d/%d docs (%.1fs)", index_name, done, total, time.monotonic() - started
        )

    def run(self, es) -> None:
        for i, doc_id in enumerate(self.doc_ids, 1):
            es.reindex_one(self.index, doc_id)
            if i % 500 == 0:
                self.report(i)


def reindex_task(index: str, doc_ids: list[str]) -> None:
    from .search import client  # type: ignore

    ReindexJob(index, doc_ids).run(client)
