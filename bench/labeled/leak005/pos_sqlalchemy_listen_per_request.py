# Leaks: every request registers a new before_cursor_execute listener on the module-level engine and never removes it.
import time

from flask import Flask, g, jsonify
from sqlalchemy import create_engine, event, text

engine = create_engine("postgresql+psycopg2://app@db/app")
app = Flask(__name__)


@app.route("/dashboard")
def dashboard():
    g.query_count = 0
    started = time.perf_counter()

    def count_queries(conn, cursor, statement, parameters, context, executemany):
        g.query_count += 1

    event.listen(engine, "before_cursor_execute", count_queries)  # expect: LEAK005
    with engine.connect() as conn:
        users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    return jsonify(users=users, orders=orders, queries=g.query_count, ms=(time.perf_counter() - started) * 1000)
