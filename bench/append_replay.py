"""Append and replay throughput of caselog: as ratios to raw sqlite3, and to eventsourcing.

What is measured, per durability setting (``full`` = ``PRAGMA synchronous=FULL``, caselog's
default, every acknowledged append on disk; ``normal`` = ``synchronous=NORMAL``, the documented
relaxation), each case in a fresh temporary directory:

* batched append: ``SQLiteStore.append`` with 1,000 events per call (several ``StreamAppend``
  per call, 5 events per stream touch, 1 stream per 20 events) against raw sqlite3 doing
  ``BEGIN; executemany(1,000 rows); COMMIT`` into a table with caselog's schema and indexes;
* single append: one event per ``SQLiteStore.append`` against ``BEGIN; INSERT; COMMIT`` per row;
* read log: ``SQLiteStore.read_log`` in pages of 1,000 over the store the batched run wrote,
  reopened, against ``SELECT <all columns> ... WHERE position > ? ORDER BY position LIMIT 1000``;

and, if the optional ``eventsourcing`` package is importable, two comparisons with it:

* eventsourcing recorder (store level, no design target): the batched-append events, batched by
  1,000, through eventsourcing's ``SQLiteApplicationRecorder`` with caselog's pragmas
  (serialized records in, records out; its 4-column table has no event-id index and no hashes),
  and its notification log read back, against caselog's batched append and read log above;
* eventsourcing application (the level the design's targets, >= 2.5x on append and >= 5x on
  replay, apply to; durability ``full`` only): in a child process run with ``python -O``,
  eventsourcing's best case, ``CaseFile`` aggregates (20 events each, one per visit, carrying the
  same payload fields and values as caselog's events) are built with their events pending, then
  ``Application.save`` is called with 50 aggregates (1,000 events) at a time into eventsourcing's
  SQLite persistence (``PERSISTENCE_MODULE=eventsourcing.sqlite``), and every aggregate is
  replayed with ``app.repository.get`` from a new application on the same file. caselog's
  counterpart, in the main process: ``Caselog.append_streams`` with the same events as typed
  payloads (frozen attrs classes in an ``EventRegistry``, wrapped in ``Pending``), 1,000 per call
  as above, then ``Caselog.read_stream`` for every stream of the reopened store, decoding each
  event into its payload class. eventsourcing 9.5.6 has no setting for ``synchronous``: its
  connections run at SQLite's default (printed; FULL here), so at ``normal`` these rows are
  skipped. ``--app-events`` sets their event count (100,000 by default, to keep the run short).

Inputs (``NewEvent``/``StreamAppend`` objects, typed payloads, row tuples with placeholder 64-hex
hashes, eventsourcing ``StoredEvent`` objects and pending aggregate events) are built before any
timing. Cases alternate their order between repeats; the table shows median rates and the median
of the per-repeat ratios, since on a shared machine only ratios measured side by side mean
anything. Targets: batched append >= 60% of raw, single append >= 80% of raw; against the
eventsourcing application, append >= 2.5x and replay >= 5x. Nothing is asserted.

Run: ``make bench`` or ``.venv/bin/python bench/append_replay.py [--quick] [--durability full]``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from typing import Any

import attrs

import caselog
from caselog import (
    EventRegistry,
    Metadata,
    NewEvent,
    Pending,
    SQLiteStore,
    StoredEvent,
    StreamAppend,
    StreamWrite,
    canonical_json,
)
from caselog.sqlite import Durability

try:
    import eventsourcing.application as es_application
    import eventsourcing.domain as es_domain
    import eventsourcing.persistence as es_persistence
    import eventsourcing.sqlite as es_sqlite
except ImportError:  # the optional extra "bench"
    es_application = es_domain = es_persistence = es_sqlite = None  # type: ignore[assignment]

BATCH = 1000
PAGE = 1000
EVENTS_PER_STREAM = 20
EVENTS_PER_TOUCH = 5
CACHE_KIB = 64 * 1024
RECORDED = "2026-03-10T08:15:00.000000+00:00"
SYNCHRONOUS: dict[str, str] = {"full": "FULL", "normal": "NORMAL"}
DEFAULT_SINGLE: dict[str, int] = {"full": 5000, "normal": 20000}
DEFAULT_APP_EVENTS = 100_000
APP_DURABILITY = "full"  # eventsourcing runs at SQLite's default synchronous, FULL
RECORDER = "vs eventsourcing recorder"
APPLICATION = "vs eventsourcing application"
TARGETS: dict[str, float] = {
    "batched append": 0.60,
    "single append": 0.80,
    f"{APPLICATION}: append": 2.5,
    f"{APPLICATION}: replay": 5.0,
}

Row = tuple[Any, ...]
COLUMNS = ", ".join(StoredEvent._fields)
RAW_DDL = (
    "CREATE TABLE events (position INTEGER PRIMARY KEY NOT NULL, stream TEXT NOT NULL,"
    " version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,"
    " schema INTEGER NOT NULL, effective TEXT NOT NULL, recorded TEXT NOT NULL, actor TEXT,"
    " role TEXT, area TEXT, causation TEXT, correlation TEXT, device TEXT,"
    " data TEXT NOT NULL, hash TEXT NOT NULL, chain TEXT NOT NULL)",
    "CREATE UNIQUE INDEX idx_events_stream_version ON events (stream, version)",
    "CREATE UNIQUE INDEX idx_events_event_id ON events (event_id)",
)
RAW_INSERT = f"INSERT INTO events VALUES ({', '.join('?' * len(StoredEvent._fields))})"
RAW_SELECT = f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"

TYPES = ("VisitRecorded", "ConcernRaised", "PlacementChanged", "NoteAdded", "MeetingHeld")
NOTES = (
    "Home visit: child settled, attending school, follow up on dental appointment.",
    "家访记录：孩子状态良好，学校出勤正常，需跟进营养和睡眠情况。",  # noqa: RUF001
    "Placement review with foster carers; contact arrangements agreed for the holidays.",
    "与学校老师沟通，孩子最近情绪波动较大，建议安排心理辅导。",  # noqa: RUF001
)


@attrs.frozen
class Visit:
    """The typed payload of the workload's events: the fields ``_payload`` writes."""

    child: str
    worker: str
    kind: str
    note: str
    date: str
    present: list[str]
    risk: int
    follow_up: bool
    school: str
    location: str
    next_review: str


