# Leaks: each per-request ReportBuilder owns a ThreadPoolExecutor but has no close/shutdown path, so every request adds threads.
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

app = FastAPI()


class ReportBuilder:
    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix=f"report-{tenant}")  # expect: LEAK006

    def _section(self, name: str) -> dict:
        from .sections import render_section  # type: ignore

        return render_section(self.tenant, name)

    def build(self) -> dict:
        names = ("revenue", "churn", "usage")
        futures = [self._pool.submit(self._section, n) for n in names]
        return {n: f.result() for n, f in zip(names, futures)}


@app.get("/tenants/{tenant}/report")
def report(tenant: str) -> dict:
    return ReportBuilder(tenant).build()
