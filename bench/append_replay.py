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

This script parses the options, runs the comparisons and prints them; its sibling modules, imported
from this folder, hold the rest: ``workload`` (the inputs), ``timing`` (the timed runs),
``caselog_side``, ``raw_sqlite`` and ``peer_eventsourcing`` (each side's runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace

import caselog_side
import peer_eventsourcing as peer
import raw_sqlite
from caselog.sqlite import Durability
from timing import Samples
from workload import BATCH, EVENTS_PER_STREAM, Workload, add_typed, build_workload

SCRIPT = os.path.abspath(__file__)  # re-run with --peer-child under python -O for the peer
DEFAULT_SINGLE: dict[str, int] = {"full": 5000, "normal": 20000}
DEFAULT_APP_EVENTS = 100_000
RECORDER = "vs eventsourcing recorder"
APPLICATION = "vs eventsourcing application"
TARGETS: dict[str, float] = {
    "batched append": 0.60,
    "single append": 0.80,
    f"{APPLICATION}: append": 2.5,
    f"{APPLICATION}: replay": 5.0,
}
# each case: caselog's run, the run it is compared to, and the rate compared ("caselog / other")
CASES: dict[str, tuple[str, str, str]] = {
    "batched append": ("caselog", "raw", "append"),
    "single append": ("caselog single", "raw single", "append"),
    "read log": ("caselog", "raw", "read"),
    f"{RECORDER}: append": ("caselog", "es recorder", "append"),
    f"{RECORDER}: read": ("caselog", "es recorder", "read"),
    f"{APPLICATION}: append": ("caselog typed", "es application", "append"),
    f"{APPLICATION}: replay": ("caselog typed", "es application", "replay"),
}

Rates = dict[str, float]
Runs = dict[str, Callable[[], Rates]]


# --- the comparison -------------------------------------------------------------------------


def build_inputs(args: argparse.Namespace, single: int) -> Workload:
    """Every input, the peer's and the typed workload only where eventsourcing is installed."""
    work = build_workload(args.events, single)
    if peer.AVAILABLE:
        work.peer_batches = peer.stored_batches(work.ordered)
        add_typed(work, args.app_events)
    return work


def has_app_rows(work: Workload, durability: str) -> bool:
    return bool(work.typed_batches) and durability == peer.APP_DURABILITY


def runs(work: Workload, durability: Durability) -> Runs:
    """Every run of a repeat, by name, in the order of the repeats that are not reversed."""
    found: Runs = {
        "caselog": lambda: caselog_side.measure(work.batches, durability, read=True),
        "raw": lambda: raw_sqlite.measure(
            raw_sqlite.insert_batches, work.raw_batches, durability, read=True
        ),
        "caselog single": lambda: caselog_side.measure(work.singles, durability, read=False),
        "raw single": lambda: raw_sqlite.measure(
            raw_sqlite.insert_singles, work.raw_singles, durability, read=False
        ),
    }
    if work.peer_batches:
        found["es recorder"] = lambda: peer.measure_recorder(work.peer_batches, durability)
    if has_app_rows(work, durability):
        found["caselog typed"] = lambda: caselog_side.measure_typed(work, durability)
        found["es application"] = lambda: peer.measure_app_child(SCRIPT, work.app_events)
    return found


def one_repeat(measures: Runs, flip: bool) -> dict[str, Rates]:
    """Measure every run once, in one order or the reverse, and return the rates by run."""
    order = list(measures.items())
    if flip:
        order.reverse()
    return {name: measure() for name, measure in order}


def new_samples(work: Workload, measures: Runs) -> dict[str, Samples]:
    """Empty samples of the cases whose two runs are both measured."""
    events = {
        "caselog": len(work.ordered),
        "caselog single": len(work.raw_singles),
        "caselog typed": work.app_events,
    }
    return {
        case: Samples(events[mine])
        for case, (mine, other, _) in CASES.items()
        if mine in measures and other in measures
    }


def compare(
    work: Workload, durability: Durability, repeat: int
) -> tuple[dict[str, Samples], Rates]:
    """The samples of every case, and what the eventsourcing child reported last."""
    measures = runs(work, durability)
    samples = new_samples(work, measures)
    child: Rates = {}
    for index in range(repeat):
        rates = one_repeat(measures, flip=index % 2 == 1)
        for case, sample in samples.items():
            mine, other, key = CASES[case]
            sample.add(rates[mine][key], rates[other][key])
        child = rates.get("es application", child)
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
    print(peer_header(work))


def peer_header(work: Workload) -> str:
    if not peer.AVAILABLE:
        return (
            "note: eventsourcing not installed; skipping the peer rows (pip install eventsourcing)"
        )
    return (
        f"peer: eventsourcing {peer.version()}, two levels:\n"
        f"  recorder (store level, no design target): SQLiteApplicationRecorder with caselog's\n"
        f"    pragmas, vs SQLiteStore.append / read_log (the batched append and read log above);\n"
        f"  application (the design's targets apply here): Application.save of CaseFile\n"
        f"    aggregates, {BATCH // EVENTS_PER_STREAM} x {EVENTS_PER_STREAM} events per call, and "
        f"repository.get of each, in a 'python -O' child,\n"
        f"    vs Caselog.append_streams of typed payloads ({BATCH} per call) and "
        f"Caselog.read_stream of each stream;\n"
        f"    {work.app_events} events in {len(work.typed_streams)} streams, "
        f"durability={peer.APP_DURABILITY} only"
    )


def print_table(durability: str, samples: dict[str, Samples], child: Rates) -> None:
    print(f"\ndurability={durability} (PRAGMA synchronous={raw_sqlite.SYNCHRONOUS[durability]})")
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


def app_notes(durability: str, child: Rates) -> list[str]:
    if not peer.AVAILABLE:
        return []
    if durability != peer.APP_DURABILITY:
        return [
            f"eventsourcing application rows skipped at durability={durability}: eventsourcing "
            f"{peer.version()} has no setting for PRAGMA synchronous (its connections "
            f"use SQLite's default), so they are measured at durability={peer.APP_DURABILITY} only"
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
    if peer.AVAILABLE and durability != peer.APP_DURABILITY:
        groups[group_of(APPLICATION)] = [f"not measured (see durability={peer.APP_DURABILITY})"]
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


def run_setting(work: Workload, durability: Durability, single: int, repeat: int) -> list[str]:
    """Measure and print one durability setting's table; return its summary lines."""
    part = replace(work, singles=work.singles[:single], raw_singles=work.raw_singles[:single])
    samples, child = compare(part, durability, repeat)
    print_table(durability, samples, child)
    return summary(durability, samples)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.peer_child:
        print(json.dumps(peer.measure_app(args.app_events)))
        return
    settings: list[Durability] = (
        ["full", "normal"] if args.durability == "both" else [args.durability]
    )
    singles = {d: args.single or DEFAULT_SINGLE[d] for d in settings}
    work = build_inputs(args, max(singles.values()))
    print_header(args, work)
    lines = []
    for durability in settings:
        lines += run_setting(work, durability, singles[durability], args.repeat)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
