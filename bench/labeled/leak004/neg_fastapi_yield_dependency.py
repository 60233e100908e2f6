# Not a leak: the yield dependency closes the per-request session in finally after the response has been produced.
import os
from typing import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///./app.db"))
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.get("/stats")
def stats(db: Session = Depends(get_db)) -> dict:
    users = db.execute(text("SELECT count(*) FROM users")).scalar_one()
    return {"users": users}
