"""Sends a steady, bounded stream of GET requests to a local service (standard library only).

    python3 examples/load.py "http://127.0.0.1:8000/items/{rand}" --rate 20 --duration 60

`{n}` in the URL becomes the request number, `{rand}` a random id below --keys (so a cache sees
repeats). Only loopback addresses are accepted: this is a demo tool, not a load tester.
"""

import argparse
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, default=20, help="requests per second (max 500)")
    parser.add_argument("--duration", type=float, default=30, help="seconds (max 3600)")
    parser.add_argument("--keys", type=int, default=1000, help="range of {rand}")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel senders (max 32)")
    parser.add_argument("--timeout", type=float, default=5)
    args = parser.parse_args()

    host = urllib.parse.urlsplit(args.url.replace("{n}", "0").replace("{rand}", "0")).hostname
    if host not in LOOPBACK:
        sys.exit(f"load.py only sends to loopback addresses ({', '.join(sorted(LOOPBACK))}), not {host!r}")
    if not (0 < args.rate <= 500 and 0 < args.duration <= 3600 and 1 <= args.concurrency <= 32):
        sys.exit("--rate must be in (0, 500], --duration in (0, 3600], --concurrency in [1, 32]")

    total = int(args.rate * args.duration)
    start = time.monotonic()
    lock = threading.Lock()
    counts = {"next": 0, "ok": 0, "failed": 0}
    first_answer = threading.Event()
    last_error = [None]

    def sender():
        while True:
            with lock:
                n = counts["next"]
                if n >= total:
                    return
                counts["next"] += 1
            # Fixed schedule: request n goes out at start + n / rate, whatever the latency.
            delay = start + n / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            url = args.url.replace("{n}", str(n)).replace("{rand}", str(random.randrange(args.keys)))
            try:
                with urllib.request.urlopen(url, timeout=args.timeout) as response:
                    response.read()
                key = "ok"
                if not first_answer.is_set():
                    first_answer.set()
                    # Whoever watches the service can start now: requests are being answered.
                    print(f"first answer after {time.monotonic() - start:.1f} s", flush=True)
            except (urllib.error.URLError, OSError) as err:
                last_error[0] = err
                key = "failed"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    print(f"{counts['ok']} ok, {counts['failed']} failed in {elapsed:.1f} s", flush=True)
    if counts["failed"]:
        print(f"last error: {last_error[0]}", file=sys.stderr)
    sys.exit(1 if counts["ok"] == 0 else 0)


if __name__ == "__main__":
    main()
