"""Rebuild throughput of caselog's projections, as a ratio to raw pipelines, and as-of latency.

The store (``rebuild_data``): at least ``--events`` events (1,000,000 by default) copied from
families recorded through the commands (``rebuild_seed``): about 45 children per 1,000 events,
their registrations, parents' situations, categories, schooling, health, visits, concerns,
moves, closures, corrections, households, and orphans' allowances paid month by month, over six
years. It is generated once into ``bench/.data`` and reused.

Every rate is compared with a raw pipeline (``raw_rebuild``, ``raw_caseload``, ``raw_benefits``:
hand-written, none of caselog's code) that writes the same rows as the caselog case it is
compared with, over the same store, in the same run, at the same durability (``full`` by
default, caselog's). The raw pipelines read the log in caselog's engine's pages (sqlite3 pages
of 1,000 events, a full page extended by the following events that share its last event's
recorded time), ``json.loads`` the payloads they read, fold them into plain dicts and objects,
and per page write, in one transaction with their position, ``executemany`` of caselog's own
statements (``INSERT ... ON CONFLICT (key) DO UPDATE SET`` every other column; ``DELETE`` by
key):

* child files (``raw_rebuild.rebuild``): caselog's ``child_files``, all 21 columns (the next
  visit due and why, the 18th birthday, the oldest concern not followed up, ...), each child's
  file folded in effective-time order with voids and corrections applied, folded again from the
  child's stream when an event is back-dated or fixed; the rows of the children each page
  touched;
* caseload (``rebuild_caseload``): ``child_periods`` and ``category_periods``, bitemporal, each
  child's history worked out again at each recorded moment a page brings, rows closed and
  written as caselog does;
* benefits (``rebuild_benefits``): ``applications``, ``entitlements``, ``payments``,
  ``benefit_standards``, each child's fold kept open between pages, only the rows whose content
  changed written;
* all three in one pass (``rebuild_all``), each payload decoded once, as ``Caselog.rebuild()``.

The runs:

* over a prefix of the log (``--prefix``, 50,000 events by default; a prefix of a log is a
  log), ``--repeat`` times: ``Caselog.rebuild()`` (every built-in projection in one pass over
  the log) against ``rebuild_all``, then ``Caselog.rebuild(name)`` of each projection alone
  against its own raw pipeline; caselog and raw alternate their order between repeats, rates
  are medians and each ratio is the median of the per-repeat ratios to its baseline. Then every
  table's rows (all columns) are compared, caselog's against the raw pipeline's (``raw_check``);
* the full rebuild over the whole log, once (about 8 minutes for 1,000,000 events here), with its
  rate over each tenth of the log, against ``rebuild_all`` over the whole log (median of
  ``--repeat``); ``--whole NAME`` rebuilds one projection instead, against its raw pipeline.
  Then the rows of the tables rebuilt are compared, as above;
* as-of latency on the whole log, projections caught up, reading with ``catch_up=False``:
  ``Caselog.caseload(county, as_of=day)`` for a random county and day (``--queries``, 200),
  the same for the province, the largest area (a quarter as many), and
  ``Caselog.child_file(child, as_of=day)`` for a random child and day (``--queries``); days in
  2020-2025; a few untimed queries first (the first reads the directory from the log).

caselog's SQLite store commits each page in a thread of its own while the engine folds the next
page (``SQLiteStore.start_projection_writes``); the raw pipelines commit each page before they
read the next. ``--commit-in-line`` makes caselog commit in line too, to see what the overlap
gives.

Target (docs/DESIGN.md): rebuild at least 70% of the raw pipeline's rate. Nothing is asserted.
``--profile N`` instead runs ``Caselog.rebuild()`` over the first N events under cProfile and
prints the hot spots.

Run: ``make bench`` or ``.venv/bin/python bench/rebuild.py [--quick] [--prefix N] [--profile N]
[--commit-in-line]``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import caselog
import raw_check
import raw_rebuild
from caselog import SQLiteStore
from rebuild_data import build_store
from rebuild_seed import COUNTIES, PROVINCE
from timing import rate, scratch

TARGET = 0.70
PROJECTIONS = ("child_files", "caseload", "benefits")
FULL = "full rebuild (one pass)"
RAW: dict[str, tuple[str, Callable[[sqlite3.Connection], int]]] = {
    FULL: ("raw rebuild_all", raw_rebuild.rebuild_all),
    "child_files": ("raw child_files", raw_rebuild.rebuild),
    "caseload": ("raw caseload", raw_rebuild.rebuild_caseload),
    "benefits": ("raw benefits", raw_rebuild.rebuild_benefits),
}
"""Each caselog case's baseline: the raw pipeline that writes the same rows, and its run."""
FIRST_DAY, DAYS = date(2020, 1, 1), 6 * 365


