# Leaks: the per-job object puts itself in its LoggerAdapter's `extra` dict and keeps the adapter, so job -> adapter -> extra -> job.
import logging

base_log = logging.getLogger("worker.sync")


class SyncJob:
    def __init__(self, account_id: int, since: str) -> None:
        self.account_id = account_id
        self.since = since
        self.log = logging.LoggerAdapter(base_log, {"job": self})  # expect: LEAK003

    def __str__(self) -> str:
        return f"sync[{self.account_id}]"

    def run(self, api) -> int:
        changes = api.changes(self.account_id, since=self.since)
        self.log.info("fetched %d changes", len(changes))
        for change in changes:
            api.apply(change)
        return len(changes)


def sync_account(account_id: int, since: str) -> int:
    from .crm import CrmApi  # type: ignore

    return SyncJob(account_id, since).run(CrmApi())
