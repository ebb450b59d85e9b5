"""The raw sqlite3 baselines: caselog's table, indexes and pragmas, with none of its code.

Batched: ``BEGIN; executemany(rows); COMMIT`` per batch; single: ``BEGIN; INSERT; COMMIT`` per
row; read: ``SELECT <all columns> ... WHERE position > ? ORDER BY position LIMIT ?`` in pages.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from caselog import StoredEvent
from caselog.sqlite import CHECKPOINT_PAGES
from timing import append_then_read, count_pages
from workload import PAGE, Row

SYNCHRONOUS: dict[str, str] = {"full": "FULL", "normal": "NORMAL"}
CACHE_KIB = 64 * 1024
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


def caselog_pragmas(durability: str) -> list[str]:
    """caselog's per-connection settings, bar the journal mode (WAL)."""
    return [
        f"PRAGMA synchronous = {SYNCHRONOUS[durability]}",
        f"PRAGMA cache_size = {-CACHE_KIB}",
        f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}",
    ]


@contextmanager
def connection(path: str, durability: str) -> Iterator[sqlite3.Connection]:
    """A connection in autocommit mode with caselog's pragmas; a new database gets its schema."""
    new = not os.path.exists(path)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ["PRAGMA journal_mode = WAL", *caselog_pragmas(durability)]:
        conn.execute(pragma)
    for statement in RAW_DDL if new else ():
        conn.execute(statement)
    try:
        yield conn
    finally:
        conn.close()


def insert_batches(conn: sqlite3.Connection, batches: list[list[Row]]) -> int:
    count = 0
    for rows in batches:
        conn.execute("BEGIN")
        conn.executemany(RAW_INSERT, rows)
        conn.execute("COMMIT")
        count += len(rows)
    return count


def insert_singles(conn: sqlite3.Connection, rows: list[Row]) -> int:
    for row in rows:
        conn.execute("BEGIN")
        conn.execute(RAW_INSERT, row)
        conn.execute("COMMIT")
    return len(rows)


def read_log(conn: sqlite3.Connection) -> int:
    """The whole table, in pages of ``PAGE``."""

    def page(after: int) -> list[Row]:
        return conn.execute(RAW_SELECT, (after, PAGE)).fetchall()

    return count_pages(page, lambda row: row[0], start=0)


def measure(
    insert: Callable[[sqlite3.Connection, Any], int], rows: Any, durability: str, *, read: bool
) -> dict[str, float]:
    """``insert`` of ``rows`` into a new database, then, if ``read``, ``read_log`` of it."""
    reads = {"read": read_log} if read else {}
    return append_then_read(
        "raw.db",
        lambda path: connection(path, durability),
        lambda conn: insert(conn, rows),
        reads,
    )
