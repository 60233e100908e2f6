# Leaks: a nested function that calls itself refers to itself through its closure cell, a cycle created on every call of the outer function.
from fastapi import FastAPI

app = FastAPI()


def flatten_permissions(tree: dict) -> set[str]:
    found: set[str] = set()

    def walk(node: dict, prefix: str) -> None:  # expect: LEAK003
        for name, child in node.items():
            full = f"{prefix}.{name}" if prefix else name
            if child is True:
                found.add(full)
            elif isinstance(child, dict):
                walk(child, full)

    walk(tree, "")
    return found


@app.post("/roles/preview")
def preview_role(tree: dict) -> dict:
    return {"permissions": sorted(flatten_permissions(tree))}
