// Python snippets the protocol tests open. Each leaks in exactly the way its rule describes.
export const CACHE_LEAK = `import os

_cache = {}


def get_user(request, uid):
    if uid not in _cache:
        _cache[uid] = os.getenv(uid)
    return _cache[uid]
`;

export const LIST_LEAK = `_seen = []


def record(request, item):
    _seen.append(item)
`;

/** Two unbounded caches: fixing both must add the TTLCache import once. */
export const TWO_CACHES = `"""Service helpers."""
import os

_users = {}
_groups = {}


def user(request, uid):
    _users[uid] = os.getenv(uid)
    return _users[uid]


def group(request, gid):
    _groups[gid] = os.getenv(gid)
    return _groups[gid]
`;

export const CLEAN = `def add(a, b):
    return a + b
`;