# --- stores -------------------------------------------------------------------------------------


def count_events(path: str) -> tuple[int, int]:
    """The events and the children of a store."""
    with sqlite3.connect(path) as conn:
        events = conn.execute("SELECT max(position) FROM caselog_events").fetchone()[0]
        children = conn.execute(
            "SELECT count(*) FROM caselog_events WHERE type = 'child_registered'"
        ).fetchone()[0]
    return events, children


@contextmanager
def prefix_store(source: str, events: int) -> Iterator[str]:
    """A scratch store holding the first ``events`` events of ``source``."""
    with scratch("prefix.db") as path:
        SQLiteStore(path).close()  # caselog's schema in a new file
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("ATTACH DATABASE ? AS source", (source,))
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO caselog_events SELECT * FROM source.caselog_events WHERE position <= ?",
            (events,),
        )
        conn.execute("COMMIT")
        conn.close()
        yield path


class InLine:
    """The SQLite store without ``start_projection_writes``: a catch-up commits each page
    before it folds the next, as the raw pipelines do (``--commit-in-line``)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name == "start_projection_writes":
            raise AttributeError(name)
        return getattr(self._store, name)


IN_LINE = False
"""Set by ``--commit-in-line``."""


def open_log(path: str, durability: str) -> caselog.Caselog:
    store = SQLiteStore(path, durability=durability)  # type: ignore[arg-type]
    return caselog.open(InLine(store) if IN_LINE else store)  # type: ignore[arg-type]


def check_rows(path: str, tables: tuple[str, ...]) -> None:
    """Print, for each table, how many of caselog's rows the raw pipeline's equal (all
    columns)."""
    for match in raw_check.matches(path, tables):
        shown = f"check: {match.table} {match.equal:,} of {match.caselog:,} rows equal"
        if match.ok:
            print(shown)
            continue
        print(f"{shown}; raw has {match.raw:,} rows: DIFFER")
        if match.columns:
            print(f"    {match.columns}")
        for side, row in match.only:
            print(f"    {side}: {row}")


def tables_of(name: str | None) -> tuple[str, ...]:
    """The tables of a projection, or of all of them (None)."""
    return raw_check.ALL_TABLES if name is None else raw_check.TABLES[name]


# --- throughput ---------------------------------------------------------------------------------


@dataclass
class Rates:
    """Events per second per repeat, by run name, and each caselog case's baseline run."""

    runs: dict[str, list[float]] = field(default_factory=dict)
    baselines: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: float, baseline: str | None = None) -> None:
        self.runs.setdefault(name, []).append(value)
        if baseline is not None:
            self.baselines[name] = baseline

    def median(self, name: str) -> float:
        return statistics.median(self.runs[name])

    def ratio(self, name: str) -> float:
        pairs = zip(self.runs[name], self.runs[self.baselines[name]], strict=True)
        return statistics.median(mine / theirs for mine, theirs in pairs)


def raw_rate(path: str, durability: str, case: str) -> float:
    """The rate of the raw pipeline that is ``case``'s baseline."""
    conn = raw_rebuild.connect(path, durability)
    try:
        return rate(RAW[case][1], conn)
    finally:
        conn.close()


def caselog_rates(path: str, durability: str) -> dict[str, float]:
    """The rate of the full rebuild, then of each projection rebuilt alone."""
    with open_log(path, durability) as log:
        log.directory()  # read once, as any open log does before its first command
        rates = {FULL: rate(lambda: min(log.rebuild().values()))}
        for name in PROJECTIONS:
            rates[name] = rate(lambda n=name: log.rebuild(n)[n])
    return rates


def compare_rebuild(path: str, durability: str, repeat: int) -> Rates:
    """Rebuilds and their raw pipelines over the same store, alternating their order."""
    rates = Rates()

    def raw() -> None:
        for case, (name, _) in RAW.items():
            rates.add(name, raw_rate(path, durability, case))

    def mine() -> None:
        for case, value in caselog_rates(path, durability).items():
            rates.add(case, value, RAW[case][0])

    for index in range(repeat):
        for run in (mine, raw) if index % 2 else (raw, mine):
            run()
    return rates


