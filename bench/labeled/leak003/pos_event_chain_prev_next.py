# Leaks: every call builds a doubly linked list of audit events; each `prev` link points back at a node that links forward to it.
from dataclasses import dataclass, field
from typing import Optional


@dataclass(eq=False)
class AuditEvent:
    action: str
    actor: str
    prev: Optional["AuditEvent"] = field(default=None, repr=False)
    next: Optional["AuditEvent"] = field(default=None, repr=False)


def build_timeline(raw_events: list[dict]) -> list[str]:
    head = tail = None
    for raw in raw_events:
        node = AuditEvent(raw["action"], raw["actor"])
        if tail is None:
            head = node
        else:
            tail.next = node
            node.prev = tail  # expect: LEAK003
        tail = node
    lines = []
    while head is not None:
        lines.append(f"{head.actor}: {head.action}")
        head = head.next
    return lines
