"""Check the raw pipelines against caselog's full rebuild: the rows of every table, and the rates.

Over a scratch copy of the first ``--events`` events of the benchmark store (50,000 by default;
0: all of them), ``Caselog.rebuild()`` (every built-in projection in one pass), then the raw
``rebuild_all`` (``raw_rebuild``: child files, caseload and benefits in one pass), then each raw
pipeline alone (``rebuild``, ``rebuild_caseload``, ``rebuild_benefits``), each timed once.

For each of caselog's tables it prints caselog's rows, the raw pipeline's, and how many are
equal, comparing the sets of full rows, every column (the raw table must have caselog's
columns, in caselog's order). The rows are compared after ``rebuild_all`` and again after the
single pipelines. Then the rates in events per second. Exit status 1 if any table differs.
``matches`` is the comparison, which ``rebuild`` reuses.

Run: ``.venv/bin/python bench/raw_check.py [--events N] [--durability full|normal]``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import raw_rebuild
from rebuild_data import build_store
from timing import rate

TABLES: dict[str, tuple[str, ...]] = {
    "child_files": ("child_files",),
    "caseload": ("child_periods", "category_periods"),
    "benefits": ("applications", "entitlements", "payments", "benefit_standards"),
}
"""caselog's tables, by projection; the raw pipeline's are named ``raw_<table>``."""
ALL_TABLES = tuple(table for tables in TABLES.values() for table in tables)
SINGLES: dict[str, Callable[[sqlite3.Connection], int]] = {
    "raw rebuild (child_files)": raw_rebuild.rebuild,
    "raw rebuild_caseload": raw_rebuild.rebuild_caseload,
    "raw rebuild_benefits": raw_rebuild.rebuild_benefits,
}
SHOWN = 3  # differing rows printed per side


class Match(NamedTuple):
    """One table compared: caselog's rows, the raw pipeline's, how many are equal (all
    columns), and some of the rows only one side has."""

    table: str
    caselog: int
    raw: int
    equal: int
    columns: str | None  # None when the columns are the same, else how they differ
    only: tuple[tuple[str, tuple[Any, ...]], ...]

    @property
    def ok(self) -> bool:
        return self.columns is None and self.caselog == self.raw == self.equal


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def matches(path: str, tables: Iterable[str] = ALL_TABLES) -> list[Match]:
    """Compare caselog's tables with the raw pipelines' (``raw_<table>``), all columns."""
    found = []
    with sqlite3.connect(path) as conn:
        for table in tables:
            raw = f"raw_{table}"
            mine, names = columns(conn, table), columns(conn, raw)
            note = None if names == mine else f"raw has columns {names}, caselog {mine}"
            compared = ", ".join(f'"{name}"' for name in mine if name in names)
            theirs = set(conn.execute(f'SELECT {compared} FROM "{table}"'))
            ours = set(conn.execute(f'SELECT {compared} FROM "{raw}"'))
            only = tuple(
                (side, row)
                for side, rows in (("caselog only", theirs - ours), ("raw only", ours - theirs))
                for row in sorted(rows, key=repr)[:SHOWN]
            )
            found.append(Match(table, len(theirs), len(ours), len(theirs & ours), note, only))
    return found


def compare(path: str, title: str) -> bool:
    """Print, table by table, caselog's rows, the raw rows, and how many are equal; return
    True if every table's rows are the same."""
    print(f"\nrows {title} (all columns)")
    print(f"{'table':<20}{'caselog':>10}{'raw':>10}{'equal':>10}  result")
    same = True
    for match in matches(path):
        same &= match.ok
        print(f"{match.table:<20}{match.caselog:>10,}{match.raw:>10,}{match.equal:>10,}  "
              f"{'EQUAL' if match.ok else 'DIFFER'}")  # fmt: skip
        if match.columns:
            print(f"    {match.columns}")
        for side, row in match.only:
            print(f"    {side}: {row}")
    return same


def main(argv: list[str] | None = None) -> int:
    # here, not above: rebuild imports this module for ``matches``
    from rebuild import count_events, open_log, prefix_store

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000,
                        help="events of the prefix checked (0: the whole store)")  # fmt: skip
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    args = parser.parse_args(argv)
    source = build_store(1_000_000)
    total, _ = count_events(source)
    events = total if args.events <= 0 else min(args.events, total)
    print(f"store: {source}: {total:,} events; checking the first {events:,}, "
          f"durability={args.durability}")  # fmt: skip
    rates: dict[str, float] = {}
    with prefix_store(source, events) as path:
        with open_log(path, args.durability) as log:
            log.directory()  # read once, as any open log does before its first command
            rates["caselog rebuild() (all three)"] = rate(lambda: min(log.rebuild().values()))
        conn = raw_rebuild.connect(path, args.durability)
        try:
            rates["raw rebuild_all"] = rate(raw_rebuild.rebuild_all, conn)
            same = compare(path, "after raw rebuild_all")
            for name, run in SINGLES.items():
                rates[name] = rate(run, conn)
        finally:
            conn.close()
        same &= compare(path, "after the raw single pipelines")
    print(f"\nrates over {events:,} events (one run each)")
    full = rates["caselog rebuild() (all three)"]
    for name, value in rates.items():
        print(f"{name:<32}{value:>10,.0f} events/s  caselog/this {full / value:6.3f}")
    print("\nall tables equal" if same else "\nSOME TABLES DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
