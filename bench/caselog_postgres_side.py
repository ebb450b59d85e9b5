"""caselog's side of the PostgreSQL comparisons: ``PostgresStore`` and ``Caselog`` over it.

* append: ``PostgresStore.append`` of the workload's batches (1,000 events per call);
* replay: ``PostgresStore.read_log`` in pages of 1,000, ``json.loads`` of every payload and
  ``raw_postgres.fold``, the raw replay's decode and fold;
* typed replay: ``Caselog.iter_log`` (pages of 1,000, every payload decoded into its registered
  class by the event mapper) and ``fold_typed``, the same fold over the payloads' attributes;
* read: ``read_log`` pages alone, for the comparison with eventsourcing's notification log;
* application level: ``Caselog.append_streams`` of typed payloads, then ``Caselog.read_stream``
  of every stream, decoded and folded.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager

from caselog_postgres import Durability, PostgresStore

import caselog
import caselog_side
from caselog import StoredEvent, StreamAppend
from raw_postgres import State, append_then_read, fold
from timing import count_pages
from workload import PAGE, Visit, Workload, payload_registry


def fold_typed(states: dict[str, State], stream: str, data: Visit) -> None:
    """``raw_postgres.fold`` over a decoded payload's attributes instead of a dict's keys."""
    state = states.get(stream)
    if state is None:
        states[stream] = {
            "child": data.child,
            "visits": 1,
            "risk": data.risk,
            "follow_ups": 1 if data.follow_up else 0,
            "next_review": data.next_review,
            "school": data.school,
        }
        return
    state["visits"] += 1
    state["risk"] = max(state["risk"], data.risk)
    if data.follow_up:
        state["follow_ups"] += 1
    state["next_review"] = data.next_review
    state["school"] = data.school


@contextmanager
def store(dsn: str, schema: str, durability: Durability) -> Iterator[PostgresStore]:
    with PostgresStore(dsn, schema=schema, durability=durability) as opened:
        yield opened


@contextmanager
def typed_log(dsn: str, schema: str, durability: Durability) -> Iterator[caselog.Caselog]:
    with caselog.open(
        PostgresStore(dsn, schema=schema, durability=durability), registry=payload_registry()
    ) as log:
        yield log


def append(opened: PostgresStore, appends: list[list[StreamAppend]]) -> int:
    return sum(len(opened.append(batch)) for batch in appends)


def read_log(opened: PostgresStore, _schema: str = "") -> int:
    """The whole log, in pages of ``PAGE``, records only."""

    def page(after: int) -> list[StoredEvent]:
        return opened.read_log(after=after, limit=PAGE)

    return count_pages(page, lambda event: event.position, start=0)


def replay(opened: PostgresStore, _schema: str = "") -> int:
    """The whole log in pages of ``PAGE``, every payload decoded with ``json.loads`` and folded."""
    states: dict[str, State] = {}
    loads = json.loads
    count, after = 0, 0
    while page := opened.read_log(after=after, limit=PAGE):
        for event in page:
            fold(states, event.stream, loads(event.data))
        count += len(page)
        after = page[-1].position
    return count


def replay_typed(opened: PostgresStore, registry: caselog.EventRegistry) -> int:
    """The whole log through ``Caselog.iter_log``, payloads decoded into classes, folded."""
    log = caselog.Caselog(opened, registry=registry)
    states: dict[str, State] = {}
    count = 0
    for event in log.iter_log(page_size=PAGE):
        fold_typed(states, event.stream, event.data)
        count += 1
    return count


def measure(
    dsn: str, appends: list[list[StreamAppend]], durability: Durability
) -> dict[str, float]:
    """``PostgresStore.append`` of the batches into a new schema, then each read of it."""
    registry = payload_registry()
    return append_then_read(
        dsn,
        "caselog",
        functools.partial(store, dsn, durability=durability),
        lambda opened, _schema: append(opened, appends),
        {
            "replay": replay,
            "typed replay": lambda opened, _schema: replay_typed(opened, registry),
            "read": read_log,
        },
    )


def replay_streams(log: caselog.Caselog, streams: list[str]) -> int:
    """``Caselog.read_stream`` of every stream, each stream's payloads folded."""
    count = 0
    for stream in streams:
        states: dict[str, State] = {}
        for event in log.read_stream(stream):
            fold_typed(states, stream, event.data)
            count += 1
    return count


def measure_app(dsn: str, work: Workload, durability: Durability) -> dict[str, float]:
    """caselog's application level: typed payloads appended, then every stream read, folded."""
    return append_then_read(
        dsn,
        "caselog_typed",
        functools.partial(typed_log, dsn, durability=durability),
        lambda log, _schema: caselog_side.append_streams(log, work.typed_batches),
        {"replay": lambda log, _schema: replay_streams(log, work.typed_streams)},
    )
