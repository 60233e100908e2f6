# Leaks: atexit.register is called once per processed job, so the interpreter's exit list (and each job's objects) grows forever.
import atexit
import shutil
import tempfile

from rq import get_current_job


def render_video(project_id: int, frames_url: str) -> str:
    workdir = tempfile.mkdtemp(prefix=f"render-{project_id}-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # expect: LEAK005
    job = get_current_job()
    from .render import download_frames, encode  # type: ignore

    download_frames(frames_url, workdir)
    output = encode(workdir, fps=30)
    if job is not None:
        job.meta["output"] = output
        job.save_meta()
    return output
