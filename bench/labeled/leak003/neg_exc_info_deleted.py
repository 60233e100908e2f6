# Not a leak: the traceback held in a local is deleted in finally, which breaks the frame <-> traceback cycle as the docs advise.
import logging
import sys
import traceback

from flask import Flask, jsonify

from .reports import build_report  # type: ignore

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.route("/reports/<int:report_id>")
def report(report_id: int):
    try:
        return jsonify(build_report(report_id))
    except Exception:
        exc_type, exc_value, exc_tb = sys.exc_info()
        try:
            log.error("report %s failed:\n%s", report_id, "".join(traceback.format_tb(exc_tb)))
            return jsonify(error=str(exc_value)), 500
        finally:
            del exc_type, exc_value, exc_tb
