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

/**
 * Two unbounded caches in a module that already uses cachetools (TTLCache is then the safe fix):
 * fixing both must add the TTLCache import once.
 */
export const TWO_CACHES = `"""Service helpers."""
import os
from cachetools import LRUCache

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

/** CACHE_LEAK in a module that already uses cachetools: TTLCache is the safe, preferred fix. */
export const CACHE_LEAK_WITH_CACHETOOLS = CACHE_LEAK.replace(
  'import os\n',
  'import os\nfrom cachetools import LRUCache\n',
);
