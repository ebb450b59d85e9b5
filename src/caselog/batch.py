"""The append algorithm every store shares.

A store supplies the data access (:class:`BatchBackend`) and the transaction around it; this module
decides. Keeping the decisions here means expected versions, idempotent retries, ``recorded`` times
and hash chains behave the same on every backend.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple, Protocol

from caselog.errors import ConcurrencyError, DuplicateEventError, ValidationError
from caselog.integrity import GENESIS, chain_hash, event_hash
from caselog.store import ANY, NO_STREAM, NewEvent, StoredEvent, StreamAppend

__all__ = [
    "BatchBackend",
    "LogHead",
    "Outcome",
    "Sealing",
    "append_batch",
    "check_batch",
    "check_expected",
    "seal",
]


_record = functools.partial(tuple.__new__, StoredEvent)  # StoredEvent(...) without its checks


class BatchBackend(Protocol):
    """The reads and the write an append needs, inside the store's write transaction."""

    def stream_head(self, stream: str) -> tuple[int, str] | None:
        """Return the version and hash of the stream's last event, or None for no stream."""
        ...

    def log_head(self) -> LogHead | None:
        """Return the position, chain value and recorded time of the log's last event."""
        ...

    def find(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        """Return the stored events among these ids, by id."""
        ...

    def insert(self, records: Sealing) -> bool:
        """Insert the records (read them once, in order; ``len()`` gives their number); return
        False, having inserted none, if an event id is taken."""
        ...


class LogHead(NamedTuple):
    """Where the global log ends: what the next append continues from."""

    position: int
    chain: str
    recorded: str


class Outcome(NamedTuple):
    """What an append did: the stored events, and whether they were written just now."""

    events: list[StoredEvent]
    is_written: bool


def check_batch(appends: Sequence[StreamAppend]) -> list[str]:
    """Check a batch as a whole and return its event ids in order."""
    if not appends:
        raise ValidationError("appends", "an append needs at least one stream")
    streams: set[str] = set()
    ids: list[str] = []
    for index, append in enumerate(appends):
        if not isinstance(append, StreamAppend):
            raise ValidationError(f"appends[{index}]", f"expected a StreamAppend, not {append!r}")
        if append.stream in streams:
            raise ValidationError(
                "stream", f"{append.stream!r} appears twice in one append; give it one StreamAppend"
            )
        streams.add(append.stream)
        ids.extend(event.event_id for event in append.events)
    if len(set(ids)) != len(ids):
        twice = [event_id for event_id, count in Counter(ids).items() if count > 1]
        raise DuplicateEventError(twice, "the same id appears twice in one append")
    return ids


def check_expected(append: StreamAppend, actual: int) -> None:
    """Raise :class:`ConcurrencyError` unless the stream is at the version the append expects."""
    expected = append.expected
    if expected is ANY:
        return
    wanted = 0 if expected is NO_STREAM else expected
    if actual != wanted:
        raise ConcurrencyError(append.stream, expected, actual)


def seal(
    appends: Sequence[StreamAppend],
    *,
    heads: Mapping[str, tuple[int, str] | None],
    head: LogHead | None,
    now: str,
) -> Sealing:
    """Check expected versions and return the batch's stored records with their hash chains,
    made as they are read (see :class:`Sealing`)."""
    for append in appends:
        check_expected(append, (heads.get(append.stream) or (0, GENESIS))[0])
    return Sealing(appends, heads=heads, head=head, now=now)


class Sealing:
    """A batch's stored records, sealed (hashed and chained) one by one as a store reads them.

    A store that streams rows to a server hashes the next records while the server stores the
    last ones. ``len()`` is known before any record is made. It is read once: iterating again
    goes on where the last reading stopped; :meth:`all` makes the rest and returns every record.
    """

    def __init__(
        self,
        appends: Sequence[StreamAppend],
        *,
        heads: Mapping[str, tuple[int, str] | None],
        head: LogHead | None,
        now: str,
    ) -> None:
        self._appends = appends
        self._heads = heads
        self._head = head
        self._now = now
        self._count = sum(len(append.events) for append in appends)
        self._records: list[StoredEvent] = []
        self._making = self._make()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[StoredEvent]:
        return self._making

    def all(self) -> list[StoredEvent]:
        """Every record of the batch."""
        for _ in self._making:
            pass
        return self._records

    def _make(self) -> Iterator[StoredEvent]:
        position, chain, recorded = 0, GENESIS, self._now
        if self._head is not None:
            head = self._head
            position, chain, recorded = head.position, head.chain, max(self._now, head.recorded)
        records = self._records
        for append in self._appends:
            version, previous = self._heads.get(append.stream) or (0, GENESIS)
            for event in append.events:
                position += 1
                version += 1
                fields = (
                    append.stream,
                    version,
                    event.event_id,
                    event.type,
                    event.schema,
                    event.effective or recorded,
                    recorded,
                    event.actor,
                    event.role,
                    event.area,
                    event.causation,
                    event.correlation,
                    event.device,
                    event.data,
                )
                previous = event_hash(previous, fields)
                chain = chain_hash(chain, position, previous)
                record = _record((position, *fields, previous, chain))
                records.append(record)
                yield record


def _is_same(stream: str, new: NewEvent, stored: StoredEvent) -> bool:
    effective = new.effective if new.effective is not None else stored.recorded
    return (
        stored.stream == stream
        and stored.type == new.type
        and stored.schema == new.schema
        and stored.data == new.data
        and stored.effective == effective
        and (stored.actor, stored.role, stored.area) == (new.actor, new.role, new.area)
        and (stored.causation, stored.correlation, stored.device)
        == (new.causation, new.correlation, new.device)
    )


def _stored_before(
    appends: Sequence[StreamAppend], ids: Sequence[str], found: Mapping[str, StoredEvent]
) -> list[StoredEvent] | None:
    """Return the stored events if this batch is a retry of a stored one, None if it is new."""
    if not found:
        return None
    if len(found) != len(ids):
        raise DuplicateEventError(
            [event_id for event_id in ids if event_id in found],
            "some of the batch's ids are stored already and others are not; "
            "a retry must send the same batch again",
        )
    stored: list[StoredEvent] = []
    for append in appends:
        for event in append.events:
            record = found[event.event_id]
            if not _is_same(append.stream, event, record):
                raise DuplicateEventError(
                    [event.event_id],
                    f"the id is stored already with other content "
                    f"(position {record.position}, stream {record.stream!r}, type {record.type!r})",
                )
            stored.append(record)
    positions = [record.position for record in stored]
    if positions != list(range(positions[0], positions[0] + len(positions))):
        raise DuplicateEventError(
            ids, "the ids are stored, but not as one batch in this order; a retry must match"
        )
    return stored


def append_batch(appends: Sequence[StreamAppend], backend: BatchBackend, *, now: str) -> Outcome:
    """Run one append against a backend, inside the transaction the store holds.

    The store commits when ``is_written`` and rolls back otherwise.
    """
    ids = check_batch(appends)
    heads = {append.stream: backend.stream_head(append.stream) for append in appends}
    try:
        records = seal(appends, heads=heads, head=backend.log_head(), now=now)
    except ConcurrencyError:
        stored = _stored_before(appends, ids, backend.find(ids))
        if stored is None:
            raise
        return Outcome(stored, is_written=False)
    if backend.insert(records):
        return Outcome(records.all(), is_written=True)
    stored = _stored_before(appends, ids, backend.find(ids))
    if stored is None:
        raise DuplicateEventError(ids, "the store refused the ids but cannot find them")
    return Outcome(stored, is_written=False)
