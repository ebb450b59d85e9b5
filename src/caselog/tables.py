"""The projection side of the storage contract: tables, batch writes that move a position, queries.

A projection declares its :class:`Table`\\ s; a store creates them, applies a batch of
:class:`TableChanges` **and** moves the projection's position in one transaction (so a batch is
applied exactly once, whatever crashes), and answers :class:`Query`\\ s: filters, a column list or
counts by groups. The records are plain, so that adapters never see domain classes; a SQL store
keeps each table as a plain table that other tools can read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from caselog.errors import ValidationError

__all__ = [
    "OPERATORS",
    "Column",
    "Condition",
    "ProjectionState",
    "ProjectionStore",
    "ProjectionWrite",
    "Query",
    "Table",
    "TableChanges",
    "committed",
    "matches",
]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_RESERVED = ("caselog_", "sqlite_")

ColumnType = Literal["text", "integer"]

OPERATORS = frozenset(
    {"=", "!=", "<", "<=", ">", ">=", "in", "is_null", "not_null", "null_or_gt", "null_or_ge"}
)
"""Condition operators: comparisons; ``in`` a tuple; ``null_or_gt`` (the column is null or
greater than the value: an open-ended interval still running) and ``null_or_ge``."""


def _identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValidationError(
            attribute.name, f"{value!r} is not a name (lower case letters, digits, _)"
        )


def _table_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _identifier(instance, attribute, value)
    if str(value).startswith(_RESERVED):
        raise ValidationError(attribute.name, f"{value!r}: names starting {_RESERVED} are taken")


@attrs.frozen
class Column:
    """A column: a name, ``text`` or ``integer``, and whether it may be null."""

    name: str = attrs.field(validator=_identifier)
    type: ColumnType = attrs.field(validator=attrs.validators.in_(("text", "integer")))
    is_nullable: bool = True
    description: str = ""


def _check_table(instance: Table, attribute: attrs.Attribute[Any], value: object) -> None:
    names = [column.name for column in instance.columns]
    if len(set(names)) != len(names):
        raise ValidationError("columns", f"{instance.name}: a column name repeats")
    for columns in (instance.key, *instance.indexes):
        if not columns or set(columns) - set(names):
            raise ValidationError("key", f"{instance.name}: {columns} are not its columns")


@attrs.frozen
class Table:
    """A table a projection keeps: its columns, primary key and indexes."""

    name: str = attrs.field(validator=_table_name)
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = attrs.field(default=(), validator=_check_table)
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The key of a full row."""
        names = self.column_names
        return tuple(row[names.index(name)] for name in self.key)


@attrs.frozen
class TableChanges:
    """Rows to write into one table (full rows, in column order; an existing row with the same
    key is replaced) and keys of rows to delete. Deletes apply before writes."""

    table: str
    upserts: tuple[tuple[Any, ...], ...] = ()
    deletes: tuple[tuple[Any, ...], ...] = ()


def _changes(changes: Iterable[TableChanges]) -> tuple[TableChanges, ...]:
    return tuple(changes)


@attrs.frozen
class ProjectionWrite:
    """One projection's part of a batch: its changes, and its position moved from ``expected``
    to ``position`` (see :meth:`ProjectionStore.write_projections`)."""

    name: str
    expected: int
    position: int
    changes: tuple[TableChanges, ...] = attrs.field(default=(), converter=_changes)


@attrs.frozen
class Condition:
    """``column op value`` (see :data:`OPERATORS`)."""

    column: str = attrs.field(validator=_identifier)
    op: str = attrs.field(validator=attrs.validators.in_(OPERATORS))
    value: Any = None


@attrs.frozen
class Query:
    """Rows of ``table`` meeting every condition: their ``columns`` (all when empty) in
    ``order_by`` order, or with ``group_by`` the groups' values and a count of rows in each."""

    table: str = attrs.field(validator=_identifier)
    where: tuple[Condition, ...] = ()
    columns: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()


@attrs.frozen
class ProjectionState:
    """A projection's position: the last log position its tables include, and the version of
    the projection that wrote them."""

    name: str
    version: str
    position: int


def matches(value: Any, condition: Condition) -> bool:
    """Whether a value meets a condition: the reference semantics every store follows."""
    op, wanted = condition.op, condition.value
    if op == "is_null":
        return value is None
    if op == "not_null":
        return value is not None
    if op == "null_or_gt":
        return value is None or value > wanted
    if op == "null_or_ge":
        return value is None or value >= wanted
    if value is None:
        return False  # SQL: a comparison with null is not true
    if op == "in":
        return value in wanted
    comparisons = {
        "=": value == wanted,
        "!=": value != wanted,
        "<": value < wanted,
        "<=": value <= wanted,
        ">": value > wanted,
        ">=": value >= wanted,
    }
    return bool(comparisons[op])


@runtime_checkable
class ProjectionStore(Protocol):
    """What a store offers projections. ``caselog.testing.ProjectionConformance`` certifies it.

    A store may also offer ``write_projections(writes: Sequence[ProjectionWrite]) ->
    frozenset[str]``: several projections' writes, each as :meth:`write_projection` would, all
    in one transaction; a write whose projection is not at its ``expected`` position is skipped,
    nothing of it written, and its name returned; any other error writes nothing at all. A
    catch-up of several projections then commits once per page; without it, once per projection
    and page. The stores caselog ships offer it.
    """

    def projection_state(self, name: str) -> ProjectionState | None:
        """The projection's position, or None if it has no tables."""
        ...

    def create_projection(self, name: str, *, version: str, tables: Sequence[Table]) -> None:
        """Create the projection's tables, at position 0, unless they exist;
        a projection that exists with another version is refused (drop it first)."""
        ...

    def write_projection(
        self, name: str, *, expected: int, position: int, changes: Sequence[TableChanges]
    ) -> None:
        """Apply ``changes`` and move the position from ``expected`` to ``position``, in one
        transaction; raise ConcurrencyError, writing nothing, if the position is elsewhere."""
        ...

    def drop_projection(self, name: str, *, tables: Sequence[Table]) -> None:
        """Drop the projection's tables and its position."""
        ...

    def query(self, query: Query) -> list[tuple[Any, ...]]:
        """Answer a query over a projection's table."""
        ...


def committed() -> None:
    """The wait for a projection write already committed: what ``start_projection_writes``
    of a store that commits before returning gives to wait with."""
