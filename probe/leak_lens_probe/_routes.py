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


# Flask rules (`/users/<int:user_id>`) and Django routes (`users/<int:pk>/`, or a `re_path`
# regular expression) written the same way as Starlette's: `/users/{user_id}`.
_ANGLE_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>(?:[^()]|\([^()]*\))*\)")
_UNNAMED_GROUP = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def flask_template(rule):
    """`/users/<int:user_id>` -> `/users/{user_id}`."""
    return _ANGLE_PARAM.sub(lambda m: "{%s}" % m.group(1), rule)


def django_template(route):
    """`users/<int:pk>/` or `^users/(?P<pk>[0-9]+)/$` -> `/users/{pk}/`. Includes are already joined
    in `ResolverMatch.route`; anchors are dropped and an unnamed group becomes `{arg}`."""
    route = _REGEX_GROUP.sub(lambda m: "{%s}" % m.group(1), route)
    route = _UNNAMED_GROUP.sub("{arg}", route)
    route = _ANGLE_PARAM.sub(lambda m: "{%s}" % m.group(1), route)
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return route if route.startswith("/") else "/" + route


def flask_route_for(app):
    """A `route_for(environ)` that asks a Flask app's URL map which rule the request matches."""
    url_map = app.url_map

    def route_for(environ):
        try:
            rule, _ = url_map.bind_to_environ(environ).match(return_rule=True)
        except Exception:  # NotFound, MethodNotAllowed, a redirect: no rule of the app
            return UNMATCHED
        return flask_template(rule.rule)

    return route_for


def django_route_for(environ):
    """The route Django resolves the request's path to (its URL configuration is loaded by then)."""
    try:
        from django.urls import resolve

        match = resolve(environ.get("PATH_INFO", "/") or "/")
    except Exception:  # Resolver404, or settings not configured
        return UNMATCHED
    return django_template(match.route) if getattr(match, "route", None) else UNMATCHED


def framework_route_for(app):
    """The route_for of the framework behind a WSGI callable (a Flask app or its `wsgi_app` bound
    method, Django's WSGIHandler), or None for a plain WSGI app."""
    owner = getattr(app, "__self__", app)
    if hasattr(owner, "url_map") and hasattr(owner, "view_functions"):
        return flask_route_for(owner)
    if type(owner).__module__.startswith("django."):
        return django_route_for
    return None
