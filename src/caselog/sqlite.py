"""The SQLite store: caselog's embedded default, one file, WAL mode.

The schema is created and migrated with sqlite-utils; the append and read paths use the
connection directly, since they run millions of times. Every acknowledged append is on disk by
default (``synchronous=FULL``); ``durability="normal"`` trades the last few commits before a power
cut for speed, never consistency.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Literal

import sqlite_utils

from caselog.batch import LogHead, Sealing, append_batch
from caselog.errors import ConcurrencyError, StoreError, StoreFormatError, ValidationError
from caselog.store import StoredEvent, StreamAppend, check_page, check_version_range
from caselog.tables import (
    Condition,
    ProjectionState,
    ProjectionWrite,
    Query,
    Table,
    TableChanges,
    committed,
)
from caselog.times import Clock, format_recorded, system_clock

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Durability", "SQLiteStore"]

APPLICATION_ID = 0x43534C47  # "CSLG" in the SQLite header: marks a file as a caselog store
SCHEMA_VERSION = 2
"""The layout version this caselog writes, kept in the header's ``user_version``: 1 had the
events table; 2 adds the projections' checkpoints."""

Durability = Literal["full", "normal"]
_SYNCHRONOUS: dict[str, str] = {"full": "FULL", "normal": "NORMAL"}
CHECKPOINT_PAGES = 10_000
"""The write-ahead log is copied into the database once it holds this many pages (40 MB), not
SQLite's 1,000: a rebuild rewrites the same table and index pages over and over, and copies
each far less often."""

EVENTS = "caselog_events"
PROJECTIONS = "caselog_projections"
_COLUMNS = ", ".join(StoredEvent._fields)
_SELECT = f"SELECT {_COLUMNS} FROM {EVENTS}"
_INSERT = f"INSERT INTO {EVENTS} VALUES ({', '.join('?' * len(StoredEvent._fields))})"
_HEAD = f"SELECT position, chain, recorded FROM {EVENTS} ORDER BY position DESC LIMIT 1"
_STREAM_HEAD = f"SELECT version, hash FROM {EVENTS} WHERE stream = ? ORDER BY version DESC LIMIT 1"
_FIND_CHUNK = 500


class _Translated:
    """Turns the driver's errors into caselog's, keeping the cause."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            raise StoreFormatError(f"not a SQLite database: {exc}") from exc
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"SQLite: {exc}") from exc


_translated = _Translated()


class _Turns:
    """The store's lock, which a caller also takes to wait for a commit left to finish in the
    background (see :meth:`SQLiteStore.start_projection_writes`): the connection then serves
    whoever holds the lock, and no one else."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.committing: Future[None] | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        if self.committing is not None:
            try:
                wait_for([self.committing])  # its error goes to whoever started it
            except BaseException:  # interrupted: the lock is not taken after all
                self._lock.release()
                raise
            self.committing = None

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def _result(committing: Future[None]) -> None:
    committing.result()


_record = functools.partial(tuple.__new__, StoredEvent)  # StoredEvent._make without its checks


def _records(cursor: sqlite3.Cursor) -> list[StoredEvent]:
    return list(map(_record, cursor.fetchall()))


