# Leaks: each request builds a menu tree where children hold a strong `parent` link back, so every tree is a reference cycle.
from flask import Flask, jsonify

from .models import Category  # type: ignore

app = Flask(__name__)


class MenuNode:
    def __init__(self, title: str, slug: str) -> None:
        self.title = title
        self.slug = slug
        self.parent = None
        self.children: list["MenuNode"] = []

    def add_child(self, child: "MenuNode") -> None:
        child.parent = self  # expect: LEAK003
        self.children.append(child)

    def path(self) -> str:
        return f"{self.parent.path()}/{self.slug}" if self.parent else self.slug

    def to_dict(self) -> dict:
        return {"title": self.title, "href": self.path(), "children": [c.to_dict() for c in self.children]}


@app.route("/menu")
def menu():
    root = MenuNode("Shop", "shop")
    for cat in Category.query.order_by(Category.position):
        root.add_child(MenuNode(cat.name, cat.slug))
    return jsonify(root.to_dict())
