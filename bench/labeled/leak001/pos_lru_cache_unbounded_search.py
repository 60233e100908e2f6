# Leaks: lru_cache(maxsize=None) memoises every (query, page) pair users ever search for, with no eviction.
import functools

from flask import Flask, jsonify, request

from .search_backend import run_search  # type: ignore

app = Flask(__name__)


@functools.lru_cache(maxsize=None)  # expect: LEAK001
def cached_search(query: str, page: int) -> tuple:
    hits = run_search(query, offset=page * 20, limit=20)
    return tuple(hit["id"] for hit in hits)


@app.route("/search")
def search():
    query = request.args.get("q", "").strip().lower()
    page = int(request.args.get("page", 0))
    if not query:
        return jsonify(results=[])
    return jsonify(results=list(cached_search(query, page)))
