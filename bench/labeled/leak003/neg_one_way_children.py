# Not a leak: the thread holds its comments but comments keep only the thread id, so references go one way only.
from dataclasses import dataclass, field

from fastapi import FastAPI

app = FastAPI()


@dataclass
class Comment:
    id: int
    thread_id: int
    body: str


@dataclass
class Thread:
    id: int
    title: str
    comments: list[Comment] = field(default_factory=list)

    def add_comment(self, comment_id: int, body: str) -> Comment:
        comment = Comment(id=comment_id, thread_id=self.id, body=body)
        self.comments.append(comment)
        return comment


@app.get("/threads/{thread_id}")
def get_thread(thread_id: int) -> dict:
    thread = Thread(id=thread_id, title=f"Thread {thread_id}")
    for i, body in enumerate(("first", "second", "third")):
        thread.add_comment(i, body)
    return {"title": thread.title, "comments": [c.body for c in thread.comments]}
