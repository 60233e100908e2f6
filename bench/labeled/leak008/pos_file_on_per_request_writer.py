# Leaks: each per-request ExportWriter opens a file in __init__ and the class has no way to close it.
import json
import os

from flask import Flask, request

app = Flask(__name__)
SPOOL = "/var/spool/exports"


class ExportWriter:
    def __init__(self, export_id: str) -> None:
        self.path = os.path.join(SPOOL, f"{export_id}.jsonl")
        self._fh = open(self.path, "a", encoding="utf-8")  # expect: LEAK008

    def write(self, record: dict) -> None:
        self._fh.write(json.dumps(record) + "\n")
        self._fh.flush()


@app.route("/exports/<export_id>/records", methods=["POST"])
def append_records(export_id: str):
    writer = ExportWriter(export_id)
    for record in request.get_json()["records"]:
        writer.write(record)
    return {"path": writer.path}
