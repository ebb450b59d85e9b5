"""The projection side of the storage contract, as example tests for every store to pass.

Subclass :class:`ProjectionConformance`, implement ``make_store``, and name the subclass
``Test...``::

    class TestMyStoreProjections(ProjectionConformance):
        def make_store(self):
            return MyStore(...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from caselog.errors import ConcurrencyError, StoreError, ValidationError
from caselog.tables import (
    Column,
    Condition,
    ProjectionStore,
    ProjectionWrite,
    Query,
    Table,
    TableChanges,
    matches,
)

__all__ = ["ProjectionConformance"]

PEOPLE = Table(
    "test_people",
    (
        Column("person_id", "text", is_nullable=False),
        Column("area", "text", is_nullable=False),
        Column("born", "text"),
        Column("until", "text"),
        Column("score", "integer"),
    ),
    key=("person_id",),
    indexes=(("area", "born"),),
)
VISITS = Table(
    "test_visits",
    (
        Column("person_id", "text", is_nullable=False),
        Column("day", "text", is_nullable=False),
        Column("note", "text"),
    ),
    key=("person_id", "day"),
)
ROWS = (
    ("p1", "a", "2010-01-01", None, 3),
    ("p2", "a", "2012-06-01", "2020-01-01", None),
    ("p3", "b", None, "2030-01-01", 7),
    ("p4", "b", "2015-03-01", None, 3),
)


def _write_all(store: ProjectionStore) -> Callable[[list[ProjectionWrite]], frozenset[str]]:
    """The store's ``write_projections``, which is optional: a store without it is skipped."""
    write_all: Callable[[list[ProjectionWrite]], frozenset[str]] | None = getattr(
        store, "write_projections", None
    )
    if write_all is None:
        pytest.skip("the store writes one projection at a time (no write_projections)")
    return write_all


def _start_all(
    store: ProjectionStore,
) -> Callable[[list[ProjectionWrite]], tuple[frozenset[str], Callable[[], None]]]:
    """The store's ``start_projection_writes``, which is optional: a store without it is
    skipped."""
    start: Callable[[list[ProjectionWrite]], tuple[frozenset[str], Callable[[], None]]] | None = (
        getattr(store, "start_projection_writes", None)
    )
    if start is None:
        pytest.skip("the store commits as it writes (no start_projection_writes)")
    return start


