# Not a leak: the bus stores subscribers as weak method references and skips dead ones, so per-request subscribers can be freed.
import weakref


class WeakEventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[weakref.WeakMethod]] = {}

    def subscribe(self, topic: str, bound_method) -> None:
        subs = [ref for ref in self._subscribers.get(topic, []) if ref() is not None]
        subs.append(weakref.WeakMethod(bound_method))
        self._subscribers[topic] = subs

    def publish(self, topic: str, payload: dict) -> None:
        for ref in self._subscribers.get(topic, []):
            method = ref()
            if method is not None:
                method(payload)


bus = WeakEventBus()


class CartView:
    def __init__(self, cart_id: str) -> None:
        self.cart_id = cart_id
        self.prices_changed = False
        bus.subscribe("prices.updated", self.on_prices_updated)

    def on_prices_updated(self, payload: dict) -> None:
        self.prices_changed = True
