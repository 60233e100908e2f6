# Leaks: the helper, called from each webhook, creates a multiprocessing.pool.ThreadPool and never closes or terminates it.
from multiprocessing.pool import ThreadPool

import requests
from flask import Flask, request

app = Flask(__name__)


def fan_out(event: dict, subscriber_urls: list[str]) -> int:
    pool = ThreadPool(8)  # expect: LEAK006
    responses = pool.map(lambda url: requests.post(url, json=event, timeout=5).status_code, subscriber_urls)
    return sum(1 for status in responses if status < 300)


@app.route("/events", methods=["POST"])
def receive_event():
    from .subscriptions import urls_for  # type: ignore

    event = request.get_json()
    delivered = fan_out(event, urls_for(event["type"]))
    return {"delivered": delivered}
