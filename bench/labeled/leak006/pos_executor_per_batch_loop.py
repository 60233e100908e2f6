# Leaks: the RQ job creates a new ThreadPoolExecutor for each batch inside its loop and never shuts any of them down.
from concurrent.futures import ThreadPoolExecutor, wait

import boto3

s3 = boto3.client("s3")


def copy_prefix(src_bucket: str, dst_bucket: str, keys: list[str], batch_size: int = 100) -> int:
    copied = 0
    for start in range(0, len(keys), batch_size):
        batch = keys[start:start + batch_size]
        executor = ThreadPoolExecutor(max_workers=16)  # expect: LEAK006
        futures = [
            executor.submit(s3.copy_object, Bucket=dst_bucket, Key=key, CopySource={"Bucket": src_bucket, "Key": key})
            for key in batch
        ]
        done, _ = wait(futures)
        copied += sum(1 for f in done if f.exception() is None)
    return copied
