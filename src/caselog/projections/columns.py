"""Helpers the built-in projections share: column declarations and the areas above a place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from caselog.tables import Column

if TYPE_CHECKING:
    from caselog.domain.directory import Directory

__all__ = ["areas_above", "day_text", "integer", "text"]


def text(name: str, description: str, *, nullable: bool = True) -> Column:
    """A text column."""
    return Column(name, "text", is_nullable=nullable, description=description)


def integer(name: str, description: str, *, nullable: bool = True) -> Column:
    """An integer column."""
    return Column(name, "integer", is_nullable=nullable, description=description)


def areas_above(directory: Directory, code: str) -> Mapping[str, str]:
    """The area ``code`` and those above it, by level name (``village``, ``township``, ...)."""
    return directory.levels(code)


_DAYS: dict[date, str] = {}  # the text of days already written


def day_text(value: date | datetime | None) -> str | None:
    """The ISO text of a day (of a timestamp, its own date), kept for the rows that follow."""
    if value is None:
        return None
    if isinstance(value, datetime):  # not kept: equal instants in two zones have two dates
        return value.date().isoformat()
    found = _DAYS.get(value)
    if found is None:
        if len(_DAYS) >= 100_000:
            _DAYS.clear()
        found = _DAYS[value] = value.isoformat()
    return found
