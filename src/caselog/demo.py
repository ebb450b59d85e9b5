"""A small, deterministic story written through the public API, for ``caselog demo``.

The payload classes here belong to the demo's own registry, under ``demo.`` type names, so they
never mix with an application's event catalogue. Event ids derive from the story, so running the
demo again on the same store is an idempotent retry that writes nothing.
"""

from __future__ import annotations

import uuid
from datetime import date

import attrs

from caselog.events.envelope import Metadata, Pending, StreamWrite
from caselog.events.registry import EventRegistry
from caselog.log import Caselog
from caselog.store import ANY

__all__ = ["REGISTRY", "ChildRegistered", "HouseholdRegistered", "VisitCompleted", "write_story"]

REGISTRY = EventRegistry()
_NAMESPACE = uuid.UUID("7d4c61d4-3f8a-4f37-9a1e-0c6f5b2d9e10")


@REGISTRY.register("demo.household_registered")
@attrs.frozen
class HouseholdRegistered:
    village: str
    address: str


@REGISTRY.register("demo.child_registered")
@attrs.frozen
class ChildRegistered:
    household: str
    name: str
    sex: str
    birth_date: date


@REGISTRY.register("demo.visit_completed")
@attrs.frozen
class VisitCompleted:
    child: str
    notes: str


_VILLAGE = "510101001001"
_WORKER = Metadata(actor="worker-li", role="village_worker", area=_VILLAGE, device="tablet-07")
_CHILDREN = [
    ("c-001", "王小明", "M", date(2013, 5, 2)),
    ("c-002", "王小红", "F", date(2016, 9, 14)),
    ("c-003", "王小军", "M", date(2021, 1, 30)),
]
_VISITS = [
    (date(2024, 4, 10), "c-001", "Both parents away for work; grandmother cares for the children."),
    (date(2024, 7, 8), "c-002", "School holidays; attends the children's home."),
    (date(2024, 10, 9), "c-003", "Vaccinations up to date."),
]


def _pending(story_id: str, payload: object, effective: date) -> Pending:
    event_id = str(uuid.uuid5(_NAMESPACE, story_id))
    return Pending(payload, event_id=event_id, effective=effective)


def write_story(log: Caselog) -> int:
    """Append the demo's household, children and visits; return how many events are new."""
    before = log.store.last_event()
    census = date(2024, 3, 3)
    children = [
        StreamWrite(
            f"child:{child}",
            [_pending(child, ChildRegistered("h-001", name, sex, birth), census)],
        )
        for child, name, sex, birth in _CHILDREN
    ]
    household = HouseholdRegistered(_VILLAGE, "Group 3, Qingshui village")
    log.append_streams(
        [StreamWrite("household:h-001", [_pending("h-001", household, census)]), *children],
        meta=_WORKER,
    )
    for when, child, notes in _VISITS:
        visit = _pending(f"{child}/{when}", VisitCompleted(child, notes), when)
        log.append(f"child:{child}", [visit], expected=ANY, meta=_WORKER)
    after = log.store.last_event()
    return (after.position if after else 0) - (before.position if before else 0)
