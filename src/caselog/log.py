"""The caselog object: one store, one event registry, and the operations on the log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from caselog.domain.commands import CaseFileCommands
from caselog.domain.rules.ruleset import RuleSet, national_rule_set
from caselog.events.envelope import Event, Metadata, Pending, StreamWrite
from caselog.events.mapper import EventMapper, random_id
from caselog.events.registry import EventRegistry, default_registry
from caselog.integrity import GENESIS, Checkpoint, VerifyReport, verify
from caselog.projections.reads import ProjectionReads
from caselog.store import ANY, EventStore, Expected, StreamAppend
from caselog.stores import open_store
from caselog.times import Clock, system_clock

__all__ = ["Caselog", "open"]

_NO_META = Metadata()


def _payload(item: Any) -> Any:
    return item.data if isinstance(item, Pending) else item


class Caselog(CaseFileCommands, ProjectionReads):
    """A case-file log over a store: the case-file commands and reads (see
    :class:`~caselog.domain.commands.CaseFileCommands`), appending and reading events, verifying
    and checkpointing the chains.

    Open one with :func:`caselog.open`. Close it when done, or use it as a context manager.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        registry: EventRegistry = default_registry,
        clock: Clock = system_clock,
        rules: RuleSet | None = None,
        ids: Callable[[], str] = random_id,
    ) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.rules = rules or national_rule_set()
        self.new_id = ids
        self._mapper = EventMapper(registry, ids=ids)

    def append(
        self,
        stream: str,
        events: Iterable[Any],
        *,
        expected: Expected = ANY,
        effective: date | datetime | None = None,
        meta: Metadata = _NO_META,
    ) -> list[Event[Any]]:
        """Append payloads to one stream if it is at ``expected``; return the recorded events.

        ``effective`` applies to every event that does not set its own (see :class:`Pending`);
        without one, an event is effective when it is recorded.
        """
        return self.append_streams(
            [StreamWrite(stream, events, expected)], effective=effective, meta=meta
        )

    def append_streams(
        self,
        writes: Sequence[StreamWrite],
        *,
        effective: date | datetime | None = None,
        meta: Metadata = _NO_META,
    ) -> list[Event[Any]]:
        """Append to several streams at once, all or nothing; return the recorded events."""
        new = self._mapper.new_event
        items = [(write, list(write.events)) for write in writes]  # each may be a one-shot iterator
        appends = [
            StreamAppend(
                write.stream,
                [new(item, effective=effective, meta=meta) for item in events],
                write.expected,
            )
            for write, events in items
        ]
        payloads = [_payload(item) for _, events in items for item in events]
        records = self.store.append(appends)
        # The stored payload text is the canonical form of these very objects (a retry is only
        # accepted with the same text), so there is no need to decode it again.
        return [self._mapper.event(r, p) for r, p in zip(records, payloads, strict=True)]

    def read_stream(
        self, stream: str, *, first: int = 1, last: int | None = None
    ) -> list[Event[Any]]:
        """Return a stream's events with versions from ``first`` to ``last``, decoded."""
        records = self.store.read_stream(stream, first=first, last=last)
        return [self._mapper.event(record) for record in records]

    def iter_log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[Event[Any]]:
        """Yield the global log's events after ``position``, in order, reading page by page."""
        while page := self.store.read_log(after=after, limit=page_size):
            yield from map(self._mapper.event, page)
            after = page[-1].position

    def verify(
        self,
        *,
        checkpoint: Checkpoint | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> VerifyReport:
        """Recompute the hash chains (see :func:`caselog.verify`)."""
        return verify(self.store, checkpoint=checkpoint, progress=progress)

    def checkpoint(self) -> Checkpoint:
        """Return the chain head now; keep it somewhere the store's writers cannot reach."""
        last = self.store.last_event()
        return Checkpoint(0, GENESIS, "") if last is None else Checkpoint.of(last)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Caselog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Caselog({self.store!r})"


def open(
    target: str | EventStore,
    *,
    clock: Clock = system_clock,
    registry: EventRegistry = default_registry,
    rules: RuleSet | None = None,
    ids: Callable[[], str] = random_id,
) -> Caselog:
    """Open a caselog on a store URL, a SQLite path, or a store object.

    ``caselog.open("memory:")``, ``caselog.open("sqlite:///case.db")``,
    ``caselog.open("case.db")``; other schemes come from the ``caselog.stores`` entry points.
    ``rules`` is the classification rule set (the national default unless given); ``ids`` makes
    the ids of new events the commands write (random UUIDs unless given: a reproducible
    programme, such as the demo's, passes a seeded source).
    """
    store = open_store(target, clock=clock) if isinstance(target, str) else target
    return Caselog(store, registry=registry, clock=clock, rules=rules, ids=ids)
