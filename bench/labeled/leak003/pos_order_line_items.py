# Leaks: each line item added to a per-request Order stores the order back on itself, forming order <-> item cycles.
from decimal import Decimal

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class LineIn(BaseModel):
    sku: str
    qty: int
    unit_price: Decimal


class LineItem:
    def __init__(self, sku: str, qty: int, unit_price: Decimal) -> None:
        self.sku, self.qty, self.unit_price = sku, qty, unit_price
        self.order = None


class Order:
    def __init__(self) -> None:
        self.items: list[LineItem] = []

    def add(self, item: LineItem) -> None:
        self.items.append(item)
        item.order = self  # expect: LEAK003

    def total(self) -> Decimal:
        return sum((i.qty * i.unit_price for i in self.items), Decimal(0))


@app.post("/quote")
def quote(lines: list[LineIn]) -> dict:
    order = Order()
    for line in lines:
        order.add(LineItem(line.sku, line.qty, line.unit_price))
    return {"total": str(order.total()), "lines": len(order.items)}