def print_rates(title: str, rates: Rates, events: int) -> list[str]:
    """Print a table of rates, each case against its baseline; return the summary line."""
    print(f"\n{title}")
    print(f"{'case':<26}{'events':>11}{'ev/s':>9}  {'baseline':<17}{'ev/s':>9}{'ratio':>8}"
          f"{'target':>8}  result")  # fmt: skip
    for name, baseline in rates.baselines.items():
        ratio = rates.ratio(name)
        shown, result = (f">={TARGET:.2f}", "PASS" if ratio >= TARGET else "MISS")
        print(f"{name:<26}{events:>11,}{rates.median(name):>9,.0f}  {baseline:<17}"
              f"{rates.median(baseline):>9,.0f}{ratio:>8.3f}{shown:>8}  {result}")  # fmt: skip
    cases = "; ".join(f"{n} {rates.ratio(n):.3f} of {b}" for n, b in rates.baselines.items())
    return [f"{title}: {cases} (target >= {TARGET:.2f})"]


class Tenths:
    """A rebuild's progress callback: the rate over each tenth of the log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.marks = [(time.perf_counter(), 0)]
        self.next = total / 10

    def __call__(self, position: int) -> None:
        if position >= self.next or position == self.total:
            self.marks.append((time.perf_counter(), position))
            while self.next <= position:
                self.next += self.total / 10

    def rates(self) -> list[float]:
        pairs = zip(self.marks, self.marks[1:], strict=False)
        return [(p1 - p0) / (t1 - t0) for (t0, p0), (t1, p1) in pairs]


# --- latency ------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return "  ".join(f"p{p} {cuts[p - 1] * 1000:8.2f} ms" for p in (50, 95, 99))


def timed(calls: list[Callable[[], object]]) -> list[float]:
    spent = []
    for call in calls:
        start = time.perf_counter()
        call()
        spent.append(time.perf_counter() - start)
    return spent


def child_ids(path: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT stream FROM caselog_events WHERE type = 'child_registered'")
        return sorted({stream.removeprefix("child:") for (stream,) in rows})


def latencies(log: caselog.Caselog, children: list[str], queries: int) -> dict[str, list[float]]:
    """As-of reads of random areas, children and days, timed one by one."""
    rng = random.Random(20251231)

    def day() -> date:
        return FIRST_DAY + timedelta(days=rng.randrange(DAYS))

    def caseload(area: str, on: date) -> Callable[[], object]:
        return lambda: log.caseload(area, as_of=on, catch_up=False)

    def child_file(child: str, on: date) -> Callable[[], object]:
        return lambda: log.child_file(child, as_of=on)

    timed([caseload(PROVINCE, day()), child_file(children[0], day())])  # warm: the directory
    return {
        "caseload(county, as_of)": timed(
            [caseload(rng.choice(COUNTIES), day()) for _ in range(queries)]
        ),
        "caseload(province, as_of)": timed(
            [caseload(PROVINCE, day()) for _ in range(max(queries // 4, 2))]
        ),
        "child_file(child, as_of)": timed(
            [child_file(rng.choice(children), day()) for _ in range(queries)]
        ),
    }


# --- the runs -----------------------------------------------------------------------------------


def run_prefix(args: argparse.Namespace, path: str, total: int) -> list[str]:
    """The full rebuild and each projection against their raw pipelines, over a prefix of the
    log, repeated; then the rows compared."""
    events = min(args.prefix, total)
    with prefix_store(path, events) as prefix:
        rates = compare_rebuild(prefix, args.durability, args.repeat)
        title = f"over the first {events:,} events of the log (medians of {args.repeat})"
        lines = print_rates(title, rates, events)
        check_rows(prefix, tables_of(None))  # as the last runs left them: each one alone
    return lines


def run_whole(args: argparse.Namespace, path: str, total: int) -> list[str]:
    """The full rebuild (or one projection's) over the whole log, once, against its raw
    pipeline; the rows compared; then the latencies."""
    name = None if args.whole == "all" else args.whole
    case = FULL if name is None else name
    baseline = RAW[case][0]
    raw = statistics.median(raw_rate(path, args.durability, case) for _ in range(args.repeat))
    print(f"\n{case} over the whole log, {total:,} events, once ...")
    with open_log(path, args.durability) as log:
        log.directory()
        gc.collect()
        tenths = Tenths(total)
        start = time.perf_counter()
        log.rebuild(name, progress=tenths)
        rates = Rates({baseline: [raw], case: [total / (time.perf_counter() - start)]},
                      {case: baseline})  # fmt: skip
        print(f"events/s over each tenth of the log: "
              f"{' '.join(f'{value:,.0f}' for value in tenths.rates())}")  # fmt: skip
        title = f"over the whole log ({baseline}: median of {args.repeat})"
        lines = print_rates(title, rates, total)
        check_rows(path, tables_of(name))
        log.catch_up("caseload")  # the latencies read its tables as they stand (untimed)
        found = latencies(log, child_ids(path), args.queries) if args.queries else {}
    if found:
        print(f"\nas-of latency over {total:,} events, catch_up=False")
    for query, samples in found.items():
        shown = f"{query} x{len(samples)}"
        print(f"{shown:<32}{percentiles(samples)}")
        lines.append(f"{shown}: {percentiles(samples)}")
    return lines


def run_profile(path: str, events: int, durability: str) -> None:
    """``Caselog.rebuild()`` over the first ``events`` events under cProfile; the hot spots."""
    with prefix_store(path, events) as prefix, open_log(prefix, durability) as log:
        log.directory()
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.runcall(log.rebuild)
        spent = time.perf_counter() - start
    print(f"\ncProfile of Caselog.rebuild() over {events:,} events: {spent:.1f} s "
          f"({events / spent:,.0f} events/s under the profiler)")  # fmt: skip
    stats = pstats.Stats(profile)
    decoded = sum(
        calls
        for (file, _, function), (_, calls, *_) in stats.stats.items()  # type: ignore[attr-defined]
        if file.endswith(os.path.join("events", "mapper.py")) and function == "event"
    )
    print(f"events decoded (EventMapper.event calls): {decoded:,}, "
          f"{decoded / events:.2f} per event of the log")  # fmt: skip
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(r"caselog/", 25)


# --- entry point --------------------------------------------------------------------------------


def source_version() -> str:
    """The commit of the checkout measured, and whether its src/ has uncommitted changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*words: str) -> str:
        found = subprocess.run(["git", "-C", root, *words], capture_output=True, text=True,
                               check=True)  # fmt: skip
        return found.stdout.strip()

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "src")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}{' with uncommitted changes in src/' if dirty else ''}"


