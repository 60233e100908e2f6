# Leaks: conn.close() is only reached on the success path; a failing INSERT or a validation error leaves the connection open.
import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
DB_PATH = "/var/lib/shortener/links.db"


@app.route("/links", methods=["POST"])
def create_link():
    data = request.get_json()
    conn = sqlite3.connect(DB_PATH)  # expect: LEAK004
    if not data.get("url", "").startswith(("http://", "https://")):
        abort(400)
    cur = conn.execute("INSERT INTO links (slug, url) VALUES (?, ?)", (data["slug"], data["url"]))
    conn.commit()
    link_id = cur.lastrowid
    conn.close()
    return jsonify(id=link_id, slug=data["slug"]), 201
