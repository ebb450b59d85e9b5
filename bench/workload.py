"""The benchmark's inputs, built before any timing: events, typed payloads, batches, raw rows.

Every side is fed from one plan: ``count`` events spread over ``count / 20`` streams, each stream
touched 5 events at a time, with seeded randomness so that every run appends the same records.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import attrs

from caselog import (
    EventRegistry,
    Metadata,
    NewEvent,
    Pending,
    StreamAppend,
    StreamWrite,
    canonical_json,
)

BATCH = 1000
PAGE = 1000
EVENTS_PER_STREAM = 20
EVENTS_PER_TOUCH = 5
RECORDED = "2026-03-10T08:15:00.000000+00:00"

Row = tuple[Any, ...]

TYPES = ("VisitRecorded", "ConcernRaised", "PlacementChanged", "NoteAdded", "MeetingHeld")
NOTES = (
    "Home visit: child settled, attending school, follow up on dental appointment.",
    "家访记录：孩子状态良好，学校出勤正常，需跟进营养和睡眠情况。",  # noqa: RUF001
    "Placement review with foster carers; contact arrangements agreed for the holidays.",
    "与学校老师沟通，孩子最近情绪波动较大，建议安排心理辅导。",  # noqa: RUF001
)


@attrs.frozen
class Visit:
    """The typed payload of the workload's events: the fields ``_payload`` writes."""

    child: str
    worker: str
    kind: str
    note: str
    date: str
    present: list[str]
    risk: int
    follow_up: bool
    school: str
    location: str
    next_review: str


PAYLOAD_CLASSES: dict[str, type[Visit]] = {
    name: attrs.make_class(name, {}, bases=(Visit,), frozen=True, slots=True) for name in TYPES
}


def payload_registry() -> EventRegistry:
    """A registry with one payload class per workload event type, all shaped like ``Visit``."""
    registry = EventRegistry()
    for name, cls in PAYLOAD_CLASSES.items():
        registry.add(cls, name)
    return registry


@dataclass(frozen=True)
class Planned:
    """One event of the workload: its stream, its version there, and the record to append."""

    stream: str
    stream_index: int
    version: int
    event: NewEvent


@dataclass
class Workload:
    """Pre-built inputs for every side, so that no timed region builds records.

    ``ordered`` is the batched events in log order (by batch, then by stream within a batch);
    ``peer_batches`` and the ``typed_*``/``app_events`` fields are filled only when the
    eventsourcing peer is measured.
    """

    planned: list[Planned]
    ordered: list[Planned] = field(default_factory=list)
    batches: list[list[StreamAppend]] = field(default_factory=list)
    singles: list[list[StreamAppend]] = field(default_factory=list)
    raw_batches: list[list[Row]] = field(default_factory=list)
    raw_singles: list[Row] = field(default_factory=list)
    peer_batches: list[list[Any]] = field(default_factory=list)
    app_events: int = 0
    typed_batches: list[tuple[list[StreamWrite], Metadata]] = field(default_factory=list)
    typed_streams: list[str] = field(default_factory=list)


def _uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _payload(rng: random.Random, index: int, stream_index: int) -> str:
    return canonical_json(
        {
            "child": f"C-{stream_index:07d}",
            "worker": f"W-{rng.randrange(500):04d}",
            "kind": rng.choice(("home", "school", "office", "phone")),
            "note": NOTES[index % len(NOTES)],
            "date": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "present": ["child", "carer"] if index % 2 else ["child"],
            "risk": rng.randrange(5),
            "follow_up": bool(index % 3),
            "school": ("Riverside Primary", "St Mary's High", "Hill Academy")[index % 3],
            "location": ("family home", "school", "contact centre", "foster home")[index % 4],
            "next_review": f"2026-{1 + (index + 3) % 12:02d}-{1 + (index + 7) % 28:02d}",
        }
    )


def _new_event(rng: random.Random, index: int, stream_index: int) -> NewEvent:
    return NewEvent(
        event_id=str(_uuid4(rng)),
        type=TYPES[index % len(TYPES)],
        schema=1,
        data=_payload(rng, index, stream_index),
        effective=f"2026-03-{1 + index % 28:02d}" if index % 4 == 0 else None,
        actor=f"worker-{stream_index % 500}",
        role="social-worker",
        area=("north", "south", "east", "west")[stream_index % 4],
        correlation=str(_uuid4(rng)),
        device="tablet-7" if index % 10 == 0 else None,
    )


