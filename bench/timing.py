"""How every side is timed: in a fresh directory, one run at a time, after a garbage collection.

A side supplies ``connect`` (a path to a context manager that opens, and afterwards closes, its
database), an append run and its read runs; each run takes the opened database and returns the
number of events it handled, and only the run itself is inside the timed region.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Db = TypeVar("Db")


@contextmanager
def scratch(filename: str) -> Iterator[str]:
    """The path of ``filename`` in a fresh directory, removed with its files afterwards."""
    with tempfile.TemporaryDirectory(prefix="caselog-bench-") as directory:
        yield os.path.join(directory, filename)


def rate(run: Callable[..., int], *args: Any) -> float:
    """Run once with ``args`` and return the events it handled per second."""
    gc.collect()
    start = time.perf_counter()
    count = run(*args)
    return count / (time.perf_counter() - start)


def append_then_read(
    filename: str,
    connect: Callable[[str], AbstractContextManager[Db]],
    append: Callable[[Db], int],
    reads: Mapping[str, Callable[[Db], int]],
) -> dict[str, float]:
    """The rate of ``append`` into a new database, then of each read with it reopened, by name."""
    with scratch(filename) as path:
        with connect(path) as db:
            rates = {"append": rate(append, db)}
        for name, read in reads.items():
            with connect(path) as db:
                rates[name] = rate(read, db)
    return rates


def count_pages(fetch: Callable[[int], Sequence[T]], after: Callable[[T], int], start: int) -> int:
    """Fetch pages from ``start`` on, each from ``after`` its predecessor's last item, until one
    is empty; return how many items they held."""
    count = 0
    while page := fetch(start):
        count += len(page)
        start = after(page[-1])
    return count


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
