"""Append, replay and multi-writer throughput of caselog on PostgreSQL: as ratios to raw
PostgreSQL, to eventsourcing, and to one writer.

What is measured, each case in a fresh schema with a random name, dropped afterwards, at one
durability (``full``, caselog's default: the server's ``synchronous_commit=on``, every
acknowledged append on disk; ``--durability normal`` turns ``synchronous_commit`` off on every
side's connections):

* batched append: ``PostgresStore.append`` with 1,000 events per call (several ``StreamAppend``
  per call, 5 events per stream touch, 1 stream per 20 events, the workload of
  ``bench/append_replay.py``) against raw psycopg doing, per 1,000 rows, one transaction with a
  ``COPY ... FROM STDIN`` of the same rows (placeholder 64-hex hashes) into a table with caselog's
  columns, types, collations and unique constraints;
* replay: ``PostgresStore.read_log`` in pages of 1,000 over the store the batched run wrote,
  ``json.loads`` of every payload and a fold into a dict per stream, against one server-side
  cursor (``conn.cursor(name=...)``, ``itersize`` 1,000) over ``SELECT <all columns> ... ORDER BY
  position`` with the same ``json.loads`` and the same fold;
* typed replay (no target): ``Caselog.iter_log`` over the same store, every payload decoded into
  its registered attrs class by the event mapper, the same fold over attributes, against the same
  raw replay;

and, if eventsourcing's PostgreSQL persistence is importable, two comparisons with it (no design
target on PostgreSQL):

* recorder (store level): the batched-append events, 1,000 per call, through eventsourcing's
  ``PostgresApplicationRecorder`` (its 4-column table, no event-id index, no hashes; it locks the
  table per insert, as caselog locks its head row), and its notification log read back in pages,
  against caselog's batched append and its ``read_log`` pages without decoding;
* application: in a child process run with ``python -O``, eventsourcing's best case, ``CaseFile``
  aggregates (20 events each) saved with ``Application.save``, 50 aggregates (1,000 events) per
  call, into ``PERSISTENCE_MODULE=eventsourcing.postgres``, then every aggregate replayed with
  ``app.repository.get`` from a new application; against ``Caselog.append_streams`` of the same
  events as typed payloads, 1,000 per call, then ``Caselog.read_stream`` of every stream, decoded
  and folded. ``--app-events`` sets their event count.

Then multi-writer scaling: 1, 2, 4 and 8 writer processes (``spawn``), each with its own store,
appending a fixed number of events each, 100 per append and then one per append, into 200 streams
shared by all writers (``expected=ANY``); the rate is all writers' events over the time from the
first start to the last end, and the ratio is to one writer in the same repeat. Appends to one
schema take turns on the head row's lock by design, so the rate cannot grow with writers.

Inputs are built before any timing. Cases alternate their order between repeats; tables show
median rates and the median of the per-repeat ratios. Targets (``docs/DESIGN.md``): batched
append >= 60% of raw ``COPY``, replay >= 70% of the raw server-side-cursor read. Nothing is
asserted.

Run: ``make bench`` or ``.venv/bin/python bench/postgres.py [--quick] [--dsn URL]``; the server
is ``--dsn``, else ``CASELOG_TEST_POSTGRES_DSN``, else ``postgresql://postgres@127.0.0.1:5432/test``
(the adapter's tests use the same). Without a server it prints why and measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from collections.abc import Callable
from importlib import metadata

import psycopg

import caselog_postgres_side as mine
import peer_eventsourcing as peer
import peer_eventsourcing_postgres as es_pg
import raw_postgres
import writers_postgres
from timing import Samples
from workload import BATCH, EVENTS_PER_STREAM, Workload, add_typed, build_workload

SCRIPT = os.path.abspath(__file__)  # re-run with --peer-child under python -O for the peer
DEFAULT_EVENTS = 100_000
DEFAULT_APP_EVENTS = 100_000
DEFAULT_WRITERS = "1,2,4,8"
RECORDER = "vs eventsourcing recorder"
APPLICATION = "vs eventsourcing application"
TARGETS: dict[str, float] = {"batched append": 0.60, "replay": 0.70}
# each case: caselog's run and rate, the run and rate it is compared to ("caselog / other")
CASES: dict[str, tuple[str, str, str, str]] = {
    "batched append": ("caselog", "append", "raw", "append"),
    "replay": ("caselog", "replay", "raw", "replay"),
    "typed replay (Caselog.iter_log)": ("caselog", "typed replay", "raw", "replay"),
    f"{RECORDER}: append": ("caselog", "append", "es recorder", "append"),
    f"{RECORDER}: read": ("caselog", "read", "es recorder", "read"),
    f"{APPLICATION}: append": ("caselog typed", "append", "es application", "append"),
    f"{APPLICATION}: replay": ("caselog typed", "replay", "es application", "replay"),
}
# multi-writer cases: events per append, and the option giving each writer's event count
WRITER_CASES: dict[str, int] = {"100 events per append": 100, "1 event per append": 1}

Rates = dict[str, float]
Runs = dict[str, Callable[[], Rates]]


# --- the comparison -------------------------------------------------------------------------


def build_inputs(args: argparse.Namespace) -> Workload:
    """Every input, the peer's and the typed workload only where eventsourcing is installed."""
    work = build_workload(args.events, 0)
    if es_pg.AVAILABLE:
        work.peer_batches = peer.stored_batches(work.ordered)
        add_typed(work, args.app_events)
    return work


