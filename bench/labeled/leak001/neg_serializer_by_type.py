# Not a leak: the cache is keyed by Python type, and the application only ever serialises a fixed set of model classes.
import dataclasses
import json
from typing import Any, Callable

_serializer_for_type: dict[type, Callable[[Any], dict]] = {}


def _build_serializer(cls: type) -> Callable[[Any], dict]:
    names = [f.name for f in dataclasses.fields(cls)]
    return lambda obj: {name: getattr(obj, name) for name in names}


def to_json(obj: Any) -> str:
    cls = type(obj)
    serializer = _serializer_for_type.get(cls)
    if serializer is None:
        serializer = _build_serializer(cls)
        _serializer_for_type[cls] = serializer
    return json.dumps(serializer(obj), default=str)
