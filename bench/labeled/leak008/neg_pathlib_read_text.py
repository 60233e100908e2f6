# Not a leak: Path.read_text/write_bytes open and close the file internally.
from pathlib import Path

from fastapi import FastAPI, HTTPException

app = FastAPI()
TEMPLATES = Path("/srv/app/email-templates")
OUTBOX = Path("/srv/app/outbox")


@app.post("/emails/{template}/render")
def render_email(template: str, name: str) -> dict:
    src = TEMPLATES / f"{Path(template).name}.txt"
    if not src.is_file():
        raise HTTPException(status_code=404)
    body = src.read_text(encoding="utf-8").replace("{{name}}", name)
    target = OUTBOX / f"{template}-{name}.txt"
    target.write_bytes(body.encode("utf-8"))
    return {"path": str(target), "chars": len(body)}
