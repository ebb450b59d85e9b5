"""The PostgreSQL store's projection side: the conformance suite, strict columns, and a whole
programme whose tables come out as SQLite's do."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import caselog
from caselog import StoreError, ValidationError
from caselog.projections.reads import BUILT_IN
from caselog.synthetic import EXAMPLE_VILLAGE, generate
from caselog.tables import Column, Condition, ProjectionStore, Query, Table, TableChanges
from caselog.testing import ProjectionConformance
from caselog_postgres import PostgresStore

NOTES = Table(
    "test_notes",
    (Column("note_id", "text", is_nullable=False), Column("size", "integer"),
     Column("text", "text")),
    key=("note_id",),
)  # fmt: skip


class TestPostgresStoreProjections(ProjectionConformance):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_dsn: str, new_schema: Callable[[], str]) -> None:
        self.dsn = postgres_dsn
        self.new_schema = new_schema

    def make_store(self) -> ProjectionStore:
        return PostgresStore(self.dsn, schema=self.new_schema())


@pytest.fixture
def notes(postgres_dsn: str, schema: str) -> Iterator[PostgresStore]:
    """A store with the notes projection created, at position 0."""
    with PostgresStore(postgres_dsn, schema=schema) as store:
        store.create_projection("notes", version="1", tables=[NOTES])
        yield store


@pytest.mark.parametrize(
    "row",
    [("n1", "12", None), ("n1", 12, 5), ("n1", True, None), ("n1", 2**63, None), (None, 1, "x"),
     ("n1", 1)],
)  # fmt: skip
def test_a_row_of_other_types_is_refused_whole(notes: PostgresStore, row: tuple[Any, ...]) -> None:
    """Text refuses numbers, integers refuse text, booleans and numbers past 64 bits; a batch
    holding such a row writes nothing."""
    good = ("n0", 1, "fine")
    with pytest.raises(ValidationError) as caught:
        notes.write_projection("notes", expected=0, position=1,
                               changes=[TableChanges(NOTES.name, upserts=(good, row))])  # fmt: skip
    assert caught.value.field == "upserts"
    assert notes.query(Query(NOTES.name)) == []
    assert notes.projection_state("notes").position == 0  # type: ignore[union-attr]


def test_text_that_postgresql_cannot_hold_is_a_store_error(notes: PostgresStore) -> None:
    """A NUL character, which PostgreSQL text cannot hold, fails the batch with a StoreError."""
    change = TableChanges(NOTES.name, upserts=(("n\x00", 1, None),))
    with pytest.raises(StoreError):
        notes.write_projection("notes", expected=0, position=1, changes=[change])
    assert notes.projection_state("notes").position == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "condition",
    [Condition("size", "=", "3"), Condition("text", "<", 3), Condition("size", "in", (1, "2")),
     Condition("size", "in", 3)],
)  # fmt: skip
def test_a_condition_of_another_type_is_refused(notes: PostgresStore, condition: Condition) -> None:
    """A condition comparing a column with a value of another type is refused by name."""
    with pytest.raises(ValidationError) as caught:
        notes.query(Query(NOTES.name, where=(condition,)))
    assert caught.value.field == "where"


def test_text_orders_as_python_strings(notes: PostgresStore) -> None:
    """Text compares and sorts by code point, as Python's strings do, whatever the locale."""
    words = ["b", "B", "a", "é", "Z", "王", "a b", "ab", None]
    rows = tuple((f"n{i}", i, word) for i, word in enumerate(words))
    notes.write_projection("notes", expected=0, position=1,
                           changes=[TableChanges(NOTES.name, upserts=rows)])  # fmt: skip
    ordered = notes.query(Query(NOTES.name, columns=("text",), order_by=("text",)))
    assert [row[0] for row in ordered] == [None, *sorted(w for w in words if w is not None)]
    above = notes.query(Query(NOTES.name, where=(Condition("text", ">", "Z"),), columns=("text",),
                              order_by=("text",)))  # fmt: skip
    assert [row[0] for row in above] == sorted(w for w in words if w is not None and w > "Z")


def test_an_unknown_table_is_refused(notes: PostgresStore) -> None:
    """A query of a table the schema does not have is refused by name."""
    with pytest.raises(ValidationError) as caught:
        notes.query(Query("test_nothing"))
    assert caught.value.field == "table"


def _tables(log: caselog.Caselog) -> dict[str, list[tuple[Any, ...]]]:
    store: Any = log.store
    return {
        table.name: store.query(Query(table.name, order_by=table.key))
        for kind in BUILT_IN
        for table in kind.tables
    }


def test_a_programme_reads_the_same_as_in_sqlite(url: str, tmp_path: Path) -> None:
    """The synthetic programme written into PostgreSQL and into SQLite gives the same log,
    the same projection tables after a rebuild, and the same caseload."""
    small: dict[str, Any] = {"villages": 2, "children_per_village": 10,
                             "first_year": 2025, "last_year": 2025}  # fmt: skip
    sqlite_url = str(tmp_path / "programme.db")
    summary = generate(url, **small)
    assert generate(sqlite_url, **small) == summary
    with caselog.open(url) as postgres, caselog.open(sqlite_url) as sqlite:
        assert postgres.store.read_log(limit=100_000) == sqlite.store.read_log(limit=100_000)
        postgres.rebuild()
        sqlite.rebuild()
        tables = _tables(postgres)
        assert all(tables.values()), "a table came out empty"
        assert tables == _tables(sqlite)
        day = summary.last_day
        assert postgres.caseload(EXAMPLE_VILLAGE, as_of=day) == sqlite.caseload(
            EXAMPLE_VILLAGE, as_of=day
        )
        assert postgres.verify().is_ok
