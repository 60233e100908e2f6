# Not a leak: the executor is created lazily at most once per process and reused; repeated calls return the same instance.
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, jsonify

app = Flask(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def get_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="audit")
        return _executor


@app.route("/orders/<int:order_id>/ship", methods=["POST"])
def ship(order_id: int):
    from .audit import write_audit_entry  # type: ignore

    get_executor().submit(write_audit_entry, "order.shipped", order_id)
    return jsonify(shipped=order_id)
