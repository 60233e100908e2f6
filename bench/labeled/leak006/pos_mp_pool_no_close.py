# Leaks: a multiprocessing.Pool is created per view call and never closed/terminated, so its processes outlive the request.
import multiprocessing

from flask import Flask, jsonify, request

app = Flask(__name__)


def _resize(spec: tuple[str, int]) -> str:
    from .imaging import resize_to_width  # type: ignore

    path, width = spec
    return resize_to_width(path, width)


@app.route("/images/variants", methods=["POST"])
def make_variants():
    path = request.get_json()["path"]
    pool = multiprocessing.Pool(processes=4)  # expect: LEAK006
    outputs = pool.map(_resize, [(path, w) for w in (320, 640, 1280, 1920)])
    return jsonify(variants=outputs)
