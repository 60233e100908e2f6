# Not a leak: the module-level list is appended to only by the loop that runs once when the module is imported.
import os

from flask import Flask, request

app = Flask(__name__)

ALLOWED_ORIGINS: list[str] = []
for origin in os.environ.get("CORS_ORIGINS", "http://localhost:3000").split(","):
    origin = origin.strip().rstrip("/")
    if origin:
        ALLOWED_ORIGINS.append(origin)


@app.after_request
def add_cors_headers(response):
    origin = request.headers.get("Origin")
    if origin in ALLOWED_ORIGINS:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