class _Tables:
    """The store's data, as the append algorithm sees it, inside a write transaction.

    Remembers the heads it has read or committed, so that a process appending alone skips the
    head queries; ``PRAGMA data_version`` tells when another connection has committed since, and
    then everything remembered is dropped.
    """

    _STREAMS_KEPT = 65_536

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._data_version = -1
        self._log_head: LogHead | None = None
        self._is_log_head_known = False
        self._stream_heads: dict[str, tuple[int, str] | None] = {}

    def begin(self) -> None:
        """Take the write lock; forget the heads if another connection committed meanwhile."""
        self.conn.execute("BEGIN IMMEDIATE")
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self.forget()
            self._data_version = version

    def forget(self) -> None:
        self._is_log_head_known = False
        self._stream_heads.clear()

    def committed(self, records: Sequence[StoredEvent]) -> None:
        """Remember the heads that this connection's last commit left."""
        last = records[-1]
        self._log_head = LogHead(last.position, last.chain, last.recorded)
        self._is_log_head_known = True
        if len(self._stream_heads) > self._STREAMS_KEPT:
            self._stream_heads.clear()
        for record in records:
            self._stream_heads[record.stream] = (record.version, record.hash)

    def stream_head(self, stream: str) -> tuple[int, str] | None:
        if stream in self._stream_heads:
            return self._stream_heads[stream]
        row = self.conn.execute(_STREAM_HEAD, (stream,)).fetchone()
        head = None if row is None else (row[0], row[1])
        self._stream_heads[stream] = head
        return head

    def last_event(self) -> StoredEvent | None:
        row = self.conn.execute(f"{_SELECT} ORDER BY position DESC LIMIT 1").fetchone()
        return None if row is None else StoredEvent._make(row)

    def log_head(self) -> LogHead | None:
        if not self._is_log_head_known:
            row = self.conn.execute(_HEAD).fetchone()
            self._log_head = None if row is None else LogHead._make(row)
            self._is_log_head_known = True
        return self._log_head

    def find(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        found: dict[str, StoredEvent] = {}
        for start in range(0, len(event_ids), _FIND_CHUNK):
            chunk = event_ids[start : start + _FIND_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor = self.conn.execute(f"{_SELECT} WHERE event_id IN ({marks})", chunk)
            found.update((record.event_id, record) for record in _records(cursor))
        return found

    def insert(self, records: Sealing) -> bool:
        try:
            if len(records) == 1:
                self.conn.execute(_INSERT, next(iter(records)))
            else:
                self.conn.executemany(_INSERT, records)
        except sqlite3.IntegrityError as exc:
            if "event_id" not in str(exc):
                raise
            # executemany keeps the rows before the failing one: drop them all, and keep the
            # write lock so that the rest of the append reads what is committed.
            self.conn.execute("ROLLBACK")
            self.conn.execute("BEGIN IMMEDIATE")
            return False
        return True


class SQLiteStore:
    """An :class:`~caselog.EventStore` in one SQLite file.

    Several processes may open the same file: writers take turns (waiting up to ``timeout``
    seconds), readers never wait. ``path`` may be ``":memory:"`` for a private in-memory database.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock = system_clock,
        durability: Durability = "full",
        timeout: float = 30.0,
        cache_mib: int = 64,
    ) -> None:
        if durability not in _SYNCHRONOUS:
            raise ValidationError("durability", f"{durability!r} is not 'full' or 'normal'")
        if not isinstance(timeout, int | float) or timeout < 0:
            raise ValidationError("timeout", f"{timeout!r} is not a number of seconds")
        if type(cache_mib) is not int or cache_mib < 1:
            raise ValidationError("cache_mib", f"{cache_mib!r} is not a whole number of MiB")
        self.path = os.fspath(path)
        self.durability = durability
        self._clock = clock
        self._lock = _Turns()
        self._committing_thread: ThreadPoolExecutor | None = None  # start_projection_writes
        self._committing_pid = 0
        with _translated:
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._prepare(durability, cache_mib)
            except BaseException:
                self._conn.close()
                raise
        self._tables = _Tables(self._conn)
        self._columns: dict[str, set[str]] = {}  # projection tables' columns, for queries
        self._writes: dict[str, tuple[str, str]] = {}  # their upsert and delete statements

    def _prepare(self, durability: Durability, cache_mib: int) -> None:
        self._check_format()
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute(f"PRAGMA synchronous = {_SYNCHRONOUS[durability]}")
        self._conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mib)}")
        self._conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        if (
            self._pragma("application_id") != APPLICATION_ID
            or self._pragma("user_version") < SCHEMA_VERSION
        ):
            self._create_schema()

    def _pragma(self, name: str) -> int:
        value: int = self._conn.execute(f"PRAGMA {name}").fetchone()[0]
        return value

    def _check_format(self) -> None:
        """Refuse files of other programs and of newer caselogs before touching them."""
        application_id = self._pragma("application_id")
        version = self._pragma("user_version")
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise StoreFormatError(
                    f"{self.path} has caselog schema version {version}, newer than the "
                    f"{SCHEMA_VERSION} this caselog knows: upgrade caselog to open it"
                )
            return
        tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id != 0 or tables:
            raise StoreFormatError(
                f"{self.path} is a SQLite database of another program "
                f"(application id {application_id}, {tables} schema objects); "
                "caselog opens only its own files or empty ones"
            )

    def _create_schema(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._check_format()  # another process may have created it while we waited
            if self._pragma("application_id") != APPLICATION_ID:
                self._create_tables()
            if self._pragma("user_version") < 2:
                self._create_projections_table()
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _create_tables(self) -> None:
        db = sqlite_utils.Database(self._conn)
        columns: dict[str, type] = dict.fromkeys(StoredEvent._fields, str)
        columns.update(position=int, version=int, schema=int)
        optional = {"actor", "role", "area", "causation", "correlation", "device"}
        events = db.table(EVENTS)
        events.create(columns, pk="position", not_null=set(columns) - optional, strict=True)
        events.create_index(["stream", "version"], unique=True)
        events.create_index(["event_id"], unique=True)
        self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _create_projections_table(self) -> None:
        """Schema 2: where each projection's checkpoint and tables are kept."""
        db = sqlite_utils.Database(self._conn)
        db.table(PROJECTIONS).create(
            {"name": str, "version": str, "position": int, "tables": str},
            pk="name", not_null={"name", "version", "position", "tables"}, strict=True,
        )  # fmt: skip

    def append(self, appends: Sequence[StreamAppend]) -> list[StoredEvent]:
        with self._lock, _translated:
            conn, tables = self._conn, self._tables
            try:
                tables.begin()
                outcome = append_batch(appends, tables, now=format_recorded(self._clock()))
                if outcome.is_written:
                    conn.execute("COMMIT")
                    tables.committed(outcome.events)
                else:
                    conn.execute("ROLLBACK")
            except BaseException:
                tables.forget()
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return outcome.events

    def read_stream(
        self, stream: str, *, first: int = 1, last: int | None = None
    ) -> list[StoredEvent]:
        sql = f"{_SELECT} WHERE stream = ? AND version >= ? AND version <= ? ORDER BY version"
        first, last = check_version_range(first, last)
        with self._lock, _translated:
            return _records(self._conn.execute(sql, (stream, first, last)))

    def read_log(self, *, after: int = 0, limit: int = 1000) -> list[StoredEvent]:
        sql = f"{_SELECT} WHERE position > ? ORDER BY position LIMIT ?"
        after, limit = check_page(after, limit)
        with self._lock, _translated:
            return _records(self._conn.execute(sql, (after, limit)))

    def stream_version(self, stream: str) -> int:
        with self._lock, _translated:
            row = self._conn.execute(_STREAM_HEAD, (stream,)).fetchone()
            return 0 if row is None else int(row[0])

    def last_event(self) -> StoredEvent | None:
        with self._lock, _translated:
            return self._tables.last_event()

    def projection_state(self, name: str) -> ProjectionState | None:
        sql = f"SELECT name, version, position FROM {PROJECTIONS} WHERE name = ?"
        with self._lock, _translated:
            row = self._conn.execute(sql, (name,)).fetchone()
            return None if row is None else ProjectionState(*row)

    def create_projection(self, name: str, *, version: str, tables: Sequence[Table]) -> None:
        with self._lock, _translated, self._transaction():
            conn = self._conn
            row = conn.execute(
                f"SELECT version, tables FROM {PROJECTIONS} WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[0] != version:
                raise StoreError(f"projection {name} has version {row[0]}, not {version}")
            owners = self._table_owners()
            for table in tables:
                if owners.get(table.name, name) != name:
                    raise ValidationError("tables", f"{table.name} belongs to {owners[table.name]}")
            db = sqlite_utils.Database(conn)
            for table in tables:
                _create_table(db, table)
            names = ",".join(sorted({t.name for t in tables}))
            conn.execute(
                f"INSERT OR IGNORE INTO {PROJECTIONS} VALUES (?, ?, 0, ?)", (name, version, names)
            )

    def _table_owners(self) -> dict[str, str]:
        rows = self._conn.execute(f"SELECT name, tables FROM {PROJECTIONS}").fetchall()
        return {table: name for name, tables in rows for table in tables.split(",") if table}

    def write_projection(
        self, name: str, *, expected: int, position: int, changes: Sequence[TableChanges]
    ) -> None:
        self._write([ProjectionWrite(name, expected, position, tuple(changes))], strict=True)

    def write_projections(self, writes: Sequence[ProjectionWrite]) -> frozenset[str]:
        return self._write(writes, strict=False)

    def start_projection_writes(
        self, writes: Sequence[ProjectionWrite]
    ) -> tuple[frozenset[str], Callable[[], None]]:
        """Write as :meth:`write_projections` does, but leave the commit, which waits for the
        disk, to a thread of the store's own; return the names skipped and a function that
        waits for the commit and raises what committing raised. Until the commit is done,
        every other call of the store waits for it: a projection catching up folds its next
        page meanwhile."""
        with self._lock, _translated:
            conn = self._conn
            self._tables.begin()
            try:
                skipped = self._write_changes(writes, strict=False)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                committing = self._lock.committing = self._committer().submit(self._commit)
            except RuntimeError:  # no thread to commit in: the interpreter is exiting, say
                self._commit()  # in this one, then
                return skipped, committed
        return skipped, functools.partial(_result, committing)

    def _committer(self) -> ThreadPoolExecutor:
        """The store's thread that commits, made anew in a process forked since."""
        if self._committing_thread is None or self._committing_pid != os.getpid():
            self._committing_thread = ThreadPoolExecutor(1, thread_name_prefix="caselog-commit")
            self._committing_pid = os.getpid()
        return self._committing_thread

    def _commit(self) -> None:
        """Commit the transaction open on the connection (in the store's thread)."""
        conn = self._conn
        with _translated:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _write(self, writes: Sequence[ProjectionWrite], *, strict: bool) -> frozenset[str]:
        with self._lock, _translated, self._transaction():
            return self._write_changes(writes, strict=strict)

    def _write_changes(self, writes: Sequence[ProjectionWrite], *, strict: bool) -> frozenset[str]:
        """Apply the writes inside the open transaction; return the names of those skipped."""
        skipped: set[str] = set()
        conn = self._conn
        for write in writes:
            name = write.name
            row = conn.execute(
                f"SELECT position, tables FROM {PROJECTIONS} WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                raise StoreError(f"projection {name} has no tables: create it first")
            if row[0] != write.expected:
                if strict:
                    raise ConcurrencyError(f"projection:{name}", write.expected, row[0])
                skipped.add(name)
                continue
            owned = set(row[1].split(","))
            for change in write.changes:
                if change.table not in owned:
                    raise ValidationError(
                        "table", f"{change.table!r} is not a table of projection {name}"
                    )
                _apply(conn, change, self._statements(change.table))
            conn.execute(
                f"UPDATE {PROJECTIONS} SET position = ? WHERE name = ?", (write.position, name)
            )
        return frozenset(skipped)

    def drop_projection(self, name: str, *, tables: Sequence[Table]) -> None:
        self._columns.clear()
        self._writes.clear()
        with self._lock, _translated, self._transaction():
            owners = self._table_owners()
            for table in tables:
                if owners.get(table.name) == name:
                    self._conn.execute(f'DROP TABLE IF EXISTS "{table.name}"')
            self._conn.execute(f"DELETE FROM {PROJECTIONS} WHERE name = ?", (name,))

    def query(self, query: Query) -> list[tuple[object, ...]]:
        with self._lock, _translated:
            names = self._columns.get(query.table)
            if names is None:
                info = self._conn.execute(f'PRAGMA table_info("{query.table}")')
                names = self._columns[query.table] = {row[1] for row in info}
            if not names:
                del self._columns[query.table]
                raise ValidationError("table", f"no table {query.table!r}")
            named = {*query.columns, *query.group_by, *query.order_by}
            named |= {condition.column for condition in query.where}
            if unknown := named - names:  # SQLite would read an unknown "name" as text
                raise ValidationError("query", f"{query.table} has no columns {sorted(unknown)}")
            sql, params = _sql(query)
            return self._conn.execute(sql, params).fetchall()

    def _statements(self, table: str) -> tuple[str, str]:
        found = self._writes.get(table)
        if found is None:
            found = self._writes[table] = _write_statements(self._conn, table)
        return found

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._tables)

    def close(self) -> None:
        with self._lock, _translated:
            self._conn.close()
        if self._committing_thread is not None and self._committing_pid == os.getpid():
            self._committing_thread.shutdown()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, durability={self.durability!r})"


class _Transaction:
    """A write transaction on the connection, rolled back on any error."""

    def __init__(self, conn: sqlite3.Connection, tables: _Tables) -> None:
        self.conn = conn
        self.tables = tables

    def __enter__(self) -> None:
        self.tables.begin()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if exc is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


_TYPES = {"text": str, "integer": int}


def _create_table(db: sqlite_utils.Database, table: Table) -> None:
    columns = {column.name: _TYPES[column.type] for column in table.columns}
    not_null = {column.name for column in table.columns if not column.is_nullable}
    created = db.table(table.name)
    created.create(columns, pk=table.key, not_null=not_null, strict=True, if_not_exists=True)
    for index in table.indexes:
        created.create_index(index, if_not_exists=True)


def _apply(conn: sqlite3.Connection, change: TableChanges, statements: tuple[str, str]) -> None:
    upsert, delete = statements
    if change.deletes:
        conn.executemany(delete, change.deletes)
    if change.upserts:
        conn.executemany(upsert, change.upserts)


def _write_statements(conn: sqlite3.Connection, table: str) -> tuple[str, str]:
    """The statements that write a row of a projection table (replacing the row with its key;
    an update in place, which leaves alone the indexes of unchanged columns) and delete one."""
    info = list(conn.execute(f'PRAGMA table_info("{table}")'))
    columns = [f'"{row[1]}"' for row in info]
    keys = [f'"{row[1]}"' for row in sorted(info, key=lambda r: r[5]) if row[5]]
    others = [column for column in columns if column not in keys]
    marks = ", ".join("?" * len(columns))
    on_conflict = (
        f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)}"
        if others
        else "DO NOTHING"
    )
    upsert = f'INSERT INTO "{table}" VALUES ({marks}) ON CONFLICT ({", ".join(keys)}) {on_conflict}'
    delete = f'DELETE FROM "{table}" WHERE {" AND ".join(f"{key} = ?" for key in keys)}'
    return upsert, delete


