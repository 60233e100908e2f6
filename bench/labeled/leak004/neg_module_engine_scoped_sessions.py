# Not a leak: the engine is created once at import, and each request's Session is closed by its `with` block.
import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from .models import Article  # type: ignore

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=5)
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)

app = Flask(__name__)


@app.route("/articles/<slug>")
def article(slug: str):
    with SessionLocal() as session:
        row = session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()
        if row is None:
            return jsonify(error="not found"), 404
        return jsonify(title=row.title, body=row.body)