def runs(args: argparse.Namespace, work: Workload) -> Runs:
    """Every run of a repeat, by name, in the order of the repeats that are not reversed."""
    dsn, durability = args.dsn, args.durability
    found: Runs = {
        "caselog": lambda: mine.measure(dsn, work.batches, durability),
        "raw": lambda: raw_postgres.measure(dsn, work.raw_batches, durability),
    }
    if es_pg.AVAILABLE:
        found["es recorder"] = lambda: es_pg.measure_recorder(dsn, work.peer_batches, durability)
        found["caselog typed"] = lambda: mine.measure_app(dsn, work, durability)
        found["es application"] = lambda: es_pg.measure_app_child(
            SCRIPT, dsn, work.app_events, durability
        )
    return found


def compare(args: argparse.Namespace, work: Workload) -> tuple[dict[str, Samples], Rates]:
    """The samples of every case, and what the eventsourcing child reported last."""
    measures = runs(args, work)
    events = {"caselog": len(work.ordered), "caselog typed": work.app_events}
    samples = {
        case: Samples(events[run])
        for case, (run, _, other, _) in CASES.items()
        if run in measures and other in measures
    }
    child: Rates = {}
    for index in range(args.repeat):
        order = list(measures.items())
        if index % 2:
            order.reverse()
        rates = {name: measure() for name, measure in order}
        for case, sample in samples.items():
            run, key, other, other_key = CASES[case]
            sample.add(rates[run][key], rates[other][other_key])
        child = rates.get("es application", child)
    return samples, child


def scaling(args: argparse.Namespace) -> dict[str, dict[int, list[float]]]:
    """Per multi-writer case, per number of writers, the rate of every repeat."""
    found: dict[str, dict[int, list[float]]] = {}
    for index in range(args.repeat):
        for case, per_append in WRITER_CASES.items():
            events = args.writer_events if per_append > 1 else args.writer_singles
            order = args.writers if index % 2 == 0 else args.writers[::-1]
            for writers in order:
                rate = writers_postgres.measure(
                    args.dsn, writers, events, per_append, args.durability
                )
                found.setdefault(case, {}).setdefault(writers, []).append(rate)
    return found


# --- output ---------------------------------------------------------------------------------


def verdict(case: str, ratio: float) -> tuple[str, str]:
    target = TARGETS.get(case)
    if target is None:
        return "-", ""
    return f">={target:.2f}", "PASS" if ratio >= target else "MISS"


