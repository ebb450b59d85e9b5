"""Months and working days: the calendar of benefits.

A month is written ``YYYY-MM`` (``"2025-04"``): that is how payments, entitlements and benefit
standards name it, and text in that form sorts in time order. Working days are Monday to Friday,
less the holidays a rule set lists.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from typing import Any

import attrs

from caselog.errors import ValidationError

__all__ = [
    "add_working_days",
    "check_month",
    "month_of",
    "month_start",
    "month_text",
    "months",
    "next_month",
    "working_days_between",
]

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def check_month(field: str, value: object) -> str:
    """Return ``value`` if it names a month as ``YYYY-MM``, or refuse the field."""
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValidationError(field, f"{value!r} is not a month written YYYY-MM")
    return value


def month_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: the value is a month written ``YYYY-MM``."""
    check_month(attribute.name, value)


def month_of(day: date) -> str:
    """Return the month ``day`` falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(value: str) -> date:
    """Return the first day of a month."""
    return date(int(value[:4]), int(value[5:]), 1)


def next_month(value: str, count: int = 1) -> str:
    """Return the month ``count`` months after ``value`` (before, when negative)."""
    index = int(value[:4]) * 12 + int(value[5:]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months(first: str, last: str) -> Iterator[str]:
    """Yield the months from ``first`` to ``last``, both included."""
    current = first
    while current <= last:
        yield current
        current = next_month(current)


def _is_working(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Return the working days after ``start`` up to and including ``end`` (0 if none)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += _is_working(day, holidays)
    return count


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """Return the day ``days`` working days after ``start``."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        left -= _is_working(day, holidays)
    return day