PAYLOAD_CLASSES: dict[str, type[Visit]] = {
    name: attrs.make_class(name, {}, bases=(Visit,), frozen=True, slots=True) for name in TYPES
}


def payload_registry() -> EventRegistry:
    """A registry with one payload class per workload event type, all shaped like ``Visit``."""
    registry = EventRegistry()
    for name, cls in PAYLOAD_CLASSES.items():
        registry.add(cls, name)
    return registry


if es_domain is not None:

    class CaseFile(es_domain.Aggregate):  # type: ignore[misc,name-defined]
        """eventsourcing's side: a child's case file, opened by a first visit, then one event per
        visit, each event carrying the same fields as caselog's ``Visit`` payloads."""

        @es_domain.event("Opened")
        def __init__(
            self,
            child: str,
            worker: str,
            kind: str,
            note: str,
            date: str,
            present: list[str],
            risk: int,
            follow_up: bool,
            school: str,
            location: str,
            next_review: str,
        ) -> None:
            self.visits = 1
            self.risk = risk
            self.next_review = next_review

        @es_domain.event("VisitRecorded")
        def record_visit(
            self,
            child: str,
            worker: str,
            kind: str,
            note: str,
            date: str,
            present: list[str],
            risk: int,
            follow_up: bool,
            school: str,
            location: str,
            next_review: str,
        ) -> None:
            self.visits += 1
            self.risk = risk
            self.next_review = next_review


# --- workload -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One event of the workload: its stream, its version there, and the record to append."""

    stream: str
    stream_index: int
    version: int
    event: NewEvent


