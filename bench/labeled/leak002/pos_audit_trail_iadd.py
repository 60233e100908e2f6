# Leaks: each RQ job concatenates its audit entries onto the module-level list with +=, and the list is never reset.
import datetime as dt

from .warehouse import move_stock  # type: ignore

AUDIT_TRAIL = []  # expect: LEAK002


def transfer_stock_job(sku: str, moves: list[tuple[str, str, int]]) -> int:
    global AUDIT_TRAIL
    entries = []
    for source, target, qty in moves:
        move_stock(sku, source, target, qty)
        entries.append(
            {"at": dt.datetime.utcnow().isoformat(), "sku": sku, "from": source, "to": target, "qty": qty}
        )
    AUDIT_TRAIL += entries
    return len(entries)
