"""The projection engine: follow the log from a projection's position, in batches.

A :class:`Projection` declares its tables, the event types it reads, and turns a batch of events
into table changes. The engine reads the log after the projection's position a page at a time,
decodes the events the projection reads, and has the store apply the changes **and** move the
position in one transaction: a process killed at any point resumes where the last committed
batch ended, without a row lost or doubled. Catching up and rebuilding run the same code, so a
rebuild comes out identical to the tables kept up to date batch by batch.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from caselog.errors import ConcurrencyError, StoreError
from caselog.events.envelope import Event
from caselog.tables import ProjectionStore, Query, Table, TableChanges

if TYPE_CHECKING:
    from caselog.domain.directory import Directory
    from caselog.log import Caselog

__all__ = ["Batch", "Projection", "catch_up", "projection_store", "rebuild"]

Progress = Callable[[int], None]


class Batch:
    """What a projection sees of one batch: its events, the position the batch ends at, and
    the log to read more from (streams, folds) as it stood at that position."""

    def __init__(self, log: Caselog, events: list[Event[Any]], end: int) -> None:
        self.log = log
        self.events = events
        self.end = end

    @functools.cached_property
    def directory(self) -> Directory:
        """The areas and workers, read once per batch."""
        return self.log.directory()

    def read_stream(self, stream: str) -> list[Event[Any]]:
        """A stream's events up to the end of the batch."""
        return [e for e in self.log.read_stream(stream) if e.position <= self.end]

    def rows(self, query: Query) -> list[tuple[Any, ...]]:
        """Rows as committed before this batch."""
        return projection_store(self.log).query(query)


class Projection:
    """A derived view of the log, kept in tables.

    Subclasses set ``name``, ``version`` (change it when the rows a projection writes change;
    the engine then rebuilds it), ``tables`` and ``types`` (the event types it reads; None for
    all), and implement :meth:`apply`.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    types: ClassVar[frozenset[str] | None] = None

    def key(self, log: Caselog) -> str:
        """The version written with the tables; by default ``version``."""
        return self.version

    def apply(self, batch: Batch) -> list[TableChanges]:
        """Return the changes a batch of events makes to the tables."""
        raise NotImplementedError


def projection_store(log: Caselog) -> ProjectionStore:
    """The log's store, if it keeps projections."""
    store = log.store
    if not isinstance(store, ProjectionStore):
        raise StoreError(f"{store!r} does not keep projections")
    return store


def _ready(log: Caselog, projection: Projection) -> int:
    """Create the projection's tables if needed, rebuilding a stale version; return its
    position."""
    store = projection_store(log)
    version = projection.key(log)
    state = store.projection_state(projection.name)
    if state is not None and state.version != version:
        store.drop_projection(projection.name, tables=projection.tables)
        state = None
    if state is None:
        store.create_projection(projection.name, version=version, tables=projection.tables)
        return 0
    return state.position


def catch_up(
    log: Caselog,
    projection: Projection,
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Bring the projection's tables up to the end of the log; return its new position.

    Several processes may catch up the same projection at once: a batch another process
    committed first is skipped, not applied twice.
    """
    store = projection_store(log)
    position = _ready(log, projection)
    types = projection.types
    is_collecting = gc.isenabled()
    gc.disable()  # a batch makes many short-lived objects and no cycles
    try:
        while page := log.store.read_log(after=position, limit=page_size):
            wanted = page if types is None else [r for r in page if r.type in types]
            events = [log._mapper.event(record) for record in wanted]
            end = page[-1].position
            changes = projection.apply(Batch(log, events, end)) if events else []
            try:
                store.write_projection(
                    projection.name, expected=position, position=end, changes=changes
                )
            except ConcurrencyError:
                state = store.projection_state(projection.name)  # another process moved it
                if state is None:
                    raise
                position = state.position
                continue
            position = end
            if progress is not None:
                progress(position)
    finally:
        if is_collecting:
            gc.enable()
    return position


def rebuild(
    log: Caselog,
    projection: Projection,
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Drop the projection's tables and replay the whole log into them."""
    projection_store(log).drop_projection(projection.name, tables=projection.tables)
    return catch_up(log, projection, page_size=page_size, progress=progress)
