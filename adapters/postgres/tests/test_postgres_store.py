"""The PostgreSQL store passes the conformance suite, keeps its schema safe and maps errors."""

import socket
import threading
from collections.abc import Callable

import psycopg
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

import caselog
import caselog_postgres.store
from caselog import (
    ConcurrencyError,
    EventStore,
    StoredEvent,
    StoreError,
    StoreFormatError,
    StreamAppend,
    ValidationError,
    verify,
)
from caselog.batch import Sealing
from caselog.testing import StoreConformance, StoreMachine, new_event
from caselog.times import Clock
from caselog_postgres import LAYOUT_VERSION, PostgresStore, open_store


class TestPostgresStore(StoreConformance):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_dsn: str, new_schema: Callable[[], str]) -> None:
        self.dsn = postgres_dsn
        self.new_schema = new_schema

    def make_store(self, *, clock: Clock) -> EventStore:
        return PostgresStore(self.dsn, clock=clock, schema=self.new_schema())


class PostgresStoreMachine(StoreMachine):
    """The state machine on a fresh schema per example; the test sets the server."""

    dsn: str
    new_schema: Callable[[], str]

    def make_store(self, *, clock: Clock) -> EventStore:
        return PostgresStore(self.dsn, clock=clock, schema=self.new_schema(), pool_max=1,
                             durability="normal")  # fmt: skip


def test_the_store_matches_the_model(
    postgres_dsn: str, new_schema: Callable[[], str], machine_settings: settings
) -> None:
    """Random appends, retries and reads agree with the plain model, and the chains verify."""

    make_schema = new_schema

    class Machine(PostgresStoreMachine):
        dsn = postgres_dsn
        new_schema = staticmethod(make_schema)

    run_state_machine_as_test(Machine, settings=machine_settings)


def _fill(url: str, count: int = 3) -> list[StoredEvent]:
    with open_store(url) as store:
        return store.append([StreamAppend("child-1", [new_event() for _ in range(count)])])


