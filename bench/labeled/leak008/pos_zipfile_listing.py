# Leaks: the endpoint opens a ZipFile for each request to list its members and never closes it.
import os
import zipfile

from fastapi import FastAPI, HTTPException

app = FastAPI()
BUNDLE_DIR = "/srv/bundles"


@app.get("/bundles/{name}/contents")
def bundle_contents(name: str) -> dict:
    path = os.path.join(BUNDLE_DIR, os.path.basename(name) + ".zip")
    if not os.path.isfile(path):
        raise HTTPException(status_code=404)
    archive = zipfile.ZipFile(path)  # expect: LEAK008
    members = [{"name": i.filename, "size": i.file_size} for i in archive.infolist() if not i.is_dir()]
    return {"bundle": name, "files": members}
