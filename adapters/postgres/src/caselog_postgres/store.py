"""The PostgreSQL store: caselog's events in a schema of a PostgreSQL database (psycopg 3).

Appends take turns: each locks the one row of ``caselog_head`` before it reads the end of the log,
and holds the lock until it commits. That makes commit order equal position order, so a reader
paging through the log by position never skips an event that commits later (a sequence or an
identity column alone would not: transactions commit out of the order they drew numbers in). The
decisions of an append (expected versions, retries, hash chains) are the core's
:func:`caselog.batch.append_batch`; this module supplies the data access and the transaction.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool

from caselog.batch import LogHead, Sealing, append_batch
from caselog.errors import StoreError, ValidationError
from caselog.store import StoredEvent, StreamAppend, check_page, check_version_range
from caselog.tables import ProjectionState, ProjectionWrite, Query, Table, TableChanges, committed
from caselog.times import Clock, format_recorded, system_clock
from caselog_postgres.errors import translated
from caselog_postgres.projections import Projections
from caselog_postgres.schema import Conn, check_schema_name, name, prepare, sql

__all__ = ["Durability", "PostgresStore"]

Durability = Literal["full", "normal"]
_FIELDS = StoredEvent._fields
_COPY_FROM = 8  # rows: from here on COPY beats one INSERT per row
_STREAMS_KEPT = 65_536

_record = functools.partial(tuple.__new__, StoredEvent)  # StoredEvent._make without its checks


class _Statements:
    """The statements of one schema, built once."""

    def __init__(self, schema: str) -> None:
        events, head = name(schema, "caselog_events"), name(schema, "caselog_head")
        columns = ", ".join("event_id::text" if f == "event_id" else f for f in _FIELDS)
        select = f"SELECT {columns} FROM {events}"
        self.lock_head = sql(f"SELECT position, chain, recorded FROM {head} FOR UPDATE")
        self.move_head = sql(f"UPDATE {head} SET position = %s, chain = %s, recorded = %s")
        self.stream_heads = sql(
            f"SELECT s, h.version, h.hash FROM unnest(%s::text[]) AS s LEFT JOIN LATERAL "
            f"(SELECT version, hash FROM {events} WHERE stream = s "
            "ORDER BY version DESC LIMIT 1) AS h ON true"
        )
        self.stream_version = sql(
            f"SELECT version FROM {events} WHERE stream = %s ORDER BY version DESC LIMIT 1"
        )
        self.last_event = sql(f"{select} ORDER BY position DESC LIMIT 1")
        self.find = sql(f"{select} WHERE event_id = ANY(%s::uuid[])")
        self.insert = sql(f"INSERT INTO {events} VALUES ({', '.join(['%s'] * len(_FIELDS))})")
        self.copy = sql(f"COPY {events} ({', '.join(_FIELDS)}) FROM STDIN")
        self.read_log = sql(f"{select} WHERE position > %s ORDER BY position LIMIT %s")
        self.read_stream = sql(
            f"{select} WHERE stream = %s AND version >= %s AND version <= %s ORDER BY version"
        )


class _Backend:
    """The store's data as :func:`~caselog.batch.append_batch` sees it, inside the append's
    transaction, which holds the lock on the head row."""

    def __init__(
        self,
        conn: Conn,
        statements: _Statements,
        head: LogHead | None,
        heads: dict[str, tuple[int, str] | None],
    ) -> None:
        self.conn = conn
        self.statements = statements
        self.head = head
        self.heads = heads

    def fetch_heads(self, streams: Sequence[str]) -> None:
        """Read the heads of the streams not known yet, in one round trip."""
        wanted = [stream for stream in streams if stream not in self.heads]
        if wanted:
            rows = self.conn.execute(self.statements.stream_heads, (wanted,)).fetchall()
            for stream, version, hash_ in rows:
                self.heads[stream] = None if version is None else (version, hash_)

    def stream_head(self, stream: str) -> tuple[int, str] | None:
        self.fetch_heads([stream])
        return self.heads[stream]

    def log_head(self) -> LogHead | None:
        return self.head

    def find(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        rows = self.conn.execute(self.statements.find, (list(event_ids),)).fetchall()
        return {record.event_id: record for record in map(_record, rows)}

    def insert(self, records: Sealing) -> bool:
        try:
            with self.conn.cursor() as cursor:
                if len(records) < _COPY_FROM:
                    cursor.executemany(self.statements.insert, records.all())
                else:
                    with cursor.copy(self.statements.copy) as copy:
                        for record in records:  # hashed while the server stores the last ones
                            copy.write_row(record)
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "caselog_events_event_id":
                raise
            # Nothing of this append may stay: start again, holding the lock, so that the rest
            # of the append reads what is committed.
            self.conn.execute("ROLLBACK")
            self.conn.execute("BEGIN")
            self.conn.execute(self.statements.lock_head)
            return False
        return True


class PostgresStore:
    """An :class:`~caselog.EventStore` and :class:`~caselog.tables.ProjectionStore` in one
    PostgreSQL schema.

    ``dsn`` is a libpq connection string or ``postgresql://`` URL. The store keeps a pool of
    ``pool_min`` to ``pool_max`` connections and waits up to ``timeout`` seconds for one. Several
    processes may use one schema at once. Every acknowledged append is on disk by default
    (``durability="full"`` keeps the server's ``synchronous_commit``); ``"normal"`` turns
    ``synchronous_commit`` off for this store's connections, which may lose the last commits
    before a server crash but never leaves half an append.
    """

    def __init__(
        self,
        dsn: str,
        *,
        clock: Clock = system_clock,
        schema: str = "caselog",
        pool_min: int = 1,
        pool_max: int = 4,
        timeout: float = 30.0,
        durability: Durability = "full",
    ) -> None:
        _check_options(dsn, pool_min, pool_max, timeout, durability)
        self.schema = check_schema_name(schema)
        self.durability = durability
        self._clock = clock
        self._lock = threading.Lock()  # appends from this store's threads take turns here
        self._statements = _Statements(self.schema)
        self._heads: dict[str, tuple[int, str] | None] = {}
        self._heads_at: LogHead | None = None  # the log head at which _heads hold
        with translated:
            with psycopg.connect(dsn, autocommit=True) as conn:
                prepare(conn, self.schema)
                self._where = f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"
            self._pool = ConnectionPool(
                dsn,
                min_size=pool_min,
                max_size=pool_max,
                timeout=timeout,
                kwargs={"autocommit": True},
                configure=self._configure,
                open=False,
                name=f"caselog:{self.schema}",
            )
            self._pool.open()
        self._projections = Projections(self._pool, self.schema)

    def _configure(self, conn: Conn) -> None:
        if self.durability == "normal":
            conn.execute("SET synchronous_commit TO off")

    def append(self, appends: Sequence[StreamAppend]) -> list[StoredEvent]:
        with self._lock, translated, self._pool.connection() as conn:
            try:
                conn.execute("BEGIN")
                backend = self._backend(conn)
                backend.fetch_heads([a.stream for a in appends if isinstance(a, StreamAppend)])
                outcome = append_batch(appends, backend, now=format_recorded(self._clock()))
                if outcome.is_written:
                    last = outcome.events[-1]
                    head = LogHead(last.position, last.chain, last.recorded)
                    conn.execute(self._statements.move_head, head)
                    conn.execute("COMMIT")
                    self._committed(outcome.events, head)
                else:
                    conn.execute("ROLLBACK")
            except BaseException:
                self._forget()
                _roll_back(conn)
                raise
            return outcome.events

    def _backend(self, conn: Conn) -> _Backend:
        """Lock the head row; keep the known stream heads only if nobody appended since."""
        row = conn.execute(self._statements.lock_head).fetchone()
        if row is None:
            raise StoreError(f"schema {self.schema!r} has lost its caselog_head row")
        head = None if row[0] == 0 else LogHead._make(row)
        if head != self._heads_at:
            self._heads.clear()
        self._heads_at = head
        return _Backend(conn, self._statements, head, self._heads)

    def _committed(self, records: Sequence[StoredEvent], head: LogHead) -> None:
        if len(self._heads) > _STREAMS_KEPT:
            self._heads.clear()
        for record in records:
            self._heads[record.stream] = (record.version, record.hash)
        self._heads_at = head

    def _forget(self) -> None:
        self._heads.clear()
        self._heads_at = None

    def read_stream(
        self, stream: str, *, first: int = 1, last: int | None = None
    ) -> list[StoredEvent]:
        first, last = check_version_range(first, last)
        return self._records(self._statements.read_stream, (stream, first, last))

    def read_log(self, *, after: int = 0, limit: int = 1000) -> list[StoredEvent]:
        after, limit = check_page(after, limit)
        return self._records(self._statements.read_log, (after, limit))

    def _records(self, statement: Any, params: tuple[Any, ...]) -> list[StoredEvent]:
        with translated, self._pool.connection() as conn:
            return list(map(_record, conn.execute(statement, params).fetchall()))

    def stream_version(self, stream: str) -> int:
        with translated, self._pool.connection() as conn:
            row = conn.execute(self._statements.stream_version, (stream,)).fetchone()
            return 0 if row is None else int(row[0])

    def last_event(self) -> StoredEvent | None:
        found = self._records(self._statements.last_event, ())
        return found[0] if found else None

    def projection_state(self, name: str) -> ProjectionState | None:
        return self._projections.state(name)

    def create_projection(self, name: str, *, version: str, tables: Sequence[Table]) -> None:
        self._projections.create(name, version=version, tables=tables)

    def write_projection(
        self, name: str, *, expected: int, position: int, changes: Sequence[TableChanges]
    ) -> None:
        self._projections.write([ProjectionWrite(name, expected, position, tuple(changes))])

    def write_projections(self, writes: Sequence[ProjectionWrite]) -> frozenset[str]:
        return self._projections.write(writes, strict=False)

    def start_projection_writes(
        self, writes: Sequence[ProjectionWrite]
    ) -> tuple[frozenset[str], Callable[[], None]]:
        """As :meth:`write_projections`, which commits before it returns: nothing to wait for."""
        return self.write_projections(writes), committed

    def drop_projection(self, name: str, *, tables: Sequence[Table]) -> None:
        self._projections.drop(name, tables=tables)

    def query(self, query: Query) -> list[tuple[Any, ...]]:
        return self._projections.query(query)

    def close(self) -> None:
        """Close the pool's connections; the store is unusable afterwards."""
        with translated:
            self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self._where!r}, schema={self.schema!r})"


def _roll_back(conn: Conn) -> None:
    """End a failed append's transaction, if the connection still can."""
    if conn.closed or conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    with contextlib.suppress(psycopg.Error):  # broken: the pool discards it, the server rolls back
        conn.execute("ROLLBACK")


def _check_options(
    dsn: object, pool_min: object, pool_max: object, timeout: object, durability: object
) -> None:
    if not isinstance(dsn, str) or not dsn:
        raise ValidationError("dsn", f"{dsn!r} is not a connection string")
    if type(pool_min) is not int or pool_min < 0:
        raise ValidationError("pool_min", f"{pool_min!r} is not a whole number >= 0")
    if type(pool_max) is not int or pool_max < max(pool_min, 1):
        raise ValidationError("pool_max", f"{pool_max!r} is not a whole number >= pool_min, 1")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValidationError("timeout", f"{timeout!r} is not a number of seconds")
    if durability not in ("full", "normal"):
        raise ValidationError("durability", f"{durability!r} is not 'full' or 'normal'")
