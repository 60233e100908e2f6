# Not a leak: the long-lived service is created once in main() and its close() (called in finally) shuts the executor down.
from concurrent.futures import ThreadPoolExecutor


class ThumbnailService:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="thumbs")

    def submit(self, path: str):
        from .imaging import make_thumbnail  # type: ignore

        return self._pool.submit(make_thumbnail, path)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def main(queue) -> None:
    service = ThumbnailService()
    try:
        while True:
            path = queue.get()
            if path is None:
                break
            service.submit(path)
    finally:
        service.close()
