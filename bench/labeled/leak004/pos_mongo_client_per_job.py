# Leaks: each RQ job constructs a MongoClient (with background monitor threads and a pool) and never calls close().
import os

from pymongo import MongoClient


def archive_events(tenant: str, before_iso: str) -> int:
    client = MongoClient(os.environ["MONGO_URL"], serverSelectionTimeoutMS=3000)  # expect: LEAK004
    events = client[tenant]["events"]
    archive = client[tenant]["events_archive"]
    batch = list(events.find({"ts": {"$lt": before_iso}}).limit(5000))
    if batch:
        archive.insert_many(batch)
        events.delete_many({"_id": {"$in": [doc["_id"] for doc in batch]}})
    return len(batch)
