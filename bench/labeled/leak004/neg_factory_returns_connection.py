# Not a leak: the factory hands ownership of the connection to its caller, which closes it via contextlib.closing.
import contextlib
import sqlite3

DB_PATH = "/var/lib/app/sessions.db"


def open_db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH, timeout=5)
    conn.row_factory = sqlite3.Row
    return conn


def active_sessions(user_id: int) -> list[dict]:
    with contextlib.closing(open_db()) as conn:
        rows = conn.execute(
            "SELECT id, ip, last_seen FROM sessions WHERE user_id = ? AND revoked = 0", (user_id,)
        ).fetchall()
    return [dict(row) for row in rows]
