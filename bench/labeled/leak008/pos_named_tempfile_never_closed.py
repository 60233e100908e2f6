# Leaks: the NamedTemporaryFile (delete=False) is written and its name handed on, but the handle itself is never closed.
import subprocess
import tempfile

from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/convert/docx-to-pdf")
async def docx_to_pdf(file: UploadFile) -> dict:
    tmp = tempfile.NamedTemporaryFile(suffix=".docx", delete=False)  # expect: LEAK008
    tmp.write(await file.read())
    tmp.flush()
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", "/srv/converted", tmp.name],
        check=True,
        timeout=120,
    )
    return {"source": file.filename, "pdf": tmp.name.rsplit("/", 1)[-1].replace(".docx", ".pdf")}
