# Not a leak: the handle is closed in finally, so it is released on the error path as well.
import hashlib

from celery import shared_task


@shared_task
def fingerprint(path: str, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.blake2b(digest_size=20)
    fh = open(path, "rb")
    try:
        while True:
            block = fh.read(chunk_size)
            if not block:
                break
            digest.update(block)
    finally:
        fh.close()
    return digest.hexdigest()
