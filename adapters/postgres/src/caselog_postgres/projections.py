"""The projection side of the PostgreSQL store: plain tables in the store's schema.

Text columns are ``text COLLATE "C"`` so that comparisons and order are those of Python's
strings, as :func:`caselog.tables.matches` defines them; integer columns are ``bigint``. Rows and
condition values are checked against the column types before they are sent, because PostgreSQL
would quietly turn a number into text on insert. Positions live in ``caselog_projections``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
from psycopg_pool import ConnectionPool

from caselog.errors import ConcurrencyError, StoreError, ValidationError
from caselog.tables import Condition, ProjectionState, ProjectionWrite, Query, Table, TableChanges
from caselog_postgres.errors import translated
from caselog_postgres.schema import Conn, name, sql

__all__ = ["Projections", "Shape"]

_SQL_TYPES = {"text": 'text COLLATE "C"', "integer": "bigint"}
_PYTHON_TYPES: dict[str, type] = {"text": str, "integer": int}
_CATALOG_TYPES = {"text": "text", "bigint": "integer"}
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">=", "null_or_gt", "null_or_ge"}

_SHAPE = """
SELECT a.attname, format_type(a.atttypid, NULL), a.attnotnull,
       array_position(i.indkey::int2[], a.attnum)
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_index AS i ON i.indrelid = c.oid AND i.indisprimary
WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'r' AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attnum
"""


@attrs.frozen
class Shape:
    """A projection table as the catalog describes it: column names, types, nullability, key."""

    table: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    not_null: tuple[bool, ...]
    key: tuple[str, ...]

    def type_of(self, column: str) -> str:
        return self.types[self.columns.index(column)]

    def check_row(self, row: object) -> None:
        """Refuse a row the table would not keep as given: length, nulls, types, range."""
        if not isinstance(row, tuple | list) or len(row) != len(self.columns):
            raise ValidationError("upserts", f"{self.table}: {row!r} has not {len(self.columns)} "
                                  "values")  # fmt: skip
        for column, kind, not_null, value in zip(
            self.columns, self.types, self.not_null, row, strict=True
        ):
            if value is None:
                if not_null:
                    raise ValidationError("upserts", f"{self.table}.{column} may not be null")
            elif not _is_value(kind, value):
                raise ValidationError("upserts", f"{self.table}.{column}: {value!r} is not {kind}")


def _is_value(kind: str, value: object) -> bool:
    if type(value) is not _PYTHON_TYPES.get(kind):
        return False
    if kind == "integer":
        return _SMALLEST <= value <= _LARGEST  # type: ignore[operator]
    return True


class Projections:
    """Projection tables, positions and queries in one schema, over a connection pool."""

    def __init__(self, pool: ConnectionPool[Any], schema: str) -> None:
        self._pool = pool
        self._schema = schema
        self._positions = name(schema, "caselog_projections")
        self._shapes: dict[str, Shape] = {}

    @contextmanager
    def _transaction(self) -> Iterator[Conn]:
        with translated, self._pool.connection() as conn, conn.transaction():
            yield conn

    def state(self, projection: str) -> ProjectionState | None:
        """The projection's position, or None."""
        statement = sql(f"SELECT name, version, position FROM {self._positions} WHERE name = %s")
        with translated, self._pool.connection() as conn:
            row = conn.execute(statement, (projection,)).fetchone()
        return None if row is None else ProjectionState(*row)

    def create(self, projection: str, *, version: str, tables: Sequence[Table]) -> None:
        """Create the projection's missing tables and its position, at 0."""
        with self._transaction() as conn:
            self._lock(conn)
            row = conn.execute(sql(f"SELECT version FROM {self._positions} WHERE name = %s"),
                               (projection,)).fetchone()  # fmt: skip
            if row is not None and row[0] != version:
                raise StoreError(f"projection {projection} has version {row[0]}, not {version}")
            owners = self._owners(conn)
            for table in tables:
                if owners.get(table.name, projection) != projection:
                    raise ValidationError("tables", f"{table.name} belongs to {owners[table.name]}")
            for table in tables:
                self._create_table(conn, table)
            names = sorted({table.name for table in tables})
            conn.execute(sql(
                f"INSERT INTO {self._positions} AS p VALUES (%s, %s, 0, %s) ON CONFLICT (name) "
                "DO UPDATE SET tables = ARRAY(SELECT DISTINCT unnest(p.tables || EXCLUDED.tables)"
                " ORDER BY 1)"
            ), (projection, version, names))  # fmt: skip
        self._shapes.clear()

    def _lock(self, conn: Conn) -> None:
        """Creating and dropping projections take turns, and wait for batches being written."""
        conn.execute(sql(f"LOCK TABLE {self._positions} IN EXCLUSIVE MODE"))

    def _owners(self, conn: Conn) -> dict[str, str]:
        rows = conn.execute(sql(f"SELECT name, tables FROM {self._positions}")).fetchall()
        return {table: owner for owner, tables in rows for table in tables}

    def _create_table(self, conn: Conn, table: Table) -> None:
        columns = [
            f'"{c.name}" {_SQL_TYPES[c.type]}{"" if c.is_nullable else " NOT NULL"}'
            for c in table.columns
        ]
        columns.append(f"PRIMARY KEY ({_names(table.key)})")
        qualified = name(self._schema, table.name)
        conn.execute(sql(f"CREATE TABLE IF NOT EXISTS {qualified} ({', '.join(columns)})"))
        for index in table.indexes:
            digest = hashlib.sha256(",".join(index).encode()).hexdigest()[:10]
            index_name = f"{table.name[:48]}_i{digest}"
            conn.execute(sql(
                f'CREATE INDEX IF NOT EXISTS "{index_name}" ON {qualified} ({_names(index)})'
            ))  # fmt: skip

    def write(
        self, projections: Sequence[ProjectionWrite], *, strict: bool = True
    ) -> frozenset[str]:
        """Apply the writes and move their positions, in one transaction. A write whose
        position is elsewhere raises ConcurrencyError when ``strict``, else is skipped and
        named in the result. Positions are locked in name order, so that two writers of the
        same projections cannot deadlock."""
        for write in projections:
            if type(write.position) is not int:
                raise ValidationError("position", f"{write.position!r} is not a log position")
        skipped: set[str] = set()
        with self._transaction() as conn:
            for write in sorted(projections, key=lambda w: w.name):
                projection = write.name
                row = conn.execute(
                    sql(f"SELECT position, tables FROM {self._positions} WHERE name = %s "
                        "FOR UPDATE"),
                    (projection,),
                ).fetchone()  # fmt: skip
                if row is None:
                    raise StoreError(f"projection {projection} has no tables: create it first")
                if row[0] != write.expected:
                    if strict:
                        raise ConcurrencyError(f"projection:{projection}", write.expected, row[0])
                    skipped.add(projection)
                    continue
                for change in write.changes:
                    if change.table not in row[1]:
                        raise ValidationError(
                            "table", f"{change.table!r} is not a table of projection {projection}"
                        )
                    self._apply(conn, change)
                conn.execute(sql(f"UPDATE {self._positions} SET position = %s WHERE name = %s"),
                             (write.position, projection))  # fmt: skip
        return frozenset(skipped)

    def _apply(self, conn: Conn, change: TableChanges) -> None:
        shape = self._shape(conn, change.table)
        for row in change.upserts:
            shape.check_row(row)
        qualified = name(self._schema, change.table)
        try:
            with conn.cursor() as cursor:
                if change.deletes:
                    where = " AND ".join(f'"{key}" = %s' for key in shape.key)
                    cursor.executemany(sql(f"DELETE FROM {qualified} WHERE {where}"),
                                       change.deletes)  # fmt: skip
                if change.upserts:
                    cursor.executemany(_upsert(qualified, shape), change.upserts)
        except BaseException:
            self._shapes.pop(change.table, None)  # the table may have changed under us
            raise

    def drop(self, projection: str, *, tables: Sequence[Table]) -> None:
        """Drop the projection's tables and its position."""
        with self._transaction() as conn:
            self._lock(conn)
            owners = self._owners(conn)
            for table in tables:
                if owners.get(table.name) == projection:
                    conn.execute(sql(f"DROP TABLE IF EXISTS {name(self._schema, table.name)}"))
            conn.execute(sql(f"DELETE FROM {self._positions} WHERE name = %s"), (projection,))
        self._shapes.clear()

    def query(self, query: Query) -> list[tuple[Any, ...]]:
        """Answer a query as :func:`caselog.tables.matches` defines it, nulls ordered first."""
        with translated, self._pool.connection() as conn:
            shape = self._shape(conn, query.table)
            named = {*query.columns, *query.group_by, *query.order_by}
            named |= {condition.column for condition in query.where}
            if unknown := named - set(shape.columns):
                raise ValidationError("query", f"{query.table} has no columns {sorted(unknown)}")
            statement, params = _select(name(self._schema, query.table), shape, query)
            try:
                rows: list[tuple[Any, ...]] = conn.execute(statement, params).fetchall()
            except BaseException:
                self._shapes.pop(query.table, None)  # the table may have changed under us
                raise
            return rows

    def _shape(self, conn: Conn, table: str) -> Shape:
        shape = self._shapes.get(table)
        if shape is None:
            rows = conn.execute(_SHAPE, (self._schema, table)).fetchall()
            if not rows:
                raise ValidationError("table", f"no table {table!r}")
            key: list[tuple[int, str]] = sorted(
                (row[3], row[0]) for row in rows if row[3] is not None
            )
            shape = self._shapes[table] = Shape(
                table,
                tuple(row[0] for row in rows),
                tuple(_CATALOG_TYPES.get(row[1]) or str(row[1]) for row in rows),
                tuple(bool(row[2]) for row in rows),
                tuple(column for _, column in key),
            )
        return shape


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def _upsert(qualified: str, shape: Shape) -> Any:
    marks = ", ".join(["%s"] * len(shape.columns))
    others = [column for column in shape.columns if column not in shape.key]
    conflict = "DO NOTHING"
    if others:
        conflict = "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in others)
    return sql(
        f"INSERT INTO {qualified} ({_names(shape.columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({_names(shape.key)}) {conflict}"
    )


