# Not a leak: nodes store their parent's id (an int) and are indexed in a per-call dict, so no object points back to another.
from dataclasses import dataclass, field


@dataclass
class OrgUnit:
    id: int
    name: str
    parent_id: int | None
    child_ids: list[int] = field(default_factory=list)


def build_org_chart(rows: list[dict]) -> dict[int, OrgUnit]:
    units = {row["id"]: OrgUnit(row["id"], row["name"], row.get("parent_id")) for row in rows}
    for unit in units.values():
        if unit.parent_id in units:
            units[unit.parent_id].child_ids.append(unit.id)
    return units


def chain_of_command(rows: list[dict], unit_id: int) -> list[str]:
    units = build_org_chart(rows)
    names = []
    current = units.get(unit_id)
    while current is not None:
        names.append(current.name)
        current = units.get(current.parent_id) if current.parent_id is not None else None
    return names
