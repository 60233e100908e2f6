# Leaks: every logout adds a token id to the module-level revocation set and expired tokens are never removed from it.
from flask import Flask, abort, g, jsonify, request

app = Flask(__name__)

_revoked_jti = set()  # expect: LEAK002


@app.before_request
def reject_revoked():
    jti = request.headers.get("X-Token-Id")
    if jti and jti in _revoked_jti:
        abort(401)
    g.jti = jti


@app.route("/logout", methods=["POST"])
def logout():
    if g.jti:
        _revoked_jti.add(g.jti)
    return jsonify(ok=True)