def print_header(args: argparse.Namespace, path: str, total: int, children: int) -> None:
    print(f"caselog at commit {source_version()}")
    print(f"python {platform.python_version()} ({sys.executable}), sqlite {sqlite3.sqlite_version}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print(f"store: {path}: {total:,} events, {children:,} children; durability={args.durability}")
    print("caselog commits each page " + ("before folding the next (--commit-in-line)"
          if args.commit_in_line else "in the store's thread while it folds the next"))  # fmt: skip
    print("raw pipelines (raw_rebuild): caselog's pages (1,000 events, extended to the end of "
          "a recorded moment), json.loads of the payloads they read, plain-dict folds writing "
          "the same rows as caselog (child_files, all 21 columns, in effective order with voids "
          "and corrections; caseload, bitemporal; benefits, only changed rows), executemany of "
          "caselog's upserts (INSERT ... ON CONFLICT DO UPDATE) and deletes, one transaction per "
          "page with the position")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store")
    parser.add_argument("--prefix", type=int, default=50_000,
                        help="events of the repeated comparison (0: skip it)")  # fmt: skip
    parser.add_argument("--whole", choices=["all", *PROJECTIONS, "none"], default="all",
                        help="what is rebuilt over the whole log, once")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians reported")
    parser.add_argument("--queries", type=int, default=200, help="as-of queries of each kind")
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    parser.add_argument("--commit-in-line", action="store_true",
                        help="commit each page before folding the next")  # fmt: skip
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile Caselog.rebuild() of the first N events instead")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 50,000 events, prefix 10,000, repeat 1")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.prefix, args.repeat, args.queries = 50_000, 10_000, 1, 50
    return args


def main(argv: list[str] | None = None) -> None:
    global IN_LINE
    args = parse_args(argv)
    IN_LINE = args.commit_in_line
    path = build_store(args.events)
    total, children = count_events(path)
    print_header(args, path, total, children)
    if args.profile:
        run_profile(path, min(args.profile, total), args.durability)
        return
    lines = run_prefix(args, path, total) if args.prefix else []
    lines += run_whole(args, path, total) if args.whole != "none" else []
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    lines.append(f"peak memory of this process: {peak:,.0f} MiB")
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