_CAST = {"text": "text", "integer": "bigint"}
_SQL_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _condition(shape: Shape, condition: Condition) -> tuple[str, list[Any]]:
    column, op, value = f'"{condition.column}"', condition.op, condition.value
    kind = shape.type_of(condition.column)
    cast = _CAST.get(kind, "text")
    if op == "is_null":
        return f"{column} IS NULL", []
    if op == "not_null":
        return f"{column} IS NOT NULL", []
    if op == "in":
        values = _values(condition, kind)
        return f"{column} = ANY(%s::{cast}[])", [values]
    _check_value(condition, kind, value)
    if op in _SQL_OPS:
        return f"{column} {_SQL_OPS[op]} %s::{cast}", [value]
    compare = ">" if op == "null_or_gt" else ">="
    return f"({column} IS NULL OR {column} {compare} %s::{cast})", [value]


def _check_value(condition: Condition, kind: str, value: object) -> None:
    if value is not None and not _is_value(kind, value):
        raise ValidationError(
            "where", f"{condition.column} {condition.op} {value!r}: the column holds {kind}"
        )


def _values(condition: Condition, kind: str) -> list[Any]:
    if not isinstance(condition.value, tuple | list | set | frozenset):
        raise ValidationError(
            "where", f"{condition.column} in {condition.value!r}: expected a tuple of values"
        )
    values = list(condition.value)
    for value in values:
        _check_value(condition, kind, value)
    return values


def _select(qualified: str, shape: Shape, query: Query) -> tuple[Any, list[Any]]:
    params: list[Any] = []
    parts = []
    for condition in query.where:
        text, values = _condition(shape, condition)
        parts.append(text)
        params += values
    where = f" WHERE {' AND '.join(parts)}" if parts else ""
    if query.group_by:
        groups = _names(query.group_by)
        order = ", ".join(f'"{column}" NULLS FIRST' for column in query.group_by)
        statement = f"SELECT {groups}, count(*) FROM {qualified}{where} GROUP BY {groups}"
        return sql(f"{statement} ORDER BY {order}"), params
    columns = _names(query.columns) if query.columns else _names(shape.columns)
    order = ""
    if query.order_by:
        order = " ORDER BY " + ", ".join(f'"{column}" NULLS FIRST' for column in query.order_by)
    return sql(f"SELECT {columns} FROM {qualified}{where}{order}"), params
