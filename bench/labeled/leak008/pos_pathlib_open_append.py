# Leaks: every webhook call opens the audit log with Path.open() for a single write and never closes it.
import datetime as dt
import json
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
AUDIT_LOG = Path("/var/log/app/webhooks.jsonl")


@app.route("/webhooks/github", methods=["POST"])
def github_webhook():
    event = request.headers.get("X-GitHub-Event", "unknown")
    entry = {"at": dt.datetime.utcnow().isoformat(), "event": event, "delivery": request.headers.get("X-GitHub-Delivery")}
    log_file = AUDIT_LOG.open("a", encoding="utf-8")  # expect: LEAK008
    log_file.write(json.dumps(entry) + "\n")
    return {"ok": True}
