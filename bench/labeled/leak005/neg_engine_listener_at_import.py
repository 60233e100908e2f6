# Not a leak: the SQLite pragma listener is attached once, at import time, to the module-level engine.
from sqlalchemy import create_engine, event, text

engine = create_engine("sqlite:////var/lib/app/app.db")


def _enable_foreign_keys(dbapi_conn, connection_record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


event.listen(engine, "connect", _enable_foreign_keys)


def delete_user(user_id: int) -> int:
    with engine.begin() as conn:
        return conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id}).rowcount
