# Not a leak: open_report returns the handle to its caller, which closes it with a `with` statement.
import os
from typing import BinaryIO

from flask import Flask, Response, abort

app = Flask(__name__)
REPORT_DIR = "/srv/reports"


def open_report(report_id: int) -> BinaryIO:
    path = os.path.join(REPORT_DIR, f"{report_id}.csv")
    if not os.path.isfile(path):
        abort(404)
    return open(path, "rb")


@app.route("/reports/<int:report_id>/preview")
def preview(report_id: int):
    with open_report(report_id) as fh:
        head = b"".join(fh.readline() for _ in range(20))
    return Response(head, mimetype="text/csv")