def plan_events(count: int, seed: int = 20260310) -> list[Planned]:
    """Spread ``count`` events over ``count / 20`` streams, touched 5 events at a time."""
    rng = random.Random(seed)
    streams = max(1, count // EVENTS_PER_STREAM)
    versions = [0] * streams
    planned: list[Planned] = []
    for index in range(count):
        stream_index = (index // EVENTS_PER_TOUCH) % streams
        versions[stream_index] += 1
        event = _new_event(rng, index, stream_index)
        stream = f"child-{stream_index:07d}"
        planned.append(Planned(stream, stream_index, versions[stream_index], event))
    return planned


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def group_by_stream(chunk: list[Planned]) -> list[list[Planned]]:
    """The chunk's events by stream, streams in order of first appearance."""
    by_stream: dict[str, list[Planned]] = {}
    for item in chunk:
        by_stream.setdefault(item.stream, []).append(item)
    return list(by_stream.values())


def stream_append(items: list[Planned]) -> StreamAppend:
    """Append the items to their stream, expecting the stream's exact version."""
    events = [item.event for item in items]
    return StreamAppend(items[0].stream, events, expected=items[0].version - 1)


def raw_row(position: int, item: Planned) -> Row:
    """The row caselog would store for the event, with placeholder hashes of the same length."""
    event = item.event
    return (
        position,
        item.stream,
        item.version,
        event.event_id,
        event.type,
        event.schema,
        event.effective or RECORDED,
        RECORDED,
        event.actor,
        event.role,
        event.area,
        event.causation,
        event.correlation,
        event.device,
        event.data,
        f"{position:064x}",
        f"{position * 7919:064x}",
    )


def build_workload(events: int, single: int) -> Workload:
    """The inputs of the caselog and raw sqlite3 cases: ``events`` batched, ``single`` singly."""
    planned = plan_events(max(events, single))
    batched, singles = planned[:events], planned[:single]
    groups = [group_by_stream(chunk) for chunk in chunks(batched, BATCH)]
    work = Workload(planned)
    work.ordered = [item for batch in groups for items in batch for item in items]
    work.batches = [[stream_append(items) for items in batch] for batch in groups]
    work.singles = [[stream_append([item])] for item in singles]
    rows = [raw_row(position, item) for position, item in enumerate(work.ordered, start=1)]
    work.raw_batches = list(chunks(rows, BATCH))
    work.raw_singles = [raw_row(position, item) for position, item in enumerate(singles, 1)]
    return work


# --- typed payloads, for the comparison at eventsourcing's application level ----------------


def typed_pending(event: NewEvent) -> Pending:
    """The event as ``Caselog.append_streams`` takes it: a typed payload, its id and effective."""
    payload = PAYLOAD_CLASSES[event.type](**json.loads(event.data))
    effective = datetime.date.fromisoformat(event.effective) if event.effective else None
    return Pending(payload, event_id=event.event_id, effective=effective)


def typed_batch(groups: list[list[Planned]]) -> tuple[list[StreamWrite], Metadata]:
    """One ``append_streams`` call: a write per stream, with the first event's metadata."""
    first = groups[0][0].event
    meta = Metadata(
        actor=first.actor, role=first.role, area=first.area, correlation=first.correlation
    )
    writes = [
        StreamWrite(items[0].stream, [typed_pending(i.event) for i in items], items[0].version - 1)
        for items in groups
    ]
    return writes, meta


def add_typed(work: Workload, events: int) -> None:
    """The application-level workload: ``events`` events, 20 per stream, typed."""
    planned = work.planned[:events] if len(work.planned) == events else plan_events(events)
    groups = [group_by_stream(chunk) for chunk in chunks(planned, BATCH)]
    work.app_events = events
    work.typed_batches = [typed_batch(batch) for batch in groups]
    work.typed_streams = list(dict.fromkeys(item.stream for item in planned))