@dataclass
class Workload:
    """Pre-built inputs for every side, so that no timed region builds records."""

    planned: list[Planned]
    batches: list[list[StreamAppend]] = field(default_factory=list)
    singles: list[list[StreamAppend]] = field(default_factory=list)
    raw_batches: list[list[Row]] = field(default_factory=list)
    raw_singles: list[Row] = field(default_factory=list)
    peer_batches: list[list[Any]] = field(default_factory=list)
    app_events: int = 0
    typed_batches: list[tuple[list[StreamWrite], Metadata]] = field(default_factory=list)
    typed_streams: list[str] = field(default_factory=list)


def _uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _payload(rng: random.Random, index: int, stream_index: int) -> str:
    return canonical_json(
        {
            "child": f"C-{stream_index:07d}",
            "worker": f"W-{rng.randrange(500):04d}",
            "kind": rng.choice(("home", "school", "office", "phone")),
            "note": NOTES[index % len(NOTES)],
            "date": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "present": ["child", "carer"] if index % 2 else ["child"],
            "risk": rng.randrange(5),
            "follow_up": bool(index % 3),
            "school": ("Riverside Primary", "St Mary's High", "Hill Academy")[index % 3],
            "location": ("family home", "school", "contact centre", "foster home")[index % 4],
            "next_review": f"2026-{1 + (index + 3) % 12:02d}-{1 + (index + 7) % 28:02d}",
        }
    )


def _new_event(rng: random.Random, index: int, stream_index: int) -> NewEvent:
    return NewEvent(
        event_id=str(_uuid4(rng)),
        type=TYPES[index % len(TYPES)],
        schema=1,
        data=_payload(rng, index, stream_index),
        effective=f"2026-03-{1 + index % 28:02d}" if index % 4 == 0 else None,
        actor=f"worker-{stream_index % 500}",
        role="social-worker",
        area=("north", "south", "east", "west")[stream_index % 4],
        correlation=str(_uuid4(rng)),
        device="tablet-7" if index % 10 == 0 else None,
    )


