"""The SQLite store passes the conformance suite and keeps its files safe."""

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from caselog import (
    NO_STREAM,
    ConcurrencyError,
    EventStore,
    SQLiteStore,
    StoredEvent,
    StoreError,
    StoreFormatError,
    StreamAppend,
    ValidationError,
    verify,
)
from caselog.sqlite import SCHEMA_VERSION
from caselog.tables import ProjectionStore
from caselog.testing import (
    ProjectionConformance,
    StoreConformance,
    StoreMachine,
    append_from_processes,
    check_log,
    new_event,
)
from caselog.times import Clock


class TestSQLiteStore(StoreConformance):
    def make_store(self, *, clock: Clock) -> EventStore:
        return SQLiteStore(self.tmp_path / "caselog.db", clock=clock)


class TestSQLiteStoreProjections(ProjectionConformance):
    def make_store(self) -> ProjectionStore:
        return SQLiteStore(":memory:")


class SQLiteStoreMachine(StoreMachine):
    def make_store(self, *, clock: Clock) -> EventStore:
        return SQLiteStore(self.tmp_path / "caselog.db", clock=clock, durability="normal")


TestSQLiteStoreMachine = SQLiteStoreMachine.TestCase


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "caselog.db"


def _fill(path: Path, count: int = 3) -> list[StoredEvent]:
    with SQLiteStore(path) as store:
        return store.append([StreamAppend("child-1", [new_event() for _ in range(count)])])


def test_reopening_keeps_every_event(path: Path) -> None:
    """Closing and reopening a file gives back every event as it was stored."""
    stored = _fill(path)
    with SQLiteStore(path) as store:
        assert store.read_log() == stored


def test_appends_after_reopening_continue_the_chains(path: Path) -> None:
    """A reopened store goes on with the same versions, positions and chains."""
    _fill(path)
    with SQLiteStore(path) as store:
        (event,) = store.append([StreamAppend("child-1", [new_event()], expected=3)])
        assert (event.position, event.version) == (4, 4)
        assert verify(store).is_ok


def test_empty_file_becomes_a_store(path: Path) -> None:
    """An existing empty file is made into a store."""
    path.touch()
    with SQLiteStore(path) as store:
        assert store.read_log() == []


def test_database_of_another_program_is_refused_untouched(path: Path) -> None:
    """A SQLite file with someone else's tables is refused and left byte for byte as it was."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    before = path.read_bytes()
    with pytest.raises(StoreFormatError, match="another program"):
        SQLiteStore(path)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_newer_schema_is_refused(path: Path) -> None:
    """A store written by a newer caselog schema is refused with the versions named."""
    _fill(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreFormatError, match=f"schema version {SCHEMA_VERSION + 1}"):
        SQLiteStore(path)


def test_a_layout_1_file_is_migrated_when_opened(path: Path) -> None:
    """A file of the first layout (events only) gains the projections' checkpoints, keeping its
    events."""
    _fill(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE caselog_projections")
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
    with SQLiteStore(path) as store:
        assert store.last_event() is not None
        assert store.projection_state("anything") is None
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert verify_file(path)


def verify_file(path: Path) -> bool:
    with SQLiteStore(path) as store:
        return verify(store).is_ok


def test_file_that_is_not_a_database_is_refused_untouched(path: Path) -> None:
    """A file that is not SQLite at all is refused and left as it was."""
    path.write_text("name,birth_date\n王小明,2015-04-01\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreFormatError, match="not a SQLite database"):
        SQLiteStore(path)
    assert path.read_bytes() == before


def test_driver_errors_become_store_errors(tmp_path: Path) -> None:
    """A SQLite failure surfaces as a StoreError with the driver's error as its cause."""
    with pytest.raises(StoreError) as caught:
        SQLiteStore(tmp_path / "no such folder" / "caselog.db")
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_closed_store_raises_store_error(path: Path) -> None:
    """Using a closed store raises a StoreError, not a driver error."""
    store = SQLiteStore(path)
    store.close()
    with pytest.raises(StoreError):
        store.read_log()


def test_durability_is_an_option(path: Path) -> None:
    """Durability is 'full' by default, 'normal' on request, and nothing else."""
    assert SQLiteStore(path).durability == "full"
    assert SQLiteStore(path, durability="normal").durability == "normal"
    with pytest.raises(ValidationError) as caught:
        SQLiteStore(path, durability="fast")  # type: ignore[arg-type]
    assert caught.value.field == "durability"


def test_processes_appending_at_once_lose_nothing(path: Path) -> None:
    """Processes appending to shared streams at once leave every event once, gap-free."""
    ids = append_from_processes(f"sqlite:///{path}", workers=4, appends=40)
    with SQLiteStore(path) as store:
        check_log(store, ids)


def _append_forever(path: str) -> None:
    with SQLiteStore(path, durability="normal") as store:
        for _ in range(1000):
            store.append([StreamAppend("child-1", [new_event() for _ in range(2000)])])


def test_killed_writer_leaves_whole_appends_only(path: Path) -> None:
    """A writer killed mid-append leaves only whole batches, and the log verifies."""
    _fill(path, count=1)
    process = multiprocessing.get_context("spawn").Process(target=_append_forever, args=(path,))
    process.start()
    with SQLiteStore(path) as store:
        while len(store.read_log(after=2000, limit=1)) == 0:  # let it commit a few batches
            process.join(0.05)
            assert process.is_alive()
    process.kill()
    process.join()
    with SQLiteStore(path) as store:
        last = store.last_event()
        assert last is not None
        assert (last.position - 1) % 2000 == 0
        assert verify(store).is_ok


def test_two_connections_taking_turns_see_each_others_appends(path: Path) -> None:
    """Stores on one file that append in turn each continue from the other's last event."""
    with SQLiteStore(path) as one, SQLiteStore(path) as two:
        for version in range(6):
            writer = one if version % 2 else two
            (event,) = writer.append([StreamAppend("child-1", [new_event()], expected=version)])
            assert (event.position, event.version) == (version + 1, version + 1)
        assert verify(one).is_ok


def test_refused_append_leaves_the_store_appendable(path: Path) -> None:
    """After a refused append the next one continues the same stream and chain."""
    with SQLiteStore(path) as store:
        store.append([StreamAppend("child-1", [new_event()])])
        with pytest.raises(ConcurrencyError):
            store.append([StreamAppend("child-1", [new_event()], expected=NO_STREAM)])
        (event,) = store.append([StreamAppend("child-1", [new_event()], expected=1)])
        assert (event.position, event.version) == (2, 2)
        assert verify(store).is_ok


def test_stream_version_sees_other_connections(path: Path) -> None:
    """A store's stream version reflects appends made through another connection."""
    with SQLiteStore(path) as one, SQLiteStore(path) as two:
        one.append([StreamAppend("child-1", [new_event()])])
        assert one.stream_version("child-1") == 1
        two.append([StreamAppend("child-1", [new_event(), new_event()])])
        assert one.stream_version("child-1") == 3


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", "soon"), ("timeout", -1), ("cache_mib", "x"), ("cache_mib", 0)],
)
def test_bad_options_are_refused_by_name(path: Path, option: str, value: object) -> None:
    """Options of the wrong type or range raise a validation error naming the option."""
    with pytest.raises(ValidationError) as caught:
        SQLiteStore(path, **{option: value})  # type: ignore[arg-type]
    assert caught.value.field == option
