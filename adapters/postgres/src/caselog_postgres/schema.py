"""The store's tables in its PostgreSQL schema, their layout version, and the migrations.

A caselog schema holds ``caselog_layout`` (one row: the layout version), ``caselog_events``,
``caselog_head`` (one row: where the log ends; appends lock it) and ``caselog_projections``,
beside the projections' own tables. Opening a store reads the layout version first and touches
nothing when the schema belongs to another program or to a newer caselog-postgres; otherwise it
creates or migrates the schema in one transaction, under an advisory lock so that processes
opening a new schema at once take turns.
"""

from __future__ import annotations

import re
from typing import LiteralString

import psycopg
from psycopg.rows import TupleRow

from caselog.errors import StoreFormatError, ValidationError

__all__ = [
    "LAYOUT_VERSION",
    "Conn",
    "check_schema_name",
    "layout_version",
    "name",
    "prepare",
    "sql",
]

Conn = psycopg.Connection[TupleRow]

LAYOUT_VERSION = 2
"""The layout this caselog-postgres writes: 1 has the events and the head; 2 adds the
projections' positions."""

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_STEPS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE {s}.caselog_layout (single boolean PRIMARY KEY DEFAULT true CHECK (single),"
        " version integer NOT NULL)",
        "INSERT INTO {s}.caselog_layout (version) VALUES (0)",
        """CREATE TABLE {s}.caselog_events (
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
            CONSTRAINT caselog_events_stream_version UNIQUE (stream, version),
            CONSTRAINT caselog_events_event_id UNIQUE (event_id))""",
        "CREATE TABLE {s}.caselog_head (single boolean PRIMARY KEY DEFAULT true CHECK (single),"
        ' position bigint NOT NULL, chain text NOT NULL, recorded text COLLATE "C" NOT NULL)',
        "INSERT INTO {s}.caselog_head (position, chain, recorded) VALUES (0, '', '')",
    ),
    2: (
        """CREATE TABLE {s}.caselog_projections (
            name text COLLATE "C" PRIMARY KEY,
            version text NOT NULL,
            position bigint NOT NULL,
            tables text[] NOT NULL)""",
    ),
}


def check_schema_name(schema: object) -> str:
    """Return ``schema`` if it is a plain lower-case SQL name, else raise ValidationError."""
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        raise ValidationError(
            "schema", f"{schema!r} is not a schema name (lower case letters, digits, _)"
        )
    return schema


def name(schema: str, table: str) -> str:
    """The quoted, schema-qualified name of a table (both names are checked plain names)."""
    return f'"{schema}"."{table}"'


def sql(text: str) -> LiteralString:
    """Mark a statement as safe to send: caselog builds it from checked plain names only.

    Schema, table and column names are validated (lower-case letters, digits and ``_``) before
    they are quoted into a statement; values always travel as parameters.
    """
    return text


def layout_version(conn: Conn, schema: str) -> int:
    """Return the schema's layout version: 0 for a missing or empty schema.

    Raise StoreFormatError if the schema holds another program's tables or a newer layout.
    """
    row = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if row is None:
        return 0
    found = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (name(schema, "caselog_layout"),)
    ).fetchone()
    if found is None or not found[0]:
        tables = conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = %s", row)
        count = (tables.fetchone() or (0,))[0]
        if count:
            raise StoreFormatError(
                f"schema {schema!r} holds {count} tables and other objects of another program; "
                "caselog opens only its own schemas or empty ones"
            )
        return 0
    layout = conn.execute(sql(f"SELECT version FROM {name(schema, 'caselog_layout')}"))
    version_row = layout.fetchone()
    version = int(version_row[0]) if version_row else 0
    if version > LAYOUT_VERSION:
        raise StoreFormatError(
            f"schema {schema!r} has caselog layout version {version}, newer than the "
            f"{LAYOUT_VERSION} this caselog-postgres knows: upgrade caselog-postgres to open it"
        )
    return version


def prepare(conn: Conn, schema: str) -> None:
    """Create or migrate the schema to :data:`LAYOUT_VERSION`; refuse foreign or newer ones.

    ``conn`` is in autocommit mode. A schema already at the current layout is only read.
    """
    if layout_version(conn, schema) == LAYOUT_VERSION:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"caselog:{schema}",))
        version = layout_version(conn, schema)  # another process may have migrated meanwhile
        if version == 0:
            exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
            if exists.fetchone() is None:
                conn.execute(sql(f'CREATE SCHEMA "{schema}"'))
        for step in range(version + 1, LAYOUT_VERSION + 1):
            for statement in _STEPS[step]:
                conn.execute(sql(statement.format(s=f'"{schema}"')))
        update = f"UPDATE {name(schema, 'caselog_layout')} SET version = %s"
        conn.execute(sql(update), (LAYOUT_VERSION,))