_OPS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _condition(condition: Condition) -> tuple[str, list[object]]:
    column, op, value = f'"{condition.column}"', condition.op, condition.value
    if op in _OPS:
        return f"{column} {_OPS[op]} ?", [value]
    if op == "in":
        values = list(value)
        return f"{column} IN ({', '.join('?' * len(values)) or 'NULL'})", values
    if op == "is_null":
        return f"{column} IS NULL", []
    if op == "not_null":
        return f"{column} IS NOT NULL", []
    compare = ">" if op == "null_or_gt" else ">="
    return f"({column} IS NULL OR {column} {compare} ?)", [value]


def _sql(query: Query) -> tuple[str, list[object]]:
    params: list[object] = []
    parts = []
    for condition in query.where:
        text, values = _condition(condition)
        parts.append(text)
        params += values
    where = f" WHERE {' AND '.join(parts)}" if parts else ""
    if query.group_by:
        groups = ", ".join(f'"{name}"' for name in query.group_by)
        order = ", ".join(f'"{name}"' for name in query.group_by)
        sql = f'SELECT {groups}, count(*) FROM "{query.table}"{where} GROUP BY {groups}'
        return f"{sql} ORDER BY {order}", params
    columns = ", ".join(f'"{name}"' for name in query.columns) or "*"
    order = ""
    if query.order_by:
        order = " ORDER BY " + ", ".join(f'"{name}"' for name in query.order_by)
    return f'SELECT {columns} FROM "{query.table}"{where}{order}', params
