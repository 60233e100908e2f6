# Not a leak: the module-level cache is keyed by a Region enum, so it can never hold more than len(Region) entries.
import enum

import boto3
from fastapi import FastAPI

app = FastAPI()


class Region(str, enum.Enum):
    EU = "eu-west-1"
    US = "us-east-1"
    AP = "ap-southeast-2"


_bucket_names: dict[Region, list[str]] = {}


def buckets_for(region: Region) -> list[str]:
    if region not in _bucket_names:
        s3 = boto3.client("s3", region_name=region.value)
        _bucket_names[region] = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    return _bucket_names[region]


@app.get("/regions/{region}/buckets")
def list_buckets(region: Region) -> dict:
    return {"region": region.value, "buckets": buckets_for(region)}
