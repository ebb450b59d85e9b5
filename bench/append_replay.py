"""Append and replay throughput of SQLiteStore, as ratios to raw sqlite3 at the same durability.

What is measured, per durability setting (``full`` = ``PRAGMA synchronous=FULL``, caselog's
default, every acknowledged append on disk; ``normal`` = ``synchronous=NORMAL``, the documented
relaxation), each case in a fresh temporary directory:

* batched append: ``SQLiteStore.append`` with 1,000 events per call (several ``StreamAppend``
  per call, 5 events per stream touch, 1 stream per 20 events) against raw sqlite3 doing
  ``BEGIN; executemany(1,000 rows); COMMIT`` into a table with caselog's schema and indexes;
* single append: one event per ``SQLiteStore.append`` against ``BEGIN; INSERT; COMMIT`` per row;
* read log: ``SQLiteStore.read_log`` in pages of 1,000 over the store the batched run wrote,
  reopened, against ``SELECT <all columns> ... WHERE position > ? ORDER BY position LIMIT 1000``;
* peer (if the optional ``eventsourcing`` package is importable): the same events, batched by
  1,000, through eventsourcing's SQLite application recorder (the layer that matches
  ``SQLiteStore``: serialized records in, records out), and its notification log read back.

Inputs (``NewEvent``/``StreamAppend`` objects, row tuples with placeholder 64-hex hashes,
eventsourcing ``StoredEvent`` objects) are built before any timing. Cases alternate their order
between repeats; the table shows median rates and the median of the per-repeat ratios, since on a
shared machine only ratios measured side by side mean anything. Targets: batched append >= 60% of
raw, single append >= 80% of raw, batched append >= 2.5x eventsourcing. Nothing is asserted.

Run: ``make bench`` or ``.venv/bin/python bench/append_replay.py [--quick] [--durability full]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from typing import Any

from caselog import NewEvent, SQLiteStore, StoredEvent, StreamAppend, canonical_json
from caselog.sqlite import Durability

try:
    import eventsourcing.persistence as es_persistence
    import eventsourcing.sqlite as es_sqlite
except ImportError:  # the optional extra "bench"
    es_persistence = es_sqlite = None  # type: ignore[assignment]

BATCH = 1000
PAGE = 1000
EVENTS_PER_STREAM = 20
EVENTS_PER_TOUCH = 5
CACHE_KIB = 64 * 1024
RECORDED = "2026-03-10T08:15:00.000000+00:00"
SYNCHRONOUS: dict[str, str] = {"full": "FULL", "normal": "NORMAL"}
DEFAULT_SINGLE: dict[str, int] = {"full": 5000, "normal": 20000}
TARGETS: dict[str, float] = {"batched append": 0.60, "single append": 0.80}
PEER_TARGET = 2.5

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


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build_workload(events: int, single: int) -> Workload:
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


# --- eventsourcing (optional peer) ----------------------------------------------------------


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
        cases.append(("eventsourcing", lambda: measure_peer(work.peer_batches, durability)))
    if flip:
        cases.reverse()
    return {name: measure() for name, measure in cases}


def compare(work: Workload, durability: Durability, repeat: int) -> dict[str, Samples]:
    events = sum(len(rows) for rows in work.raw_batches)
    single = len(work.raw_singles)
    samples = {
        "batched append": Samples(events),
        "single append": Samples(single),
        "read log": Samples(events),
    }
    if work.peer_batches:
        samples["vs eventsourcing: append"] = Samples(events)
        samples["vs eventsourcing: read"] = Samples(events)
    for index in range(repeat):
        rates = one_repeat(work, durability, flip=index % 2 == 1)
        samples["batched append"].add(rates["caselog"]["append"], rates["raw"]["append"])
        samples["single append"].add(
            rates["caselog single"]["append"], rates["raw single"]["append"]
        )
        samples["read log"].add(rates["caselog"]["read"], rates["raw"]["read"])
        if "eventsourcing" in rates:
            peer = rates["eventsourcing"]
            samples["vs eventsourcing: append"].add(rates["caselog"]["append"], peer["append"])
            samples["vs eventsourcing: read"].add(rates["caselog"]["read"], peer["read"])
    return samples


# --- output ---------------------------------------------------------------------------------


def target_of(case: str) -> float | None:
    if case == "vs eventsourcing: append":
        return PEER_TARGET
    return TARGETS.get(case)


def verdict(case: str, ratio: float) -> tuple[str, str]:
    target = target_of(case)
    if target is None:
        return "-", ""
    shown = f">={target:.1f}x" if case.startswith("vs ") else f">={target:.2f}"
    return shown, "PASS" if ratio >= target else "MISS"


def print_header(args: argparse.Namespace, work: Workload) -> None:
    sizes = [len(item.event.data.encode()) for item in work.planned]
    streams = len({item.stream for item in work.planned[: args.events]})
    peer = "not installed"
    if es_sqlite is not None:
        peer = f"eventsourcing {version('eventsourcing')} (SQLiteApplicationRecorder, same pragmas)"
    print(f"python {platform.python_version()} ({sys.executable}), sqlite {sqlite3.sqlite_version}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(
        f"workload: {args.events} events in {streams} streams, batches of {BATCH}, "
        f"payload {statistics.mean(sizes):.0f} bytes on average; repeat {args.repeat} (median)"
    )
    print(f"peer: {peer}")
    print("columns: other = raw sqlite3 (eventsourcing in 'vs' rows); ratio = caselog / other")
    if es_sqlite is None:
        print(
            "note: eventsourcing not installed; skipping the peer rows (pip install eventsourcing)"
        )


def print_table(durability: str, samples: dict[str, Samples]) -> None:
    print(f"\ndurability={durability} (PRAGMA synchronous={SYNCHRONOUS[durability]})")
    print(
        f"{'case':<26}{'events':>8}{'caselog ev/s':>14}{'other ev/s':>13}"
        f"{'ratio':>8}{'target':>8}  result"
    )
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        print(
            f"{case:<26}{sample.events:>8}{statistics.median(sample.caselog):>14,.0f}"
            f"{statistics.median(sample.other):>13,.0f}{ratio:>8.2f}{target:>8}  {result}"
        )


def summary(durability: str, samples: dict[str, Samples]) -> str:
    parts = []
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        unit = "x" if case.startswith("vs ") else " of raw"
        check = f" ({result} {target})" if result else ""
        parts.append(f"{case} {ratio:.2f}{unit}{check}")
    return f"{durability}: " + "; ".join(parts)


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
    parser.add_argument("--durability", choices=["full", "normal", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians reported")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5000 events, repeat 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = 5000, 1
        args.single = args.single or 1000
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings: list[Durability] = (
        ["full", "normal"] if args.durability == "both" else [args.durability]
    )
    singles = {d: args.single or DEFAULT_SINGLE[d] for d in settings}
    work = build_workload(args.events, max(singles.values()))
    print_header(args, work)
    lines = []
    for durability in settings:
        count = singles[durability]
        part = replace(work, singles=work.singles[:count], raw_singles=work.raw_singles[:count])
        samples = compare(part, durability, args.repeat)
        print_table(durability, samples)
        lines.append(summary(durability, samples))
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
