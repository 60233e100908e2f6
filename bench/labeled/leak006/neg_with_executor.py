# Not a leak: the executor is used as a context manager, which calls shutdown(wait=True) when the block exits.
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)


def _fetch_title(url: str) -> str:
    html = requests.get(url, timeout=5).text
    start = html.find("<title>")
    end = html.find("</title>", start)
    return html[start + 7:end].strip() if start != -1 and end != -1 else url


@app.route("/link-previews", methods=["POST"])
def link_previews():
    urls = request.get_json()["urls"][:10]
    with ThreadPoolExecutor(max_workers=5) as pool:
        titles = list(pool.map(_fetch_title, urls))
    return jsonify(dict(zip(urls, titles)))
