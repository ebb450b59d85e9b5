"""caselog's side of the comparisons: its store (``SQLiteStore``) and typed API (``Caselog``)."""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager

import caselog
from caselog import Metadata, SQLiteStore, StoredEvent, StreamAppend, StreamWrite
from caselog.sqlite import Durability
from timing import append_then_read, count_pages
from workload import PAGE, Workload, payload_registry

TypedBatch = tuple[list[StreamWrite], Metadata]


def append(store: SQLiteStore, appends: list[list[StreamAppend]]) -> int:
    return sum(len(store.append(batch)) for batch in appends)


def read_log(store: SQLiteStore) -> int:
    """The whole log, in pages of ``PAGE``."""

    def page(after: int) -> list[StoredEvent]:
        return store.read_log(after=after, limit=PAGE)

    return count_pages(page, lambda event: event.position, start=0)


def measure(
    appends: list[list[StreamAppend]], durability: Durability, *, read: bool
) -> dict[str, float]:
    """``SQLiteStore.append`` of the batches, then, if ``read``, ``read_log`` of the store."""
    connect = functools.partial(SQLiteStore, durability=durability)
    reads = {"read": read_log} if read else {}
    return append_then_read("caselog.db", connect, lambda store: append(store, appends), reads)


def append_streams(log: caselog.Caselog, batches: list[TypedBatch]) -> int:
    return sum(len(log.append_streams(writes, meta=meta)) for writes, meta in batches)


def replay(log: caselog.Caselog, streams: list[str]) -> int:
    return sum(len(log.read_stream(stream)) for stream in streams)


def measure_typed(work: Workload, durability: Durability) -> dict[str, float]:
    """caselog's application level: typed payloads appended, then every stream read, decoded."""
    registry = payload_registry()

    def connect(path: str) -> AbstractContextManager[caselog.Caselog]:
        return caselog.open(SQLiteStore(path, durability=durability), registry=registry)

    return append_then_read(
        "caselog-typed.db",
        connect,
        lambda log: append_streams(log, work.typed_batches),
        {"replay": lambda log: replay(log, work.typed_streams)},
    )
