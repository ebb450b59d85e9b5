"""What the rows of an import share: the import's context, a row's plan of commands, and the
translation of a command's refusal into the column it concerns."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from caselog.domain.file import ChildFile
from caselog.errors import ValidationError

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["Context", "Plan", "RowProblem", "Step", "columns_of", "find_file"]

Effective = date | datetime


class RowProblem(Exception):
    """A row cannot be imported: the column concerned (None: the whole row) and why."""

    def __init__(self, column: str | None, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}")


@attrs.frozen
class Step:
    """One command of a row, ready to issue (``run`` returns the events it recorded), and the
    column each of its fields comes from."""

    run: Callable[[], Sequence[object]]
    fields: Mapping[str, str | None]


@attrs.frozen
class Plan:
    """A row's commands, checked, in order. None: the log holds the row's every fact already."""

    steps: tuple[Step, ...]


@attrs.define
class Context:
    """One import: the log, the acting worker, the default effective date, and what earlier rows
    of the file claimed (ID numbers, households' means), by row number."""

    log: Caselog
    actor: str
    effective: Effective | None
    id_numbers: dict[str, tuple[int, str]] = attrs.Factory(dict)
    household_means: dict[str, tuple[int, object]] = attrs.Factory(dict)

    def effective_of(self, values: Mapping[str, Any]) -> Effective:
        """The row's census date, or the import's effective date."""
        effective: Effective | None = values.get("census_date") or self.effective
        if effective is None:
            raise RowProblem(
                "census_date", "no date: fill the cell or give the import an effective date"
            )
        return effective

    def claim_id_number(self, number: str, child_id: str, row: int) -> None:
        """Refuse an ID number that an earlier row of the file gave another child."""
        key = number.strip().upper()
        first = self.id_numbers.setdefault(key, (row, child_id))
        if first[1] != child_id:
            raise RowProblem("id_number", f"the ID number is in row {first[0]} already")


@contextmanager
def columns_of(fields: Mapping[str, str | None]) -> Iterator[None]:
    """Turn a :class:`ValidationError` on a command or payload field into the column's problem."""
    try:
        yield
    except ValidationError as exc:
        raise RowProblem(fields.get(exc.field, exc.field), exc.reason) from exc


def find_file(log: Caselog, child_id: str, *, as_of: Effective | None = None) -> ChildFile | None:
    """The child's file, or None when no child has that id (or had by ``as_of``)."""
    try:
        return log.child_file(child_id, as_of=as_of)
    except ValidationError as exc:
        if exc.field == "child_id":
            return None
        raise
