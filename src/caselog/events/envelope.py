"""The event as readers see it, and an event as writers hand it over."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import attrs

from caselog.store import ANY, Expected

__all__ = ["Event", "Metadata", "Pending", "StreamWrite"]

P = TypeVar("P")


@attrs.frozen
class Event(Generic[P]):
    """A stored event with its payload decoded into its registered class.

    ``schema`` is the schema the payload was stored with; ``data`` has been lifted to the current
    one. ``effective`` is when the fact holds in the world, ``recorded`` when the store committed
    it.
    """

    position: int
    stream: str
    version: int
    event_id: str
    type: str
    schema: int
    effective: date | datetime
    recorded: datetime
    actor: str | None
    role: str | None
    area: str | None
    causation: str | None
    correlation: str | None
    device: str | None
    data: P
    hash: str
    chain: str


@attrs.frozen
class Pending:
    """A payload to append, with what is particular to this one event.

    Plain payloads can be appended as they are; wrap one in ``Pending`` to choose its event id (for
    idempotent retries and offline capture), its effective time, or what caused it.
    """

    data: Any
    event_id: str | None = None
    effective: date | datetime | None = None
    causation: str | None = None


@attrs.frozen
class Metadata:
    """Who records a batch of events, acting as what and for which area, and from where."""

    actor: str | None = None
    role: str | None = None
    area: str | None = None
    causation: str | None = None
    correlation: str | None = None
    device: str | None = None


@attrs.frozen
class StreamWrite:
    """Payloads (or :class:`Pending` events) to append to one stream at an expected version."""

    stream: str
    events: Iterable[Any]
    expected: Expected = ANY
