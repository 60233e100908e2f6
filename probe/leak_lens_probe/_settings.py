"""Whether the probe may serve anything: only when asked, explicitly or by LEAK_LENS_PROBE=1."""

import os

_ON = ("1", "true", "yes", "on")


def enabled_by(explicit):
    if explicit is not None:
        return bool(explicit)
    return os.environ.get("LEAK_LENS_PROBE", "").strip().lower() in _ON
