"""Started by the sitecustomize that `leak-lens run` puts on PYTHONPATH: every Python process of the
command (the parent and each forked or spawned worker) runs its own probe on a free 127.0.0.1 port
and registers it as <pid>.json in LEAK_LENS_PROBE_RUN_DIR; `leak-lens run` serves the sum and each
process on the port the user chose."""

import atexit
import json
import os
import sys
import time

from . import _autopatch
from ._core import ProbeConfig, start_probe
from .server import serve

# The app's imports are done by then in most services: tracing starts after them, so the probe
# traces (and pays for) what the service allocates while it runs, not its start-up.
TRACE_DELAY_SECONDS = 3.0

_state = {}


def _register(run_dir, port):
    record = {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "port": port,
        "command": " ".join(sys.argv)[:300],
        "startedAt": round(time.time(), 3),
    }
    path = os.path.join(run_dir, "%d.json" % os.getpid())
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.replace(tmp, path)
    _state["file"] = path


def _unregister():
    path = _state.get("file")
    if path and os.path.basename(path) == "%d.json" % os.getpid():
        try:
            os.remove(path)
        except OSError:
            pass


def _start_server(run_dir, token):
    server = serve(port=0, host="127.0.0.1", token=token, enabled=True)
    _state["server"] = server
    _register(run_dir, server.server_address[1])


def _after_fork(run_dir, token):
    old = _state.get("server")
    if old is not None:
        old.socket.close()  # the parent's listening socket: not ours to serve
    _start_server(run_dir, token)


def start_from_env():
    run_dir = os.environ.get("LEAK_LENS_PROBE_RUN_DIR")
    if not run_dir or not os.path.isdir(run_dir) or "server" in _state:
        return
    token = os.environ.get("LEAK_LENS_PROBE_RUN_TOKEN") or None
    probe = start_probe(ProbeConfig.from_env(trace_delay=TRACE_DELAY_SECONDS))
    _start_server(run_dir, token)
    probe.on_tick(_autopatch.check)
    probe.on_fork(lambda: _after_fork(run_dir, token))
    atexit.register(_unregister)
