# Leaks: each per-request OrderService subscribes itself to the process-wide EventBus, which keeps a strong list of callbacks forever.
from typing import Callable


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[[dict], None]]] = {}

    def subscribe(self, topic: str, callback: Callable[[dict], None]) -> None:
        self._subscribers.setdefault(topic, []).append(callback)

    def publish(self, topic: str, payload: dict) -> None:
        for callback in self._subscribers.get(topic, []):
            callback(payload)


bus = EventBus()


class OrderService:
    def __init__(self, request_user: str) -> None:
        self.user = request_user
        self.invalidated = False
        bus.subscribe("inventory.changed", self._on_inventory_changed)  # expect: LEAK005

    def _on_inventory_changed(self, payload: dict) -> None:
        self.invalidated = True

    def place(self, sku: str, qty: int) -> dict:
        return {"user": self.user, "sku": sku, "qty": qty, "stale": self.invalidated}


def place_order_view(request_user: str, sku: str, qty: int) -> dict:
    return OrderService(request_user).place(sku, qty)
