# Leaks: the hand-rolled memoize keeps its dict alive as long as the decorated module-level function, keyed by every account id.
import functools

import psycopg2.extras


def memoize(fn):
    results = {}  # expect: LEAK001

    @functools.wraps(fn)
    def wrapper(*args):
        if args not in results:
            results[args] = fn(*args)
        return results[args]

    return wrapper


@memoize
def account_balance_snapshot(conn, account_id: int) -> dict:
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("SELECT currency, amount FROM balances WHERE account_id = %s", (account_id,))
        return {row["currency"]: row["amount"] for row in cur.fetchall()}


def handle_statement_request(conn, account_id: int) -> str:
    snapshot = account_balance_snapshot(conn, account_id)
    return "\n".join(f"{cur}: {amt}" for cur, amt in sorted(snapshot.items()))
