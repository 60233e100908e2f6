# Leaks: the default list is created once at def time, so every call without `warnings` appends to the same shared list.
from flask import Flask, jsonify, request

app = Flask(__name__)


def validate_signup(payload: dict, warnings=[]) -> list:  # expect: LEAK002
    if len(payload.get("password", "")) < 12:
        warnings.append("password shorter than 12 characters")
    if "@" not in payload.get("email", ""):
        warnings.append("email looks invalid")
    if not payload.get("accepted_terms"):
        warnings.append("terms not accepted")
    return warnings


@app.route("/signup/check", methods=["POST"])
def signup_check():
    problems = validate_signup(request.get_json(force=True))
    return jsonify(ok=not problems, problems=problems)
