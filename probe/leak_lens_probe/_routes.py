"""Route templates for per-endpoint numbers: `/users/{user_id}`, never the raw path, so the number
of keys stays bounded whatever URLs clients send."""

import re

_ID_SEGMENT = re.compile(
    r"^(?:-?\d+(?:\.\d+)?|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{12,}|(?=[^/]*\d)[A-Za-z0-9_\-.~%]{16,})$"
)
UNMATCHED = "<unmatched>"


def _compile(template):
    """`/users/{user_id}` (or `/files/{path:path}`) -> a regular expression for paths."""
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = ""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            pattern += ".+" if part.endswith(":path}") else "[^/]+"
        else:
            pattern += re.escape(part)
    return re.compile("^" + pattern + "$")


class RouteTemplates(object):
    """Maps a raw path to a template: the given templates first, then a guess that replaces
    identifier-like segments (numbers, UUIDs, hex digests, long tokens) by `{id}`."""

    def __init__(self, templates=()):
        self._templates = [(t, _compile(t)) for t in templates]

    def __call__(self, path):
        path = path.split("?", 1)[0] or "/"
        for template, pattern in self._templates:
            if pattern.match(path):
                return template
        return guess_template(path)


def guess_template(path):
    return "/".join("{id}" if _ID_SEGMENT.match(s) else s for s in path.split("/"))


def route_template(route):
    """`path_format` (FastAPI, with converters stripped) or `path` of a Starlette route."""
    return getattr(route, "path_format", None) or getattr(route, "path", None) or None


def starlette_template(scope, app=None):
    """The template of the route Starlette/FastAPI matched for `scope` (read after the app ran:
    the router writes the matched route, or at least its endpoint, into the same scope)."""
    template = route_template(scope.get("route"))
    if template:
        return template
    endpoint = scope.get("endpoint")
    if endpoint is not None:
        for route in getattr(getattr(app, "router", None), "routes", ()):
            if getattr(route, "endpoint", None) is endpoint:
                return route_template(route) or UNMATCHED
            if getattr(route, "app", None) is endpoint and not hasattr(route, "endpoint"):  # a Mount
                return (route_template(route) or "") + "/{path:path}"
    return UNMATCHED
