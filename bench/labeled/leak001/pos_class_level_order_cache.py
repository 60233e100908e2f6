# Leaks: the class attribute dict is shared by every instance and grows by one entry per order id looked up.
from dataclasses import dataclass

import requests


@dataclass
class OrderStatus:
    order_id: str
    state: str
    carrier: str | None


class ShippingClient:
    _status_cache: dict[str, OrderStatus] = {}  # expect: LEAK001

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.api_key = api_key

    def status(self, order_id: str) -> OrderStatus:
        if order_id in self._status_cache:
            return self._status_cache[order_id]
        resp = requests.get(
            f"{self.base_url}/orders/{order_id}",
            headers={"X-Api-Key": self.api_key},
            timeout=10,
        )
        data = resp.json()
        status = OrderStatus(order_id, data["state"], data.get("carrier"))
        self._status_cache[order_id] = status
        return status
