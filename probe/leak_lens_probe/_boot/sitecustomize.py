# Put on PYTHONPATH by `leak-lens run`: starts the Leak Lens probe in every Python process of the
# command, then runs the sitecustomize this one shadows (a virtualenv's, the distribution's), if any.
# Kept to syntax every Python 3 parses: an old interpreter in the process tree skips the probe.
import os
import sys


def _leak_lens_start():
    if sys.version_info < (3, 8):
        return
    try:
        from leak_lens_probe import _runmode

        _runmode.start_from_env()
    except Exception as error:  # never stop the user's program
        sys.stderr.write("leak-lens probe: not started: %s\n" % (error,))


def _leak_lens_chain():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        from importlib.machinery import PathFinder
        from importlib.util import module_from_spec

        path = [p for p in sys.path if os.path.abspath(p or ".") != here]
        spec = PathFinder.find_spec("sitecustomize", path)
        if spec is None or spec.loader is None:
            return
        module = module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)
    except Exception as error:
        sys.stderr.write("leak-lens probe: the shadowed sitecustomize failed: %s\n" % (error,))


_leak_lens_start()
_leak_lens_chain()
