"""A child's audit trail: every event that touched the file, who recorded it and when, why, and
what it changed.

The trail reads the child's streams (its own, its households', its benefits) and the sessions of
the children's homes it attended, in log order. What an event changed is the difference between
the file folded from the events before it and the file folded with it (both without the
calendar), field by field; a correction or void names the event it fixes, and each fixed event
names its fixes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import ChildFile, fold, select
from caselog.domain.homes import HomeSessionHeld
from caselog.events.envelope import Event

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["REASONS", "AuditEntry", "Change", "audit_trail"]

_FIELDS = tuple(
    name
    for name in attrs.fields_dict(ChildFile)
    if name not in ("basis", "version", "next_visit", "child_id")
)
REASONS = ("reason", "note", "exception", "cause", "justification")
"""The payload fields an audit entry takes its reason from, the first that holds text."""


@attrs.frozen
class Change:
    """One field of the file, before and after an event."""

    field: str
    before: Any
    after: Any


@attrs.frozen
class AuditEntry:
    """One event of a child's trail."""

    position: int
    event_id: str
    stream: str
    type: str
    actor: str | None
    role: str | None
    area: str | None
    effective: date | datetime
    recorded: datetime
    reason: str | None
    changes: tuple[Change, ...]
    fixes: str | None  # the event this one voids or corrects
    fixed_by: tuple[str, ...]  # the events that void or correct this one
    rule_version: str | None = None


def _reason(data: Any) -> str | None:
    for name in REASONS:
        value = getattr(data, name, None)
        if isinstance(value, str):
            return value
    return None


def _changes(before: ChildFile | None, after: ChildFile | None) -> tuple[Change, ...]:
    if before is None and after is None:
        return ()
    changes = []
    for name in _FIELDS:
        old = None if before is None else getattr(before, name)
        new = None if after is None else getattr(after, name)
        if old != new:
            changes.append(Change(name, old, new))
    return tuple(changes)


def _attended(log: Caselog, child_id: str, villages: Iterable[str]) -> list[Event[Any]]:
    sessions = []
    for village in sorted(set(villages)):
        for event in log.read_stream(f"home:{village}"):
            if isinstance(event.data, HomeSessionHeld) and child_id in event.data.attendees:
                sessions.append(event)
    return sessions


def audit_trail(log: Caselog, child_id: str) -> list[AuditEntry]:
    """Every event that touched the child's file, in log order, with what it changed."""
    events = sorted(log._child_events(child_id), key=lambda e: e.position)
    villages = {getattr(e.data, "village", None) for e in events} - {None}
    events = sorted([*events, *_attended(log, child_id, villages)],  # type: ignore[arg-type]
                    key=lambda e: e.position)  # fmt: skip
    fixed_by: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event.data, EventVoided | EventCorrected):
            fixed_by.setdefault(event.data.target, []).append(event.event_id)
    trail = []
    before: ChildFile | None = None
    seen: list[Event[Any]] = []
    for event in events:
        seen.append(event)
        after = fold(select(seen))
        data = event.data
        fixes = data.target if isinstance(data, EventVoided | EventCorrected) else None
        trail.append(AuditEntry(
            event.position, event.event_id, event.stream, event.type, event.actor, event.role,
            event.area, event.effective, event.recorded, _reason(data), _changes(before, after),
            fixes, tuple(fixed_by.get(event.event_id, ())),
            getattr(data, "rule_version", None),
        ))  # fmt: skip
        before = after
    return trail