class ProjectionConformance:
    """Example tests of the projection side of the storage contract; one behaviour each."""

    def make_store(self) -> ProjectionStore:
        """Return a new, empty store."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[ProjectionStore]:
        store = self.make_store()
        yield store
        close = getattr(store, "close", None)
        if close is not None:
            close()

    @pytest.fixture
    def filled(self, store: ProjectionStore) -> ProjectionStore:
        store.create_projection("people", version="1", tables=[PEOPLE, VISITS])
        store.write_projection("people", expected=0, position=4,
                               changes=[TableChanges(PEOPLE.name, upserts=ROWS)])  # fmt: skip
        return store

    def test_an_unknown_projection_has_no_state(self, store: ProjectionStore) -> None:
        """A projection never created has no position."""
        assert store.projection_state("people") is None

    def test_a_created_projection_starts_at_position_zero(self, store: ProjectionStore) -> None:
        """Creating a projection makes empty tables at position 0."""
        store.create_projection("people", version="1", tables=[PEOPLE, VISITS])
        state = store.projection_state("people")
        assert state is not None
        assert (state.name, state.version, state.position) == ("people", "1", 0)
        assert store.query(Query(PEOPLE.name)) == []

    def test_creating_again_keeps_rows_and_position(self, filled: ProjectionStore) -> None:
        """Creating an existing projection of the same version changes nothing."""
        filled.create_projection("people", version="1", tables=[PEOPLE, VISITS])
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS)

    def test_another_version_is_refused_until_dropped(self, filled: ProjectionStore) -> None:
        """A projection that exists with another version must be dropped before it is made."""
        with pytest.raises(StoreError):
            filled.create_projection("people", version="2", tables=[PEOPLE, VISITS])
        filled.drop_projection("people", tables=[PEOPLE, VISITS])
        filled.create_projection("people", version="2", tables=[PEOPLE, VISITS])
        assert filled.query(Query(PEOPLE.name)) == []

    def test_a_batch_writes_rows_and_moves_the_position(self, filled: ProjectionStore) -> None:
        """Rows and the position are written together."""
        assert filled.query(Query(PEOPLE.name, order_by=("person_id",))) == list(ROWS)
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]

    def test_a_stale_position_writes_nothing(self, filled: ProjectionStore) -> None:
        """A batch expecting another position is refused and writes nothing."""
        change = TableChanges(PEOPLE.name, upserts=(("p9", "c", None, None, 1),))
        with pytest.raises(ConcurrencyError):
            filled.write_projection("people", expected=3, position=9, changes=[change])
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS)

    def test_a_failing_batch_writes_nothing(self, filled: ProjectionStore) -> None:
        """A batch that fails half way leaves rows and position as they were."""
        good = TableChanges(VISITS.name, upserts=(("p1", "2024-01-01", "ok"),))
        bad = TableChanges(PEOPLE.name, upserts=(("p9", None, None, None, 1),))  # area not null
        with pytest.raises((StoreError, ValidationError)):
            filled.write_projection("people", expected=4, position=9, changes=[good, bad])
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]
        assert filled.query(Query(VISITS.name)) == []

    def test_several_projections_write_in_one_go(self, filled: ProjectionStore) -> None:
        """Writes of several projections apply together; one whose position moved is skipped
        and named, the others written."""
        filled.create_projection("visits", version="1", tables=[])
        filled.create_projection("other", version="1", tables=[])
        change = TableChanges(PEOPLE.name, upserts=(("p9", "c", None, None, 1),))
        skipped = _write_all(filled)(
            [
                ProjectionWrite("people", 4, 6, (change,)),
                ProjectionWrite("visits", 0, 6),
                ProjectionWrite("other", 2, 6),  # it is at 0: skipped
            ]
        )
        assert skipped == {"other"}
        states = [filled.projection_state(name) for name in ("people", "visits", "other")]
        assert [state.position for state in states if state is not None] == [6, 6, 0]
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS) + 1

    def test_a_failing_write_of_several_writes_nothing(self, filled: ProjectionStore) -> None:
        """When one projection's write fails, no projection's write is kept."""
        filled.create_projection("other", version="1", tables=[])
        good = TableChanges(PEOPLE.name, upserts=(("p9", "c", None, None, 1),))
        bad = TableChanges(PEOPLE.name)  # not a table of "other"
        with pytest.raises(ValidationError):
            _write_all(filled)(
                [ProjectionWrite("people", 4, 6, (good,)), ProjectionWrite("other", 0, 6, (bad,))]
            )
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]
        assert filled.projection_state("other").position == 0  # type: ignore[union-attr]
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS)

    def test_a_write_committed_in_the_background_is_seen_by_the_next_call(
        self, filled: ProjectionStore
    ) -> None:
        """``start_projection_writes`` (optional) skips and writes as ``write_projections``;
        any call made before its commit is done waits for it, and waiting says it is done."""
        filled.create_projection("other", version="1", tables=[])
        change = TableChanges(PEOPLE.name, upserts=(("p9", "c", None, None, 1),))
        skipped, finish = _start_all(filled)(
            [ProjectionWrite("people", 4, 6, (change,)), ProjectionWrite("other", 2, 6)]
        )
        assert skipped == {"other"}
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS) + 1
        finish()
        assert filled.projection_state("people").position == 6  # type: ignore[union-attr]
        assert filled.projection_state("other").position == 0  # type: ignore[union-attr]
        _, finish = _start_all(filled)([ProjectionWrite("people", 6, 7)])
        finish()
        finish()  # waiting again is harmless
        assert filled.projection_state("people").position == 7  # type: ignore[union-attr]

    def test_a_failing_write_started_in_the_background_writes_nothing(
        self, filled: ProjectionStore
    ) -> None:
        """An error in ``start_projection_writes``' own writing is raised at once, and
        nothing is written."""
        bad = TableChanges(PEOPLE.name, upserts=(("p9", None, None, None, 1),))  # area not null
        with pytest.raises((StoreError, ValidationError)):
            _start_all(filled)([ProjectionWrite("people", 4, 6, (bad,))])
        assert filled.projection_state("people").position == 4  # type: ignore[union-attr]
        assert len(filled.query(Query(PEOPLE.name))) == len(ROWS)

    def test_an_upsert_replaces_the_row_with_its_key(self, filled: ProjectionStore) -> None:
        """A row with an existing key replaces it; deletes apply before upserts."""
        change = TableChanges(
            PEOPLE.name, upserts=(("p1", "z", None, None, 0),), deletes=(("p1",), ("p2",))
        )
        filled.write_projection("people", expected=4, position=5, changes=[change])
        rows = filled.query(Query(PEOPLE.name, columns=("person_id", "area"),
                                  order_by=("person_id",)))  # fmt: skip
        assert rows == [("p1", "z"), ("p3", "b"), ("p4", "b")]

    def test_a_table_of_another_projection_is_refused(self, filled: ProjectionStore) -> None:
        """A projection writes only its own tables, and cannot take another's."""
        filled.create_projection("other", version="1", tables=[])
        with pytest.raises(ValidationError):
            filled.write_projection(
                "other", expected=0, position=1, changes=[TableChanges(PEOPLE.name)]
            )
        with pytest.raises(ValidationError):
            filled.create_projection("thief", version="1", tables=[PEOPLE])

    @pytest.mark.parametrize(
        ("column", "op", "value"),
        [
            ("area", "=", "a"), ("area", "!=", "a"), ("score", "<", 5), ("score", "<=", 3),
            ("score", ">", 3), ("score", ">=", 3), ("area", "in", ("b", "c")),
            ("born", "is_null", None), ("born", "not_null", None),
            ("until", "null_or_gt", "2020-01-01"), ("until", "null_or_ge", "2020-01-01"),
            ("born", "<=", "2012-06-01"),
        ],
    )  # fmt: skip
    def test_conditions_mean_what_matches_says(
        self, filled: ProjectionStore, column: str, op: str, value: Any
    ) -> None:
        """Each operator keeps the rows :func:`caselog.tables.matches` keeps (nulls as SQL)."""
        at = PEOPLE.column_names.index(column)
        expected = sorted(r[0] for r in ROWS if matches(r[at], Condition(column, op, value)))
        rows = filled.query(Query(PEOPLE.name, where=(Condition(column, op, value),),
                                  columns=("person_id",), order_by=("person_id",)))  # fmt: skip
        assert [r[0] for r in rows] == expected

    def test_groups_are_counted(self, filled: ProjectionStore) -> None:
        """A grouped query returns each group's values and its row count, in group order."""
        rows = filled.query(Query(PEOPLE.name, group_by=("area", "score")))
        assert rows == [("a", None, 1), ("a", 3, 1), ("b", 3, 1), ("b", 7, 1)]
        rows = filled.query(
            Query(PEOPLE.name, where=(Condition("score", "=", 3),), group_by=("score",))
        )
        assert rows == [(3, 2)]

    def test_dropping_removes_tables_and_position(self, filled: ProjectionStore) -> None:
        """A dropped projection is gone; creating it again starts empty."""
        filled.drop_projection("people", tables=[PEOPLE, VISITS])
        assert filled.projection_state("people") is None
        filled.create_projection("people", version="1", tables=[PEOPLE, VISITS])
        assert filled.query(Query(PEOPLE.name)) == []

    def test_unknown_columns_are_refused(self, filled: ProjectionStore) -> None:
        """A query naming a column the table does not have is refused."""
        with pytest.raises(ValidationError):
            filled.query(Query(PEOPLE.name, columns=("nope",)))