def plan_events(count: int, seed: int = 20260310) -> list[Planned]:
    """Spread ``count`` events over ``count / 20`` streams, touched 5 events at a time."""
    rng = random.Random(seed)
    streams = max(1, count // EVENTS_PER_STREAM)
    versions = [0] * streams
    planned: list[Planned] = []
    for index in range(count):
        stream_index = (index // EVENTS_PER_TOUCH) % streams
        versions[stream_index] += 1
        event = _new_event(rng, index, stream_index)
        stream = f"child-{stream_index:07d}"
        planned.append(Planned(stream, stream_index, versions[stream_index], event))
    return planned


def group_by_stream(chunk: list[Planned]) -> list[list[Planned]]:
    """The chunk's events by stream, streams in order of first appearance."""
    by_stream: dict[str, list[Planned]] = {}
    for item in chunk:
        by_stream.setdefault(item.stream, []).append(item)
    return list(by_stream.values())


def stream_append(items: list[Planned]) -> StreamAppend:
    """Append the items to their stream, expecting the stream's exact version."""
    events = [item.event for item in items]
    return StreamAppend(items[0].stream, events, expected=items[0].version - 1)


def raw_row(position: int, item: Planned) -> Row:
    """The row caselog would store for the event, with placeholder hashes of the same length."""
    event = item.event
    return (
        position,
        item.stream,
        item.version,
        event.event_id,
        event.type,
        event.schema,
        event.effective or RECORDED,
        RECORDED,
        event.actor,
        event.role,
        event.area,
        event.causation,
        event.correlation,
        event.device,
        event.data,
        f"{position:064x}",
        f"{position * 7919:064x}",
    )


def peer_record(item: Planned, stream_ids: dict[int, uuid.UUID]) -> Any:
    """The event as an eventsourcing StoredEvent: same payload bytes, type as topic."""
    originator = stream_ids.setdefault(
        item.stream_index, uuid.uuid5(uuid.NAMESPACE_URL, item.stream)
    )
    return es_persistence.StoredEvent(
        originator_id=originator,
        originator_version=item.version,
        topic=f"casework:{item.event.type}",
        state=item.event.data.encode(),
    )


def typed_pending(event: NewEvent) -> Pending:
    """The event as ``Caselog.append_streams`` takes it: a typed payload, its id and effective."""
    payload = PAYLOAD_CLASSES[event.type](**json.loads(event.data))
    effective = datetime.date.fromisoformat(event.effective) if event.effective else None
    return Pending(payload, event_id=event.event_id, effective=effective)


def typed_batch(groups: list[list[Planned]]) -> tuple[list[StreamWrite], Metadata]:
    """One ``append_streams`` call: a write per stream, with the first event's metadata."""
    first = groups[0][0].event
    meta = Metadata(
        actor=first.actor, role=first.role, area=first.area, correlation=first.correlation
    )
    writes = [
        StreamWrite(items[0].stream, [typed_pending(i.event) for i in items], items[0].version - 1)
        for items in groups
    ]
    return writes, meta


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_typed(work: Workload, events: int) -> None:
    """The application-level workload: ``events`` events, 20 per stream, typed."""
    planned = work.planned[:events] if len(work.planned) == events else plan_events(events)
    groups = [group_by_stream(chunk) for chunk in chunks(planned, BATCH)]
    work.app_events = events
    work.typed_batches = [typed_batch(batch) for batch in groups]
    work.typed_streams = list(dict.fromkeys(item.stream for item in planned))


def build_workload(events: int, single: int, app_events: int) -> Workload:
    planned = plan_events(max(events, single))
    batched, singles = planned[:events], planned[:single]
    groups = [group_by_stream(chunk) for chunk in chunks(batched, BATCH)]
    ordered = [item for batch in groups for items in batch for item in items]  # log order
    work = Workload(planned)
    work.batches = [[stream_append(items) for items in batch] for batch in groups]
    work.singles = [[stream_append([item])] for item in singles]
    rows = [raw_row(position, item) for position, item in enumerate(ordered, start=1)]
    work.raw_batches = list(chunks(rows, BATCH))
    work.raw_singles = [raw_row(position, item) for position, item in enumerate(singles, 1)]
    if es_sqlite is not None:
        ids: dict[int, uuid.UUID] = {}
        work.peer_batches = list(chunks([peer_record(item, ids) for item in ordered], BATCH))
        add_typed(work, app_events)
    return work


# --- timing helpers -------------------------------------------------------------------------


@contextmanager
def scratch() -> Iterator[str]:
    """A fresh directory, removed with its files afterwards."""
    with tempfile.TemporaryDirectory(prefix="caselog-bench-") as directory:
        yield directory


def timed(run: Callable[[], int]) -> tuple[int, float]:
    """Run once and return (events handled, seconds)."""
    gc.collect()
    start = time.perf_counter()
    count = run()
    return count, time.perf_counter() - start


# --- caselog --------------------------------------------------------------------------------


def caselog_append(store: SQLiteStore, appends: list[list[StreamAppend]]) -> Callable[[], int]:
    def run() -> int:
        count = 0
        for batch in appends:
            count += len(store.append(batch))
        return count

    return run


def caselog_read(store: SQLiteStore) -> Callable[[], int]:
    def run() -> int:
        count, after = 0, 0
        while page := store.read_log(after=after, limit=PAGE):
            count += len(page)
            after = page[-1].position
        return count

    return run


def measure_caselog(
    appends: list[list[StreamAppend]], durability: Durability, *, read: bool
) -> dict[str, float]:
    with scratch() as directory:
        path = os.path.join(directory, "caselog.db")
        with SQLiteStore(path, durability=durability) as store:
            count, seconds = timed(caselog_append(store, appends))
        rates = {"append": count / seconds}
        if read:
            with SQLiteStore(path, durability=durability) as store:
                count, seconds = timed(caselog_read(store))
            rates["read"] = count / seconds
        return rates


def caselog_typed_append(
    log: caselog.Caselog, batches: list[tuple[list[StreamWrite], Metadata]]
) -> Callable[[], int]:
    def run() -> int:
        count = 0
        for writes, meta in batches:
            count += len(log.append_streams(writes, meta=meta))
        return count

    return run


def caselog_replay(log: caselog.Caselog, streams: list[str]) -> Callable[[], int]:
    def run() -> int:
        return sum(len(log.read_stream(stream)) for stream in streams)

    return run


def measure_caselog_typed(work: Workload, durability: Durability) -> dict[str, float]:
    """caselog's application level: typed payloads appended, then every stream read, decoded."""
    registry = payload_registry()
    with scratch() as directory:
        path = os.path.join(directory, "caselog-typed.db")
        store = SQLiteStore(path, durability=durability)
        with caselog.open(store, registry=registry) as log:
            count, seconds = timed(caselog_typed_append(log, work.typed_batches))
        store = SQLiteStore(path, durability=durability)
        with caselog.open(store, registry=registry) as log:
            read_count, read_seconds = timed(caselog_replay(log, work.typed_streams))
    return {"append": count / seconds, "replay": read_count / read_seconds}


# --- raw sqlite3 ----------------------------------------------------------------------------


def raw_connect(path: str, durability: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS[durability]}")
    conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    return conn


def raw_batched(conn: sqlite3.Connection, batches: list[list[Row]]) -> Callable[[], int]:
    def run() -> int:
        count = 0
        for rows in batches:
            conn.execute("BEGIN")
            conn.executemany(RAW_INSERT, rows)
            conn.execute("COMMIT")
            count += len(rows)
        return count

    return run


def raw_single(conn: sqlite3.Connection, rows: list[Row]) -> Callable[[], int]:
    def run() -> int:
        for row in rows:
            conn.execute("BEGIN")
            conn.execute(RAW_INSERT, row)
            conn.execute("COMMIT")
        return len(rows)

    return run


def raw_read(conn: sqlite3.Connection) -> Callable[[], int]:
    def run() -> int:
        count, after = 0, 0
        while page := conn.execute(RAW_SELECT, (after, PAGE)).fetchall():
            count += len(page)
            after = page[-1][0]
        return count

    return run


def measure_raw(
    write: Callable[[sqlite3.Connection], Callable[[], int]], durability: str, *, read: bool
) -> dict[str, float]:
    with scratch() as directory:
        path = os.path.join(directory, "raw.db")
        conn = raw_connect(path, durability)
        for statement in RAW_DDL:
            conn.execute(statement)
        count, seconds = timed(write(conn))
        conn.close()
        rates = {"append": count / seconds}
        if read:
            conn = raw_connect(path, durability)
            count, seconds = timed(raw_read(conn))
            conn.close()
            rates["read"] = count / seconds
        return rates


# --- eventsourcing recorder (optional peer, store level) ------------------------------------


def peer_recorder(path: str, durability: str) -> Any:
    """eventsourcing's SQLite application recorder, with caselog's pragmas on its connections."""

    class Pool(es_sqlite.SQLiteConnectionPool):  # type: ignore[misc,name-defined]
        def _create_connection(self) -> Any:
            connection = super()._create_connection()
            connection._sqlite_conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS[durability]}")
            connection._sqlite_conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
            return connection

    datastore = es_sqlite.SQLiteDatastore(path)
    datastore.pool = Pool(db_name=path)
    recorder = es_sqlite.SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    return recorder


def peer_append(recorder: Any, batches: list[list[Any]]) -> Callable[[], int]:
    def run() -> int:
        count = 0
        for batch in batches:
            recorder.insert_events(batch)
            count += len(batch)
        return count

    return run


def peer_read(recorder: Any) -> Callable[[], int]:
    def run() -> int:
        count, start = 0, 1
        while page := recorder.select_notifications(start, PAGE):
            count += len(page)
            start = page[-1].id + 1
        return count

    return run


def measure_peer(batches: list[list[Any]], durability: str) -> dict[str, float]:
    with scratch() as directory:
        path = os.path.join(directory, "eventsourcing.db")
        recorder = peer_recorder(path, durability)
        count, append_seconds = timed(peer_append(recorder, batches))
        recorder.datastore.close()
        recorder = peer_recorder(path, durability)
        read_count, read_seconds = timed(peer_read(recorder))
        recorder.datastore.close()
        return {"append": count / append_seconds, "read": read_count / read_seconds}


# --- eventsourcing application (optional peer, in a python -O child process) ----------------


def case_files(planned: list[Planned]) -> list[Any]:
    """One ``CaseFile`` per stream, in stream order, with all of the stream's events pending."""
    files: dict[int, Any] = {}
    for item in planned:
        fields = json.loads(item.event.data)
        case_file = files.get(item.stream_index)
        if case_file is None:
            files[item.stream_index] = CaseFile(**fields)
        else:
            case_file.record_visit(**fields)
    return list(files.values())


def app_env(path: str) -> dict[str, str]:
    """eventsourcing's SQLite persistence; it has no setting for ``PRAGMA synchronous``."""
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}


