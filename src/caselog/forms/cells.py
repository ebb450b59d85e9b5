"""Reading one cell as its column's type; a cell that cannot be read raises :class:`CellError`.

CSV cells arrive as text; XLSX cells as text, numbers, booleans or dates. Both come out the same:
``str``, ``date``, a code list member, ``bool`` or ``int``, or None for a blank cell.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from caselog.domain.codes import DisabilityType, Sex
from caselog.forms.columns import NONE, Column, Kind

__all__ = ["CellError", "parse_cell", "show"]

_YES = frozenset({"yes", "y", "true", "1", "是"})
_NO = frozenset({"no", "n", "false", "0", "否"})
_CODE_ALIASES: dict[type[enum.StrEnum], dict[str, str]] = {
    Sex: {"m": "male", "f": "female", "男": "male", "女": "female"},
}


class CellError(Exception):
    """A cell's value does not fit its column; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def show(value: object) -> str:
    """A cell's value as an error message quotes it."""
    if isinstance(value, datetime | date):
        return repr(value.isoformat())
    return repr(value if isinstance(value, str) else str(value))


def parse_cell(column: Column, value: object) -> Any:
    """Return the cell ``value`` as ``column`` holds it, None for a blank cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return column.default if column.kind is Kind.YES_NO else None
    return _PARSERS[column.kind](column, value)


def _text(column: Column, value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number cell: keep "1234", not "1234.0"
    return str(value).strip()


def _date(column: Column, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{show(value)} is not a date") from None


def _code(column: Column, value: object) -> Any:
    codes = column.codes
    if codes is None:
        raise CellError(f"the column {column.name} has no code list")
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    text = _CODE_ALIASES.get(codes, {}).get(text, text)
    if text == NONE and codes is DisabilityType:
        return NONE
    try:
        return codes(text)
    except ValueError:
        raise CellError(f"{show(value)} is not one of {column.values()}") from None


def _yes_no(column: Column, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(column, value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{show(value)} is not yes or no")


def _grade(column: Column, value: object) -> int:
    text = _text(column, value)
    if text not in {"1", "2", "3", "4"}:
        raise CellError(f"{show(value)} is not a grade from 1 to 4")
    return int(text)


_PARSERS = {
    Kind.TEXT: _text,
    Kind.DATE: _date,
    Kind.CODE: _code,
    Kind.YES_NO: _yes_no,
    Kind.GRADE: _grade,
}
