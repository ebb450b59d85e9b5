"""Several processes appending to one ``PostgresStore`` schema at once.

For each number of writers, a fresh schema; each writer is a process (``spawn``) that opens its
own store, builds its events (the workload's payloads, its own event ids), waits for the others at
a barrier, then appends a fixed number of events, ``per_append`` at a time, into streams shared by
all writers (``STREAMS`` streams; an append of 100 touches 20 of them, 5 events each; a single
event goes to one), at ``expected=ANY`` so that no append is refused for a stale version. The
rate is every writer's events over the time from the first writer's start to the last one's end.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from caselog_postgres import Durability, PostgresStore

from caselog import ANY, StreamAppend
from raw_postgres import scratch_schema
from workload import EVENTS_PER_TOUCH, chunks, plan_events

STREAMS = 200


def writer_appends(writer: int, events: int, per_append: int) -> list[list[StreamAppend]]:
    """The writer's appends: its events, ``per_append`` a call, over the shared streams."""
    planned = plan_events(events, seed=7_000 + writer)
    appends = []
    for number, chunk in enumerate(chunks([item.event for item in planned], per_append)):
        touches = list(chunks(chunk, EVENTS_PER_TOUCH))
        first = (writer * 37 + number * len(touches)) % STREAMS
        appends.append(
            [
                StreamAppend(f"child-{(first + k) % STREAMS:04d}", touch, ANY)
                for k, touch in enumerate(touches)
            ]
        )
    return appends


def write(
    dsn: str,
    schema: str,
    durability: Durability,
    writer: int,
    events: int,
    per_append: int,
    barrier: Any,
    results: Any,
) -> None:
    """One writer process: open the store, build the appends, wait, append, report."""
    appends = writer_appends(writer, events, per_append)
    with PostgresStore(dsn, schema=schema, durability=durability, pool_max=1) as store:
        store.stream_version("child-0000")  # connected before the clock starts
        barrier.wait()
        start = time.monotonic()
        written = sum(len(store.append(batch)) for batch in appends)
        results.put((start, time.monotonic(), written))


def measure(dsn: str, writers: int, events: int, per_append: int, durability: Durability) -> float:
    """Events per second of ``writers`` processes appending ``events`` each, in a fresh schema."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(writers, timeout=120)
    results = context.Queue()
    with scratch_schema(dsn, "writers") as schema:
        PostgresStore(dsn, schema=schema, pool_min=0).close()  # the tables, before the writers
        processes = [
            context.Process(
                target=write,
                args=(dsn, schema, durability, n, events, per_append, barrier, results),
            )
            for n in range(writers)
        ]
        for process in processes:
            process.start()
        reports = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join()
        failed = [p.exitcode for p in processes if p.exitcode]
        if failed:
            raise RuntimeError(f"writer processes failed with exit codes {failed}")
    first = min(start for start, _, _ in reports)
    last = max(end for _, end, _ in reports)
    return sum(count for _, _, count in reports) / (last - first)
