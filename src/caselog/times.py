"""The two times every event carries, and the one text form each is stored in.

``recorded`` is always a UTC timestamp with microseconds, ``2026-03-10T08:15:00.000000+00:00``;
``effective`` is either a date, ``2026-03-03``, or a timestamp in the same form as ``recorded``.
Fixed widths make text order equal time order, so stores and SQL readers compare the stored text
directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from caselog.errors import ValidationError

__all__ = [
    "Clock",
    "format_effective",
    "format_recorded",
    "parse_effective",
    "parse_recorded",
    "system_clock",
]

Clock = Callable[[], datetime]
"""A function returning the current time as a timezone-aware datetime."""

_DATE_LENGTH = len("2026-03-03")


def system_clock() -> datetime:
    """The machine's clock, in UTC."""
    return datetime.now(UTC)


def format_recorded(moment: datetime, *, field: str = "recorded") -> str:
    """Return the stored text of a timezone-aware datetime, converted to UTC."""
    if not isinstance(moment, datetime):
        raise ValidationError(field, f"expected a datetime, not {moment!r}")
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValidationError(field, "a timestamp must be timezone-aware")
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def format_effective(value: date | datetime, *, field: str = "effective") -> str:
    """Return the stored text of an effective date or timestamp."""
    if isinstance(value, datetime):
        return format_recorded(value, field=field)
    if isinstance(value, date):
        return value.isoformat()
    raise ValidationError(field, f"expected a date or datetime, got {type(value).__name__}")


def parse_recorded(text: str) -> datetime:
    """Return the datetime of a stored timestamp."""
    return datetime.fromisoformat(text)


def parse_effective(text: str) -> date | datetime:
    """Return the date or datetime of a stored effective time."""
    if len(text) == _DATE_LENGTH:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)
