# Not a leak: the temporary directory and the file written inside it are both managed by `with` blocks.
import os
import subprocess
import tempfile

from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/lint/yaml")
async def lint_yaml(file: UploadFile) -> dict:
    content = await file.read()
    with tempfile.TemporaryDirectory(prefix="lint-") as workdir:
        path = os.path.join(workdir, "input.yaml")
        with open(path, "wb") as fh:
            fh.write(content)
        proc = subprocess.run(["yamllint", "-f", "parsable", path], capture_output=True, text=True, timeout=30)
    return {"ok": proc.returncode == 0, "problems": proc.stdout.splitlines()}
