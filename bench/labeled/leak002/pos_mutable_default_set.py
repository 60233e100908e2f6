# Leaks: the mutable default set is used as a hidden "seen" registry that grows with every distinct URL the crawler job sees.
import requests
from rq import get_current_job


def should_fetch(url: str, _seen=set()) -> bool:  # expect: LEAK002
    if url in _seen:
        return False
    _seen.add(url)
    return True


def crawl_page(url: str) -> int:
    job = get_current_job()
    if not should_fetch(url):
        return 0
    html = requests.get(url, timeout=20).text
    if job is not None:
        job.meta["bytes"] = len(html)
        job.save_meta()
    return len(html)