def app_save(app: Any, files: list[Any]) -> Callable[[], int]:
    per_call = BATCH // EVENTS_PER_STREAM  # 50 case files of 20 events: 1,000 events a call

    def run() -> int:
        count = 0
        for group in chunks(files, per_call):
            count += len(app.save(*group))
        return count

    return run


def app_replay(app: Any, ids: list[uuid.UUID]) -> Callable[[], int]:
    def run() -> int:
        return sum(app.repository.get(aggregate_id).version for aggregate_id in ids)

    return run


def app_synchronous(app: Any) -> int:
    """The ``PRAGMA synchronous`` of the application's connections (2 = FULL)."""
    with app.recorder.datastore.get_connection(commit=False) as connection:
        value: int = connection._sqlite_conn.execute("PRAGMA synchronous").fetchone()[0]
    return value


def measure_app(events: int) -> dict[str, float]:
    """The child's work: save the case files' pending events, then replay every case file."""
    files = case_files(plan_events(events))
    ids = [case_file.id for case_file in files]
    with scratch() as directory:
        env = app_env(os.path.join(directory, "eventsourcing-app.db"))
        app = es_application.Application(env=env)
        count, save_seconds = timed(app_save(app, files))
        app.close()
        files.clear()
        app = es_application.Application(env=env)
        replayed, replay_seconds = timed(app_replay(app, ids))
        synchronous = app_synchronous(app)
        app.close()
    return {
        "append": count / save_seconds,
        "replay": replayed / replay_seconds,
        "synchronous": synchronous,
        "optimize": sys.flags.optimize,
    }


