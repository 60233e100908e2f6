# Not a leak: lru_cache has a fixed maxsize, so least-recently-used entries are evicted once 512 postcodes are cached.
import functools

import requests
from flask import Flask, jsonify

app = Flask(__name__)
GEOCODER = "https://geo.internal/v1/postcode/"


@functools.lru_cache(maxsize=512)
def geocode(postcode: str) -> tuple[float, float]:
    data = requests.get(GEOCODER + postcode, timeout=5).json()
    return data["lat"], data["lon"]


@app.route("/stores/near/<postcode>")
def stores_near(postcode: str):
    lat, lon = geocode(postcode.replace(" ", "").upper())
    return jsonify(lat=lat, lon=lon)