def _sql(dsn: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_caselog_open_finds_the_adapter_by_url(url: str) -> None:
    """``caselog.open`` opens a postgresql:// URL through the entry point, schema included."""
    with caselog.open(url) as log:
        assert isinstance(log.store, PostgresStore)
        assert log.store.schema == url.rsplit("=", 1)[1]
    postgres_url = url.replace("postgresql://", "postgres://", 1)
    with caselog.open(postgres_url) as log:
        assert isinstance(log.store, PostgresStore)


def test_reopening_keeps_every_event(url: str) -> None:
    """Closing and reopening a schema gives back every event, and appends continue the chains."""
    stored = _fill(url)
    with open_store(url) as store:
        assert store.read_log() == stored
        (event,) = store.append([StreamAppend("child-1", [new_event()], expected=3)])
        assert (event.position, event.version) == (4, 4)
        assert verify(store).is_ok


def test_newer_layout_is_refused_untouched(url: str, schema: str, postgres_dsn: str) -> None:
    """A schema of a newer layout is refused with the versions named, and left as it was."""
    _fill(url)
    _sql(postgres_dsn, f'UPDATE "{schema}".caselog_layout SET version = {LAYOUT_VERSION + 1}')
    before = _sql(postgres_dsn, f'SELECT * FROM "{schema}".caselog_events ORDER BY position')
    with pytest.raises(StoreFormatError, match=f"layout version {LAYOUT_VERSION + 1}"):
        open_store(url)
    assert (
        _sql(postgres_dsn, f'SELECT * FROM "{schema}".caselog_events ORDER BY position') == before
    )
    layout = _sql(postgres_dsn, f'SELECT version FROM "{schema}".caselog_layout')
    assert layout == [(LAYOUT_VERSION + 1,)]


def test_schema_of_another_program_is_refused_untouched(
    url: str, schema: str, postgres_dsn: str
) -> None:
    """A schema holding someone else's tables is refused, and nothing is added to it."""
    _sql(postgres_dsn, f'CREATE SCHEMA "{schema}"')
    _sql(postgres_dsn, f'CREATE TABLE "{schema}".patients (id integer PRIMARY KEY, name text)')
    with pytest.raises(StoreFormatError, match="another program"):
        open_store(url)
    tables = _sql(postgres_dsn, f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}'")
    assert tables == [("patients",)]


def test_empty_schema_becomes_a_store(url: str, schema: str, postgres_dsn: str) -> None:
    """An existing empty schema is made into a store."""
    _sql(postgres_dsn, f'CREATE SCHEMA "{schema}"')
    with open_store(url) as store:
        assert store.read_log() == []


def test_a_layout_1_schema_is_migrated_when_opened(
    url: str, schema: str, postgres_dsn: str
) -> None:
    """A schema of the first layout gains the projections' positions, keeping its events."""
    stored = _fill(url)
    _sql(postgres_dsn, f'DROP TABLE "{schema}".caselog_projections')
    _sql(postgres_dsn, f'UPDATE "{schema}".caselog_layout SET version = 1')
    with open_store(url) as store:
        assert store.read_log() == stored
        assert store.projection_state("anything") is None
        assert verify(store).is_ok
    layout = _sql(postgres_dsn, f'SELECT version FROM "{schema}".caselog_layout')
    assert layout == [(LAYOUT_VERSION,)] == [(2,)]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_a_store_error() -> None:
    """A DSN to a port nobody listens on raises StoreError with the driver's error as cause."""
    with pytest.raises(StoreError) as caught:
        PostgresStore(f"postgresql://postgres@127.0.0.1:{_closed_port()}/test?connect_timeout=2")
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


def test_closed_store_raises_store_error(url: str) -> None:
    """Using a closed store raises a StoreError, not a driver error."""
    store = open_store(url)
    store.close()
    with pytest.raises(StoreError) as caught:
        store.read_log()
    assert isinstance(caught.value.__cause__, psycopg.Error)


def test_a_connection_lost_before_commit_writes_nothing_and_a_retry_is_safe(
    url: str, postgres_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An append whose connection dies before it commits leaves nothing; the retry writes once."""
    _fill(url, count=1)
    insert = caselog_postgres.store._Backend.insert

    def insert_then_lose_the_connection(
        backend: caselog_postgres.store._Backend, records: Sealing
    ) -> bool:
        assert insert(backend, records)
        pid = backend.conn.info.backend_pid
        _sql(postgres_dsn, f"SELECT pg_terminate_backend({pid})")
        return True

    batch = [StreamAppend("child-1", [new_event(), new_event()], expected=1),
             StreamAppend("child-2", [new_event()])]  # fmt: skip
    with open_store(url) as store:
        monkeypatch.setattr(caselog_postgres.store._Backend, "insert",
                            insert_then_lose_the_connection)  # fmt: skip
        with pytest.raises(StoreError) as caught:
            store.append(batch)
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        monkeypatch.undo()
        assert len(store.read_log()) == 1
        stored = store.append(batch)
        assert [e.position for e in stored] == [2, 3, 4]
        assert store.append(batch) == stored
        assert verify(store).is_ok


def test_two_stores_taking_turns_see_each_others_appends(url: str) -> None:
    """Stores on one schema that append in turn each continue from the other's last event."""
    with open_store(url) as one, open_store(url) as two:
        for version in range(6):
            writer = one if version % 2 else two
            (event,) = writer.append([StreamAppend("child-1", [new_event()], expected=version)])
            assert (event.position, event.version) == (version + 1, version + 1)
        with pytest.raises(ConcurrencyError):
            one.append([StreamAppend("child-1", [new_event()], expected=5)])
        assert verify(one).is_ok


def test_a_large_batch_is_copied_whole(url: str) -> None:
    """A batch large enough to go through COPY stores every field, in order."""
    events = [new_event(f'{{"n":{n},"name":"王小明\\t"}}', actor="w-1", effective="2024-01-02")
              for n in range(500)]  # fmt: skip
    with open_store(url) as store:
        stored = store.append([StreamAppend("child-1", events)])
        assert store.read_log(limit=1000) == stored
        assert [e.data for e in stored] == [e.data for e in events]
        assert verify(store).is_ok


def test_appends_wait_for_each_other_on_the_head_row(
    url: str, schema: str, postgres_dsn: str
) -> None:
    """An append waits while another transaction holds the head row, then continues after it."""
    with open_store(url) as store, psycopg.connect(postgres_dsn) as holder:
        store.append([StreamAppend("child-1", [new_event()])])
        holder.execute(f'SELECT * FROM "{schema}".caselog_head FOR UPDATE')
        results: list[list[StoredEvent]] = []
        writer = threading.Thread(
            target=lambda: results.append(store.append([StreamAppend("child-2", [new_event()])]))
        )
        writer.start()
        writer.join(0.5)
        assert results == [], "the append did not wait for the head row"
        holder.rollback()
        writer.join()
        assert [e.position for e in results[0]] == [2]


@pytest.mark.parametrize(
    ("option", "value"),
    [("schema", "Bad-Name"), ("pool_min", -1), ("pool_max", 0), ("timeout", "soon"),
     ("durability", "fast"), ("dsn", "")],
)  # fmt: skip
def test_bad_options_are_refused_by_name(option: str, value: object) -> None:
    """Options of the wrong type or range raise a validation error naming the option."""
    arguments: dict[str, object] = {"dsn": "postgresql://nobody@127.0.0.1:1/none", option: value}
    with pytest.raises(ValidationError) as caught:
        PostgresStore(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == option


@pytest.mark.parametrize(
    ("url", "field"),
    [("postgresql://h/db?pool_max=many", "url.pool_max"), ("postgresql://h/db?a", "url"),
     ("postgresql://h/db?nonsense_option=1", "url"), ("mysql://h/db", "url")],
)  # fmt: skip
def test_bad_urls_are_refused_by_name(url: str, field: str) -> None:
    """A URL with a malformed option, an option libpq does not know or another scheme is
    refused before connecting."""
    with pytest.raises(ValidationError) as caught:
        open_store(url)
    assert caught.value.field == field


def test_durability_is_an_option(url: str, postgres_dsn: str) -> None:
    """``durability=normal`` turns synchronous commit off for the store's connections only."""
    with open_store(f"{url}&durability=normal&pool_max=1") as store:
        assert store.durability == "normal"
        store.append([StreamAppend("child-1", [new_event()])])
        with store._pool.connection() as conn:
            assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)
    assert _sql(postgres_dsn, "SHOW synchronous_commit") != [("off",)]
