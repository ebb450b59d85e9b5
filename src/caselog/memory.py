"""The in-memory store: the storage contract's executable specification.

Everything lives in Python lists and dicts behind one lock. Use it in tests and when embedding
caselog in a process that keeps nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from caselog.batch import LogHead, append_batch
from caselog.store import StoredEvent, StreamAppend, check_page, check_version_range
from caselog.times import Clock, format_recorded, system_clock

__all__ = ["MemoryStore"]


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

    def insert(self, records: Sequence[StoredEvent]) -> bool:
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

    def close(self) -> None:
        """Nothing to release; present for the contract."""

    def __repr__(self) -> str:
        return f"MemoryStore(events={len(self._tables.log)})"
