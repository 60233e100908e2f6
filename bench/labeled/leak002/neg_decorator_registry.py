# Not a leak: handlers are appended by a decorator while the module is imported; the list's size is fixed by the source code.
from typing import Callable

COMMAND_HANDLERS: list[tuple[str, Callable[[list[str]], str]]] = []


def command(name: str):
    def register(fn: Callable[[list[str]], str]):
        COMMAND_HANDLERS.append((name, fn))
        return fn

    return register


@command("ping")
def ping(args: list[str]) -> str:
    return "pong"


@command("echo")
def echo(args: list[str]) -> str:
    return " ".join(args)


def dispatch(line: str) -> str:
    name, *args = line.split()
    for registered, fn in COMMAND_HANDLERS:
        if registered == name:
            return fn(args)
    return f"unknown command {name!r}"
