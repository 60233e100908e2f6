# Leaks: every request opens a new psycopg2 connection and returns without closing it.
import os

import psycopg2
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/inventory/<sku>")
def inventory(sku: str):
    conn = psycopg2.connect(os.environ["DATABASE_URL"])  # expect: LEAK004
    cur = conn.cursor()
    cur.execute("SELECT warehouse, qty FROM stock WHERE sku = %s", (sku,))
    rows = cur.fetchall()
    cur.close()
    return jsonify({warehouse: qty for warehouse, qty in rows})