def server_line(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        settings = [
            str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("server_version", "synchronous_commit", "shared_buffers", "fsync")
        ]
        where = f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"
    return (
        f"postgresql {settings[0]} at {where}: synchronous_commit={settings[1]}, "
        f"shared_buffers={settings[2]}, fsync={settings[3]}"
    )


def print_header(args: argparse.Namespace, work: Workload) -> None:
    sizes = [len(item.event.data.encode()) for item in work.planned]
    streams = len({item.stream for item in work.planned})
    print(
        f"python {platform.python_version()} ({sys.executable}), "
        f"psycopg {psycopg.__version__}, psycopg_pool {metadata.version('psycopg-pool')}"
    )
    print(server_line(args.dsn))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(
        f"workload: {args.events} events in {streams} streams, batches of {BATCH}, "
        f"payload {statistics.mean(sizes):.0f} bytes on average; repeat {args.repeat} (median); "
        f"durability={args.durability} (synchronous_commit="
        f"{raw_postgres.synchronous_commit(args.durability)})"
    )
    print("columns: other = raw psycopg, or eventsourcing in 'vs' rows; ratio = caselog / other")
    print(peer_header(work))


def peer_header(work: Workload) -> str:
    if not es_pg.AVAILABLE:
        return "note: eventsourcing.postgres not importable; skipping the peer rows"
    return (
        f"peer: eventsourcing {peer.version()} (eventsourcing.postgres), two levels:\n"
        f"  recorder: PostgresApplicationRecorder.insert_events ({BATCH} per call) and "
        f"select_notifications,\n"
        f"    vs PostgresStore.append and read_log (records only);\n"
        f"  application: Application.save of CaseFile aggregates, "
        f"{BATCH // EVENTS_PER_STREAM} x {EVENTS_PER_STREAM} events per call, and "
        f"repository.get of each, in a 'python -O' child,\n"
        f"    vs Caselog.append_streams of typed payloads ({BATCH} per call) and "
        f"Caselog.read_stream of each stream, folded;\n"
        f"    {work.app_events} events in {len(work.typed_streams)} streams"
    )


def print_table(samples: dict[str, Samples], child: Rates) -> None:
    print(
        f"\n{'case':<40}{'events':>8}{'caselog ev/s':>14}{'other ev/s':>13}"
        f"{'ratio':>8}{'target':>8}  result"
    )
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        print(
            f"{case:<40}{sample.events:>8}{statistics.median(sample.caselog):>14,.0f}"
            f"{statistics.median(sample.other):>13,.0f}{ratio:>8.2f}{target:>8}  {result}"
        )
    if child:
        print(f"note: eventsourcing application child: sys.flags.optimize={int(child['optimize'])}")


def print_scaling(args: argparse.Namespace, found: dict[str, dict[int, list[float]]]) -> list[str]:
    """The multi-writer table; return its summary lines."""
    print(
        f"\nmulti-writer: {', '.join(map(str, args.writers))} processes, each appending "
        f"{args.writer_events} events 100 per append, or {args.writer_singles} one per append, "
        f"into {writers_postgres.STREAMS} shared streams"
    )
    print(f"{'case':<26}{'writers':>8}{'total ev/s':>12}{'vs 1 writer':>13}")
    lines = []
    for case, by_writers in found.items():
        one = by_writers[min(by_writers)]
        parts = []
        for writers in args.writers:
            rates = by_writers[writers]
            ratio = statistics.median(r / o for r, o in zip(rates, one, strict=True))
            print(f"{case:<26}{writers:>8}{statistics.median(rates):>12,.0f}{ratio:>13.2f}")
            parts.append(f"{writers}: {ratio:.2f}")
        lines.append(f"multi-writer, {case}, total rate vs 1 writer: " + "; ".join(parts))
    return lines


def summary(samples: dict[str, Samples]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for case, sample in samples.items():
        ratio = sample.ratio()
        target, result = verdict(case, ratio)
        name, unit = case.rpartition(": ")[2], "x" if case.startswith("vs ") else " of raw"
        check = f" ({result} {target})" if result else ""
        group = case.rpartition(": ")[0] if case.startswith("vs ") else "vs raw psycopg"
        groups.setdefault(group, []).append(f"{name} {ratio:.2f}{unit}{check}")
    return [f"{group}: " + "; ".join(parts) for group, parts in groups.items()]


# --- entry point ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CASELOG_TEST_POSTGRES_DSN") or raw_postgres.DEFAULT_DSN,
        help="the PostgreSQL server (default: CASELOG_TEST_POSTGRES_DSN, else a local one)",
    )
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="events appended, read")
    parser.add_argument(
        "--app-events",
        type=int,
        default=DEFAULT_APP_EVENTS,
        help=f"events for the eventsourcing application rows (default {DEFAULT_APP_EVENTS})",
    )
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    parser.add_argument(
        "--writers", default=DEFAULT_WRITERS, help=f"writer processes (default {DEFAULT_WRITERS})"
    )
    parser.add_argument(
        "--writer-events", type=int, default=5000, help="events per writer, 100 per append"
    )
    parser.add_argument(
        "--writer-singles", type=int, default=300, help="events per writer, one per append"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians reported")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5000 events, repeat 1, 1000 and 50 events per writer",
    )
    parser.add_argument("--peer-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.app_events, args.repeat = 5000, 5000, 1
        args.writer_events, args.writer_singles = 1000, 50
    args.writers = sorted({int(n) for n in args.writers.split(",")})
    return args


def answers(dsn: str) -> str | None:
    """Why the server at ``dsn`` cannot be used, or None if it answers."""
    try:
        with psycopg.connect(dsn, connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL does not answer at {dsn} (--dsn, CASELOG_TEST_POSTGRES_DSN): {exc}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.peer_child:
        print(json.dumps(es_pg.measure_app(args.dsn, args.app_events)))
        return
    problem = answers(args.dsn)
    if problem:
        print(f"note: {problem}; nothing measured")
        return
    work = build_inputs(args)
    print_header(args, work)
    samples, child = compare(args, work)
    print_table(samples, child)
    lines = summary(samples) + print_scaling(args, scaling(args))
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
