"""The raw PostgreSQL baselines: caselog's table and unique indexes, with none of its code.

Batched: one transaction per batch, ``COPY ... FROM STDIN`` of its rows (psycopg's
``Copy.write_row``, the way caselog's store sends batches); read: one server-side cursor
(``conn.cursor(name=...)``, ``itersize`` rows per round trip) over ``SELECT <all columns> ...
ORDER BY position``, every payload decoded with ``json.loads`` and folded into a dict per stream
(``fold``, which caselog's replay uses too). Every case runs in a fresh schema, dropped after it
(``scratch_schema``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import psycopg

from caselog import StoredEvent
from timing import rate
from workload import PAGE, Row

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
COLUMNS = ", ".join(StoredEvent._fields)
# caselog_postgres's caselog_events, column for column: types, collations, unique constraints
RAW_DDL = """CREATE TABLE {schema}.events (
    position bigint PRIMARY KEY,
    stream text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    event_id uuid NOT NULL,
    type text COLLATE "C" NOT NULL,
    schema bigint NOT NULL,
    effective text COLLATE "C" NOT NULL,
    recorded text COLLATE "C" NOT NULL,
    actor text COLLATE "C",
    role text COLLATE "C",
    area text COLLATE "C",
    causation text COLLATE "C",
    correlation text COLLATE "C",
    device text COLLATE "C",
    data text NOT NULL,
    hash text NOT NULL,
    chain text NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream, version),
    CONSTRAINT events_event_id UNIQUE (event_id))"""

State = dict[str, Any]
Db = TypeVar("Db")


def fold(states: dict[str, State], stream: str, data: dict[str, Any]) -> None:
    """Fold one event's decoded payload into its stream's state: a case file in a few fields."""
    state = states.get(stream)
    if state is None:
        states[stream] = {
            "child": data["child"],
            "visits": 1,
            "risk": data["risk"],
            "follow_ups": 1 if data["follow_up"] else 0,
            "next_review": data["next_review"],
            "school": data["school"],
        }
        return
    state["visits"] += 1
    state["risk"] = max(state["risk"], data["risk"])
    if data["follow_up"]:
        state["follow_ups"] += 1
    state["next_review"] = data["next_review"]
    state["school"] = data["school"]


@contextmanager
def scratch_schema(dsn: str, prefix: str) -> Iterator[str]:
    """The name of a new, empty schema with a random name, dropped with its tables afterwards."""
    schema = f"bench_{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def append_then_read(
    dsn: str,
    prefix: str,
    connect: Callable[[str], AbstractContextManager[Db]],
    append: Callable[[Db, str], int],
    reads: Mapping[str, Callable[[Db, str], int]],
) -> dict[str, float]:
    """The rate of ``append`` into a new schema, then of each read with it reconnected, by name;
    each run takes the opened database and the schema's name."""
    with scratch_schema(dsn, prefix) as schema:
        with connect(schema) as db:
            rates = {"append": rate(append, db, schema)}
        for name, read in reads.items():
            with connect(schema) as db:
                rates[name] = rate(read, db, schema)
    return rates


def synchronous_commit(durability: str) -> str:
    """The server setting caselog's ``durability`` stands for."""
    return "on" if durability == "full" else "off"


@contextmanager
def connection(dsn: str, schema: str, durability: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection at caselog's durability; a schema without a table gets one."""
    conn = psycopg.connect(dsn, autocommit=True)
    try:
        conn.execute(f"SET synchronous_commit TO {synchronous_commit(durability)}")
        exists = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".events',)).fetchone()
        if exists is None or exists[0] is None:
            conn.execute(RAW_DDL.format(schema=f'"{schema}"'))
        yield conn
    finally:
        conn.close()


def copy_batches(conn: psycopg.Connection[Any], schema: str, batches: list[list[Row]]) -> int:
    """One transaction per batch, its rows sent with ``COPY``."""
    statement = f'COPY "{schema}".events ({COLUMNS}) FROM STDIN'
    count = 0
    for rows in batches:
        with conn.transaction(), conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        count += len(rows)
    return count


def replay(conn: psycopg.Connection[Any], schema: str) -> int:
    """Every row through one server-side cursor, ``PAGE`` rows a fetch, decoded and folded."""
    states: dict[str, State] = {}
    count = 0
    select = (
        f"SELECT {COLUMNS.replace('event_id', 'event_id::text')} "
        f'FROM "{schema}".events ORDER BY position'
    )
    with conn.transaction(), conn.cursor(name="replay") as cursor:
        cursor.itersize = PAGE
        cursor.execute(select)
        loads = json.loads
        for row in cursor:
            fold(states, row[1], loads(row[14]))
            count += 1
    return count


def measure(dsn: str, batches: list[list[Row]], durability: str) -> dict[str, float]:
    """``COPY`` of the batches into a new schema, then the server-side-cursor replay of it."""
    return append_then_read(
        dsn,
        "raw",
        lambda schema: connection(dsn, schema, durability),
        lambda conn, schema: copy_batches(conn, schema, batches),
        {"replay": replay},
    )
