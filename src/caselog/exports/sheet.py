"""A sheet: what every read and export of caselog is written as, before it becomes a file.

Each column knows whether its values identify a person or are sensitive (always, or depending
on the row), so that masking and, later, role and area scopes are applied in one place
(:mod:`caselog.exports.disclosure`) whatever the output format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs

from caselog.privacy import Privacy
from caselog.times import format_recorded

__all__ = ["Column", "Sheet", "plain"]

RowPrivacy = Callable[[Mapping[str, Any]], Privacy | None]


@attrs.frozen
class Column:
    """A column of a sheet. ``privacy`` is how its values are protected: a fixed level, a
    function of the row (the before and after values of an audit trail depend on the field
    that changed), or None for values that identify nobody."""

    name: str
    privacy: Privacy | RowPrivacy | None = None

    def privacy_in(self, row: Mapping[str, Any]) -> Privacy | None:
        """How this column's value is protected in ``row``."""
        if self.privacy is None or isinstance(self.privacy, Privacy):
            return self.privacy
        return self.privacy(row)


@attrs.frozen
class Sheet:
    """A titled table of plain values (strings, numbers, booleans, None); ``name`` is short,
    for a worksheet's tab."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    name: str = "sheet"

    @property
    def names(self) -> tuple[str, ...]:
        """The column names."""
        return tuple(column.name for column in self.columns)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries by column name."""
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def plain(value: Any) -> Any:
    """A value as it is written out: dates and instants in ISO 8601 (instants in UTC), enums
    by value, collections joined with commas, everything else as it is."""
    if isinstance(value, datetime):
        return format_recorded(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset | set):
        items = [str(plain(item)) for item in value]
        return ",".join(sorted(items) if isinstance(value, frozenset | set) else items)
    return value