def measure_app_child(events: int) -> dict[str, float]:
    """Run ``measure_app`` in ``python -O`` (eventsourcing's best case) and read its JSON."""
    script = os.path.abspath(__file__)
    command = [sys.executable, "-O", script, "--peer-child", "--app-events", str(events)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the eventsourcing child failed:\n{result.stderr}")
    rates: dict[str, float] = json.loads(result.stdout)
    return rates


# --- the comparison -------------------------------------------------------------------------


@dataclass
class Samples:
    """Rates per repeat for one case, paired by repeat with the reference they are compared to."""

    events: int
    caselog: list[float] = field(default_factory=list)
    other: list[float] = field(default_factory=list)

    def add(self, caselog: float, other: float) -> None:
        self.caselog.append(caselog)
        self.other.append(other)

    def ratio(self) -> float:
        return statistics.median(c / o for c, o in zip(self.caselog, self.other, strict=True))


def has_app_rows(work: Workload, durability: str) -> bool:
    return bool(work.typed_batches) and durability == APP_DURABILITY


def one_repeat(work: Workload, durability: Durability, flip: bool) -> dict[str, dict[str, float]]:
    """Run every case once, in one order or the reverse, and return the rates by side."""
    cases: list[tuple[str, Callable[[], dict[str, float]]]] = [
        ("caselog", lambda: measure_caselog(work.batches, durability, read=True)),
        (
            "raw",
            lambda: measure_raw(lambda c: raw_batched(c, work.raw_batches), durability, read=True),
        ),
        ("caselog single", lambda: measure_caselog(work.singles, durability, read=False)),
        (
            "raw single",
            lambda: measure_raw(lambda c: raw_single(c, work.raw_singles), durability, read=False),
        ),
    ]
    if work.peer_batches:
        cases.append(("es recorder", lambda: measure_peer(work.peer_batches, durability)))
    if has_app_rows(work, durability):
        cases.append(("caselog typed", lambda: measure_caselog_typed(work, durability)))
        cases.append(("es application", lambda: measure_app_child(work.app_events)))
    if flip:
        cases.reverse()
    return {name: measure() for name, measure in cases}


def new_samples(work: Workload, durability: str) -> dict[str, Samples]:
    events = sum(len(rows) for rows in work.raw_batches)
    samples = {
        "batched append": Samples(events),
        "single append": Samples(len(work.raw_singles)),
        "read log": Samples(events),
    }
    if work.peer_batches:
        samples[f"{RECORDER}: append"] = Samples(events)
        samples[f"{RECORDER}: read"] = Samples(events)
    if has_app_rows(work, durability):
        samples[f"{APPLICATION}: append"] = Samples(work.app_events)
        samples[f"{APPLICATION}: replay"] = Samples(work.app_events)
    return samples


def compare(
    work: Workload, durability: Durability, repeat: int
) -> tuple[dict[str, Samples], dict[str, float]]:
    """The samples of every case, and what the eventsourcing child reported last."""
    samples = new_samples(work, durability)
    child: dict[str, float] = {}
    for index in range(repeat):
        rates = one_repeat(work, durability, flip=index % 2 == 1)
        base = rates["caselog"]
        samples["batched append"].add(base["append"], rates["raw"]["append"])
        samples["single append"].add(
            rates["caselog single"]["append"], rates["raw single"]["append"]
        )
        samples["read log"].add(base["read"], rates["raw"]["read"])
        if "es recorder" in rates:
            peer = rates["es recorder"]
            samples[f"{RECORDER}: append"].add(base["append"], peer["append"])
            samples[f"{RECORDER}: read"].add(base["read"], peer["read"])
        if "es application" in rates:
            typed, child = rates["caselog typed"], rates["es application"]
            samples[f"{APPLICATION}: append"].add(typed["append"], child["append"])
            samples[f"{APPLICATION}: replay"].add(typed["replay"], child["replay"])
    return samples, child


# --- output ---------------------------------------------------------------------------------


def verdict(case: str, ratio: float) -> tuple[str, str]:
    target = TARGETS.get(case)
    if target is None:
        return "-", ""
    shown = f">={target:.1f}x" if case.startswith("vs ") else f">={target:.2f}"
    return shown, "PASS" if ratio >= target else "MISS"


def print_header(args: argparse.Namespace, work: Workload) -> None:
    sizes = [len(item.event.data.encode()) for item in work.planned]
    streams = len({item.stream for item in work.planned[: args.events]})
    print(f"python {platform.python_version()} ({sys.executable}), sqlite {sqlite3.sqlite_version}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(
        f"workload: {args.events} events in {streams} streams, batches of {BATCH}, "
        f"payload {statistics.mean(sizes):.0f} bytes on average; repeat {args.repeat} (median)"
    )
    print("columns: other = raw sqlite3, or eventsourcing in 'vs' rows; ratio = caselog / other")
    if es_sqlite is None:
        print(
            "note: eventsourcing not installed; skipping the peer rows (pip install eventsourcing)"
        )
        return
    print(
        f"peer: eventsourcing {version('eventsourcing')}, two levels:\n"
        f"  recorder (store level, no design target): SQLiteApplicationRecorder with caselog's\n"
        f"    pragmas, vs SQLiteStore.append / read_log (the batched append and read log above);\n"
        f"  application (the design's targets apply here): Application.save of CaseFile\n"
        f"    aggregates, {BATCH // EVENTS_PER_STREAM} x {EVENTS_PER_STREAM} events per call, and "
        f"repository.get of each, in a 'python -O' child,\n"
        f"    vs Caselog.append_streams of typed payloads ({BATCH} per call) and "
        f"Caselog.read_stream of each stream;\n"
        f"    {work.app_events} events in {len(work.typed_streams)} streams, "
        f"durability={APP_DURABILITY} only"
    )


def print_table(durability: str, samples: dict[str, Samples], child: dict[str, float]) -> None:
    print(f"\ndurability={durability} (PRAGMA synchronous={SYNCHRONOUS[durability]})")
    print(
        f"{'case':<38}{'events':>8}{'caselog ev/s':>14}{'other ev/s':>13}"
        f"{'ratio':>8}{'target':>8}  result"
    )
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        print(
            f"{case:<38}{sample.events:>8}{statistics.median(sample.caselog):>14,.0f}"
            f"{statistics.median(sample.other):>13,.0f}{ratio:>8.2f}{target:>8}  {result}"
        )
    for note in app_notes(durability, child):
        print(f"note: {note}")


def app_notes(durability: str, child: dict[str, float]) -> list[str]:
    if es_sqlite is None:
        return []
    if durability != APP_DURABILITY:
        return [
            f"eventsourcing application rows skipped at durability={durability}: eventsourcing "
            f"{version('eventsourcing')} has no setting for PRAGMA synchronous (its connections "
            f"use SQLite's default), so they are measured at durability={APP_DURABILITY} only"
        ]
    if not child:
        return []
    level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(child["synchronous"]), "?")
    return [
        f"eventsourcing application child: sys.flags.optimize={int(child['optimize'])}, its "
        f"connections at PRAGMA synchronous={level} (SQLite's default; eventsourcing has no "
        f"setting for it)"
    ]


