# Not a leak: children refer to their parent through weakref.ref, so the per-request tree has no strong cycle.
import weakref

from flask import Flask, jsonify

from .models import Folder  # type: ignore

app = Flask(__name__)


class FolderNode:
    def __init__(self, name: str) -> None:
        self.name = name
        self._parent = None
        self.children: list["FolderNode"] = []

    def add_child(self, child: "FolderNode") -> None:
        child._parent = weakref.ref(self)
        self.children.append(child)

    def breadcrumb(self) -> list[str]:
        parent = self._parent() if self._parent else None
        return (parent.breadcrumb() if parent else []) + [self.name]


@app.route("/folders/<int:folder_id>/tree")
def folder_tree(folder_id: int):
    root = FolderNode(Folder.query.get_or_404(folder_id).name)
    for sub in Folder.query.filter_by(parent_id=folder_id):
        root.add_child(FolderNode(sub.name))
    return jsonify([child.breadcrumb() for child in root.children])
