"""The in-memory store: the storage contract's executable specification.

Everything lives in Python lists and dicts behind one lock. Use it in tests and when embedding
caselog in a process that keeps nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from caselog.batch import LogHead, Sealing, append_batch
from caselog.errors import ConcurrencyError, StoreError, ValidationError
from caselog.store import StoredEvent, StreamAppend, check_page, check_version_range
from caselog.tables import (
    ProjectionState,
    ProjectionWrite,
    Query,
    Table,
    TableChanges,
    committed,
    matches,
)
from caselog.times import Clock, format_recorded, system_clock

__all__ = ["MemoryStore", "check_row", "select_rows"]


class _Tables:
    """The store's data, as the append algorithm sees it."""

    def __init__(self) -> None:
        self.log: list[StoredEvent] = []
        self.streams: dict[str, list[StoredEvent]] = {}
        self.ids: dict[str, StoredEvent] = {}

    def stream_head(self, stream: str) -> tuple[int, str] | None:
        events = self.streams.get(stream)
        return (events[-1].version, events[-1].hash) if events else None

    def last_event(self) -> StoredEvent | None:
        return self.log[-1] if self.log else None

    def log_head(self) -> LogHead | None:
        last = self.last_event()
        return None if last is None else LogHead(last.position, last.chain, last.recorded)

    def find(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        return {event_id: self.ids[event_id] for event_id in event_ids if event_id in self.ids}

    def insert(self, sealing: Sealing) -> bool:
        records = sealing.all()
        if any(record.event_id in self.ids for record in records):
            return False
        for record in records:
            self.log.append(record)
            self.streams.setdefault(record.stream, []).append(record)
            self.ids[record.event_id] = record
        return True


class MemoryStore:
    """An :class:`~caselog.EventStore` in process memory; safe to share between threads."""

    def __init__(self, *, clock: Clock = system_clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tables = _Tables()
        self._projections: dict[str, ProjectionState] = {}
        self._schemas: dict[str, tuple[str, Table]] = {}  # table name: (projection, table)
        self._rows: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}

    def append(self, appends: Sequence[StreamAppend]) -> list[StoredEvent]:
        with self._lock:
            now = format_recorded(self._clock())
            return append_batch(appends, self._tables, now=now).events

    def read_stream(
        self, stream: str, *, first: int = 1, last: int | None = None
    ) -> list[StoredEvent]:
        first, last = check_version_range(first, last)
        with self._lock:
            events = self._tables.streams.get(stream, [])
            return events[max(first, 1) - 1 : min(last, len(events))]

    def read_log(self, *, after: int = 0, limit: int = 1000) -> list[StoredEvent]:
        after, limit = check_page(after, limit)
        with self._lock:
            start = max(after, 0)
            return self._tables.log[start : start + limit]

    def stream_version(self, stream: str) -> int:
        with self._lock:
            head = self._tables.stream_head(stream)
            return 0 if head is None else head[0]

    def last_event(self) -> StoredEvent | None:
        with self._lock:
            return self._tables.last_event()

    def projection_state(self, name: str) -> ProjectionState | None:
        with self._lock:
            return self._projections.get(name)

    def create_projection(self, name: str, *, version: str, tables: Sequence[Table]) -> None:
        with self._lock:
            state = self._projections.get(name)
            if state is not None and state.version != version:
                raise StoreError(f"projection {name} has version {state.version}, not {version}")
            for table in tables:
                owner = self._schemas.get(table.name)
                if owner is not None and owner[0] != name:
                    raise ValidationError("tables", f"{table.name} belongs to {owner[0]}")
            for table in tables:
                self._schemas[table.name] = (name, table)
                self._rows.setdefault(table.name, {})
            self._projections.setdefault(name, ProjectionState(name, version, 0))

    def write_projection(
        self, name: str, *, expected: int, position: int, changes: Sequence[TableChanges]
    ) -> None:
        self._write([ProjectionWrite(name, expected, position, tuple(changes))], strict=True)

    def write_projections(self, writes: Sequence[ProjectionWrite]) -> frozenset[str]:
        return self._write(writes, strict=False)

    def start_projection_writes(
        self, writes: Sequence[ProjectionWrite]
    ) -> tuple[frozenset[str], Callable[[], None]]:
        """As :meth:`write_projections`, which commits before it returns: nothing to wait for."""
        return self.write_projections(writes), committed

    def _write(self, writes: Sequence[ProjectionWrite], *, strict: bool) -> frozenset[str]:
        with self._lock:
            skipped: set[str] = set()
            staged: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
            states: dict[str, ProjectionState] = {}
            for write in writes:
                name = write.name
                state = self._projections.get(name)
                if state is None:
                    raise StoreError(f"projection {name} has no tables: create it first")
                if state.position != write.expected:
                    if strict:
                        raise ConcurrencyError(f"projection:{name}", write.expected, state.position)
                    skipped.add(name)
                    continue
                for change in write.changes:
                    rows = staged.get(change.table)
                    if rows is None:
                        rows = staged[change.table] = dict(self._table_rows(name, change.table))
                    else:
                        self._table_rows(name, change.table)  # still this projection's?
                    table = self._schemas[change.table][1]
                    for key in change.deletes:
                        rows.pop(tuple(key), None)
                    for row in change.upserts:
                        check_row(table, row)
                        rows[table.key_of(row)] = tuple(row)
                states[name] = ProjectionState(name, state.version, write.position)
            self._rows.update(staged)
            self._projections.update(states)
            return frozenset(skipped)

    def _table_rows(self, name: str, table: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        owner = self._schemas.get(table)
        if owner is None or owner[0] != name:
            raise ValidationError("table", f"{table!r} is not a table of projection {name}")
        return self._rows[table]

    def drop_projection(self, name: str, *, tables: Sequence[Table]) -> None:
        with self._lock:
            for table in tables:
                if self._schemas.get(table.name, (name,))[0] == name:
                    self._schemas.pop(table.name, None)
                    self._rows.pop(table.name, None)
            self._projections.pop(name, None)

    def query(self, query: Query) -> list[tuple[Any, ...]]:
        with self._lock:
            if query.table not in self._schemas:
                raise ValidationError("table", f"no table {query.table!r}")
            table = self._schemas[query.table][1]
            rows = list(self._rows[query.table].values())
        return select_rows(table, rows, query)

    def close(self) -> None:
        """Nothing to release; present for the contract."""

    def __repr__(self) -> str:
        return f"MemoryStore(events={len(self._tables.log)})"


_PYTHON_TYPES = {"text": str, "integer": int}


def check_row(table: Table, row: tuple[Any, ...]) -> None:
    """Refuse a row a strict SQL table would: wrong length, a null or a value of another type."""
    if len(row) != len(table.columns):
        raise ValidationError(
            "upserts", f"{table.name}: {len(row)} values, not {len(table.columns)}"
        )
    for column, value in zip(table.columns, row, strict=True):
        if value is None:
            if not column.is_nullable:
                raise ValidationError("upserts", f"{table.name}.{column.name} may not be null")
        elif type(value) is not _PYTHON_TYPES[column.type]:
            raise ValidationError(
                "upserts", f"{table.name}.{column.name}: {value!r} is not {column.type}"
            )


def select_rows(table: Table, rows: list[tuple[Any, ...]], query: Query) -> list[tuple[Any, ...]]:
    """Answer a query over rows held in memory, as a SQL store would."""
    names = table.column_names
    wanted = [*query.columns, *query.group_by, *query.order_by, *(c.column for c in query.where)]
    if unknown := set(wanted) - set(names):
        raise ValidationError("query", f"{table.name} has no columns {sorted(unknown)}")
    where = [(names.index(c.column), c) for c in query.where]
    kept = [row for row in rows if all(matches(row[i], c) for i, c in where)]
    if query.group_by:
        groups: dict[tuple[Any, ...], int] = {}
        at = [names.index(name) for name in query.group_by]
        for row in kept:
            key = tuple(row[i] for i in at)
            groups[key] = groups.get(key, 0) + 1
        return sorted(((*key, count) for key, count in groups.items()), key=_sort_key)
    if query.order_by:
        order = [names.index(name) for name in query.order_by]
        kept.sort(key=lambda row: _sort_key(tuple(row[i] for i in order)))
    if query.columns:
        at = [names.index(name) for name in query.columns]
        return [tuple(row[i] for i in at) for row in kept]
    return kept


def _sort_key(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value) for value in values)  # nulls first, as SQLite
