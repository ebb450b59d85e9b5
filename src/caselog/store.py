"""The storage contract: what every backend offers, over plain records.

A store keeps streams of events and one global log over all of them. Backends never see payload
classes: they receive :class:`NewEvent` records whose payload is already canonical JSON text, and
return :class:`StoredEvent` records. Encoding, hashing rules and the append checks they share live
in the core (:mod:`caselog.batch`, :mod:`caselog.integrity`), so every backend behaves alike; the
conformance suite in :mod:`caselog.testing` checks that they do.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

import attrs

from caselog.errors import ValidationError
from caselog.times import format_effective, parse_effective

__all__ = [
    "ANY",
    "NO_STREAM",
    "EventStore",
    "Expected",
    "ExpectedVersion",
    "NewEvent",
    "StoredEvent",
    "StreamAppend",
    "check_page",
    "check_version_range",
]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,99}")
_LARGEST = 2**62  # positions, versions and schemas stay well inside SQLite's 64-bit integers
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STREAM = re.compile(r"[^\x00-\x1f\x7f\ud800-\udfff]{1,200}")


class ExpectedVersion(enum.Enum):
    """What a writer expects of a stream it appends to, besides an exact version number."""

    ANY = "any"
    """Append whatever the stream's version."""
    NO_STREAM = "no stream"
    """Append only if the stream has no events yet."""

    def __str__(self) -> str:
        return self.value


ANY = ExpectedVersion.ANY
NO_STREAM = ExpectedVersion.NO_STREAM

Expected = ExpectedVersion | int
"""``ANY``, ``NO_STREAM``, or the exact version (0 for an empty stream) the stream must be at."""


def _event_id(value: object) -> str:
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        raise ValidationError("event_id", f"{value!r} is not a UUID") from None
    text = str(parsed)
    if text != value:
        raise ValidationError("event_id", f"{value!r} is not in canonical form {text!r}")
    return text