def group_of(case: str) -> str:
    if case.startswith(APPLICATION):
        return "vs eventsourcing application (the level the design's targets apply to)"
    if case.startswith(RECORDER):
        return "vs eventsourcing recorder (store level, no design target)"
    return "vs raw sqlite3"


def summary(durability: str, samples: dict[str, Samples]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        name, unit = case.rpartition(": ")[2], "x" if case.startswith("vs ") else " of raw"
        check = f" ({result} {target})" if result else ""
        groups.setdefault(group_of(case), []).append(f"{name} {ratio:.2f}{unit}{check}")
    if es_sqlite is not None and durability != APP_DURABILITY:
        groups[group_of(APPLICATION)] = [f"not measured (see durability={APP_DURABILITY})"]
    return [f"{durability}, {group}: " + "; ".join(parts) for group, parts in groups.items()]


# --- entry point ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events appended and read")
    parser.add_argument(
        "--single",
        type=int,
        default=None,
        help="events for one-per-commit (default 5000 at full, 20000 at normal)",
    )
    parser.add_argument(
        "--app-events",
        type=int,
        default=None,
        help=f"events for the eventsourcing application rows (default {DEFAULT_APP_EVENTS})",
    )
    parser.add_argument("--durability", choices=["full", "normal", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians reported")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5000 events, repeat 1")
    parser.add_argument("--peer-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = 5000, 1
        args.single = args.single or 1000
        args.app_events = args.app_events or args.events
    args.app_events = args.app_events or DEFAULT_APP_EVENTS
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.peer_child:
        print(json.dumps(measure_app(args.app_events)))
        return
    settings: list[Durability] = (
        ["full", "normal"] if args.durability == "both" else [args.durability]
    )
    singles = {d: args.single or DEFAULT_SINGLE[d] for d in settings}
    work = build_workload(args.events, max(singles.values()), args.app_events)
    print_header(args, work)
    lines = []
    for durability in settings:
        count = singles[durability]
        part = replace(work, singles=work.singles[:count], raw_singles=work.raw_singles[:count])
        samples, child = compare(part, durability, args.repeat)
        print_table(durability, samples, child)
        lines += summary(durability, samples)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
