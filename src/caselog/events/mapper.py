"""Turning payload objects into store records and stored records back into events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from json.scanner import make_scanner
from typing import Any

from caselog.errors import PayloadError, ValidationError
from caselog.events.codec import canonical_json, structure, unstructure
from caselog.events.envelope import Event, Metadata, Pending
from caselog.events.readers import reader
from caselog.events.registry import EventRegistry
from caselog.store import NewEvent, StoredEvent
from caselog.times import parse_effective, parse_recorded

__all__ = ["EventMapper", "random_id"]

_scan: Callable[[str, int], tuple[Any, int]] = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # (typeshed: a decoder)
"""The decoder's scanner: ``json.loads`` without its wrappers (a third of its time)."""

_TIMES_KEPT = 4096


def _loads(text: str) -> Any:
    """Decode stored JSON text, raising ``ValueError`` as ``json.loads`` does."""
    try:
        data, end = _scan(text, 0)
    except (StopIteration, ValueError, TypeError):  # (bytes, say)
        return json.loads(text)  # says what is wrong, or takes what the scanner would not
    if end != len(text):
        return json.loads(text)
    return data


def random_id() -> str:
    """A new random event id (a version-4 UUID): how caselog names events unless given ids."""
    return str(uuid.uuid4())


class EventMapper:
    """Encodes payloads for a store and decodes what it returns, with one registry."""

    def __init__(self, registry: EventRegistry, *, ids: Callable[[], str] = random_id) -> None:
        self.registry = registry
        self.ids = ids
        self._readers: dict[str, Callable[..., Any]] = {}  # by type name
        self._times: dict[str, Any] = {}  # stored times parsed, shared by the events they date

    def new_event(
        self,
        item: Any,
        *,
        effective: date | datetime | None = None,
        meta: Metadata = Metadata(),  # noqa: B008  (frozen, so sharing the default is safe)
    ) -> NewEvent:
        """Return the store record of a payload, or of a :class:`Pending` wrapping one."""
        pending = item if isinstance(item, Pending) else Pending(item)
        entry = self.registry.of_class(type(pending.data))
        text = canonical_json(unstructure(pending.data, entry.name))
        self._read_back(text, entry.cls, entry.name)
        return NewEvent(
            event_id=pending.event_id or self.ids(),
            type=entry.name,
            schema=entry.schema,
            data=text,
            effective=pending.effective or effective,
            actor=meta.actor,
            role=meta.role,
            area=meta.area,
            causation=pending.causation or meta.causation,
            correlation=meta.correlation,
            device=meta.device,
        )

    def normalize(self, payload: Any) -> Any:
        """Return the payload as it will read back from the store (codes as enumerations, for
        instance), or refuse it naming the field if it would not read back at all."""
        entry = self.registry.of_class(type(payload))
        text = canonical_json(unstructure(payload, entry.name))
        return self._read_back(text, entry.cls, entry.name)

    @staticmethod
    def _read_back(text: str, cls: type, name: str) -> Any:
        """Decode freshly encoded text: what cannot be read back must never be stored."""
        try:
            return structure(json.loads(text), cls, name)
        except PayloadError as exc:
            raise ValidationError(name, f"the payload would not read back: {exc.reason}") from exc

    def payload(self, stored: StoredEvent) -> Any:
        """Return the payload object of a stored record, lifted to the current schema."""
        entry = self.registry.of_name(stored.type, event_id=stored.event_id)
        try:
            data = _loads(stored.data)
        except ValueError as exc:
            reason = f"stored payload is not JSON: {exc}"
            raise PayloadError(stored.type, reason, event_id=stored.event_id) from exc
        if stored.schema != entry.schema:
            data = self.registry.lift(stored.type, stored.schema, data, event_id=stored.event_id)
        read = self._readers.get(entry.name)
        if read is None:
            read = self._readers[entry.name] = reader(entry.cls, entry.name)
        return read(data, stored.event_id)

    def event(self, stored: StoredEvent, payload: Any = None) -> Event[Any]:
        """Return the event of a stored record, decoding its payload unless it is given."""
        if payload is None:
            payload = self.payload(stored)
        (position, stream, version, event_id, kind, schema, effective_text, recorded_text, actor,
         role, area, causation, correlation, device, _, hash_, chain) = stored  # fmt: skip
        times = self._times
        effective = times.get(effective_text)
        if effective is None:
            effective = self._time(effective_text, parse_effective)
        recorded = times.get(recorded_text)
        if recorded is None:
            recorded = self._time(recorded_text, parse_recorded)
        return Event(  # positional, in the order of the fields: the rebuild's hottest call
            position, stream, version, event_id, kind, schema, effective, recorded, actor, role,
            area, causation, correlation, device, payload, hash_, chain,
        )  # fmt: skip

    def _time(self, text: str, parse: Callable[[str], Any]) -> Any:
        """Parse a stored time, and keep it for the events of the same time (those of one
        append, of one day) that follow."""
        times = self._times
        if len(times) >= _TIMES_KEPT:
            times.clear()
        value = times[text] = parse(text)
        return value
