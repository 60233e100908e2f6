# Not a leak: the app/registry back-link cycle is built exactly once at import time and is meant to live for the whole process.
class PluginRegistry:
    def __init__(self) -> None:
        self.app = None
        self.plugins: dict[str, object] = {}

    def register(self, name: str, plugin: object) -> None:
        self.plugins[name] = plugin


class Application:
    def __init__(self, name: str) -> None:
        self.name = name
        self.registry = PluginRegistry()
        self.registry.app = self

    def handle(self, event: str, payload: dict) -> list:
        return [p.on_event(event, payload) for p in self.registry.plugins.values() if hasattr(p, "on_event")]


application = Application("notifier")


def process_event(event: str, payload: dict) -> list:
    return application.handle(event, payload)