def _effective(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return format_effective(value)
    if isinstance(value, str):
        try:
            canonical = format_effective(parse_effective(value))
        except ValueError:
            raise ValidationError("effective", f"{value!r} is not an ISO date or time") from None
        if canonical != value:
            raise ValidationError("effective", f"{value!r} is not in canonical form {canonical!r}")
        return value
    raise ValidationError("effective", f"expected a date, datetime or ISO text, not {value!r}")


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValidationError(
            attribute.name,
            f"{value!r} is not a name (a letter, then up to 99 letters, digits or _ . : -)",
        )


def _check_schema(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 1 <= value <= _LARGEST:
        raise ValidationError("schema", f"{value!r} is not a schema version (an integer >= 1)")


def _check_data(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError("data", "the payload must be JSON text")
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ValidationError("data", f"the payload is not valid Unicode: {exc.reason}") from None


def _check_optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (isinstance(value, str) and _STREAM.fullmatch(value)):
        raise ValidationError(
            attribute.name, f"{value!r} is not text of 1 to 200 printable characters"
        )


@attrs.frozen
class NewEvent:
    """An event as a writer hands it to a store: everything but what the store assigns.

    ``data`` is the payload as canonical JSON text. ``effective`` defaults to the time the store
    records the event.
    """

    event_id: str = attrs.field(converter=_event_id)
    type: str = attrs.field(validator=_check_name)
    schema: int = attrs.field(validator=_check_schema)
    data: str = attrs.field(validator=_check_data)
    effective: str | None = attrs.field(default=None, converter=_effective)
    actor: str | None = attrs.field(default=None, validator=_check_optional_text)
    role: str | None = attrs.field(default=None, validator=_check_optional_text)
    area: str | None = attrs.field(default=None, validator=_check_optional_text)
    causation: str | None = attrs.field(default=None, validator=_check_optional_text)
    correlation: str | None = attrs.field(default=None, validator=_check_optional_text)
    device: str | None = attrs.field(default=None, validator=_check_optional_text)


def _check_stream(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _STREAM.fullmatch(value):
        raise ValidationError(
            "stream", f"{value!r} is not a stream name (1 to 200 printable characters)"
        )


def _check_expected(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, ExpectedVersion):
        return
    if type(value) is not int or value < 0:
        raise ValidationError(
            "expected", f"{value!r} is not ANY, NO_STREAM or a version number (>= 0)"
        )


def _check_events(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    events: tuple[object, ...] = value  # type: ignore[assignment]
    if not events:
        raise ValidationError("events", "an append needs at least one event")
    for index, event in enumerate(events):
        if not isinstance(event, NewEvent):
            raise ValidationError(f"events[{index}]", f"expected a NewEvent, not {event!r}")


def _events(events: Iterable[NewEvent]) -> tuple[NewEvent, ...]:
    try:
        return tuple(events)
    except TypeError:
        raise ValidationError(
            "events", f"expected a sequence of NewEvent, not {events!r}"
        ) from None


@attrs.frozen
class StreamAppend:
    """Events to add to the end of one stream, if the stream is at the ``expected`` version."""

    stream: str = attrs.field(validator=_check_stream)
    events: tuple[NewEvent, ...] = attrs.field(converter=_events, validator=_check_events)
    expected: Expected = attrs.field(default=ANY, validator=_check_expected)


def _whole(field: str, value: object, smallest: int) -> int:
    if type(value) is not int or not smallest <= value <= _LARGEST:
        raise ValidationError(field, f"{value!r} is not a whole number from {smallest}")
    return value


def check_page(after: object, limit: object) -> tuple[int, int]:
    """Check the arguments of ``read_log``: whole numbers, ``limit >= 0``.

    ``after`` may be negative: verification reads from far below 1 to see rows forged there.
    """
    return _whole("after", after, -_LARGEST), _whole("limit", limit, 0)


def check_version_range(first: object, last: object) -> tuple[int, int]:
    """Check the arguments of ``read_stream``; ``last=None`` means the end of the stream."""
    return _whole("first", first, 0), _LARGEST if last is None else _whole("last", last, 0)


class StoredEvent(NamedTuple):
    """An event as a store keeps it, with everything the store assigned.

    ``hash`` chains the event to the previous event of its stream and ``chain`` to the previous
    event of the global log (:mod:`caselog.integrity`). Times are stored text
    (:mod:`caselog.times`). A named tuple, because stores build millions of these when replaying.
    """

    position: int
    stream: str
    version: int
    event_id: str
    type: str
    schema: int
    effective: str
    recorded: str
    actor: str | None
    role: str | None
    area: str | None
    causation: str | None
    correlation: str | None
    device: str | None
    data: str
    hash: str
    chain: str


@runtime_checkable
class EventStore(Protocol):
    """A backend that keeps caselog's events.

    Implementations: :class:`caselog.MemoryStore`, :class:`caselog.SQLiteStore`, and adapters
    registered in the entry-point group ``caselog.stores``. All pass
    :mod:`caselog.testing`'s conformance suite.
    """

    def append(self, appends: Sequence[StreamAppend]) -> list[StoredEvent]:
        """Append to one or several streams atomically and return the stored events in order.

        All or nothing: if any stream is not at its expected version, raise
        :class:`~caselog.ConcurrencyError` and write nothing. If every event id is stored
        already with the same content, write nothing and return the stored events (a retry); if
        only some are, or one comes back with other content, raise
        :class:`~caselog.DuplicateEventError`. Each event gets the next position in the global
        log and the next version in its stream; all get one ``recorded`` time from the store's
        clock, never earlier than any event already stored.
        """
        ...

    def read_stream(
        self, stream: str, *, first: int = 1, last: int | None = None
    ) -> list[StoredEvent]:
        """Return the stream's events with ``first <= version <= last``, in version order."""
        ...

    def read_log(self, *, after: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Return up to ``limit`` events of the global log with ``position > after``, in order.

        Positions are gap-free and in commit order: a reader that pages on from the last
        position it saw never skips an event.
        """
        ...

    def stream_version(self, stream: str) -> int:
        """Return the version of the stream's last event, or 0 if it has none."""
        ...

    def last_event(self) -> StoredEvent | None:
        """Return the event at the end of the global log, or None if the store is empty."""
        ...

    def close(self) -> None:
        """Release the store's resources; the store is unusable afterwards."""
        ...
