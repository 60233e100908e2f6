"""Leak Lens probe: where a Python service leaks, measured from inside the process.

    from leak_lens_probe import setup_memory_monitoring
    setup_memory_monitoring(app)          # FastAPI/Starlette or Flask; only with LEAK_LENS_PROBE=1
                                          # (or enabled=True): /api/debug/memory/* on the app

Standard library only (prometheus_client is used when importable). See README.md.
"""

from ._core import Probe, ProbeConfig, get_probe, start_probe
from .asgi import LeakLensASGIMiddleware, setup_memory_monitoring
from .server import serve
from .tracked import memory_tracked
from .wsgi import LeakLensWSGIMiddleware

__version__ = "0.1.0"
__all__ = [
    "LeakLensASGIMiddleware",
    "LeakLensWSGIMiddleware",
    "Probe",
    "ProbeConfig",
    "get_probe",
    "memory_tracked",
    "serve",
    "setup_memory_monitoring",
    "start_probe",
]
