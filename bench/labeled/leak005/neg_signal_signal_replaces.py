# Not a leak: signal.signal replaces the previous SIGTERM handler, so repeated calls keep only the most recent one.
import signal
import time

from .queue import next_job, run_job  # type: ignore

_current_job_id = None


def _install_term_handler(job_id: str) -> None:
    def on_term(signum, frame):
        raise SystemExit(f"terminated while running {job_id}")

    signal.signal(signal.SIGTERM, on_term)


def worker_loop() -> None:
    global _current_job_id
    while True:
        job = next_job()
        if job is None:
            time.sleep(1)
            continue
        _current_job_id = job.id
        _install_term_handler(job.id)
        run_job(job)
